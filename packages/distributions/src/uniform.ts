import { type Rng, type Tensor, type TensorLike, clamp, defaultRng, expand, ge, log, logicalAnd, lt, square } from '@eddy/core';
import { outside } from './helpers.js';
import { checkOrdered } from './params.js';
import { ScalarDistribution } from './scalar-distribution.js';

/**
 * The continuous uniform distribution on `[low, high)`:
 * $\log p(x) = -\log(\mathrm{high} - \mathrm{low})$ for $\mathrm{low} \le x < \mathrm{high}$ and $-\infty$ elsewhere (PyTorch's
 * `Uniform`, whose `log_prob` is `log(1{low ≤ x}·1{x < high}) - log(high - low)`). CDF
 * $\operatorname{clamp}\big(\frac{x - \mathrm{low}}{\mathrm{high} - \mathrm{low}}, 0, 1\big)$; draws are $\mathrm{low} + u (\mathrm{high} - \mathrm{low})$ with $u$ from
 * the counter-based generator (reparameterised in `low` and `high`).
 *
 * @example
 * ```ts
 * import { Rng, tensor } from '@eddy/core';
 * import { Uniform } from '@eddy/distributions';
 * const d = new Uniform(tensor([0, -1]), tensor([1, 1]));
 * d.batchShape;                        // [2]
 * d.logProb(tensor([0.5, 2])).toArray(); // [0, -Infinity]
 * d.sample([4], new Rng(0)).shape;     // [4, 2]
 * ```
 * @category Univariate
 */
export class Uniform extends ScalarDistribution<'low' | 'high'> {
  /** Lower bound `low` (inclusive), broadcast to the batch shape. */
  declare readonly low: Tensor;
  /** Upper bound `high` (exclusive), broadcast to the batch shape. */
  declare readonly high: Tensor;

  /**
   * @param low lower bound (inclusive); @param high upper bound (exclusive);
   * @param options `validateArgs` (default true) checks `low < high` everywhere.
   */
  constructor(low: TensorLike, high: TensorLike, options: { validateArgs?: boolean } = {}) {
    super('Uniform', { low, high }, options);
    if (options.validateArgs ?? true) checkOrdered('Uniform', 'low', this.low, 'high', this.high);
  }
  /** `(low + high)/2`. */
  override get mean(): Tensor {
    return this.low.add(this.high).mul(0.5);
  }
  /** $(\mathrm{high} - \mathrm{low})^2/12$. */
  override get variance(): Tensor {
    return square(this.high.sub(this.low)).div(12);
  }
  /** $-\log(\mathrm{high} - \mathrm{low})$ on `[low, high)`, $-\infty$ elsewhere. */
  logProb(x: Tensor): Tensor {
    this.checkValue(x);
    const inside = logicalAnd(ge(x, this.low), lt(x, this.high));
    return outside(inside, log(this.high.sub(this.low)).neg());
  }
  /** `low + u (high - low)`, `u ~ U[0, 1)` from `rng`. */
  override rsample(shape: readonly number[] = [], rng: Rng = defaultRng()): Tensor {
    const u = rng.uniform(this.extendedShape(shape), this.drawDtype);
    return u.mul(this.high.sub(this.low)).add(this.low);
  }
  /** `log(high - low)`. */
  override entropy(): Tensor {
    return log(this.high.sub(this.low));
  }
  /** `clamp((x - low)/(high - low), 0, 1)`. */
  override cdf(x: Tensor): Tensor {
    return clamp(x.sub(this.low).div(this.high.sub(this.low)), 0, 1);
  }
  /** `low + p (high - low)`. */
  override icdf(p: Tensor): Tensor {
    return p.mul(this.high.sub(this.low)).add(this.low);
  }
  /** The same uniform broadcast to `batchShape`. */
  override expand(batchShape: readonly number[]): Uniform {
    return new Uniform(expand(this.low, batchShape), expand(this.high, batchShape), { validateArgs: false });
  }
}
