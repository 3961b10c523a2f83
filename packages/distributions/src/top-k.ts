import { type Rng, type Tensor, ValueError, log, select, slice } from '@eddy/core';
import type { Distribution } from './distribution.js';
import { logFactorial } from './helpers.js';
import { Sort } from './sort.js';

/**
 * The $k$ smallest (or, descending, largest) of $n$ independent draws of a univariate
 * base distribution with density $p$ and CDF $F$, sorted (zuko's `TopK`): for an
 * ordered $x = (x_1, \dots, x_k)$,
 *
 * $$
 * \log p(x) = \log \frac{n!}{(n - k)!} + \sum_i \log p(x_i) + (n - k) \log\big(1 - F(x_k)\big)
 * $$
 *
 * ($\log F(x_k)$ when descending), and $-\infty$ if $x$ is not ordered. The base needs a
 * `cdf`. A draw keeps the first `k` of a {@link Sort} draw (host-side sort, not
 * reparameterised).
 *
 * @example
 * ```ts
 * import { Rng } from '@eddy/core';
 * import { Normal, TopK } from '@eddy/distributions';
 * const d = new TopK(new Normal(0, 1), 2, 5);
 * d.eventShape;                    // [2]
 * d.sample([3], new Rng(0)).shape; // [3, 2]
 * ```
 * @category Derived
 */
export class TopK extends Sort {
  /** Number of kept draws `k`, `1 ≤ k < n`. */
  readonly k: number;

  /**
   * @param base a univariate distribution with a `cdf`; @param k kept draws (integer,
   * `1 ≤ k < n`); @param n draws; @param options `descending` (default false: the `k`
   * smallest).
   */
  constructor(base: Distribution, k = 1, n = 2, options: { descending?: boolean } = {}) {
    super(base, n, options);
    if (!Number.isInteger(k) || k < 1 || k >= n) {
      throw new ValueError(`${new.target.name}: k must be an integer with 1 ≤ k < n = ${n}, got k = ${k}`);
    }
    this.k = k;
  }
  /** `log(n!/(n-k)!)`. */
  protected override get logNormalizer(): number {
    return logFactorial(this.n) - logFactorial(this.n - this.k);
  }
  /** `[k]`. */
  override get eventShape(): number[] {
    return [this.k];
  }
  /** `(n-k) log(1 - F(x_k))` (or `log F(x_k)`) plus the {@link Sort} part over the `k` entries. */
  override logProb(x: Tensor): Tensor {
    this.checkValue(x);
    return this.topLogProb(x);
  }
  /** The log-density of `x` `[..., k]` without the shape check. */
  protected topLogProb(x: Tensor): Tensor {
    const m = x.shape[x.ndim - 1] as number;
    const cdf = this.base.cdf(select(x, -1, m - 1));
    const tail = this.descending ? cdf : cdf.neg().add(1);
    return log(tail)
      .mul(this.n - this.k)
      .add(this.orderedLogProb(x));
  }
  /** The first `k` entries of a {@link Sort} draw. */
  override sample(shape: readonly number[] = [], rng?: Rng): Tensor {
    return slice(super.sample(shape, rng), -1, 0, this.k);
  }
  /** The same top-k of the base expanded to `batchShape`. */
  override expand(batchShape: readonly number[]): TopK {
    return new TopK(this.base.expand(batchShape), this.k, this.n, { descending: this.descending });
  }
  /** `TopK(<base>, k, n)`. */
  override toString(): string {
    return `${this.constructor.name}(${this.base.toString()}, ${this.k}, ${this.n})`;
  }
}
