import { type Rng, ShapeError, type Tensor, defaultRng, eq, fmtShape, ge, le, noGrad, permute, slice, sum } from '@eddy/core';
import { Distribution } from './distribution.js';
import { checkInteger, hostSortLastAxis, logFactorial, outside } from './helpers.js';

/**
 * The distribution of $n$ independent draws of a univariate base distribution $p$,
 * sorted (zuko's `Sort`): for an ordered $x$ ($x_1 \le \dots \le x_n$, or $\ge$ if descending;
 * ties allowed) $\log p(x) = \log n! + \sum_i \log p(x_i)$, and $-\infty$ otherwise.
 * The joint density of the order statistics (David & Nagaraja 2003, "Order Statistics").
 * A draw sorts `n` base draws (`base.sample(shape + [n])`, then a host-side sort); it is
 * not reparameterised.
 *
 * @example
 * ```ts
 * import { Rng } from '@eddy/core';
 * import { Normal, Sort } from '@eddy/distributions';
 * const d = new Sort(new Normal(0, 1), 3);
 * d.eventShape;                    // [3]
 * d.sample([4], new Rng(0)).shape; // [4, 3], each row ascending
 * ```
 * @category Derived
 */
export class Sort extends Distribution {
  /** The univariate base distribution. */
  readonly base: Distribution;
  /** Number of draws `n`. */
  readonly n: number;
  /** Whether the draws are sorted in descending order. */
  readonly descending: boolean;

  /**
   * @param base a univariate distribution; @param n the number of draws (integer ≥ 1,
   * default 2); @param options `descending` (default false).
   */
  constructor(base: Distribution, n = 2, options: { descending?: boolean } = {}) {
    super();
    const owner = new.target.name;
    if (base.eventShape.length !== 0) {
      throw new ShapeError(`${owner}: base must be univariate (event shape []), got event shape ${fmtShape(base.eventShape)}`);
    }
    checkInteger(owner, 'n', n, 1);
    this.base = base;
    this.n = n;
    this.descending = options.descending ?? false;
  }
  /** `log n!`, the log of the number of orderings. */
  protected get logNormalizer(): number {
    return logFactorial(this.n);
  }
  /** The base batch shape. */
  get batchShape(): number[] {
    return this.base.batchShape;
  }
  /** `[n]`. */
  get eventShape(): number[] {
    return [this.n];
  }
  /** $\log n! + \sum_i \log p(x_i)$ if `x` is ordered, else $-\infty$. */
  logProb(x: Tensor): Tensor {
    this.checkValue(x);
    return this.orderedLogProb(x);
  }
  /**
   * $\log \mathbf{1}[\text{ordered}]$ + `logNormalizer` + $\sum_i \log p(x_i)$ over the last axis of `x`
   * (no shape check: subclasses call it with their own event layout).
   */
  protected orderedLogProb(x: Tensor): Tensor {
    const m = x.shape[x.ndim - 1] as number;
    const perm = [x.ndim - 1, ...Array.from({ length: x.ndim - 1 }, (_, i) => i)];
    const lp = sum(this.base.logProb(permute(x, perm)), 0).add(this.logNormalizer);
    if (m < 2) return lp;
    const a = slice(x, -1, 0, m - 1);
    const b = slice(x, -1, 1);
    const pairs = this.descending ? ge(a, b) : le(a, b);
    return outside(eq(sum(pairs, -1), m - 1), lp);
  }
  /** `n` base draws (`base.sample(shape + [n], rng)`), sorted along the event axis. */
  override sample(shape: readonly number[] = [], rng: Rng = defaultRng()): Tensor {
    return noGrad(() => {
      const z = this.base.sample([...shape, this.n], rng);
      const k = shape.length;
      const perm = [...Array.from({ length: k }, (_, i) => i), ...Array.from({ length: z.ndim - k - 1 }, (_, i) => k + 1 + i), k];
      return hostSortLastAxis(permute(z, perm), this.descending);
    });
  }
  /** The same order statistics of the base expanded to `batchShape`. */
  override expand(batchShape: readonly number[]): Sort {
    return new Sort(this.base.expand(batchShape), this.n, { descending: this.descending });
  }
  /** `Sort(<base>, n)`. */
  override toString(): string {
    return `${this.constructor.name}(${this.base.toString()}, ${this.n})`;
  }
}
