import { type Tensor, type TensorLike, abs, expm1, log } from '@eddy/core';
import { ladjLike, param } from './params.js';
import { ScalarTransform } from './transform.js';

/**
 * `y = x |x|^{expm1(α)}` (so the power is `eᵅ`), `ladj = α + expm1(α) log|x|`; inverse
 * `y |y|^{expm1(-α)}` (zuko's `SignedPowerTransform`).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { SignedPowerTransform } from '@eddy/transforms';
 * new SignedPowerTransform(tensor([Math.LN2])).call(tensor([-3])); // [-9]
 * ```
 * @category Elementwise
 */
export class SignedPowerTransform extends ScalarTransform {
  /** The log-power `α`. */
  readonly alpha: Tensor;

  /** @param alpha the log-power `α` (broadcasts against `x`). */
  constructor(alpha: TensorLike) {
    super();
    this.alpha = param(alpha);
  }
  /** Increasing. */
  override get sign(): 1 {
    return 1;
  }
  /** `x |x|^{expm1(α)}`. */
  call(x: Tensor): Tensor {
    return x.mul(abs(x).pow(expm1(this.alpha)));
  }
  /** `y |y|^{expm1(-α)}`. */
  inverse(y: Tensor): Tensor {
    return y.mul(abs(y).pow(expm1(this.alpha.neg())));
  }
  /** `α + expm1(α) log|x|`. */
  logAbsDetJacobian(x: Tensor): Tensor {
    return ladjLike(this.alpha.add(expm1(this.alpha).mul(log(abs(x)))), x);
  }
}
