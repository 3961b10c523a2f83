import { ClusterError } from './errors.js';

/**
 * Sufficient statistics of the draws of one shard of a `moments` job, in float64: the
 * count, the per-feature mean and sum of squared deviations `M2` (and, for at most
 * {@link MAX_COVARIANCE_FEATURES} features, the co-moment matrix, row-major). Shards and
 * chunks combine exactly with Chan et al.'s parallel formula ({@link combineMoments}).
 * @category Cluster
 */
export interface MomentStatistics {
  /** Always `moments`. */
  kind: 'moments';
  /** Rows counted. */
  n: number;
  /** Per-feature mean. */
  mean: number[];
  /** Per-feature sum of squared deviations from the mean. */
  m2: number[];
  /** Co-moment matrix `Σ (x - mean)(x - mean)ᵀ`, row-major (`features ≤ 64`). */
  comoment?: number[];
}

/**
 * Sufficient statistics of one shard of an `importance` job: the row count, the largest
 * log-weight `m`, and `Σw`, `Σw²` of the weights relative to it (`w = exp(log p̃ - log q - m)`),
 * as `importanceSampling` of `@eddy/montecarlo` keeps them.
 * @category Cluster
 */
export interface ImportanceStatistics {
  /** Always `importance`. */
  kind: 'importance';
  /** Rows counted. */
  n: number;
  /** The largest log-weight (`-Infinity`, `null` in JSON, when every weight of the shard is zero). */
  maxLogWeight: number;
  /** `Σ exp(lw - maxLogWeight)`. */
  sumW: number;
  /** `Σ exp(2 (lw - maxLogWeight))`. */
  sumW2: number;
}

/**
 * A shard's statistics.
 *
 * @example
 * ```ts
 * import { emptyImportance, type ShardStatistics } from '@eddy/cluster';
 * const s: ShardStatistics = emptyImportance();
 * ```
 * @category Cluster
 */
export type ShardStatistics = MomentStatistics | ImportanceStatistics;

/**
 * The combined result of a `moments` job: per feature, the mean, the (n-1) sample
 * variance and the standard error of the mean; the covariance matrix for few features.
 *
 * @example
 * ```ts
 * import { Coordinator, type MomentsResult } from '@eddy/cluster';
 * const coordinator = new Coordinator({ redis: 'redis://127.0.0.1:6379' });
 * const { id } = await coordinator.submit({ kind: 'sample', model: 'model.safetensors', n: 1e6, seed: 1, shards: 10, outDir: '/shared/run' });
 * const { mean, standardError } = (await coordinator.follow(id)).statistics as MomentsResult;
 * ```
 * @category Cluster
 */
export interface MomentsResult {
  /** Always `moments`. */
  kind: 'moments';
  /** Rows of the job. */
  n: number;
  /** Features per row. */
  features: number;
  /** Per-feature mean. */
  mean: number[];
  /** Per-feature sample variance (`M2 / (n - 1)`). */
  variance: number[];
  /** Per-feature standard error of the mean, `sqrt(variance / n)`. */
  standardError: number[];
  /** Sample covariance matrix (rows of features), when `features ≤ 64`. */
  covariance?: number[][];
}

/**
 * The combined result of an `importance` job with proposal `q` (the model) and target `p̃`:
 * `log Z = log mean w` with `w = p̃/q`, its delta-method standard error, the relative
 * standard error of `Z`, and the effective sample size `(Σw)²/Σw²`.
 *
 * @example
 * ```ts
 * import { Coordinator, type ImportanceResult } from '@eddy/cluster';
 * const coordinator = new Coordinator({ redis: 'redis://127.0.0.1:6379' });
 * const { id } = await coordinator.submit({ kind: 'sample', model: 'model.safetensors', n: 1e6, seed: 1, shards: 10, outDir: '/shared/run' });
 * const { logZ, ess } = (await coordinator.follow(id)).statistics as ImportanceResult;
 * ```
 * @category Cluster
 */
export interface ImportanceResult {
  /** Always `importance`. */
  kind: 'importance';
  /** Rows of the job. */
  n: number;
  /** log of `Z = E_q[p̃/q]`. */
  logZ: number;
  /** Standard error of `log Z` (delta method: the relative standard error of `Z`). */
  logZStandardError: number;
  /** Standard error of `Z` relative to `Z`: `sd(w) / (mean(w) sqrt(n))`. */
  zRelativeStandardError: number;
  /** Effective sample size `(Σw)²/Σw²`. */
  ess: number;
  /** The largest log-weight over all rows. */
  maxLogWeight: number;
}

/**
 * A statistics job's result.
 *
 * @example
 * ```ts
 * import { Coordinator, type StatisticsResult } from '@eddy/cluster';
 * const coordinator = new Coordinator({ redis: 'redis://127.0.0.1:6379' });
 * const { id } = await coordinator.submit({ kind: 'sample', model: 'model.safetensors', n: 1e6, seed: 1, shards: 10, outDir: '/shared/run' });
 * const r: StatisticsResult | undefined = (await coordinator.status(id)).statistics;
 * ```
 * @category Cluster
 */
export type StatisticsResult = MomentsResult | ImportanceResult;

/**
 * The most features for which `moments` keeps the co-moment (covariance) matrix.
 *
 * @example
 * ```ts
 * import { MAX_COVARIANCE_FEATURES } from '@eddy/cluster';
 * const features = 200;
 * if (features > MAX_COVARIANCE_FEATURES) console.log('no covariance matrix');
 * ```
 * @category Cluster
 */
export const MAX_COVARIANCE_FEATURES = 64;

/**
 * The moment statistics of `count` rows of `d` features, row-major (two passes, float64).
 *
 * @example
 * ```ts
 * import { chunkMoments } from '@eddy/cluster';
 * chunkMoments(new Float64Array([0, 1]), 2, 1); // { kind: 'moments', n: 2, mean: [0.5], m2: [0.5], comoment: [0.5] }
 * ```
 * @category Cluster
 */
export function chunkMoments(x: ArrayLike<number>, count: number, d: number): MomentStatistics {
  const mean = new Array<number>(d).fill(0);
  for (let i = 0; i < count; i++) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (x[i * d + j] as number);
  for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) / count;
  const m2 = new Array<number>(d).fill(0);
  const cov = d <= MAX_COVARIANCE_FEATURES;
  const comoment = cov ? new Array<number>(d * d).fill(0) : undefined;
  const dev = new Float64Array(d);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < d; j++) {
      const e = (x[i * d + j] as number) - (mean[j] as number);
      dev[j] = e;
      m2[j] = (m2[j] as number) + e * e;
    }
    if (comoment !== undefined)
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) comoment[a * d + b] = (comoment[a * d + b] as number) + (dev[a] as number) * (dev[b] as number);
  }
  return { kind: 'moments', n: count, mean, m2, ...(comoment === undefined ? {} : { comoment }) };
}

/**
 * Combines two sets of moment statistics (Chan, Golub and LeVeque's parallel formula):
 * `mean = meanA + δ nB/n`, `M2 = M2A + M2B + δ² nA nB / n`, and the co-moments likewise.
 *
 * @example
 * ```ts
 * import { chunkMoments, combineMoments } from '@eddy/cluster';
 * const d = 2; // rows of 2 features, row-major
 * const [a, na, b, nb] = [[1, 2, 3, 4], 2, [5, 6], 1];
 * const all = combineMoments(chunkMoments(a, na, d), chunkMoments(b, nb, d)); // the moments of all 3 rows
 * ```
 * @category Cluster
 */
export function combineMoments(a: MomentStatistics, b: MomentStatistics): MomentStatistics {
  if (a.n === 0) return b;
  if (b.n === 0) return a;
  const d = a.mean.length;
  if (b.mean.length !== d) throw new ClusterError(`moment statistics of ${d} and ${b.mean.length} features cannot be combined`);
  const n = a.n + b.n;
  const delta = a.mean.map((m, j) => (b.mean[j] as number) - m);
  const mean = a.mean.map((m, j) => m + ((delta[j] as number) * b.n) / n);
  const f = (a.n * b.n) / n;
  const m2 = a.m2.map((v, j) => v + (b.m2[j] as number) + (delta[j] as number) * (delta[j] as number) * f);
  let comoment: number[] | undefined;
  if (a.comoment !== undefined && b.comoment !== undefined) {
    comoment = a.comoment.map((v, k) => v + (b.comoment?.[k] as number) + (delta[Math.floor(k / d)] as number) * (delta[k % d] as number) * f);
  }
  return { kind: 'moments', n, mean, m2, ...(comoment === undefined ? {} : { comoment }) };
}

/**
 * Adds log-weights to importance statistics, rescaling the sums when the running maximum
 * grows (as `importanceSampling` does).
 *
 * @example
 * ```ts
 * import { addLogWeights, emptyImportance } from '@eddy/cluster';
 * let s = emptyImportance();
 * s = addLogWeights(s, new Float64Array([-1, 0.5]));
 * ```
 * @category Cluster
 */
export function addLogWeights(s: ImportanceStatistics, lw: ArrayLike<number>): ImportanceStatistics {
  let cm = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < lw.length; i++) {
    const v = lw[i] as number;
    if (Number.isNaN(v) || v === Number.POSITIVE_INFINITY)
      throw new ClusterError(`a log-weight is ${v} (log p̃ - log q of a draw): the target or the proposal is not finite there`);
    if (v > cm) cm = v;
  }
  let { maxLogWeight: m, sumW, sumW2 } = s;
  if (cm > m) {
    if (m !== Number.NEGATIVE_INFINITY) {
      const a = Math.exp(m - cm);
      sumW *= a;
      sumW2 *= a * a;
    }
    m = cm;
  }
  if (m !== Number.NEGATIVE_INFINITY) {
    for (let i = 0; i < lw.length; i++) {
      const w = Math.exp((lw[i] as number) - m);
      sumW += w;
      sumW2 += w * w;
    }
  }
  return { kind: 'importance', n: s.n + lw.length, maxLogWeight: m, sumW, sumW2 };
}

/**
 * Importance statistics of no rows.
 *
 * @example
 * ```ts
 * import { addLogWeights, emptyImportance } from '@eddy/cluster';
 * const s = addLogWeights(emptyImportance(), [0, -1]);
 * ```
 * @category Cluster
 */
export function emptyImportance(): ImportanceStatistics {
  return { kind: 'importance', n: 0, maxLogWeight: Number.NEGATIVE_INFINITY, sumW: 0, sumW2: 0 };
}

/**
 * Combines importance statistics of shards by rescaling each to the global maximum
 * log-weight.
 *
 * @example
 * ```ts
 * import { addLogWeights, combineImportance, emptyImportance } from '@eddy/cluster';
 * const [s0, s1, s2] = [[-1, -2], [-0.5], [-3, -1]].map((lw) => addLogWeights(emptyImportance(), lw));
 * const all = combineImportance([s0!, s1!, s2!]);
 * ```
 * @category Cluster
 */
export function combineImportance(parts: readonly ImportanceStatistics[]): ImportanceStatistics {
  let m = Number.NEGATIVE_INFINITY;
  for (const p of parts) if (p.maxLogWeight > m) m = p.maxLogWeight;
  let n = 0;
  let sumW = 0;
  let sumW2 = 0;
  for (const p of parts) {
    n += p.n;
    if (p.maxLogWeight === Number.NEGATIVE_INFINITY) continue;
    const a = Math.exp(p.maxLogWeight - m);
    sumW += p.sumW * a;
    sumW2 += p.sumW2 * a * a;
  }
  return { kind: 'importance', n, maxLogWeight: m, sumW, sumW2 };
}

/**
 * The result of a `moments` job from its combined statistics.
 *
 * @example
 * ```ts
 * import { chunkMoments, combineMoments, momentsResult } from '@eddy/cluster';
 * const [a, b] = [chunkMoments([1, 2, 3], 3, 1), chunkMoments([4], 1, 1)];
 * const r = momentsResult(combineMoments(a, b));
 * ```
 * @category Cluster
 */
export function momentsResult(s: MomentStatistics): MomentsResult {
  const d = s.mean.length;
  const variance = s.m2.map((v) => (s.n > 1 ? v / (s.n - 1) : Number.NaN));
  return {
    kind: 'moments',
    n: s.n,
    features: d,
    mean: [...s.mean],
    variance,
    standardError: variance.map((v) => Math.sqrt(v / s.n)),
    ...(s.comoment === undefined
      ? {}
      : { covariance: Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => (s.comoment?.[a * d + b] as number) / (s.n - 1))) }),
  };
}

/**
 * The result of an `importance` job from its combined statistics.
 *
 * @example
 * ```ts
 * import { addLogWeights, combineImportance, emptyImportance, importanceResult } from '@eddy/cluster';
 * const parts = [addLogWeights(emptyImportance(), [-1, -2]), addLogWeights(emptyImportance(), [-0.5])];
 * const { logZ, ess } = importanceResult(combineImportance(parts));
 * ```
 * @category Cluster
 */
export function importanceResult(s: ImportanceStatistics): ImportanceResult {
  if (s.maxLogWeight === Number.NEGATIVE_INFINITY || s.sumW === 0)
    throw new ClusterError('every importance weight is zero: the target has no mass where the proposal draws');
  const n = s.n;
  const meanW = s.sumW / n;
  const varW = n > 1 ? Math.max(0, (s.sumW2 / n - meanW * meanW) * (n / (n - 1))) : Number.NaN;
  const rel = Math.sqrt(varW / n) / meanW;
  return {
    kind: 'importance',
    n,
    logZ: s.maxLogWeight + Math.log(meanW),
    logZStandardError: rel,
    zRelativeStandardError: rel,
    ess: (s.sumW * s.sumW) / s.sumW2,
    maxLogWeight: s.maxLogWeight,
  };
}

const finiteArray = (v: unknown, len: number): v is number[] =>
  Array.isArray(v) && v.length === len && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/**
 * Checks a shard's statistics as they came back from Redis (a worker's return value):
 * the job's kind, `n` rows, the right number of finite values.
 *
 * @example
 * ```ts
 * import { parseShardStatistics } from '@eddy/cluster';
 * const job = { returnvalue: JSON.parse('{"statistics": {}}') as { statistics: unknown } }; // as received
 * const s = parseShardStatistics(job.returnvalue.statistics, 'moments', 250, 'shard 3'); // throws on anything unexpected
 * ```
 * @category Cluster
 */
export function parseShardStatistics(raw: unknown, kind: 'moments' | 'importance', rows: number, what: string): ShardStatistics {
  const bad = (m: string): never => {
    throw new ClusterError(`${what}: invalid statistics: ${m}`);
  };
  if (typeof raw !== 'object' || raw === null) bad('not an object');
  const s = raw as Record<string, unknown>;
  if (s.kind !== kind) bad(`kind ${JSON.stringify(s.kind)}, the job's ${kind}`);
  if (s.n !== rows) bad(`${JSON.stringify(s.n)} rows, the shard has ${rows}`);
  if (kind === 'moments') {
    const d = Array.isArray(s.mean) ? s.mean.length : 0;
    if (d < 1 || !finiteArray(s.mean, d) || !finiteArray(s.m2, d)) bad('mean and m2 must be arrays of finite numbers of one length');
    if (s.comoment !== undefined && !finiteArray(s.comoment, d * d)) bad('comoment must be a d×d array of finite numbers');
    return { kind, n: rows, mean: s.mean as number[], m2: s.m2 as number[], ...(s.comoment === undefined ? {} : { comoment: s.comoment as number[] }) };
  }
  for (const k of ['sumW', 'sumW2'] as const)
    if (typeof s[k] !== 'number' || !Number.isFinite(s[k]) || (s[k] as number) < 0) bad(`${k} must be a finite number ≥ 0`);
  // A shard whose weights are all zero has maxLogWeight -Infinity, which JSON writes as null.
  const allZero = s.maxLogWeight === null && s.sumW === 0 && s.sumW2 === 0;
  if (!allZero && (typeof s.maxLogWeight !== 'number' || !Number.isFinite(s.maxLogWeight))) bad('maxLogWeight must be a finite number');
  return { kind, n: rows, maxLogWeight: allZero ? Number.NEGATIVE_INFINITY : (s.maxLogWeight as number), sumW: s.sumW as number, sumW2: s.sumW2 as number };
}
