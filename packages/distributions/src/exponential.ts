import { type Rng, type Tensor, type TensorLike, defaultRng, exp, expand, ge, log, log1p, reciprocal, square, where } from '@eddy/core';
import { guard, outside } from './helpers.js';
import { ScalarDistribution } from './scalar-distribution.js';

/**
 * The exponential distribution with rate $\lambda > 0$:
 * $\log p(x) = \log \lambda - \lambda x$ for $x \ge 0$ and $-\infty$ for $x < 0$; CDF $1 - e^{-\lambda x}$, inverse
 * CDF $-\log(1 - p)/\lambda$ (PyTorch's `Exponential`). Draws are $-\log(1 - u)/\lambda$ with $u$ from
 * the counter-based generator (reparameterised in $\lambda$).
 *
 * @example
 * ```ts
 * import { Rng, tensor } from '@eddy/core';
 * import { Exponential } from '@eddy/distributions';
 * const d = new Exponential(tensor([0.5, 2]));
 * d.mean.toArray();                 // [2, 0.5]
 * d.sample([3], new Rng(1)).shape;  // [3, 2]
 * ```
 * @category Univariate
 */
export class Exponential extends ScalarDistribution<'rate'> {
  /** Rate `λ > 0`, broadcast to the batch shape. */
  declare readonly rate: Tensor;

  /** @param rate the rate `λ` (must be positive); @param options `validateArgs` (default true) checks `λ > 0`. */
  constructor(rate: TensorLike, options: { validateArgs?: boolean } = {}) {
    super('Exponential', { rate }, options, ['rate']);
  }
  /** $1/\lambda$. */
  override get mean(): Tensor {
    return reciprocal(this.rate);
  }
  /** $1/\lambda^2$. */
  override get variance(): Tensor {
    return reciprocal(square(this.rate));
  }
  /** $\log \lambda - \lambda x$ for $x \ge 0$, $-\infty$ for $x < 0$. */
  logProb(x: Tensor): Tensor {
    this.checkValue(x);
    const inside = ge(x, 0);
    return outside(inside, log(this.rate).sub(this.rate.mul(guard(inside, x, 0))));
  }
  /** $-\log(1 - u)/\lambda$, $u \sim \mathcal{U}[0, 1)$ from `rng` (never infinite). */
  override rsample(shape: readonly number[] = [], rng: Rng = defaultRng()): Tensor {
    const u = rng.uniform(this.extendedShape(shape), this.drawDtype);
    return log1p(u.neg()).neg().div(this.rate);
  }
  /** $1 - \log \lambda$. */
  override entropy(): Tensor {
    return log(this.rate).neg().add(1);
  }
  /** $1 - e^{-\lambda x}$ for $x \ge 0$, 0 below. */
  override cdf(x: Tensor): Tensor {
    const inside = ge(x, 0);
    return where(
      inside,
      exp(this.rate.mul(guard(inside, x, 0)).neg())
        .neg()
        .add(1),
      0,
    );
  }
  /** $-\log(1 - p)/\lambda$. */
  override icdf(p: Tensor): Tensor {
    return log1p(p.neg()).neg().div(this.rate);
  }
  /** The same exponential broadcast to `batchShape`. */
  override expand(batchShape: readonly number[]): Exponential {
    return new Exponential(expand(this.rate, batchShape), { validateArgs: false });
  }
}
