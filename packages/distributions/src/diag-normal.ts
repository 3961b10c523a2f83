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
  /** @param loc means `[..., D]`; @param scale standard deviations `[..., D]`. */
  constructor(loc: TensorLike, scale: TensorLike, options: { validateArgs?: boolean } = {}) {
    super(withEventAxis('DiagNormal', 'loc and scale', new Normal(loc, scale, options)), 1);
  }

  /** $\sum_d \log \mathcal{N}(x_d; \mu_d, \sigma_d)$, one fused pass where the backend has the kernel. */
  override logProb(x: Tensor): Tensor {
    this.checkValue(x);
    const n = this.base as Normal;
    return diagNormalLogProb(x, n.loc, n.scale);
  }
}
