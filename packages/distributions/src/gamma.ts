import { type Rng, type Tensor, type TensorLike, defaultRng, digamma, expand, ge, lgamma, log, logicalAnd, lt, square, where } from '@eddy/core';
import { gammaP, gammaQuantile } from './gamma-special.js';
import { guard, outside, xlogy } from './helpers.js';
import { ScalarDistribution } from './scalar-distribution.js';

/**
 * The gamma distribution with shape (concentration) $\alpha > 0$ and rate $\beta > 0$:
 *
 * $$
 * \log p(x) = \alpha \log \beta + (\alpha - 1) \log x - \beta x - \log \Gamma(\alpha)
 * $$
 *
 * for $x \ge 0$ (with $0 \cdot \log 0 = 0$)
 * and $-\infty$ for $x < 0$; CDF $P(\alpha, \beta x)$, the regularised lower incomplete gamma function
 * (PyTorch's `Gamma`).
 *
 * **Sampling** is by inversion, $x = P^{-1}(\alpha, u)/\beta$ with one uniform $u$ per element, so
 * every row consumes exactly one draw call of `rng` (sharded sampling stays exact) and
 * there is no rejection step and no fallback. $P^{-1}$ is a safeguarded Newton iteration on
 * the host (float64; a sync point on GPU backends). The draw is reparameterised: the
 * gradient in $\alpha$ is the implicit one, $\frac{\partial x}{\partial \alpha} = -\frac{(\partial P/\partial \alpha)(\alpha, \beta x)}{\beta p_1(\beta x; \alpha)}$
 * (Figurnov, Mohamed & Mnih 2018, "Implicit Reparameterization Gradients"), which is
 * what PyTorch's `rsample` computes and is the exact derivative of the inverse-CDF map.
 * Draws below the smallest normal number are clamped to it, as PyTorch does.
 *
 * @example
 * ```ts
 * import { Rng, tensor } from '@eddy/core';
 * import { Gamma } from '@eddy/distributions';
 * const d = new Gamma(tensor([2, 0.5]), tensor([1, 3]));
 * d.mean.toArray();                  // [2, 1/6]
 * d.rsample([1000], new Rng(0)).shape; // [1000, 2]
 * ```
 * @category Univariate
 */
export class Gamma extends ScalarDistribution<'concentration' | 'rate'> {
  /** Shape `α > 0`, broadcast to the batch shape. */
  declare readonly concentration: Tensor;
  /** Rate `β > 0`, broadcast to the batch shape. */
  declare readonly rate: Tensor;

  /**
   * @param concentration shape `α` (positive); @param rate rate `β` (positive);
   * @param options `validateArgs` (default true) checks `α > 0` and `β > 0`.
   */
  constructor(concentration: TensorLike, rate: TensorLike, options: { validateArgs?: boolean } = {}) {
    super('Gamma', { concentration, rate }, options, ['concentration', 'rate']);
  }
  /** $\alpha/\beta$. */
  override get mean(): Tensor {
    return this.concentration.div(this.rate);
  }
  /** $\alpha/\beta^2$. */
  override get variance(): Tensor {
    return this.concentration.div(square(this.rate));
  }
  /** $\alpha \log \beta + (\alpha - 1) \log x - \beta x - \log \Gamma(\alpha)$ for $0 \le x < \infty$, $-\infty$ elsewhere. */
  logProb(x: Tensor): Tensor {
    this.checkValue(x);
    const inside = logicalAnd(ge(x, 0), lt(x, Number.POSITIVE_INFINITY));
    const xs = guard(inside, x, 1);
    const lp = xlogy(this.concentration, this.rate)
      .add(xlogy(this.concentration.sub(1), xs))
      .sub(this.rate.mul(xs))
      .sub(lgamma(this.concentration));
    return outside(inside, lp);
  }
  /** $P^{-1}(\alpha, u)/\beta$, $u \sim \mathcal{U}[0, 1)$ from one uniform draw of `rng`. */
  override rsample(shape: readonly number[] = [], rng: Rng = defaultRng()): Tensor {
    const u = rng.uniform(this.extendedShape(shape), this.drawDtype);
    return gammaQuantile(this.concentration, u).div(this.rate);
  }
  /** $\alpha - \log \beta + \log \Gamma(\alpha) + (1 - \alpha) \psi(\alpha)$ (not differentiable in $\alpha$: no trigamma). */
  override entropy(): Tensor {
    const a = this.concentration;
    return a
      .sub(log(this.rate))
      .add(lgamma(a))
      .add(a.neg().add(1).mul(digamma(a)));
  }
  /** $P(\alpha, \beta x)$ for $x \ge 0$, 0 below. */
  override cdf(x: Tensor): Tensor {
    const inside = ge(x, 0);
    return where(inside, gammaP(this.concentration, this.rate.mul(guard(inside, x, 1))), 0);
  }
  /** $P^{-1}(\alpha, p)/\beta$. */
  override icdf(p: Tensor): Tensor {
    return gammaQuantile(this.concentration, p, false).div(this.rate);
  }
  /** The same gamma broadcast to `batchShape`. */
  override expand(batchShape: readonly number[]): Gamma {
    return new Gamma(expand(this.concentration, batchShape), expand(this.rate, batchShape), { validateArgs: false });
  }
}
