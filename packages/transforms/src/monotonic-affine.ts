import { type Tensor, type TensorLike, abs, exp } from '@eddy/core';
import { ladjLike, param } from './params.js';
import { ElementwiseTransform } from './transform.js';

/**
 * The affine map of MAF and RealNVP with a bounded log-scale (zuko's
 * `MonotonicAffineTransform`): `l = scale / (1 + |scale / log(slope)|)` keeps the slope
 * `eˡ` in `(slope, 1/slope)`; `y = x eˡ + shift`, `ladj = l`.
 *
 * Papamakarios et al. (2017), "Masked Autoregressive Flow for Density Estimation".
 *
 * @example
 * ```ts
 * new MonotonicAffineTransform(tensor([1]), tensor([0])).call(tensor([2])); // [3]
 * ```
 * @category Elementwise
 */
export class MonotonicAffineTransform extends ElementwiseTransform {
  /** The shift. */
  readonly shift: Tensor;
  /** The bounded log-scale `l`. */
  readonly logScale: Tensor;
  /** The minimum slope. */
  readonly slope: number;

  /**
   * @param shift additive term; @param scale unconstrained log-scale;
   * @param slope minimum slope (default 1e-3).
   */
  constructor(shift: TensorLike, scale: TensorLike, slope = 1e-3) {
    super();
    const s = param(scale);
    const lnS = Math.log(slope);
    this.shift = param(shift);
    this.logScale = s.div(abs(s.div(lnS)).add(1));
    this.slope = slope;
  }
  /** Increasing. */
  override get sign(): 1 {
    return 1;
  }
  /** `x eˡ + shift`. */
  call(x: Tensor): Tensor {
    return x.mul(exp(this.logScale)).add(this.shift);
  }
  /** `(y - shift) e⁻ˡ`. */
  inverse(y: Tensor): Tensor {
    return y.sub(this.shift).mul(exp(this.logScale.neg()));
  }
  /** `l`, broadcast to `x`. */
  logAbsDetJacobian(x: Tensor): Tensor {
    return ladjLike(this.logScale, x);
  }
}
