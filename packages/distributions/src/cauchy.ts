import { type Rng, type Tensor, type TensorLike, atan, defaultRng, expand, full, log, log1p, square, tan } from '@eddy/core';
import { LocationScale } from './location-scale.js';

const LOG_PI = Math.log(Math.PI);

/**
 * The Cauchy (Lorentz) distribution with location $x_0$ and scale $\gamma > 0$:
 * $\log p(x) = -\log \pi - \log \gamma - \log\big(1 + ((x - x_0)/\gamma)^2\big)$; CDF $\frac{1}{2} + \arctan\big((x - x_0)/\gamma\big)/\pi$,
 * inverse CDF $x_0 + \gamma \tan\big(\pi(p - \frac{1}{2})\big)$ (PyTorch's `Cauchy`). Draws go through the inverse
 * CDF of one uniform (reparameterised in $x_0$, $\gamma$). The mean and variance do not exist:
 * as in PyTorch, `mean` is NaN and `variance` is +∞.
 *
 * @example
 * ```ts
 * import { Rng, tensor } from '@eddy/core';
 * import { Cauchy } from '@eddy/distributions';
 * const d = new Cauchy(0, 2);
 * d.cdf(tensor([2])).toArray();     // [0.75]
 * d.sample([10], new Rng(0)).shape; // [10]
 * ```
 * @category Univariate
 */
export class Cauchy extends LocationScale {
  /**
   * @param loc location `x₀`; @param scale scale `γ` (must be positive);
   * @param options `validateArgs` (default true) checks `γ > 0`.
   */
  constructor(loc: TensorLike, scale: TensorLike, options: { validateArgs?: boolean } = {}) {
    super('Cauchy', loc, scale, options);
  }
  /** Undefined: NaN everywhere (as PyTorch). */
  override get mean(): Tensor {
    return full(this.batchShape, Number.NaN, { dtype: this.loc.dtype, backend: this.loc.backend });
  }
  /** Infinite: +∞ everywhere (as PyTorch). */
  override get variance(): Tensor {
    return full(this.batchShape, Number.POSITIVE_INFINITY, { dtype: this.loc.dtype, backend: this.loc.backend });
  }
  /** $-\log \pi - \log \gamma - \operatorname{log1p}\big(((x - x_0)/\gamma)^2\big)$. */
  logProb(x: Tensor): Tensor {
    this.checkValue(x);
    return log1p(square(x.sub(this.loc).div(this.scale)))
      .neg()
      .sub(log(this.scale))
      .sub(LOG_PI);
  }
  /** $x_0 + \gamma \tan\big(\pi(u - \frac{1}{2})\big)$, $u \sim \mathcal{U}[0, 1)$ from `rng`. */
  override rsample(shape: readonly number[] = [], rng: Rng = defaultRng()): Tensor {
    const u = rng.uniform(this.extendedShape(shape), this.drawDtype);
    return this.icdf(u);
  }
  /** $\log(4\pi\gamma)$. */
  override entropy(): Tensor {
    return log(this.scale).add(Math.log(4 * Math.PI));
  }
  /** $\frac{1}{2} + \arctan\big((x - x_0)/\gamma\big)/\pi$. */
  override cdf(x: Tensor): Tensor {
    return atan(x.sub(this.loc).div(this.scale)).div(Math.PI).add(0.5);
  }
  /** $x_0 + \gamma \tan\big(\pi(p - \frac{1}{2})\big)$. */
  override icdf(p: Tensor): Tensor {
    return tan(p.sub(0.5).mul(Math.PI)).mul(this.scale).add(this.loc);
  }
  /** The same Cauchy broadcast to `batchShape`. */
  override expand(batchShape: readonly number[]): Cauchy {
    return new Cauchy(expand(this.loc, batchShape), expand(this.scale, batchShape), { validateArgs: false });
  }
}
