import { type Tensor, abs, asin, cos, log, sin } from '@eddy/core';
import { type Domain, ScalarTransform, domain } from './transform.js';

/**
 * `y = sin x` on `(-π/2, π/2)`, `ladj = log|cos x|`; inverse `asin y` (zuko's `SinTransform`).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { SinTransform } from '@eddy/transforms';
 * new SinTransform().call(tensor([0])); // [0]
 * ```
 * @category Elementwise
 */
export class SinTransform extends ScalarTransform {
  /** `(-π/2, π/2)`. */
  override get domain(): Domain {
    return domain(0, '(-π/2, π/2)');
  }
  /** `(-1, 1)`. */
  override get codomain(): Domain {
    return domain(0, '(-1, 1)');
  }
  /** Increasing. */
  override get sign(): 1 {
    return 1;
  }
  /** `sin x`. */
  call(x: Tensor): Tensor {
    return sin(x);
  }
  /** `asin y`. */
  inverse(y: Tensor): Tensor {
    return asin(y);
  }
  /** `log|cos x|`. */
  logAbsDetJacobian(x: Tensor): Tensor {
    return log(abs(cos(x)));
  }
}
