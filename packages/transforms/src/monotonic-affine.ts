import { type Tensor, type TensorLike, abs, broadcastShapes, expand, monotonicAffineMap, select, stack } from '@eddy/core';
import { param } from './params.js';
import { ScalarTransform } from './transform.js';

/** Marks packed parameters passed through the constructor by `fromPacked`. */
class Packed {
  constructor(readonly phi: Tensor) {}
}

/**
 * The affine map of MAF and RealNVP with a bounded log-scale (zuko's
 * `MonotonicAffineTransform`): $l = \frac{\mathrm{scale}}{1 + |\mathrm{scale} / \log(\mathrm{slope})|}$ keeps the slope
 * $e^l$ in $(\mathrm{slope}, 1/\mathrm{slope})$; $y = x e^l + \mathrm{shift}$, $\text{ladj} = l$.
 *
 * The parameters are kept packed (`phi`, `(..., 2)` = shift, scale) and evaluated by
 * core's {@link monotonicAffineMap}: one fused pass on the CPU backend.
 *
 * References:
 * - [Masked Autoregressive Flow for Density Estimation (Papamakarios et al., 2017)](https://arxiv.org/abs/1705.07057)
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { MonotonicAffineTransform } from '@eddy/transforms';
 * new MonotonicAffineTransform(tensor([1]), tensor([0])).call(tensor([2])); // [3]
 * ```
 * @category Elementwise
 */
export class MonotonicAffineTransform extends ScalarTransform {
  /** `(shift, scale)` packed along a last axis of size 2. */
  readonly phi: Tensor;
  /** The minimum slope. */
  readonly slope: number;

  /**
   * @param shift additive term; @param scale unconstrained log-scale;
   * @param slope minimum slope (default 1e-3).
   */
  constructor(shift: TensorLike, scale: TensorLike, slope = 1e-3) {
    super();
    if (shift instanceof Packed) {
      this.phi = shift.phi;
    } else {
      const sh = param(shift);
      const sc = param(scale);
      const lead = broadcastShapes('MonotonicAffineTransform', sh.shape, sc.shape);
      this.phi = stack([expand(sh, lead), expand(sc, lead)], -1);
    }
    this.slope = slope;
  }

  /**
   * The map from packed parameters `phi` `(..., 2)` (shift, scale), as a hypernetwork
   * outputs them.
   *
   * @example
   * ```ts
   * import { tensor } from '@eddy/core';
   * import { MonotonicAffineTransform } from '@eddy/transforms';
   * MonotonicAffineTransform.fromPacked(tensor([[1, 0]])).call(tensor([2])); // [3]
   * ```
   */
  static fromPacked(phi: Tensor, slope = 1e-3): MonotonicAffineTransform {
    return new MonotonicAffineTransform(new Packed(phi) as unknown as TensorLike, 0, slope);
  }

  /** The shift. */
  get shift(): Tensor {
    return select(this.phi, -1, 0);
  }
  /** The bounded log-scale `l`. */
  get logScale(): Tensor {
    const s = select(this.phi, -1, 1);
    return s.div(abs(s.div(Math.log(this.slope))).add(1));
  }
  /** Increasing. */
  override get sign(): 1 {
    return 1;
  }
  /** `x eˡ + shift`. */
  call(x: Tensor): Tensor {
    return monotonicAffineMap(x, this.phi, { slope: this.slope })[0];
  }
  /** $(y - \mathrm{shift})\, e^{-l}$. */
  inverse(y: Tensor): Tensor {
    return monotonicAffineMap(y, this.phi, { slope: this.slope, inverse: true })[0];
  }
  /** `l`, broadcast to `x`. */
  logAbsDetJacobian(x: Tensor): Tensor {
    return monotonicAffineMap(x, this.phi, { slope: this.slope })[1];
  }
  /** `[y, l]` in one pass. */
  override callAndLadj(x: Tensor): [Tensor, Tensor] {
    return monotonicAffineMap(x, this.phi, { slope: this.slope });
  }
  /** `[x, −l]` in one pass. */
  override inverseAndLadj(y: Tensor): [Tensor, Tensor] {
    return monotonicAffineMap(y, this.phi, { slope: this.slope, inverse: true });
  }
}
