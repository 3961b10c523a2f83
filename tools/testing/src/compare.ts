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
