import { type Tensor, log } from '@eddy/core';
import { type Domain, ScalarTransform, domain } from './transform.js';

/**
 * `y = eˣ`, `ladj = x`; inverse `log y` (PyTorch's `ExpTransform`).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { ExpTransform } from '@eddy/transforms';
 * new ExpTransform().inv.call(tensor([1, Math.E])); // log y: [0, 1]
 * ```
 * @category Elementwise
 */
export class ExpTransform extends ScalarTransform {
  /** Positive reals. */
  override get codomain(): Domain {
    return domain(0, 'positive');
  }
  /** Increasing. */
  override get sign(): 1 {
    return 1;
  }
  /** `eˣ`. */
  call(x: Tensor): Tensor {
    return x.exp();
  }
  /** `log y`. */
  inverse(y: Tensor): Tensor {
    return log(y);
  }
  /** `x`. */
  logAbsDetJacobian(x: Tensor): Tensor {
    return x;
  }
}
