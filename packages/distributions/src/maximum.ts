import type { Distribution } from './distribution.js';
import { Minimum } from './minimum.js';

/**
 * The maximum of $n$ independent draws of a univariate base distribution with density
 * $p$ and CDF $F$ (zuko's `Maximum`, `TopK(base, 1, n, { descending: true })` with a
 * scalar event): $\log p(x) = \log n + \log p(x) + (n - 1) \log F(x)$.
 *
 * @example
 * ```ts
 * import { Rng, tensor } from '@eddy/core';
 * import { Maximum, Normal } from '@eddy/distributions';
 * const d = new Maximum(new Normal(0, 1), 4);
 * d.logProb(tensor([0])).item();   // log 4 + log φ(0) + 3 log ½
 * d.sample([5], new Rng(0)).shape; // [5]
 * ```
 * @category Derived
 */
export class Maximum extends Minimum {
  /** True: the largest draw. */
  protected static override readonly largest: boolean = true;

  /** @param base a univariate distribution with a `cdf`; @param n the number of draws (≥ 2, default 2). */
  constructor(base: Distribution, n = 2) {
    super(base, n);
  }
  /** The same maximum of the base expanded to `batchShape`. */
  override expand(batchShape: readonly number[]): Maximum {
    return new Maximum(this.base.expand(batchShape), this.n);
  }
}
