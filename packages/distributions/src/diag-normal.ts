import { type Tensor, type TensorLike, diagNormalLogProb } from '@eddy/core';
import { withEventAxis } from './helpers.js';
import { Independent } from './independent.js';
import { Normal } from './normal.js';

/**
 * A multivariate normal with diagonal covariance, `Independent(Normal(loc, scale), 1)`
 * (zuko's `DiagNormal`):
 *
 * $$
 * \log p(x) = \sum_d \left[ -\frac{(x_d - \mu_d)^2}{2\sigma_d^2} - \log \sigma_d - \frac{1}{2} \log 2\pi \right].
 * $$
 *
 * The default base of every zuko flow but NCSF.
 *
 * @example
 * ```ts
 * import { ones, zeros } from '@eddy/core';
 * import { DiagNormal } from '@eddy/distributions';
 * const base = new DiagNormal(zeros([2]), ones([2]));
 * base.eventShape; // [2]
 * ```
 * @category Multivariate
 */
export class DiagNormal extends Independent {
  /**
   * @param loc means `[..., D]`; @param scale standard deviations `[..., D]`;
   * @param options `validateArgs` (default true) checks `scale > 0`; `ndims` (default 1,
   * zuko's `ndims`) how many trailing axes form the event.
   */
  constructor(loc: TensorLike, scale: TensorLike, options: { validateArgs?: boolean; ndims?: number } = {}) {
    super(withEventAxis('DiagNormal', 'loc and scale', new Normal(loc, scale, options)), options.ndims ?? 1);
  }

  /** $\sum_d \log \mathcal{N}(x_d; \mu_d, \sigma_d)$ over the event axes, one fused pass where the backend has the kernel (one event axis). */
  override logProb(x: Tensor): Tensor {
    if (this.reinterpreted !== 1) return super.logProb(x);
    this.checkValue(x);
    const n = this.base as Normal;
    return diagNormalLogProb(x, n.loc, n.scale);
  }
}
