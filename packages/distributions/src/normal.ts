import { type Rng, type Tensor, type TensorLike, defaultRng, erf, erfinv, expand, log, square } from '@eddy/core';
import { LocationScale } from './location-scale.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * The normal distribution $\mathcal{N}(\mu, \sigma^2)$ (`loc` $\mu$, `scale` $\sigma$):
 *
 * $$
 * \log p(x) = -\frac{(x - \mu)^2}{2\sigma^2} - \log \sigma - \frac{1}{2} \log 2\pi,
 * $$
 *
 * with CDF $\frac{1}{2}\big(1 + \operatorname{erf}\big(\frac{x - \mu}{\sigma\sqrt{2}}\big)\big)$
 * and inverse CDF $\mu + \sigma\sqrt{2} \operatorname{erfinv}(2p - 1)$. Draws are $\mu + \sigma \varepsilon$ with $\varepsilon$ from the
 * counter-based generator (reparameterised).
 *
 * @example
 * ```ts
 * import { Rng, tensor } from '@eddy/core';
 * import { Normal } from '@eddy/distributions';
 * const d = new Normal(tensor([0, 1]), tensor([1, 2]));
 * d.batchShape;                    // [2]
 * d.sample([5], new Rng(0)).shape; // [5, 2]
 * ```
 * @category Univariate
 */
export class Normal extends LocationScale {
  /**
   * @param loc mean; @param scale standard deviation (must be positive);
   * @param options `validateArgs` (default true) checks `scale > 0`.
   */
  constructor(loc: TensorLike, scale: TensorLike, options: { validateArgs?: boolean } = {}) {
    super('Normal', loc, scale, options);
  }
  /** $\sigma^2$. */
  override get variance(): Tensor {
    return square(this.scale);
  }
  /** $-\frac{(x - \mu)^2}{2\sigma^2} - \log \sigma - \frac{1}{2} \log 2\pi$. */
  logProb(x: Tensor): Tensor {
    this.checkValue(x);
    return square(x.sub(this.loc)).div(square(this.scale).mul(2)).neg().sub(log(this.scale)).sub(HALF_LOG_2PI);
  }
  /** $\mu + \sigma \varepsilon$, $\varepsilon \sim \mathcal{N}(0, 1)$ from `rng`. */
  override rsample(shape: readonly number[] = [], rng: Rng = defaultRng()): Tensor {
    const eps = rng.normal(this.extendedShape(shape), this.drawDtype);
    return eps.mul(this.scale).add(this.loc);
  }
  /** $\frac{1}{2} + \frac{1}{2} \log 2\pi + \log \sigma$. */
  override entropy(): Tensor {
    return log(this.scale).add(0.5 + HALF_LOG_2PI);
  }
  /** $\frac{1}{2}\big(1 + \operatorname{erf}\big(\frac{x - \mu}{\sigma\sqrt{2}}\big)\big)$. */
  override cdf(x: Tensor): Tensor {
    return erf(x.sub(this.loc).div(this.scale.mul(Math.SQRT2)))
      .add(1)
      .mul(0.5);
  }
  /** $\mu + \sigma\sqrt{2} \operatorname{erfinv}(2p - 1)$. */
  override icdf(p: Tensor): Tensor {
    return erfinv(p.mul(2).sub(1)).mul(this.scale.mul(Math.SQRT2)).add(this.loc);
  }
  /** The same normal broadcast to `batchShape`. */
  override expand(batchShape: readonly number[]): Normal {
    return new Normal(expand(this.loc, batchShape), expand(this.scale, batchShape), { validateArgs: false });
  }
}
