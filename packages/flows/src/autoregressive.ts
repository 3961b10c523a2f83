import { Buffer, type RandomStream, type Tensor, ValueError, concat, expand, reshape, tensor } from '@eddy/core';
import { AutoregressiveTransform, DependentTransform, MonotonicAffineTransform, type Transform } from '@eddy/transforms';
import { IncrementalInverse } from './incremental-inverse.js';
import { LazyTransform } from './lazy.js';
import { MaskedMLP } from './nn/index.js';
import { type HyperNetworkOptions, networkRng, randperm } from './options.js';
import { type Univariate, applyPacked, packedUnivariate } from './univariate.js';
import { totalSize } from './unpack.js';

/**
 * Options of {@link MaskedAutoregressiveTransform}.
 * @category Flows
 */
export interface MaskedAutoregressiveOptions extends HyperNetworkOptions {
  /** Number of autoregressive groups (default `features`: fully autoregressive). */
  passes?: number;
  /** The autoregressive order (default `0, 1, …, D-1`). */
  order?: readonly number[];
  /** Residual blocks in the masked network (default false). */
  residual?: boolean;
}

/**
 * zuko's default univariate: `MonotonicAffineTransform(shift, scale)` with slope 1e-3.
 *
 * @example
 * ```ts
 * import { MaskedAutoregressiveTransform, monotonicAffine } from '@eddy/flows';
 * new MaskedAutoregressiveTransform(3, 0, { univariate: monotonicAffine, shapes: [[], []] });
 * ```
 * @category Flows
 */
export const monotonicAffine: Univariate = packedUnivariate(
  (shift: Tensor, scale: Tensor) => new MonotonicAffineTransform(shift, scale),
  (phi: Tensor) => MonotonicAffineTransform.fromPacked(phi),
  { kind: 'affine', slope: 1e-3 },
);

/**
 * A boolean matrix in row-major bytes (1 = connected).
 * @category Flows
 */
export interface Adjacency {
  /** Row-major 0/1 entries. */
  data: Uint8Array;
  /** Number of rows (outputs). */
  rows: number;
  /** Number of columns (inputs). */
  cols: number;
}

/**
 * The autoregressive adjacency of zuko's masked transform: `A[i, j] = order[i] > order[j]`
 * (`D × D`), a `D × C` block of ones for the context, rows repeated `total` times (output
 * row `r` belongs to feature `⌊r / total⌋`). Row-major booleans.
 *
 * @example
 * ```ts
 * import { autoregressiveAdjacency } from '@eddy/flows';
 * autoregressiveAdjacency([0, 1, 2], 0, 2); // 6 × 3
 * ```
 * @category Flows
 */
export function autoregressiveAdjacency(order: readonly number[], context: number, total: number): Adjacency {
  const d = order.length;
  const cols = d + context;
  const rows = d * total;
  const data = new Uint8Array(rows * cols);
  for (let i = 0; i < d; i++) {
    for (let r = i * total; r < (i + 1) * total; r++) {
      for (let j = 0; j < d; j++) data[r * cols + j] = (order[i] as number) > (order[j] as number) ? 1 : 0;
      for (let j = d; j < cols; j++) data[r * cols + j] = 1;
    }
  }
  return { data, rows, cols };
}

/**
 * A lazy masked autoregressive transform (zuko's `MaskedAutoregressiveTransform`): a
 * masked MLP maps `[x, c]` to the parameters of an elementwise transform of each feature
 * that depend only on the features before it in the autoregressive `order`. Forward
 * (density) passes are one network evaluation; the inverse takes `passes` evaluations.
 *
 * References:
 * - [MADE: Masked Autoencoder for Distribution Estimation (Germain et al., 2015)](https://arxiv.org/abs/1502.03509)
 * - [Masked Autoregressive Flow for Density Estimation (Papamakarios et al., 2017)](https://arxiv.org/abs/1705.07057)
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { MaskedAutoregressiveTransform } from '@eddy/flows';
 * const [x, c] = [randn([8, 3], { seed: 0 }), randn([8, 2], { seed: 1 })];
 * const t = new MaskedAutoregressiveTransform(3, 2); // 3 features, 2 context features
 * const [y, ladj] = t.call(c).callAndLadj(x);
 * ```
 * @category Flows
 */
export class MaskedAutoregressiveTransform extends LazyTransform {
  /** Number of features `D`. */
  readonly features: number;
  /** Number of context features `C`. */
  readonly context: number;
  /** Inverse passes. */
  readonly passes: number;
  /** Autoregressive group of each feature (`floor(order / ceil(D / passes))`). */
  order: Buffer;
  /** The elementwise transform builder (a module's weights appear as `univariate.…`). */
  readonly univariate: Univariate;
  /** The masked hypernetwork. */
  hyper: MaskedMLP;
  /**
   * Invert (sample) with the incremental inverse (default true): one network pass per
   * sample instead of one per autoregressive group, exact and differentiable (see
   * {@link IncrementalInverse}). Set false to use zuko's fixed-point passes.
   */
  incremental = true;
  readonly #shapes: ReadonlyArray<readonly number[]>;
  readonly #total: number;
  #plan: { key: unknown[]; plan: IncrementalInverse | null } | undefined;

  /** @param features `D`; @param context `C` (default 0); @param options see {@link MaskedAutoregressiveOptions}. */
  constructor(features: number, context = 0, options: MaskedAutoregressiveOptions = {}) {
    super();
    if (!Number.isInteger(features) || features < 1)
      throw new ValueError(`MaskedAutoregressiveTransform: features must be a positive integer, got ${features}`);
    if (!Number.isInteger(context) || context < 0)
      throw new ValueError(`MaskedAutoregressiveTransform: context must be a non-negative integer, got ${context}`);
    const order = options.order ?? Array.from({ length: features }, (_, i) => i);
    if (order.length !== features || new Set(order).size !== features || order.some((o) => !Number.isInteger(o) || o < 0 || o >= features)) {
      throw new ValueError(`MaskedAutoregressiveTransform: order ${JSON.stringify(order)} is not a permutation of 0..${features - 1}`);
    }
    this.features = features;
    this.context = context;
    this.passes = Math.min(Math.max(options.passes ?? features, 1), features);
    const group = Math.ceil(features / this.passes);
    const grouped = order.map((o) => Math.floor(o / group));
    this.order = new Buffer(tensor(Int32Array.from(grouped)));
    this.univariate = options.univariate ?? monotonicAffine;
    this.#shapes = options.shapes ?? [[], []];
    this.#total = totalSize(this.#shapes);
    const adj = autoregressiveAdjacency(grouped, context, this.#total);
    this.hyper = new MaskedMLP(tensor(adj.data, { shape: [adj.rows, adj.cols], dtype: 'bool' }), {
      hiddenFeatures: options.hiddenFeatures ?? [64, 64],
      activation: options.activation ?? 'ReLU',
      residual: options.residual ?? false,
      rng: networkRng(options),
      dtype: options.dtype,
    });
  }

  #meta(c: Tensor | undefined, x: Tensor): Transform {
    const h = c === undefined ? x : concat([x, expand(c, [...x.shape.slice(0, -1), this.context])], -1);
    const phi = reshape(this.hyper.call(h), [...x.shape.slice(0, -1), this.features, this.#total]);
    return new DependentTransform(applyPacked(this.univariate, phi, this.#shapes), 1);
  }

  /** The autoregressive transform for context `c`. */
  call(c?: Tensor): Transform {
    if ((c === undefined) !== (this.context === 0)) {
      throw new ValueError(
        `MaskedAutoregressiveTransform: ${this.context === 0 ? 'no context expected (context = 0)' : `a context with ${this.context} features is required`}`,
      );
    }
    return new AutoregressiveTransform(
      (x) => this.#meta(c, x),
      this.passes,
      (y, withLadj) => {
        if (!this.incremental) return undefined;
        const plan = this.incrementalPlan();
        const w = this.hyper.layers[0] as { weight?: Tensor } | undefined;
        if (plan === null || y.dtype !== w?.weight?.dtype) return undefined;
        return plan.invert(y, c, withLadj);
      },
    );
  }

  /**
   * The schedule of the incremental inverse, built from the masks and the order on first
   * use (and again if they are replaced), or `null` if the network cannot be scheduled.
   */
  incrementalPlan(): IncrementalInverse | null {
    const masks = this.hyper.namedBuffers().map(([, b]) => b);
    const key = [this.order.handle, ...masks.map((b) => b.handle)];
    if (this.#plan === undefined || this.#plan.key.length !== key.length || this.#plan.key.some((h, i) => h !== key[i])) {
      const groups = Int32Array.from(this.order.dataSync() as Int32Array);
      this.#plan = { key, plan: IncrementalInverse.plan(this.hyper, groups, this.features, this.context, this.univariate, this.#shapes) };
    }
    return this.#plan.plan;
  }

  /** `MaskedAutoregressiveTransform(features=…, context=…, passes=…, order=[…])`. */
  override toString(): string {
    return `MaskedAutoregressiveTransform(features=${this.features}, context=${this.context}, passes=${this.passes}, order=${JSON.stringify(Array.from(this.order.dataSync()))})`;
  }
}

/**
 * The autoregressive orders zuko's flows use: `0…D-1` for even transforms and reversed
 * for odd ones, or a random permutation per transform with `randperm` (from `rng`).
 *
 * @example
 * ```ts
 * import { alternatingOrders } from '@eddy/flows';
 * alternatingOrders(3, 3); // [[0,1,2],[2,1,0],[0,1,2]]
 * ```
 * @category Flows
 */
export function alternatingOrders(features: number, transforms: number, rng?: RandomStream): number[][] {
  return Array.from({ length: transforms }, (_, i) => {
    if (rng !== undefined) return randperm(features, rng);
    const asc = Array.from({ length: features }, (_, k) => k);
    return i % 2 === 0 ? asc : asc.reverse();
  });
}
