import type { Tensor } from '@eddy/core';

/**
 * The largest `|a − b|` over the values of two tensors of the same size (throws if the
 * sizes differ, so a comparison never silently covers only part of a tensor).
 *
 * @example
 * ```ts
 * expect(maxAbsDiff(t.inv.call(t.call(x)), x)).toBeLessThan(1e-10);
 * ```
 */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  if (x.length !== y.length) throw new Error(`maxAbsDiff: sizes differ (${x.length} vs ${y.length})`);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs((x[i] as number) - (y[i] as number)));
  return m;
}

/**
 * The normwise relative error `‖a − ref‖₂ / max(‖ref‖₂, floor)` of `a` against the
 * reference `ref` (same length; `a` may be longer, only `ref.length` values are read).
 *
 * @example
 * ```ts
 * expect(normwiseRelError(analytic, numeric)).toBeLessThan(1e-6);
 * ```
 */
export function normwiseRelError(a: ArrayLike<number>, ref: ArrayLike<number>, floor = 1e-12): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < ref.length; i++) {
    diff += ((a[i] as number) - (ref[i] as number)) ** 2;
    norm += (ref[i] as number) ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(norm), floor);
}

/**
 * The worst `|a − e| / (atol + rtol·|e|)` over the entries: at most 1 when `a` is within
 * tolerance of `e` everywhere. Non-finite entries must match exactly (NaN with NaN), and
 * the lengths must agree; otherwise it is `Infinity`. With a zero tolerance an entry
 * counts 0 when exact, else `Infinity`.
 *
 * @example
 * ```ts
 * expect(worstToleranceRatio(got.dataSync(), expected, 1e-8, 1e-6)).toBeLessThanOrEqual(1);
 * ```
 */
export function worstToleranceRatio(a: ArrayLike<number>, e: ArrayLike<number>, atol: number, rtol: number): number {
  if (a.length !== e.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < e.length; i++) {
    const av = a[i] as number;
    const ev = e[i] as number;
    if (!Number.isFinite(ev) || !Number.isFinite(av)) {
      if (!(Object.is(ev, av) || (Number.isNaN(ev) && Number.isNaN(av)))) return Number.POSITIVE_INFINITY;
      continue;
    }
    const allowed = atol + rtol * Math.abs(ev);
    const err = Math.abs(av - ev);
    const r = allowed > 0 ? err / allowed : err === 0 ? 0 : Number.POSITIVE_INFINITY;
    if (!(r <= worst)) worst = r;
  }
  return worst;
}
