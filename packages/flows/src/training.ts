import {
  Adam,
  type FloatDType,
  type Parameter,
  RandomStream,
  ShapeError,
  type Tensor,
  ValueError,
  cast,
  clipGradNorm,
  fmtShape,
  gradients,
  isfinite,
  mean,
  noGrad,
  take,
} from '@eddy/core';
import type { LazyDistribution } from './lazy.js';

/**
 * Progress reported to {@link FitOptions.onStep}.
 * @category Training
 */
export interface StepInfo {
  /** Epoch index (from 0). */
  epoch: number;
  /** Global step index (from 0). */
  step: number;
  /** Training loss of this minibatch (negative mean log-likelihood). */
  loss: number;
  /** Learning rate used for this step. */
  lr: number;
}

/**
 * Progress reported to {@link FitOptions.onEpoch}.
 * @category Training
 */
export interface EpochInfo {
  /** Epoch index (from 0). */
  epoch: number;
  /** Mean training loss over the epoch's minibatches. */
  trainLoss: number;
  /** Validation loss (negative mean log-likelihood), if there is a validation set. */
  validLoss?: number;
  /** Seconds the epoch took. */
  seconds: number;
}

/**
 * Explicit held-out rows for {@link fit}.
 * @category Training
 */
export interface ValidationData {
  /** Held-out rows. */
  data: Tensor;
  /** Their contexts (conditional flows). */
  context?: Tensor;
}

/**
 * Options of {@link fit}.
 * @category Training
 */
export interface FitOptions {
  /** Number of passes over the training data (default 100). */
  epochs?: number;
  /** Minibatch size (default 256; the last batch of an epoch may be smaller). */
  batchSize?: number;
  /** Adam learning rate (default 1e-3). */
  lr?: number;
  /** Learning-rate schedule: the rate for a global step (default: constant `lr`). */
  schedule?: (step: number, totalSteps: number, lr: number) => number;
  /** Adam weight decay (default 0). */
  weightDecay?: number;
  /** Clip the global gradient norm to this value (default: no clipping). */
  clipNorm?: number;
  /** Context rows matching the data rows, for conditional flows. */
  context?: Tensor;
  /** Held-out data: a fraction of the rows (taken after a seeded shuffle) or explicit rows. */
  validation?: number | ValidationData;
  /** Stop after this many epochs without a better validation loss, keeping the best weights. */
  patience?: number;
  /** Seed of the shuffling (default 0). */
  seed?: number;
  /** dtype the data is cast to (default: the flow's parameter dtype). */
  dtype?: FloatDType;
  /** Called after every optimizer step. */
  onStep?: (info: StepInfo) => void;
  /** Called after every epoch. */
  onEpoch?: (info: EpochInfo) => void;
  /** Stops training at the next step when aborted (the result so far is kept). */
  signal?: AbortSignal;
  /**
   * Receives warnings (default `console.warn`); at most one per call. Today there is one:
   * the training data of a flow with a bounded domain (NSF, BPF: `dataBound`, 5 by
   * default) leaves `[-B, B]` and the flow is not wrapped in {@link Standardized}.
   */
  onWarning?: (message: string) => void;
}

/**
 * What {@link fit} returns.
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { fit, NSF } from '@eddy/flows';
 * const flow = new NSF({ features: 2 });
 * const data = randn([512, 2], { seed: 0 });
 * const { trainLoss, validLoss, bestEpoch } = fit(flow, data, { epochs: 10, validation: 0.1 });
 * ```
 * @category Training
 */
export interface FitResult {
  /** Mean training loss per epoch. */
  trainLoss: number[];
  /** Validation loss per epoch (empty without validation). */
  validLoss: number[];
  /** Epoch of the best validation loss (or the last epoch). */
  bestEpoch: number;
  /** Number of optimizer steps taken. */
  steps: number;
  /** Why training ended. */
  stopped: 'epochs' | 'early-stopping' | 'aborted';
}

/** A seeded permutation of `0…n-1` (Fisher–Yates on one stream). */
function permutation(n: number, rng: RandomStream): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  const u = rng.uniform([n], 0, 1, 'float64').dataSync();
  for (let k = n - 1; k > 0; k--) {
    const j = Math.floor((u[k] as number) * (k + 1));
    const t = p[k] as number;
    p[k] = p[j] as number;
    p[j] = t;
  }
  return p;
}

/**
 * The warning for data outside the interval `[-B, B]` a flow's transforms act on (NSF's
 * splines, BPF's polynomials: their `dataBound`), or undefined when the data is inside,
 * or the flow declares no bound (a {@link Standardized} flow declares none).
 */
function boundWarning(flow: LazyDistribution, values: ArrayLike<number>, features: number): string | undefined {
  const bound = (flow as { dataBound?: unknown }).dataBound;
  if (typeof bound !== 'number' || !(bound > 0)) return undefined;
  let at = -1;
  let max = bound;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i] as number);
    if (a > max) {
      max = a;
      at = i;
    }
  }
  if (at < 0) return undefined;
  const name = flow.constructor.name;
  return (
    `fit: the training data reaches ${values[at]} (row ${Math.floor(at / features)}, feature ${at % features}), outside [-${bound}, ${bound}], ` +
    `the interval ${name}'s transforms act on (they are the identity outside it), so the flow loses log-likelihood there. ` +
    'Standardize the features (zero mean, unit variance), as zuko recommends: train and save Standardized.fromData(flow, data) ' +
    'instead, which keeps the standardization in the saved model.'
  );
}

/** Negative mean log-likelihood of `x` (with context `c`). */
function nll(flow: LazyDistribution, x: Tensor, c?: Tensor): Tensor {
  return mean(flow.call(c).logProb(x)).neg();
}

function evaluate(flow: LazyDistribution, x: Tensor, c: Tensor | undefined, batch: number): number {
  return noGrad(() => {
    let total = 0;
    const n = x.shape[0] as number;
    for (let s = 0; s < n; s += batch) {
      const e = Math.min(n, s + batch);
      const xb = x.slice(0, s, e);
      const cb = c?.slice(0, s, e);
      total += nll(flow, xb, cb).item() * (e - s);
    }
    return total / n;
  });
}

/**
 * Fits a flow (any {@link LazyDistribution}) to data by maximum likelihood: minibatch
 * Adam on the negative log-likelihood $-\frac{1}{N} \sum_i \log p(x_i \mid c_i)$, with an optional learning-rate schedule, gradient
 * clipping, a validation split and early stopping (which restores the best weights).
 * Shuffling is seeded, so a fit is reproducible. Throws if the loss becomes NaN.
 *
 * `fit` trains the flow it is given and never rescales data itself: to train on features
 * of any scale, wrap the flow with {@link Standardized.fromData} and fit (and save) the
 * wrapper. When the data leaves the interval an unwrapped flow's transforms act on (NSF's
 * splines, BPF's polynomials: `[-5, 5]` by default), `fit` warns once through
 * {@link FitOptions.onWarning} (default `console.warn`) and trains anyway.
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { fit, NSF, Standardized } from '@eddy/flows';
 * const data = randn([512, 2], { seed: 0 });
 * const flow = new NSF({ features: 2 });
 * const result = fit(flow, data, { epochs: 20, batchSize: 256, validation: 0.1, onEpoch: (e) => console.log(e) });
 * // data of any scale
 * const model = Standardized.fromData(new NSF({ features: 2 }), data);
 * fit(model, data, { epochs: 20 });
 * ```
 * @category Training
 */
export function fit(flow: LazyDistribution, data: Tensor, options: FitOptions = {}): FitResult {
  const { epochs = 100, batchSize = 256, lr = 1e-3, seed = 0 } = options;
  if (data.ndim < 2) throw new ShapeError(`fit: data must be [N, ...event], got ${fmtShape(data.shape)}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValueError(`fit: batchSize must be a positive integer, got ${batchSize}`);
  const params = flow.parameters();
  if (params.length === 0) throw new ValueError('fit: the flow has no parameters to train');
  const dtype = options.dtype ?? ((params[0] as Parameter).dtype as FloatDType);
  {
    const finite = isfinite(data).dataSync();
    const bad = finite.indexOf(0);
    if (bad >= 0) {
      const row = Math.floor(bad / (data.size / (data.shape[0] as number)));
      throw new ValueError(`fit: data contains a non-finite value (${data.dataSync()[bad]}) in row ${row}; remove or impute it`);
    }
    const warning = boundWarning(flow, data.dataSync(), data.size / Math.max(1, data.shape[0] as number));
    if (warning !== undefined) (options.onWarning ?? console.warn)(warning);
  }
  let x = cast(data, dtype);
  let c = options.context === undefined ? undefined : cast(options.context, dtype);
  if (c !== undefined && c.shape[0] !== x.shape[0]) {
    throw new ShapeError(`fit: context has ${c.shape[0]} rows, data has ${x.shape[0]}`);
  }
  const rng = new RandomStream(seed, 7);
  let vx: Tensor | undefined;
  let vc: Tensor | undefined;
  if (typeof options.validation === 'number') {
    const f = options.validation;
    if (!(f > 0 && f < 1)) throw new ValueError(`fit: validation fraction must be in (0, 1), got ${f}`);
    const n = x.shape[0] as number;
    const nv = Math.max(1, Math.round(n * f));
    if (n - nv < 1) throw new ValueError(`fit: ${n} row(s) with validation ${f} leave no row to train on (${nv} held out)`);
    const perm = permutation(n, rng);
    const vIdx = perm.subarray(0, nv);
    const tIdx = perm.subarray(nv);
    vx = take(x, Array.from(vIdx), 0);
    vc = c === undefined ? undefined : take(c, Array.from(vIdx), 0);
    x = take(x, Array.from(tIdx), 0);
    c = c === undefined ? undefined : take(c, Array.from(tIdx), 0);
  } else if (options.validation !== undefined) {
    vx = cast(options.validation.data, dtype);
    vc = options.validation.context === undefined ? undefined : cast(options.validation.context, dtype);
  }
  const n = x.shape[0] as number;
  const perEpoch = Math.ceil(n / batchSize);
  const totalSteps = epochs * perEpoch;
  const opt = new Adam(params, { lr, weightDecay: options.weightDecay ?? 0 });
  const result: FitResult = { trainLoss: [], validLoss: [], bestEpoch: -1, steps: 0, stopped: 'epochs' };
  let best = Number.POSITIVE_INFINITY;
  let bestState: Record<string, Tensor> | undefined;
  let sinceBest = 0;
  flow.train();
  outer: for (let epoch = 0; epoch < epochs; epoch++) {
    const t0 = performance.now();
    const perm = permutation(n, rng);
    let sum = 0;
    for (let s = 0; s < n; s += batchSize) {
      if (options.signal?.aborted) {
        result.stopped = 'aborted';
        break outer;
      }
      const idx = Array.from(perm.subarray(s, Math.min(n, s + batchSize)));
      const xb = take(x, idx, 0);
      const cb = c === undefined ? undefined : take(c, idx, 0);
      const loss = nll(flow, xb, cb);
      const value = loss.item();
      if (!Number.isFinite(value)) throw new ValueError(`fit: the loss became ${value} at epoch ${epoch}, step ${result.steps}`);
      let grads = gradients(loss, params);
      if (options.clipNorm !== undefined) grads = clipGradNorm(grads, options.clipNorm).grads;
      opt.lr = options.schedule ? options.schedule(result.steps, totalSteps, lr) : lr;
      opt.step(grads);
      options.onStep?.({ epoch, step: result.steps, loss: value, lr: opt.lr });
      result.steps++;
      sum += value * idx.length;
    }
    const trainLoss = sum / n;
    result.trainLoss.push(trainLoss);
    const info: EpochInfo = { epoch, trainLoss, seconds: 0 };
    if (vx !== undefined) {
      flow.eval();
      const v = evaluate(flow, vx, vc, 4096);
      flow.train();
      result.validLoss.push(v);
      info.validLoss = v;
      if (v < best) {
        best = v;
        result.bestEpoch = epoch;
        sinceBest = 0;
        if (options.patience !== undefined) bestState = flow.stateDict();
      } else if (options.patience !== undefined && ++sinceBest >= options.patience) {
        info.seconds = (performance.now() - t0) / 1000;
        options.onEpoch?.(info);
        result.stopped = 'early-stopping';
        break;
      }
    } else result.bestEpoch = epoch;
    info.seconds = (performance.now() - t0) / 1000;
    options.onEpoch?.(info);
  }
  if (bestState !== undefined) flow.loadStateDict(bestState);
  flow.eval();
  return result;
}

/**
 * Cosine learning-rate decay from `lr` to `lr · floor` over the run, for
 * {@link FitOptions.schedule}.
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { cosineSchedule, fit, NSF } from '@eddy/flows';
 * const flow = new NSF({ features: 2 });
 * const data = randn([512, 2], { seed: 0 });
 * fit(flow, data, { schedule: cosineSchedule(0.01) });
 * ```
 * @category Training
 */
export function cosineSchedule(floor = 0): (step: number, total: number, lr: number) => number {
  return (step, total, lr) => lr * (floor + ((1 - floor) * (1 + Math.cos((Math.PI * step) / Math.max(1, total)))) / 2);
}
