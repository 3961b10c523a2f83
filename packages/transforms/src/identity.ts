import type { Tensor } from '@eddy/core';
import { ScalarTransform } from './transform.js';

/**
 * $y = x$, $\text{ladj} = 0$ (zuko's `IdentityTransform`).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { IdentityTransform } from '@eddy/transforms';
 * new IdentityTransform().call(tensor([1, 2])); // [1, 2]
 * ```
 * @category Basics
 */
export class IdentityTransform extends ScalarTransform {
  /** Increasing. */
  override get sign(): 1 {
    return 1;
  }
  /** `x`. */
  call(x: Tensor): Tensor {
    return x;
  }
  /** `y`. */
  inverse(y: Tensor): Tensor {
    return y;
  }
  /** Zeros shaped like `x`. */
  logAbsDetJacobian(x: Tensor): Tensor {
    return x.zerosLike();
  }
}
