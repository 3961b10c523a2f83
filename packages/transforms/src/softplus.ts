import { type Tensor, expm1, log, softplus } from '@eddy/core';
import { type Domain, ScalarTransform, domain } from './transform.js';

/**
 * `y = log(1 + eˣ)`, `ladj = -softplus(-x)`; inverse `y + log(-expm1(-y))`
 * (PyTorch's `SoftplusTransform`).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { SoftplusTransform } from '@eddy/transforms';
 * new SoftplusTransform().call(tensor([0])); // [log 2]
 * ```
 * @category Elementwise
 */
export class SoftplusTransform extends ScalarTransform {
  /** Positive reals. */
  override get codomain(): Domain {
    return domain(0, 'positive');
  }
  /** Increasing. */
  override get sign(): 1 {
    return 1;
  }
  /** `softplus(x)`. */
  call(x: Tensor): Tensor {
    return softplus(x);
  }
  /** `y + log(-expm1(-y))`. */
  inverse(y: Tensor): Tensor {
    return y.add(log(expm1(y.neg()).neg()));
  }
  /** `-softplus(-x)`. */
  logAbsDetJacobian(x: Tensor): Tensor {
    return softplus(x.neg()).neg();
  }
}
