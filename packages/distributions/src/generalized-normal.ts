import { type Rng, type Tensor, type TensorLike, abs, defaultRng, exp, expand, lgamma, log, pow, reciprocal, sign, lt, cast, zeros } from '@eddy/core';
import { gammaP, gammaQuantile } from './gamma-special.js';
import { ScalarDistribution } from './scalar-distribution.js';

/**
 * The (symmetric, standard) generalized normal distribution with shape $\beta > 0$
 * (zuko's `GeneralizedNormal`): $\log p(x) = \log(\beta/2) - \log \Gamma(1/\beta) - |x|^\beta$.
 * $\beta = 2$ is $\mathcal{N}(0, \frac{1}{2})$, $\beta = 1$ the standard Laplace, and $\beta \to \infty$ tends to $\mathcal{U}(-1, 1)$.
 * Nadarajah (2005), "A generalized normal distribution".
 *
 * Since $|X|^\beta \sim \operatorname{Gamma}(1/\beta, 1)$, the CDF is $\frac{1}{2} + \frac{1}{2} \operatorname{sign}(x) P(1/\beta, |x|^\beta)$ and the inverse
 * CDF $\operatorname{sign}(p - \frac{1}{2}) P^{-1}(1/\beta, |2p - 1|)^{1/\beta}$ ($P$ the regularised incomplete gamma
 * function). Draws use that inverse with one uniform draw call of `rng`, which is zuko's
 * construction ($\operatorname{Gamma}(1/\beta)^{1/\beta}$ with a random sign) driven by a single uniform; they
 * are reparameterised in $\beta$ (implicit gradients, see {@link Gamma}).
 *
 * @example
 * ```ts
 * import { Rng, tensor } from '@eddy/core';
 * import { GeneralizedNormal } from '@eddy/distributions';
 * const d = new GeneralizedNormal(tensor([1, 2, 8]));
 * d.batchShape;                    // [3]
 * d.sample([10], new Rng(0)).shape; // [10, 3]
 * ```
 * @category Univariate
 */
export class GeneralizedNormal extends ScalarDistribution<'beta'> {
  /** Shape `β > 0`, broadcast to the batch shape. */
  declare readonly beta: Tensor;

  /** @param beta shape `β` (positive); @param options `validateArgs` (default true) checks `β > 0`. */
  constructor(beta: TensorLike, options: { validateArgs?: boolean } = {}) {
    super('GeneralizedNormal', { beta }, options, ['beta']);
  }
  /** 0. */
  override get mean(): Tensor {
    return zeros(this.batchShape, { dtype: this.beta.dtype, backend: this.beta.backend });
  }
  /** $\Gamma(3/\beta)/\Gamma(1/\beta)$. */
  override get variance(): Tensor {
    const r = reciprocal(this.beta);
    return exp(lgamma(r.mul(3)).sub(lgamma(r)));
  }
  /** $\log(\beta/2) - \log \Gamma(1/\beta) - |x|^\beta$. */
  logProb(x: Tensor): Tensor {
    this.checkValue(x);
    return log(this.beta.div(2))
      .sub(lgamma(reciprocal(this.beta)))
      .sub(pow(abs(x), this.beta));
  }
  /** $\operatorname{sign}(u - \frac{1}{2}) P^{-1}(1/\beta, |2u - 1|)^{1/\beta}$, $u \sim \mathcal{U}[0, 1)$ from one uniform draw call. */
  override rsample(shape: readonly number[] = [], rng: Rng = defaultRng()): Tensor {
    return this.icdf(rng.uniform(this.extendedShape(shape), this.drawDtype));
  }
  /** $1/\beta - \log\big(\beta/(2\Gamma(1/\beta))\big)$. */
  override entropy(): Tensor {
    const r = reciprocal(this.beta);
    return r.sub(log(this.beta.div(2))).add(lgamma(r));
  }
  /** $\frac{1}{2} + \frac{1}{2} \operatorname{sign}(x) P(1/\beta, |x|^\beta)$. */
  override cdf(x: Tensor): Tensor {
    return sign(x)
      .mul(gammaP(reciprocal(this.beta), pow(abs(x), this.beta)))
      .mul(0.5)
      .add(0.5);
  }
  /** $\operatorname{sign}(p - \frac{1}{2}) P^{-1}(1/\beta, |2p - 1|)^{1/\beta}$. */
  override icdf(p: Tensor): Tensor {
    const r = reciprocal(this.beta);
    const t = p.mul(2).sub(1);
    const g = gammaQuantile(r, abs(t), false);
    return cast(lt(t, 0), g.dtype).mul(-2).add(1).mul(pow(g, r));
  }
  /** The same generalized normal broadcast to `batchShape`. */
  override expand(batchShape: readonly number[]): GeneralizedNormal {
    return new GeneralizedNormal(expand(this.beta, batchShape), { validateArgs: false });
  }
}
