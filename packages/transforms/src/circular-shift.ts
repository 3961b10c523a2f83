import { type Tensor, remainder } from '@eddy/core';
import { ScalarFunctionTransform } from './scalar-function.js';

/**
 * Circular shift on $[-B, B)$: $y = \operatorname{rem}(x, 2B) - B$ (`rem` with the divisor's sign, as
 * Python's `%`), $\text{ladj} = 0$; it is its own inverse (zuko's `CircularShiftTransform`,
 * default `B = 1`). NCSF composes it with a circular spline.
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { CircularShiftTransform } from '@eddy/transforms';
 * new CircularShiftTransform(1).call(tensor([0.5])); // [-0.5]
 * ```
 * @category Elementwise
 */
export class CircularShiftTransform extends ScalarFunctionTransform {
  /** The half-period `B`. */
  readonly bound: number;

  /** @param bound the half-period `B > 0` (default 1). */
  constructor(bound = 1) {
    const shift = (x: Tensor) => remainder(x, 2 * bound).sub(bound); // its own inverse
    const interval = `[-${bound}, ${bound})`;
    super({ domain: interval, codomain: interval, call: shift, inverse: shift, logAbsDetJacobian: (x) => x.zerosLike() });
    this.bound = bound;
  }
  /** `CircularShiftTransform(bound=B)`. */
  override toString(): string {
    return `CircularShiftTransform(bound=${this.bound})`;
  }
}
