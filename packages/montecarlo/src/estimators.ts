import { type Tensor, ValueError, noGrad } from '@eddy/core';
import type { LazyDistribution } from '@eddy/flows';
import { FlowPool, type JobOptions } from './pool.js';

/**
 * A Monte Carlo estimate with its standard error.
 *
 * @example
 * ```ts
 * import { type Tensor } from '@eddy/core';
 * import { NSF } from '@eddy/flows';
 * import { type Estimate, expectation } from '@eddy/montecarlo';
 * const flow = new NSF({ features: 2 });
 * const f = (x: Tensor) => x.square().sum(-1); // E[|x|²]
 * const { estimate, standardError }: Estimate = await expectation(flow, f, 1e6);
 * ```
 * @category Estimators
 */
export interface Estimate {
  /** The estimate. */
  estimate: number;
  /** Its standard error. */
  standardError: number;
  /** Number of draws. */
  n: number;
}

/**
 * What {@link importanceSampling} returns.
 *
 * @example
 * ```ts
 * import { type Tensor } from '@eddy/core';
 * import { NSF } from '@eddy/flows';
 * import { type ImportanceEstimate, importanceSampling } from '@eddy/montecarlo';
 * const q = new NSF({ features: 2 }); // the proposal
 * const logTarget = (x: Tensor) => x.square().sum(-1).mul(-0.5); // unnormalised
 * const { logZ, ess }: ImportanceEstimate = await importanceSampling(q, logTarget, 1e5);
 * ```
 * @category Estimators
 */
export interface ImportanceEstimate extends Estimate {
  /** log of the normalising constant $Z = \mathbb{E}_q[\tilde p / q]$. */
  logZ: number;
  /** Effective sample size $(\sum_i w_i)^2 / \sum_i w_i^2$. */
  ess: number;
}

/**
 * Options of the estimators: a job's options plus the pool to use (else a temporary one).
 * @category Estimators
 */
export interface EstimatorOptions extends JobOptions {
  /** Pool to run on (default: a temporary pool with `threads`). */
  pool?: FlowPool;
  /** Threads of the temporary pool. */
  threads?: number;
}

async function withPool<T>(options: EstimatorOptions, fn: (pool: FlowPool) => Promise<T>): Promise<T> {
  if (options.pool !== undefined) return fn(options.pool);
  const pool = new FlowPool({ threads: options.threads });
  try {
    return await fn(pool);
  } finally {
    await pool.close();
  }
}

/**
 * $\mathbb{E}_q[f(X)]$ by plain Monte Carlo over $n$ draws of the flow, with its standard error.
 * `f` maps a chunk of samples `[m, ...event]` to `[m]` values; it runs in the calling
 * thread, on chunks as they arrive, so memory stays bounded.
 *
 * @example
 * ```ts
 * import { NSF } from '@eddy/flows';
 * import { expectation } from '@eddy/montecarlo';
 * const flow = new NSF({ features: 2 });
 * const { estimate, standardError } = await expectation(flow, (x) => x.square().sum(-1), 1_000_000, { seed: 1 });
 * ```
 */
export async function expectation(flow: LazyDistribution, f: (x: Tensor) => Tensor, n: number, options: EstimatorOptions = {}): Promise<Estimate> {
  if (!Number.isInteger(n) || n < 2) throw new ValueError(`expectation: n must be an integer ≥ 2, got ${n}`);
  let sum = 0;
  let sumSq = 0;
  await withPool(options, (pool) =>
    pool.forEachChunk(
      flow,
      n,
      (_s, x) => {
        const v = noGrad(() => f(x)).dataSync();
        for (let i = 0; i < v.length; i++) {
          const e = v[i] as number;
          sum += e;
          sumSq += e * e;
        }
      },
      options,
    ),
  );
  const mean = sum / n;
  const variance = Math.max(0, (sumSq - n * mean * mean) / (n - 1));
  return { estimate: mean, standardError: Math.sqrt(variance / n), n };
}

/**
 * Self-normalised importance sampling with the flow `q` as proposal for an unnormalised
 * target $\tilde p$ (`logTarget` maps samples to $\log \tilde p$): weights $w_i = \tilde p(x_i)/q(x_i)$,
 * $\log Z = \log \frac{1}{n} \sum_i w_i$, the estimate of $\mathbb{E}_p[f]$ (default $f = 0$, so only $\log Z$ and
 * the ESS matter), its delta-method standard error, and the effective sample size
 * $(\sum_i w_i)^2 / \sum_i w_i^2$. Stable in log space.
 *
 * @example
 * ```ts
 * import { select, type Tensor } from '@eddy/core';
 * import { NSF } from '@eddy/flows';
 * import { importanceSampling } from '@eddy/montecarlo';
 * const q = new NSF({ features: 2 });
 * const logDensity = (x: Tensor) => x.square().sum(-1).mul(-0.5);
 * const r = await importanceSampling(q, (x) => logDensity(x), 100_000, { f: (x) => select(x, -1, 0) });
 * console.log(r.logZ, r.ess);
 * ```
 */
export async function importanceSampling(
  flow: LazyDistribution,
  logTarget: (x: Tensor) => Tensor,
  n: number,
  options: EstimatorOptions & { f?: (x: Tensor) => Tensor } = {},
): Promise<ImportanceEstimate> {
  if (!Number.isInteger(n) || n < 2) throw new ValueError(`importanceSampling: n must be an integer ≥ 2, got ${n}`);
  // Running sums of w, w², w·f, w·f² with a running maximum log-weight for stability.
  let m = Number.NEGATIVE_INFINITY;
  let sw = 0;
  let sw2 = 0;
  let swf = 0;
  let swf2 = 0;
  const rescale = (newM: number) => {
    if (m === Number.NEGATIVE_INFINITY) {
      m = newM;
      return;
    }
    const a = Math.exp(m - newM);
    sw *= a;
    swf *= a;
    swf2 *= a;
    sw2 *= a * a;
    m = newM;
  };
  await withPool(options, (pool) =>
    pool.forEachChunk(
      flow,
      n,
      (_s, x, logQ) => {
        const { lw, fv } = noGrad(() => ({ lw: logTarget(x).sub(logQ).dataSync(), fv: options.f?.(x).dataSync() }));
        let cm = Number.NEGATIVE_INFINITY;
        for (let i = 0; i < lw.length; i++) cm = Math.max(cm, lw[i] as number);
        if (cm > m) rescale(cm);
        for (let i = 0; i < lw.length; i++) {
          const w = Math.exp((lw[i] as number) - m);
          const fx = fv === undefined ? 0 : (fv[i] as number);
          sw += w;
          sw2 += w * w;
          swf += w * fx;
          swf2 += w * fx * fx;
        }
      },
      options,
    ),
  );
  const estimate = swf / sw;
  const variance = Math.max(0, swf2 / sw - estimate * estimate);
  const ess = (sw * sw) / sw2;
  return { estimate, standardError: Math.sqrt(variance / ess), n, logZ: m + Math.log(sw / n), ess };
}
