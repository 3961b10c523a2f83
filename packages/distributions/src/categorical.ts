import {
  type Rng,
  ShapeError,
  type Tensor,
  ValueError,
  cast,
  cumsum,
  defaultRng,
  eq,
  exp,
  expand,
  floor,
  full,
  gather,
  ge,
  getDefaultDType,
  gt,
  isFloat,
  isfinite,
  isnan,
  le,
  log,
  logicalAnd,
  logicalNot,
  logicalOr,
  logsumexp,
  lt,
  reshape,
  slice,
  squeeze,
  sum,
  unsqueeze,
  where,
  broadcastShapes,
  fmtShape,
} from '@eddy/core';
import { Distribution } from './distribution.js';
import { outside } from './helpers.js';

/**
 * Parameters of a {@link Categorical}: unnormalised log-probabilities `logits` or
 * non-negative weights `probs` (normalised along the last axis), shape `[..., K]`.
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { type CategoricalParams } from '@eddy/distributions';
 * const a: CategoricalParams = { logits: tensor([0, 1, 2]) };
 * const b: CategoricalParams = { probs: tensor([0.2, 0.8]) };
 * ```
 * @category Univariate
 */
export type CategoricalParams =
  | {
      /** Unnormalised log-probabilities `[..., K]`. */
      logits: Tensor;
      /** Not allowed with `logits`. */
      probs?: undefined;
    }
  | {
      /** Non-negative weights `[..., K]`, normalised along the last axis. */
      probs: Tensor;
      /** Not allowed with `probs`. */
      logits?: undefined;
    };

/**
 * The categorical distribution over $\lbrace 0, \dots, K - 1 \rbrace$ with probabilities $p_k$:
 * $\log p(k) = \log p_k = \mathrm{logits}_k - \operatorname{logsumexp}(\mathrm{logits})$ for an integer $0 \le k < K$, and
 * $-\infty$ for any other value (PyTorch's `Categorical`). Samples are int32 category
 * indices, drawn by inverting the cumulative probabilities with one uniform per draw
 * (`rng.uniform`), so they are reproducible and shardable by row. Not reparameterised.
 *
 * @example
 * ```ts
 * import { Rng, tensor } from '@eddy/core';
 * import { Categorical } from '@eddy/distributions';
 * const d = new Categorical({ probs: tensor([0.2, 0.3, 0.5]) });
 * d.sample([4], new Rng(0)).dtype;            // 'int32'
 * d.logProb(tensor([2], { dtype: 'int32' })); // [log 0.5]
 * ```
 * @category Univariate
 */
export class Categorical extends Distribution {
  /** Normalised log-probabilities `log p_k`, shape `batchShape + [K]`. */
  readonly logits: Tensor;
  /** Probabilities `p_k` (summing to 1 along the last axis), shape `batchShape + [K]`. */
  readonly probs: Tensor;

  /**
   * @param params `{ logits }` or `{ probs }`, shape `[..., K]` with `K ≥ 1`;
   * @param options `validateArgs` (default true) checks that `probs` are finite,
   * non-negative and not all zero, or that `logits` are not NaN or `+∞`.
   */
  constructor(params: CategoricalParams, options: { validateArgs?: boolean } = {}) {
    super();
    const validate = options.validateArgs ?? true;
    const given = params.logits ?? params.probs;
    const name = params.logits !== undefined ? 'logits' : 'probs';
    if (given === undefined || (params.logits !== undefined && params.probs !== undefined)) {
      throw new ValueError('Categorical: pass exactly one of { logits } or { probs }');
    }
    if (given.ndim === 0 || given.shape[given.ndim - 1] === 0) {
      throw new ShapeError(`Categorical: ${name} must have shape [..., K] with K ≥ 1, got ${fmtShape(given.shape)}`);
    }
    const t = isFloat(given.dtype) ? given : cast(given, getDefaultDType());
    if (params.logits !== undefined) {
      if (validate) {
        const bad = logicalOr(isnan(t), eq(t, Number.POSITIVE_INFINITY)).dataSync();
        const i = bad.indexOf(1);
        if (i >= 0) throw new ValueError(`Categorical: logits must not be NaN or +Infinity, got ${t.dataSync()[i]} at flat index ${i}`);
      }
      this.logits = t.sub(logsumexp(t, -1, true));
      this.probs = exp(this.logits);
    } else {
      if (validate) {
        const bad = logicalOr(lt(t, 0), logicalNot(isfinite(t))).dataSync();
        const i = bad.indexOf(1);
        if (i >= 0) throw new ValueError(`Categorical: probs must be finite and non-negative, got ${t.dataSync()[i]} at flat index ${i}`);
        const zero = le(sum(t, -1), 0).dataSync().indexOf(1);
        if (zero >= 0) throw new ValueError(`Categorical: probs sum to 0 along the last axis (batch entry ${zero})`);
      }
      const p = t.div(sum(t, -1, true));
      const pos = gt(p, 0);
      this.probs = p;
      this.logits = where(pos, log(where(pos, p, 1)), Number.NEGATIVE_INFINITY);
    }
  }
  /** The number of categories `K`. */
  get numCategories(): number {
    return this.logits.shape[this.logits.ndim - 1] as number;
  }
  /** `logits.shape` without its last axis. */
  get batchShape(): number[] {
    return this.logits.shape.slice(0, -1);
  }
  /** Scalar events (an index). */
  get eventShape(): number[] {
    return [];
  }
  /** NaN everywhere, as PyTorch (an index has no meaningful mean). */
  override get mean(): Tensor {
    return full(this.batchShape, Number.NaN, { dtype: this.probs.dtype, backend: this.probs.backend });
  }
  /** NaN everywhere, as PyTorch. */
  override get variance(): Tensor {
    return full(this.batchShape, Number.NaN, { dtype: this.probs.dtype, backend: this.probs.backend });
  }
  /** $\log p_k$ at an integer $k$ in $[0, K)$, $-\infty$ for any other value (any dtype). */
  logProb(value: Tensor): Tensor {
    this.checkValue(value, 'value');
    const k = this.numCategories;
    const batch = this.batchShape;
    let valid = logicalAnd(ge(value, 0), lt(value, k));
    if (isFloat(value.dtype)) valid = logicalAnd(valid, eq(floor(value), value));
    const shape = broadcastShapes('Categorical.logProb', value.shape, batch);
    const idx = expand(cast(where(valid, value, 0), 'int32'), shape);
    const logits = reshape(this.logits, [...new Array<number>(shape.length - batch.length).fill(1), ...batch, k]);
    const lp = squeeze(gather(logits, unsqueeze(idx, -1), -1), -1);
    return outside(valid, lp);
  }
  /**
   * int32 indices of shape `shape + batchShape`: the number of cumulative probabilities
   * $c_j$ ($j < K - 1$) with $c_j \le u \cdot c_{K-1}$, $u \sim \mathcal{U}[0, 1)$ from one uniform draw call.
   */
  override sample(shape: readonly number[] = [], rng: Rng = defaultRng()): Tensor {
    const k = this.numCategories;
    const s = [...shape, ...this.batchShape];
    const cdf = cumsum(this.probs.detach(), -1);
    const u = rng.uniform([...s, 1], this.probs.dtype as 'float32' | 'float64');
    const threshold = u.mul(slice(cdf, -1, k - 1));
    return sum(le(slice(cdf, -1, 0, k - 1), threshold), -1);
  }
  /** $-\sum_k p_k \log p_k$ (terms with `p_k = 0` count 0). */
  override entropy(): Tensor {
    const pos = gt(this.probs, 0);
    return sum(where(pos, this.probs.mul(where(pos, this.logits, 0)), 0), -1).neg();
  }
  /** The same categorical with logits broadcast to `batchShape + [K]`. */
  override expand(batchShape: readonly number[]): Categorical {
    return new Categorical({ logits: expand(this.logits, [...batchShape, this.numCategories]) }, { validateArgs: false });
  }
}
