import {
  Buffer,
  type FloatDType,
  type LoadStateDictOptions,
  ShapeError,
  Tensor,
  ValueError,
  cast,
  fmtShape,
  getDefaultDType,
  isFloat,
  tensor,
} from '@eddy/core';
import { NormalizingFlow } from '@eddy/distributions';
import { AffineTransform, ComposedTransform } from '@eddy/transforms';
import { LazyDistribution } from './lazy.js';

/**
 * A per-feature affine standardisation $z = (x - \mathrm{loc}) / \mathrm{scale}$, as computed by
 * {@link standardization}.
 * @category Standardization
 */
export interface Standardization {
  /** Per-feature location (the mean of the data). */
  loc: number[];
  /** Per-feature scale, finite and positive (the standard deviation of the data, 1 where it is 0). */
  scale: number[];
}

/** The rows and features of `[N, D]` data, or a ShapeError naming `fn`. */
function rowsAndFeatures(data: Tensor, fn: string): [number, number] {
  if (data.ndim !== 2) throw new ShapeError(`${fn}: data must be [N, features], got ${fmtShape(data.shape)}`);
  const [n, d] = data.shape as [number, number];
  if (n < 1) throw new ValueError(`${fn}: data has no rows`);
  return [n, d];
}

/**
 * The standardisation of data `[N, D]`: per feature, the mean (`loc`) and the standard
 * deviation (`scale`, population form, $\sqrt{\sum_i (x_i - \bar x)^2 / N}$), computed in float64 in
 * two passes. A feature with zero spread (constant, or a single row) gets `scale = 1`, so
 * it is only shifted. Non-finite data is an error naming the row and the feature.
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { standardization } from '@eddy/flows';
 * const { loc, scale } = standardization(tensor([[0, 10], [2, 10]])); // loc [1, 10], scale [1, 1]
 * ```
 * @category Standardization
 */
export function standardization(data: Tensor): Standardization {
  const [n, d] = rowsAndFeatures(data, 'standardization');
  const v = data.dataSync();
  const loc = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const x = v[i * d + j] as number;
      if (!Number.isFinite(x)) throw new ValueError(`standardization: data contains a non-finite value (${x}) in row ${i}, feature ${j}; remove or impute it`);
      loc[j] = (loc[j] as number) + x;
    }
  }
  for (let j = 0; j < d; j++) loc[j] = (loc[j] as number) / n;
  const ss = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const e = (v[i * d + j] as number) - (loc[j] as number);
      ss[j] = (ss[j] as number) + e * e;
    }
  }
  const scale = ss.map((s) => {
    const sd = Math.sqrt(s / n);
    return sd > 0 && Number.isFinite(sd) ? sd : 1;
  });
  return { loc, scale };
}

/**
 * Options of {@link Standardized}.
 * @category Standardization
 */
export interface StandardizedOptions {
  /** The flow over the standardised features `(x - loc) / scale` (its events must be `[features]`). */
  flow: LazyDistribution;
  /** Number of features `D` (default: the length of `loc` or `scale`, else `flow.options.features`). */
  features?: number;
  /** Per-feature location (default 0): a number per feature, or a 1-D tensor. */
  loc?: ArrayLike<number> | Tensor;
  /** Per-feature scale, finite and positive (default 1): a number per feature, or a 1-D tensor. */
  scale?: ArrayLike<number> | Tensor;
}

/**
 * Checks a standardisation as untrusted input: `loc` and `scale` 1-D of length `features`,
 * every value finite, every scale positive.
 */
function checkStandardization(loc: Tensor, scale: Tensor, features: number, where: string): void {
  for (const [name, t] of [
    ['loc', loc],
    ['scale', scale],
  ] as const) {
    if (t.ndim !== 1 || t.shape[0] !== features) throw new ShapeError(`${where}: ${name} must have shape [${features}], got ${fmtShape(t.shape)}`);
    const v = t.dataSync();
    for (let j = 0; j < v.length; j++) {
      const x = v[j] as number;
      if (!Number.isFinite(x)) throw new ValueError(`${where}: ${name}[${j}] is ${x}; every ${name} must be finite`);
      if (name === 'scale' && !(x > 0)) throw new ValueError(`${where}: scale[${j}] is ${x}; every scale must be positive`);
    }
  }
}

/** The dtype of a flow's first floating-point weight (its working dtype). */
function flowDType(flow: LazyDistribution): FloatDType {
  for (const t of [...flow.parameters(), ...flow.namedBuffers().map(([, b]) => b)]) if (isFloat(t.dtype)) return t.dtype as FloatDType;
  return getDefaultDType();
}

/** `v` as a 1-D tensor of `dtype` (or `fill` repeated `features` times when absent). */
function vector(v: ArrayLike<number> | Tensor | undefined, features: number, fill: number, dtype: FloatDType): Tensor {
  if (v === undefined) return tensor(new Float64Array(features).fill(fill), { dtype });
  if (v instanceof Tensor) return cast(v, dtype);
  return tensor(Float64Array.from(Array.from(v)), { dtype });
}

/**
 * A flow in the data's own units over a flow of standardised features: the
 * distribution of $X = \mathrm{loc} + \mathrm{scale} \cdot Y$ where $Y$ follows `flow`. With
 * $z = (x - \mathrm{loc}) / \mathrm{scale}$ per feature,
 *
 * $$
 * \log p(x \mid c) = \log p_\mathrm{flow}(z \mid c) - \sum_d \log \mathrm{scale}_d,
 * $$
 *
 * and a draw is $\mathrm{loc} + \mathrm{scale} \cdot y$ for a draw $y$ of `flow` (the same `Rng` gives the same
 * `y`). `call(c)` returns a {@link NormalizingFlow} whose transform is
 * `ComposedTransform([AffineTransform(loc, scale, 1).inv, inner transform])` over the
 * inner flow's base, so every fast path of the inner flow (fused splines, the one-pass
 * autoregressive inverse, native kernels) still runs; an inner distribution that is not a
 * normalizing flow (e.g. a {@link GMM}) becomes the base of that affine map. The context
 * `c` goes to the inner flow unchanged.
 *
 * Why: spline flows (NSF, BPF) act on `[-5, 5]` and are the identity outside, so data of
 * a larger scale loses log-likelihood; zuko's advice is "it is recommended to standardize
 * features (zero mean, unit variance) before training". This module keeps that
 * standardisation with the model: `loc` and `scale` are buffers (state dict `loc`,
 * `scale`; the inner flow's weights under `flow.…`), not trained by {@link fit}, saved by
 * {@link saveFlow} and validated by {@link loadFlow} (finite, `scale > 0`, length
 * `features`), so the loaded model's `logProb` and `sample` are in the data's units.
 * Build it with {@link Standardized.fromData}. (NCSF models angles on $[-\pi, \pi)$: do not
 * standardise its features.)
 *
 * Saved options: `{ flow: <inner class and options>, features }`; `options` holds only
 * these (the values of `loc` and `scale` live in the buffers).
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { fit, loadFlow, NSF, saveFlowToFile, Standardized } from '@eddy/flows';
 * const x = randn([256, 5], { seed: 0 }).mul(100).add(1000);
 * const flow = Standardized.fromData(new NSF({ features: 5 }), x); // x: [N, 5], any scale
 * fit(flow, x, { epochs: 20 });
 * saveFlowToFile(flow, 'model.safetensors');
 * const lp = loadFlow('model.safetensors').call().logProb(x); // in x's units
 * ```
 * @category Standardization
 */
export class Standardized extends LazyDistribution {
  /** Per-feature location (a buffer, `[features]`; state dict `loc`). */
  readonly loc: Buffer;
  /** Per-feature scale (a buffer, `[features]`, positive; state dict `scale`). */
  readonly scale: Buffer;
  /** The flow over the standardised features (state dict `flow.…`). */
  readonly flow: LazyDistribution;
  /** The saved constructor options: the inner flow and the number of features. */
  readonly options: {
    /** The inner flow (saved by its class and options). */
    flow: LazyDistribution;
    /** The number of features `D`. */
    features: number;
  };

  /** @param options see {@link StandardizedOptions}. */
  constructor(options: StandardizedOptions) {
    super();
    const { flow } = options;
    if (!(flow instanceof LazyDistribution)) throw new ValueError('Standardized: options.flow must be a LazyDistribution (a flow module)');
    const lengthOf = (v: ArrayLike<number> | Tensor | undefined): number | undefined => (v === undefined ? undefined : v instanceof Tensor ? v.size : v.length);
    const innerFeatures = (flow as { options?: { features?: unknown } }).options?.features;
    const features = options.features ?? lengthOf(options.loc) ?? lengthOf(options.scale) ?? innerFeatures;
    if (typeof features !== 'number' || !Number.isInteger(features) || features < 1) {
      throw new ValueError(`Standardized: features must be a positive integer (give features, loc or scale), got ${String(features)}`);
    }
    if (typeof innerFeatures === 'number' && innerFeatures !== features) {
      throw new ValueError(`Standardized: ${features} features, but the inner ${flow.constructor.name} has ${innerFeatures}`);
    }
    const dtype = flowDType(flow);
    const loc = vector(options.loc, features, 0, dtype);
    const scale = vector(options.scale, features, 1, dtype);
    checkStandardization(loc, scale, features, 'Standardized');
    this.loc = new Buffer(loc);
    this.scale = new Buffer(scale);
    this.flow = flow;
    this.options = { flow, features };
  }

  /**
   * Wraps `flow` with the standardisation of `data` (`[N, D]`, see
   * {@link standardization}): per-feature mean and standard deviation.
   *
   * @example
   * ```ts
   * import { randn } from '@eddy/core';
   * import { NSF, Standardized } from '@eddy/flows';
   * const x = randn([256, 5], { seed: 0 }).mul(100).add(1000);
   * const flow = Standardized.fromData(new NSF({ features: 5, hiddenFeatures: [64, 64] }), x);
   * ```
   */
  static fromData(flow: LazyDistribution, data: Tensor): Standardized {
    const { loc, scale } = standardization(data);
    return new Standardized({ flow, loc, scale });
  }

  /** The number of features. */
  get features(): number {
    return this.options.features;
  }

  /**
   * The inner flow for context `c`, moved to the data's units: a {@link NormalizingFlow}
   * whose transform first standardises ($(x - \mathrm{loc}) / \mathrm{scale}$, ladj $-\sum_d \log \mathrm{scale}_d$).
   */
  call(c?: Tensor): NormalizingFlow {
    const standardize = new AffineTransform(this.loc, this.scale, 1).inv;
    const inner = this.flow.call(c);
    if (inner instanceof NormalizingFlow) return new NormalizingFlow(new ComposedTransform([standardize, inner.transform]), inner.base);
    return new NormalizingFlow(standardize, inner);
  }

  /**
   * Loads values by name as `Module.loadStateDict` (`@eddy/core`), after checking `loc` and `scale`
   * (finite, `scale > 0`, shape `[features]`, after the cast to the buffers' dtype);
   * nothing is changed when a check fails.
   */
  override loadStateDict(dict: Record<string, Tensor>, options?: LoadStateDictOptions): void {
    const loc = Object.hasOwn(dict, 'loc') ? cast(dict.loc as Tensor, this.loc.dtype) : this.loc;
    const scale = Object.hasOwn(dict, 'scale') ? cast(dict.scale as Tensor, this.scale.dtype) : this.scale;
    checkStandardization(loc, scale, this.features, 'Standardized.loadStateDict');
    super.loadStateDict(dict, options);
  }

  /** `features=D`. */
  override extraRepr(): string {
    return `features=${this.features}`;
  }
}
