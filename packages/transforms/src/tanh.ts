import { type Tensor, log1p, softplus } from '@eddy/core';
import { type Domain, ScalarTransform, domain } from './transform.js';

/**
 * `y = tanh x`, `ladj = 2(log 2 - x - softplus(-2x))` (stable); inverse `atanh y`
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
export class TanhTransform extends ScalarTransform {
  /** The interval (-1, 1). */
  override get codomain(): Domain {
    return domain(0, '(-1, 1)');
  }
  /** Increasing. */
  override get sign(): 1 {
    return 1;
  }
  /** `tanh x`. */
  call(x: Tensor): Tensor {
    return x.tanh();
  }
  /** `½ (log1p(y) - log1p(-y))`. */
  inverse(y: Tensor): Tensor {
    return log1p(y).sub(log1p(y.neg())).mul(0.5);
  }
  /** `2 (log 2 - x - softplus(-2x))`. */
  logAbsDetJacobian(x: Tensor): Tensor {
    return x.neg().sub(softplus(x.mul(-2))).add(Math.LN2).mul(2);
  }
}
