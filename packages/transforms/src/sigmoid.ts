import { type Tensor, log, log1p, sigmoid, softplus } from '@eddy/core';
import { type Domain, ScalarTransform, domain } from './transform.js';

/**
 * `y = σ(x) = 1/(1+e⁻ˣ)`, `ladj = -softplus(-x) - softplus(x)`; inverse `logit(y)`
 * (PyTorch's `SigmoidTransform`).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { SigmoidTransform } from '@eddy/transforms';
 * new SigmoidTransform().call(tensor([0])); // [0.5]
 * ```
 * @category Elementwise
 */
export class SigmoidTransform extends ScalarTransform {
  /** The unit interval. */
  override get codomain(): Domain {
    return domain(0, '(0, 1)');
  }
  /** Increasing. */
  override get sign(): 1 {
    return 1;
  }
  /** `σ(x)`. */
  call(x: Tensor): Tensor {
    return sigmoid(x);
  }
  /** `log y - log(1 - y)`. */
  inverse(y: Tensor): Tensor {
    return log(y).sub(log1p(y.neg()));
  }
  /** `-softplus(-x) - softplus(x)`. */
  logAbsDetJacobian(x: Tensor): Tensor {
    return softplus(x.neg()).add(softplus(x)).neg();
  }
}
