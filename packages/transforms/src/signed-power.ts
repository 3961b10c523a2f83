import { type Tensor, type TensorLike, abs, expm1, log } from '@eddy/core';
import { ladjLike, param } from './params.js';
import { ScalarFunctionTransform } from './scalar-function.js';

/**
 * $y = x |x|^{\operatorname{expm1}(\alpha)}$ (so the power is $e^\alpha$), $\text{ladj} = \alpha + \operatorname{expm1}(\alpha) \log|x|$; inverse
 * $y |y|^{\operatorname{expm1}(-\alpha)}$ (zuko's `SignedPowerTransform`).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { SignedPowerTransform } from '@eddy/transforms';
 * new SignedPowerTransform(tensor([Math.LN2])).call(tensor([-3])); // [-9]
 * ```
 * @category Elementwise
 */
export class SignedPowerTransform extends ScalarFunctionTransform {
  /** The log-power `α`. */
  readonly alpha: Tensor;

  /** @param alpha the log-power `α` (broadcasts against `x`). */
  constructor(alpha: TensorLike) {
    const a = param(alpha);
    super({
      sign: 1,
      call: (x) => x.mul(abs(x).pow(expm1(a))), // x |x|^{expm1(α)}
      inverse: (y) => y.mul(abs(y).pow(expm1(a.neg()))), // y |y|^{expm1(-α)}
      logAbsDetJacobian: (x) => ladjLike(a.add(expm1(a).mul(log(abs(x)))), x), // α + expm1(α) log|x|
    });
    this.alpha = a;
  }
}
