import { type Tensor, concat, cumsum, full, softmax } from '@eddy/core';
import { BernsteinTransform } from './bernstein.js';

/**
 * A bounded Bernstein polynomial transformation (zuko's `BoundedBernsteinTransform`, the
 * univariate transform of BPF): a {@link BernsteinTransform} whose coefficients map
 * `[-B, B]` onto itself with slope 1 and zero curvature at both ends, so that it joins
 * the (shifted) identity outside. `L` unconstrained values give `L + 5` coefficients
 * (order $M = L + 4$): with $\Delta = 2B/(L + 4)$,
 * $\theta = \operatorname{cumsum}\big([-B, \Delta, \Delta, \operatorname{softmax}(\theta_\mathrm{raw}) \cdot (2B - 4\Delta), \Delta, \Delta]\big)$; the tails are
 * $y = 2B(u - \varepsilon) - B$ and $y = 2B(u - 1 + \varepsilon) + B$, i.e. $y = x - 2B\varepsilon$ below and $y = x + 2B\varepsilon$ above, with $\text{ladj} = 0$.
 *
 * References:
 * - [Deep transformation models: Tackling complex regression problems with neural network based transformation models (Sick et al., 2020)](https://arxiv.org/abs/2004.00464)
 * - [Short-Term Density Forecasting of Low-Voltage Load using Bernstein-Polynomial Normalizing Flows (Arpogaus et al., 2022)](https://arxiv.org/abs/2204.13939)
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { BoundedBernsteinTransform } from '@eddy/transforms';
 * const t = new BoundedBernsteinTransform(randn([4, 17], { seed: 1, dtype: 'float64' }));
 * const [y, ladj] = t.callAndLadj(randn([4], { seed: 9, dtype: 'float64' })); // ladj = 0 outside [-5, 5]
 * ```
 *
 * Constructor: `new BoundedBernsteinTransform(theta, { bound = 5, eps = 1e-6 })`, as {@link BernsteinTransform}.
 * @category Splines and polynomials
 */
export class BoundedBernsteinTransform extends BernsteinTransform {
  /** $\operatorname{cumsum}\big([-B, \Delta, \Delta, \operatorname{softmax}(\theta) \cdot (2B - 4\Delta), \Delta, \Delta]\big)$ with $\Delta = 2B/(L + 4)$. */
  protected override constrainTheta(raw: Tensor): Tensor {
    const L = raw.shape[raw.ndim - 1] as number;
    const B = this.bound;
    const delta = (2 * B) / (L + 4);
    const diffs = softmax(raw, -1).mul(2 * B - 4 * delta);
    const ones = full([...raw.shape.slice(0, -1), 1], 1, { dtype: raw.dtype, backend: raw.backend });
    const edge = full([...raw.shape.slice(0, -1), 2], delta, { dtype: raw.dtype, backend: raw.backend });
    return cumsum(concat([ones.mul(-B), edge, diffs, edge], -1), -1);
  }

  /** Offsets `(-B, B)` and slopes `(2B, 2B)` (in `u`). */
  protected override boundaryLines(): [Tensor, Tensor, Tensor, Tensor] {
    const opts = { dtype: this.theta.dtype, backend: this.theta.backend };
    const B = this.bound;
    return [full([], -B, opts), full([], B, opts), full([], 2 * B, opts), full([], 2 * B, opts)];
  }
}
