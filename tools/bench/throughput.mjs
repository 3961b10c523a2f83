// Throughput of bulk jobs on the worker pool: samples/s and logProb points/s for NSF and
// MAF (features 8, transforms 3, hidden [64, 64]) in float32 and float64, at n = 2^k, with
// 1 and 2 threads, beside zuko's figures from ../shared/reference/zuko_bench.json (PyTorch
// with OpenBLAS on the same kind of machine).
// EDDY_BENCH_SIZES (default "12,16"; add 20 for the full protocol — long on this engine),
// EDDY_BENCH_DTYPES (default "float32,float64"), EDDY_BENCH_THREADS (default "1,2"),
// EDDY_BENCH_FLOWS (default "NSF,MAF").
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randn } from '@eddy/core';
import { MAF, NSF } from '@eddy/flows';
import { FlowPool } from '@eddy/montecarlo';

const reference = resolve(process.env.EDDY_REFERENCE ?? '../shared/reference');

/** zuko's table: `{ "NSF log_prob 2^12": { "1T": rate, "2T": rate } }` (OpenBLAS, glibc). */
function zukoTable() {
  const file = join(reference, 'zuko_bench.json');
  if (!existsSync(file)) return {};
  const parse = (s) => {
    const m = /([\d.]+)([kM]?)/.exec(s.trim());
    if (m === null) return undefined;
    return Number(m[1]) * (m[2] === 'k' ? 1e3 : m[2] === 'M' ? 1e6 : 1);
  };
  const out = {};
  for (const row of JSON.parse(readFileSync(file, 'utf8')).table.slice(2)) {
    const [left, ...cols] = row.split('|');
    const key = left.trim().replace(/\s+/g, ' ');
    out[key] = { '2T': parse(cols[0] ?? ''), '1T': parse(cols[1] ?? '') };
  }
  return out;
}

export async function throughputSuite() {
  const sizes = (process.env.EDDY_BENCH_SIZES ?? '12,16').split(',').map(Number);
  const dtypes = (process.env.EDDY_BENCH_DTYPES ?? 'float32,float64').split(',');
  const threadList = (process.env.EDDY_BENCH_THREADS ?? '1,2').split(',').map(Number);
  const flows = (process.env.EDDY_BENCH_FLOWS ?? 'NSF,MAF').split(',');
  const zuko = zukoTable();
  const results = [];
  // A fresh pool (fresh worker threads) for every flow × dtype × thread count: a worker that
  // has already run the other dtype carries polymorphic JIT state into this one (measured:
  // MAF float32 after float64 in the same workers is ~22% slower), which no single-dtype
  // user would see. Each pool loads its flow once (warm-up), then runs the sizes in order.
  for (const threads of threadList) {
    for (const [name, Cls] of [['NSF', NSF], ['MAF', MAF]].filter(([f]) => flows.includes(f))) {
      for (const dtype of dtypes) {
        const pool = new FlowPool({ threads });
        try {
          const flow = new Cls({ features: 8, transforms: 3, hiddenFeatures: [64, 64], dtype, seed: 0 });
          await pool.sample(flow, 256, { seed: 99, dtype }); // warm-up: every worker loads the flow
          for (const k of sizes) {
            const n = 2 ** k;
            const chunkSize = Math.max(256, Math.min(16384, Math.ceil(n / (4 * threads))));
            let t0 = performance.now();
            await pool.sample(flow, n, { seed: 1, dtype, chunkSize });
            const sampleRate = n / ((performance.now() - t0) / 1000);
            const x = randn([n, 8], { seed: 2, dtype });
            t0 = performance.now();
            await pool.logProb(flow, x, { dtype, chunkSize });
            const logProbRate = n / ((performance.now() - t0) / 1000);
            const zs = zuko[`${name} rsample 2^${k}`]?.[`${threads}T`];
            const zl = zuko[`${name} log_prob 2^${k}`]?.[`${threads}T`];
            const r = {
              bench: 'throughput',
              flow: name,
              dtype,
              n,
              threads,
              samplesPerSecond: sampleRate,
              logProbPerSecond: logProbRate,
              zukoSamplesPerSecond: dtype === 'float32' ? zs : undefined,
              zukoLogProbPerSecond: dtype === 'float32' ? zl : undefined,
              sampleRatioVsZuko: dtype === 'float32' && zs ? sampleRate / zs : undefined,
              logProbRatioVsZuko: dtype === 'float32' && zl ? logProbRate / zl : undefined,
            };
            results.push(r);
            const ratio = (v) => (v === undefined ? '' : ` (${v.toFixed(2)}× zuko)`);
            console.log(
              `${name} ${dtype} n=2^${k} threads=${threads}: sample ${Math.round(sampleRate)}/s${ratio(r.sampleRatioVsZuko)}, logProb ${Math.round(logProbRate)}/s${ratio(r.logProbRatioVsZuko)}`,
            );
          }
        } finally {
          await pool.close();
        }
      }
    }
  }
  // Scaling: 2 threads over 1 at the largest size.
  const big = Math.max(...sizes.map((k) => 2 ** k));
  for (const r of results.filter((q) => q.threads === 2 && q.n === big)) {
    const one = results.find((q) => q.threads === 1 && q.n === big && q.flow === r.flow && q.dtype === r.dtype);
    if (one) {
      r.sampleSpeedupVs1Thread = r.samplesPerSecond / one.samplesPerSecond;
      r.logProbSpeedupVs1Thread = r.logProbPerSecond / one.logProbPerSecond;
      console.log(`${r.flow} ${r.dtype} n=${big}: 2 threads vs 1: sample ×${r.sampleSpeedupVs1Thread.toFixed(2)}, logProb ×${r.logProbSpeedupVs1Thread.toFixed(2)}`);
    }
  }
  return results;
}
