import { type Tensor, abs, log1p } from '@eddy/core';
import { type Domain, ScalarTransform, domain } from './transform.js';

/**
 * Soft clipping to `(-B, B)`: `y = x / (1 + |x/B|)`, `ladj = -2 log(1 + |x/B|)`;
 * inverse `y / (1 - |y/B|)` (zuko's `SoftclipTransform`, default `B = 1`). NAF, UNAF and
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
export class SoftclipTransform extends ScalarTransform {
  /** The bound `B`. */
  readonly bound: number;

  /** @param bound the bound `B > 0` (default 1). */
  constructor(bound = 1) {
    super();
    this.bound = bound;
  }
  /** `(-B, B)`. */
  override get codomain(): Domain {
    return domain(0, `(-${this.bound}, ${this.bound})`);
  }
  /** Increasing. */
  override get sign(): 1 {
    return 1;
  }
  /** `x / (1 + |x/B|)`. */
  call(x: Tensor): Tensor {
    return x.div(abs(x.div(this.bound)).add(1));
  }
  /** `y / (1 - |y/B|)`. */
  inverse(y: Tensor): Tensor {
    return y.div(abs(y.div(this.bound)).neg().add(1));
  }
  /** `-2 log1p(|x/B|)`. */
  logAbsDetJacobian(x: Tensor): Tensor {
    return log1p(abs(x.div(this.bound))).mul(-2);
  }
  /** `SoftclipTransform(bound=B)`. */
  override toString(): string {
    return `SoftclipTransform(bound=${this.bound})`;
  }
}
