import { type Rng, type Tensor, squeeze, unsqueeze } from '@eddy/core';
import type { Distribution } from './distribution.js';
import { TopK } from './top-k.js';

/**
 * The minimum of $n$ independent draws of a univariate base distribution with density
 * $p$ and CDF $F$ (zuko's `Minimum`, `TopK(base, 1, n)` with a scalar event):
 * $\log p(x) = \log n + \log p(x) + (n - 1) \log\big(1 - F(x)\big)$.
 *
 * @example
 * ```ts
 * import { Rng } from '@eddy/core';
 * import { Minimum, Normal } from '@eddy/distributions';
 * const d = new Minimum(new Normal(0, 1), 3);
 * d.eventShape;                    // []
 * d.sample([5], new Rng(0)).shape; // [5]
 * ```
 * @category Derived
 */
export class Minimum extends TopK {
  /** Whether this order statistic is the largest draw (see {@link Maximum}) rather than the smallest. */
  protected static readonly largest: boolean = false;

  /** @param base a univariate distribution with a `cdf`; @param n the number of draws (≥ 2, default 2). */
  constructor(base: Distribution, n = 2) {
    super(base, 1, n, { descending: (new.target as typeof Minimum).largest });
  }
  /** Scalar events. */
  override get eventShape(): number[] {
    return [];
  }
  /** `log n + log p(x) + (n - 1) log(1 - F(x))`. */
  override logProb(x: Tensor): Tensor {
    this.checkValue(x);
    return this.topLogProb(unsqueeze(x, -1));
  }
  /** The smallest of `n` base draws. */
  override sample(shape: readonly number[] = [], rng?: Rng): Tensor {
    return squeeze(super.sample(shape, rng), -1);
  }
  /** The same minimum of the base expanded to `batchShape`. */
  override expand(batchShape: readonly number[]): Minimum {
    return new Minimum(this.base.expand(batchShape), this.n);
  }
  /** `Minimum(<base>, n)`. */
  override toString(): string {
    return `${this.constructor.name}(${this.base.toString()}, ${this.n})`;
  }
}
