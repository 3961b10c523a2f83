// zuko's side of the comparison. A ratio counts only when zuko ran on this machine in the
// same sitting: pass its results with --zuko=FILE (or EDDY_ZUKO_RESULTS=FILE), the JSON
// written by ../shared/reference/bench_zuko.py. Without it the suites fall back to
// ../shared/reference/zuko_bench.json, measured on another machine of this kind, and say so.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const reference = resolve(process.env.EDDY_REFERENCE ?? '../shared/reference');

function fromArgs(name, env) {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg !== undefined ? arg.slice(name.length + 3) : process.env[env];
}

/**
 * zuko's rates: `get(flow, op, n, threads)` → samples/s (openblas + jemalloc preferred),
 * with `source` describing where they come from and `sameMachine`.
 */
export function loadZuko() {
  const given = fromArgs('zuko', 'EDDY_ZUKO_RESULTS');
  const file = given ?? join(reference, 'zuko_bench.json');
  if (!existsSync(file)) return { get: () => undefined, source: 'none', sameMachine: false };
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const rank = (c) => (c.blas === 'openblas' ? 2 : 0) + (c.alloc === 'jemalloc' ? 1 : 0);
  const best = new Map();
  for (const c of doc.configs ?? []) {
    for (const r of c.results ?? []) {
      const key = `${r.flow}|${r.op}|${r.n}|${c.threads}`;
      const prev = best.get(key);
      if (prev === undefined || rank(c) > prev.rank) best.set(key, { rank: rank(c), rate: r.samples_per_s, config: `${c.blas}+${c.alloc}` });
    }
  }
  const sameMachine = given !== undefined;
  return {
    get: (flow, op, n, threads) => best.get(`${flow}|${op}|${n}|${threads}`)?.rate,
    config: (flow, op, n, threads) => best.get(`${flow}|${op}|${n}|${threads}`)?.config,
    source: sameMachine ? `${file} (this machine, this sitting)` : `${file} (ANOTHER machine: fallback only, ratios are not comparable)`,
    sameMachine,
    machine: doc.machine,
  };
}

/** zuko's two-moons recipe result: --zuko-moons=FILE (tools/bench/zuko_moons.py) or the shared one. */
export function loadZukoMoons() {
  const given = fromArgs('zuko-moons', 'EDDY_ZUKO_MOONS');
  const file = given ?? join(reference, 'data', 'moons_zuko.json');
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  return {
    results: doc.results,
    source: given !== undefined ? `${file} (this machine, this sitting)` : `${file} (ANOTHER machine: fallback only)`,
    sameMachine: given !== undefined,
  };
}
