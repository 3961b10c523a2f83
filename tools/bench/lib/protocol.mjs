// The timing protocol shared by the suites, the same as ../shared/reference/bench_zuko.py
// so that both sides are measured alike: warm-up calls, then timed units of k back-to-back
// calls (k chosen so a unit lasts >= 0.25 s; k = 1 when one call is longer), and the median
// over the units. Rates are items / (median unit time / k).

/**
 * Median seconds per call of `fn` (sync or async).
 * @param {() => unknown} fn
 * @param {{ warmup?: number, units?: number, minUnit?: number }} [o]
 */
export async function medianSeconds(fn, o = {}) {
  const { warmup = 1, units = 5, minUnit = 0.25 } = o;
  let first = 0;
  for (let i = 0; i < warmup; i++) {
    const t0 = performance.now();
    await fn();
    first = (performance.now() - t0) / 1000;
  }
  const k = first >= minUnit || first === 0 ? 1 : Math.max(1, Math.ceil(minUnit / first));
  const times = [];
  for (let u = 0; u < units; u++) {
    const t0 = performance.now();
    for (let j = 0; j < k; j++) await fn();
    times.push((performance.now() - t0) / 1000 / k);
  }
  times.sort((a, b) => a - b);
  return { seconds: times[Math.floor(times.length / 2)], times, callsPerUnit: k };
}

/** "12.3k", "1.36M" (as bench_zuko.py prints rates). */
export function rate(v) {
  if (v === undefined || v === null || !Number.isFinite(v)) return '—';
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return v.toFixed(0);
}

/** Prints an aligned table (array of row arrays, first row the header). */
export function printTable(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  for (const [i, r] of rows.entries()) {
    console.log(r.map((v, c) => (c === 0 ? String(v).padEnd(widths[c]) : String(v).padStart(widths[c]))).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}
