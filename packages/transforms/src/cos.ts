import { type Tensor, abs, acos, cos, log, sin } from '@eddy/core';
import { type Domain, ScalarTransform, domain } from './transform.js';

/**
 * `y = -cos x` on `(0, π)`, `ladj = log|sin x|`; inverse `acos(-y)` (zuko's `CosTransform`).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { CosTransform } from '@eddy/transforms';
 * new CosTransform().call(tensor([Math.PI / 2])); // [0]
 * ```
 * @category Elementwise
 */
export class CosTransform extends ScalarTransform {
  /** `(0, π)`. */
  override get domain(): Domain {
    return domain(0, '(0, π)');
  }
  /** `(-1, 1)`. */
  override get codomain(): Domain {
    return domain(0, '(-1, 1)');
  }
  /** Increasing. */
  override get sign(): 1 {
    return 1;
  }
  /** `-cos x`. */
  call(x: Tensor): Tensor {
    return cos(x).neg();
  }
  /** `acos(-y)`. */
  inverse(y: Tensor): Tensor {
    return acos(y.neg());
  }
  /** `log|sin x|`. */
  logAbsDetJacobian(x: Tensor): Tensor {
    return log(abs(sin(x)));
  }
}
