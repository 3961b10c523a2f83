import {
  type Rng,
  ShapeError,
  type Tensor,
  ValueError,
  broadcastShapes,
  cast,
  concat,
  defaultRng,
  fmtShape,
  promoteTypes,
  reshape,
  shapesEqual,
  sizeOf,
  slice,
} from '@eddy/core';
import { Distribution } from './distribution.js';

/**
 * The joint distribution of independent random variables $Z_1, \dots, Z_n$ laid side by
 * side: a value is the concatenation of one value of each marginal, flattened, along a
 * single event axis (zuko's `Joint`):
 * $\log p(x) = \sum_i \log p_i(x_i)$, where $x_i$ is the $i$-th block of $x$'s last axis
 * (of width `size(eventShape_i)`, one column for a scalar marginal). The marginals'
 * batch shapes are broadcast together. Draws concatenate one draw of each marginal, in
 * order (reparameterised for the marginals that are; the others are drawn with
 * `sample`, as zuko does).
 *
 * @example
 * ```ts
 * import { ones, Rng, zeros } from '@eddy/core';
 * import { DiagNormal, Joint, Normal, Uniform } from '@eddy/distributions';
 * const d = new Joint(new Uniform(0, 1), new Normal(0, 1), new DiagNormal(zeros([2]), ones([2])));
 * d.eventShape;                    // [4]
 * d.sample([5], new Rng(0)).shape; // [5, 4]
 * ```
 * @category Multivariate
 */
export class Joint extends Distribution {
  /** The marginals, each expanded to the common batch shape. */
  readonly marginals: readonly Distribution[];
  readonly #batch: number[];

  /** @param marginals one or more distributions (their batch shapes must broadcast). */
  constructor(...marginals: Distribution[]) {
    super();
    if (marginals.length === 0) throw new ValueError('Joint: needs at least one marginal');
    let batch: number[];
    try {
      batch = broadcastShapes('Joint', ...marginals.map((m) => m.batchShape));
    } catch {
      throw new ShapeError(`Joint: the marginals' batch shapes ${marginals.map((m) => fmtShape(m.batchShape)).join(', ')} do not broadcast`);
    }
    this.#batch = batch;
    this.marginals = marginals.map((m) => (shapesEqual(m.batchShape, batch) ? m : m.expand(batch)));
  }
  /** Widths of the marginals' blocks on the event axis. */
  get widths(): number[] {
    return this.marginals.map((m) => sizeOf(m.eventShape));
  }
  /** Broadcast batch shape of the marginals. */
  get batchShape(): number[] {
    return [...this.#batch];
  }
  /** `[Σ_i size(eventShape_i)]`. */
  get eventShape(): number[] {
    return [this.widths.reduce((a, b) => a + b, 0)];
  }
  /** True, as zuko: draws are reparameterised wherever the marginals are. */
  override get hasRsample(): boolean {
    return true;
  }
  /** $\sum_i \log p_i(x_i)$ over the blocks of `x`'s last axis. */
  logProb(x: Tensor): Tensor {
    const widths = this.widths;
    const total = widths.reduce((a, b) => a + b, 0);
    if (x.ndim === 0 || x.shape[x.ndim - 1] !== total) {
      throw new ShapeError(
        `Joint.logProb: x of shape ${fmtShape(x.shape)} must have ${total} entries on its last axis (marginal widths ${widths.join(' + ')})`,
      );
    }
    this.checkValue(x);
    const lead = x.shape.slice(0, -1);
    let lp: Tensor | undefined;
    let i = 0;
    this.marginals.forEach((m, k) => {
      const j = i + (widths[k] as number);
      const z = reshape(slice(x, -1, i, j), [...lead, ...m.eventShape]);
      const l = m.logProb(z);
      lp = lp === undefined ? l : lp.add(l);
      i = j;
    });
    return lp as Tensor;
  }
  /** One draw of each marginal (its `rsample` if it has one, else `sample`), concatenated. */
  override rsample(shape: readonly number[] = [], rng: Rng = defaultRng()): Tensor {
    const parts = this.marginals.map((m) => {
      const z = m.hasRsample ? m.rsample(shape, rng) : m.sample(shape, rng);
      return reshape(z, [...shape, ...this.#batch, -1]);
    });
    return concat(unify(parts), -1);
  }
  /** The marginals' means, flattened and concatenated. */
  override get mean(): Tensor {
    return concat(unify(this.marginals.map((m) => reshape(m.mean, [...this.#batch, -1]))), -1);
  }
  /** The marginals' variances, flattened and concatenated. */
  override get variance(): Tensor {
    return concat(unify(this.marginals.map((m) => reshape(m.variance, [...this.#batch, -1]))), -1);
  }
  /** $\sum_i H(Z_i)$. */
  override entropy(): Tensor {
    return this.marginals.map((m) => m.entropy()).reduce((a, b) => a.add(b));
  }
  /** The joint of the marginals expanded to `batchShape`. */
  override expand(batchShape: readonly number[]): Joint {
    return new Joint(...this.marginals.map((m) => m.expand(batchShape)));
  }
  /** `Joint(<marginal>, …)`. */
  override toString(): string {
    return `Joint(${this.marginals.map((m) => m.toString()).join(', ')})`;
  }
}

/** Casts the blocks to their common (widest) dtype so they concatenate. */
function unify(parts: Tensor[]): Tensor[] {
  const dtype = parts.map((p) => p.dtype).reduce((a, b) => promoteTypes(a, b));
  return parts.map((p) => cast(p, dtype));
}
