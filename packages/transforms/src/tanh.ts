import { log1p, softplus } from '@eddy/core';
import { ScalarFunctionTransform } from './scalar-function.js';

/**
 * $y = \tanh x$, $\text{ladj} = 2\big(\log 2 - x - \operatorname{softplus}(-2x)\big)$ (stable); inverse $\operatorname{artanh} y$
 * (PyTorch's `TanhTransform`).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { TanhTransform } from '@eddy/transforms';
 * new TanhTransform().call(tensor([0])); // [0]
 * ```
 * @category Elementwise
 */
export class TanhTransform extends ScalarFunctionTransform {
  constructor() {
    super({
      codomain: '(-1, 1)',
      sign: 1,
      call: (x) => x.tanh(),
      inverse: (y) => log1p(y).sub(log1p(y.neg())).mul(0.5), // atanh y
      logAbsDetJacobian: (x) =>
        x
          .neg()
          .sub(softplus(x.mul(-2)))
          .add(Math.LN2)
          .mul(2), // 2 (log 2 - x - softplus(-2x))
    });
  }
}
