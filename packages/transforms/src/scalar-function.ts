import type { Tensor } from '@eddy/core';
import { type Domain, ScalarTransform, domain } from './transform.js';

/**
 * The math of a {@link ScalarFunctionTransform}: the map, its inverse and its log-derivative,
 * elementwise, and (optionally) the intervals and the direction.
 *
 * @category Basics
 */
export interface ScalarFunctions {
  /** $y = f(x)$. */
  call(x: Tensor): Tensor;
  /** $x = f^{-1}(y)$. */
  inverse(y: Tensor): Tensor;
  /** `log |f'(x)|`, elementwise. */
  logAbsDetJacobian(x: Tensor): Tensor;
  /** The domain, described (default `'real'`). */
  domain?: string;
  /** The codomain, described (default `'real'`). */
  codomain?: string;
  /** `1` if `f` is increasing, `-1` if decreasing (default: not stated). */
  sign?: 1 | -1;
}

/**
 * A {@link ScalarTransform} given by its functions: the base of the fixed elementwise
 * bijections (`ExpTransform`, `TanhTransform`, `SoftclipTransform`, ...), which pass their
 * {@link ScalarFunctions} to the constructor instead of each repeating the `domain`,
 * `codomain`, `sign`, `call`, `inverse` and `logAbsDetJacobian` members.
 *
 * @example
 * ```ts
 * import { log, tensor } from '@eddy/core';
 * import { ScalarFunctionTransform } from '@eddy/transforms';
 * // y = 2ˣ, ladj = x log 2 + log log 2
 * class Exp2Transform extends ScalarFunctionTransform {
 *   constructor() {
 *     const ln2 = Math.LN2;
 *     super({ codomain: 'positive', sign: 1, call: (x) => x.mul(ln2).exp(), inverse: (y) => log(y).div(ln2), logAbsDetJacobian: (x) => x.mul(ln2).add(Math.log(ln2)) });
 *   }
 * }
 * new Exp2Transform().call(tensor([3])); // [8]
 * ```
 * @category Basics
 */
export abstract class ScalarFunctionTransform extends ScalarTransform {
  readonly #f: ScalarFunctions;

  /** @param functions the map, its inverse, its log-derivative, intervals and direction. */
  constructor(functions: ScalarFunctions) {
    super();
    this.#f = functions;
  }
  /** {@link ScalarFunctions.domain} (the reals by default), elementwise. */
  override get domain(): Domain {
    return this.#f.domain === undefined ? super.domain : domain(0, this.#f.domain);
  }
  /** {@link ScalarFunctions.codomain} (the reals by default), elementwise. */
  override get codomain(): Domain {
    return this.#f.codomain === undefined ? super.codomain : domain(0, this.#f.codomain);
  }
  /** {@link ScalarFunctions.sign}. */
  override get sign(): 1 | -1 | undefined {
    return this.#f.sign;
  }
  /** `f(x)`. */
  call(x: Tensor): Tensor {
    return this.#f.call(x);
  }
  /** $f^{-1}(y)$. */
  inverse(y: Tensor): Tensor {
    return this.#f.inverse(y);
  }
  /** `log |f'(x)|`. */
  logAbsDetJacobian(x: Tensor): Tensor {
    return this.#f.logAbsDetJacobian(x);
  }
}
