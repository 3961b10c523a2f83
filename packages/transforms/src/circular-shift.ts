import { type Tensor, remainder } from '@eddy/core';
import { type Domain, ScalarTransform, domain } from './transform.js';

/**
 * Circular shift on `[-B, B)`: `y = rem(x, 2B) - B` (`rem` with the divisor's sign, as
 * Python's `%`), `ladj = 0`; it is its own inverse (zuko's `CircularShiftTransform`,
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
export class CircularShiftTransform extends ScalarTransform {
  /** The half-period `B`. */
  readonly bound: number;

  /** @param bound the half-period `B > 0` (default 1). */
  constructor(bound = 1) {
    super();
    this.bound = bound;
  }
  /** `[-B, B)`. */
  override get domain(): Domain {
    return domain(0, `[-${this.bound}, ${this.bound})`);
  }
  /** `[-B, B)`. */
  override get codomain(): Domain {
    return domain(0, `[-${this.bound}, ${this.bound})`);
  }
  /** `rem(x, 2B) - B`. */
  call(x: Tensor): Tensor {
    return remainder(x, 2 * this.bound).sub(this.bound);
  }
  /** Same as the forward map. */
  inverse(y: Tensor): Tensor {
    return this.call(y);
  }
  /** Zeros. */
  logAbsDetJacobian(x: Tensor): Tensor {
    return x.zerosLike();
  }
  /** `CircularShiftTransform(bound=B)`. */
  override toString(): string {
    return `CircularShiftTransform(bound=${this.bound})`;
  }
}
