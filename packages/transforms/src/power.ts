import { type Tensor, type TensorLike, abs, log } from '@eddy/core';
import { param, ladjLike } from './params.js';
import { type Domain, ScalarTransform, domain } from './transform.js';

/**
 * $y = x^e$ on the positive reals, $\text{ladj} = \log|e \cdot y / x|$ (PyTorch's `PowerTransform`).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { PowerTransform } from '@eddy/transforms';
 * new PowerTransform(2).call(tensor([3])); // [9]
 * ```
 * @category Elementwise
 */
export class PowerTransform extends ScalarTransform {
  /** The exponent `e`. */
  readonly exponent: Tensor;

  /** @param exponent the power (non-zero). */
  constructor(exponent: TensorLike) {
    super();
    this.exponent = param(exponent);
  }
  /** Positive reals. */
  override get domain(): Domain {
    return domain(0, 'positive');
  }
  /** Positive reals. */
  override get codomain(): Domain {
    return domain(0, 'positive');
  }
  /** `xᵉ`. */
  call(x: Tensor): Tensor {
    return x.pow(this.exponent);
  }
  /** `y^{1/e}`. */
  inverse(y: Tensor): Tensor {
    return y.pow(this.exponent.pow(-1));
  }
  /** $\log|e \cdot y / x|$. */
  logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    return ladjLike(log(abs(this.exponent.mul(y).div(x))), x);
  }
  /** `PowerTransform(exponent=…)`. */
  override toString(): string {
    return `PowerTransform(exponent=${this.exponent})`;
  }
}
