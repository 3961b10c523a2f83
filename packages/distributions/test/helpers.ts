import { type NestedArray, type Tensor, special, tensor } from '@eddy/core';
import type { Distribution } from '@eddy/distributions';
import { expect } from 'vitest';

/** float64 tensor from numbers. */
export const f64 = (v: NestedArray): Tensor => tensor(v, { dtype: 'float64' });

/** Φ, the standard normal CDF (core's host erf, not code under test). */
export const Phi = (z: number): number => 0.5 * (1 + special.erf(z / Math.SQRT2));
/** Normal(μ, σ) CDF. */
export const normalCdf = (x: number, mu: number, sigma: number): number => Phi((x - mu) / sigma);
/** Normal(μ, σ) log-density. */
export const normalLogPdf = (x: number, mu: number, sigma: number): number => -0.5 * ((x - mu) / sigma) ** 2 - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI);

export type Support = 'real' | 'positive' | [number, number];

/**
 * ∫ f over the support by the midpoint rule on a smooth change of variables
 * (x = t/(1-t²) on (-1, 1) for the real line, x = t/(1-t) on (0, 1) for [0, ∞)), with
 * `n` nodes. `f` gets all nodes at once (a float64 tensor) and returns values.
 */
export function integrate(f: (x: Tensor) => ArrayLike<number>, support: Support, n = 200_000): number {
  const xs = new Float64Array(n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = (i + 0.5) / n;
    if (support === 'real') {
      const t = 2 * t0 - 1;
      xs[i] = t / (1 - t * t);
      w[i] = ((2 / n) * (1 + t * t)) / (1 - t * t) ** 2;
    } else if (support === 'positive') {
      xs[i] = t0 / (1 - t0);
      w[i] = 1 / n / (1 - t0) ** 2;
    } else {
      const [a, b] = support;
      xs[i] = a + (b - a) * t0;
      w[i] = (b - a) / n;
    }
  }
  const v = f(tensor(xs, { dtype: 'float64' }));
  let s = 0;
  for (let i = 0; i < n; i++) {
    const fi = v[i] as number;
    if (fi !== 0) s += (w[i] as number) * fi;
  }
  return s;
}

/** Column `j` of a `[n, m]` sample (or the whole `[n]` sample) as numbers. */
export function column(x: Tensor, j = 0): Float64Array {
  const d = x.dataSync();
  if (x.ndim === 1) return Float64Array.from(d);
  const m = x.shape[1] as number;
  const n = x.shape[0] as number;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = d[i * m + j] as number;
  return out;
}

/** Kolmogorov–Smirnov statistic of a sample against a CDF. */
export function ksStatistic(sample: Float64Array, cdf: (x: number) => number): number {
  const s = Float64Array.from(sample).sort();
  const n = s.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(s[i] as number);
    d = Math.max(d, f - i / n, (i + 1) / n - f);
  }
  return d;
}

/** KS critical value at level 0.001 (asymptotic): 1.949/√n. */
export const ksCritical = (n: number): number => 1.949 / Math.sqrt(n);

/** Sample mean, variance and standard errors of both. */
export function moments(v: Float64Array): { mean: number; variance: number; seMean: number; seVar: number } {
  const n = v.length;
  let m = 0;
  for (const a of v) m += a;
  m /= n;
  let m2 = 0;
  let m4 = 0;
  for (const a of v) {
    const d = (a - m) ** 2;
    m2 += d;
    m4 += d * d;
  }
  m2 /= n;
  m4 /= n;
  return { mean: m, variance: m2, seMean: Math.sqrt(m2 / n), seVar: Math.sqrt(Math.max(m4 - m2 * m2, 0) / n) };
}

/** Mean and variance of column `j` within 5 standard errors of the expected values. */
export function expectMoments(v: Float64Array, mean: number, variance: number, what: string): void {
  const m = moments(v);
  expect(Math.abs(m.mean - mean), `${what}: mean ${m.mean} vs ${mean} (se ${m.seMean})`).toBeLessThanOrEqual(5 * m.seMean);
  expect(Math.abs(m.variance - variance), `${what}: variance ${m.variance} vs ${variance} (se ${m.seVar})`).toBeLessThanOrEqual(5 * m.seVar);
}

/** Element-wise closeness with |a - e| ≤ atol + rtol |e|; infinities must match. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-12, atol = 1e-12, what = ''): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (!Number.isFinite(e)) {
      expect(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)), `${what}[${i}]: ${a} vs ${e}`).toBe(true);
    } else {
      expect(Math.abs(a - e), `${what}[${i}]: ${a} vs ${e}`).toBeLessThanOrEqual(atol + rtol * Math.abs(e));
    }
  }
}

/** Exp of a distribution's log-density at `x` (for integration). */
export const density =
  (d: Distribution) =>
  (x: Tensor): Float64Array =>
    Float64Array.from(d.logProb(x).dataSync(), Math.exp);
