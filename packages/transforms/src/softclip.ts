import { abs, log1p } from '@eddy/core';
import { ScalarFunctionTransform } from './scalar-function.js';

/**
 * Soft clipping to $(-B, B)$: $y = x / (1 + |x/B|)$, $\text{ladj} = -2 \log(1 + |x/B|)$;
 * inverse $y / (1 - |y/B|)$ (zuko's `SoftclipTransform`, default `B = 1`). NAF, UNAF and
 * SOSPF insert `Softclip(11)` between their transforms.
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { SoftclipTransform } from '@eddy/transforms';
 * new SoftclipTransform(2).call(tensor([2])); // [1]
 * ```
 * @category Elementwise
 */
export class SoftclipTransform extends ScalarFunctionTransform {
  /** The bound `B`. */
  readonly bound: number;

  /** @param bound the bound `B > 0` (default 1). */
  constructor(bound = 1) {
    super({
      codomain: `(-${bound}, ${bound})`,
      sign: 1,
      call: (x) => x.div(abs(x.div(bound)).add(1)),
      inverse: (y) => y.div(abs(y.div(bound)).neg().add(1)),
      logAbsDetJacobian: (x) => log1p(abs(x.div(bound))).mul(-2),
    });
    this.bound = bound;
  }
  /** `SoftclipTransform(bound=B)`. */
  override toString(): string {
    return `SoftclipTransform(bound=${this.bound})`;
  }
}
