// Throughput of bulk jobs on the worker pool: samples/s and logProb points/s for NSF and
// MAF (features 8, transforms 3, hidden [64, 64]) in float32 and float64, at n = 2^k, with
// 1 and 2 threads, beside zuko's rsample and log_prob on the same machine (--zuko=FILE;
// see lib/zuko.mjs). Timing follows bench_zuko.py (lib/protocol.mjs). Also measures, in
// this process on one thread, sampling with the incremental inverse against zuko's
// fixed-point passes (the speed-up of #12) and sampling against logProb.
// EDDY_BENCH_SIZES (default "16,20"), EDDY_BENCH_DTYPES (default "float32,float64"),
// EDDY_BENCH_THREADS (default "1,2"), EDDY_BENCH_FLOWS (default "NSF,MAF").
import { kernelInfo } from '@eddy/backend-cpu';
import { Rng, noGrad, randn } from '@eddy/core';
import { MAF, MaskedAutoregressiveTransform, NSF } from '@eddy/flows';
import { FlowPool } from '@eddy/montecarlo';
import { medianSeconds, printTable, rate } from './lib/protocol.mjs';
import { loadZuko } from './lib/zuko.mjs';

const FLOWS = { NSF, MAF };
const make = (name, dtype) => new FLOWS[name]({ features: 8, transforms: 3, hiddenFeatures: [64, 64], dtype, seed: 0 });

export async function throughputSuite() {
  const sizes = (process.env.EDDY_BENCH_SIZES ?? '16,20').split(',').map(Number);
  const dtypes = (process.env.EDDY_BENCH_DTYPES ?? 'float32,float64').split(',');
  const threadList = (process.env.EDDY_BENCH_THREADS ?? '1,2').split(',').map(Number);
  const flows = (process.env.EDDY_BENCH_FLOWS ?? 'NSF,MAF').split(',');
  const zuko = loadZuko();
  console.log(`kernels: ${JSON.stringify(kernelInfo())}`);
  console.log(`zuko: ${zuko.source}`);
  const results = [];
  // A fresh pool (fresh worker threads) for every flow × dtype × thread count: a worker that
  // has run the other dtype carries polymorphic JIT state into this one, which no
  // single-dtype user would see.
  for (const threads of threadList) {
    for (const name of flows) {
      for (const dtype of dtypes) {
        const pool = new FlowPool({ threads });
        try {
          const flow = make(name, dtype);
          await pool.sample(flow, 4096, { seed: 99, dtype }); // every worker loads the flow
          for (const k of sizes) {
            const n = 2 ** k;
            const chunkSize = Math.max(256, Math.min(16384, Math.ceil(n / (4 * threads))));
            const s = await medianSeconds(() => pool.sample(flow, n, { seed: 1, dtype, chunkSize }));
            const x = randn([n, 8], { seed: 2, dtype });
            const l = await medianSeconds(() => pool.logProb(flow, x, { dtype, chunkSize }));
            const zs = dtype === 'float32' ? zuko.get(name, 'rsample', n, threads) : undefined;
            const zl = dtype === 'float32' ? zuko.get(name, 'log_prob', n, threads) : undefined;
            const r = {
              bench: 'throughput',
              flow: name,
              dtype,
              n,
              threads,
              samplesPerSecond: n / s.seconds,
              logProbPerSecond: n / l.seconds,
              sampleOverLogProbCost: s.seconds / l.seconds,
              zukoSamplesPerSecond: zs,
              zukoLogProbPerSecond: zl,
              sampleRatioVsZuko: zs ? n / s.seconds / zs : undefined,
              logProbRatioVsZuko: zl ? n / l.seconds / zl : undefined,
            };
            results.push(r);
            console.log(
              `${name} ${dtype} n=2^${k} ${threads}T: sample ${rate(r.samplesPerSecond)}/s${zs ? ` (zuko ${rate(zs)}, ${r.sampleRatioVsZuko.toFixed(2)}×)` : ''}, logProb ${rate(r.logProbPerSecond)}/s${zl ? ` (zuko ${rate(zl)}, ${r.logProbRatioVsZuko.toFixed(2)}×)` : ''}, sample/logProb cost ${r.sampleOverLogProbCost.toFixed(2)}`,
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
    }
  }
  // Incremental inverse vs zuko's fixed-point passes, one thread, in this process.
  const fixed = [];
  for (const name of flows) {
    const flow = make(name, 'float32');
    const n = 16384;
    const time = (incremental) => {
      for (const t of flow.transform.transforms) if (t instanceof MaskedAutoregressiveTransform) t.incremental = incremental;
      return medianSeconds(() => noGrad(() => flow.call().sample([n], new Rng(3)).dataSync()), { warmup: 2 });
    };
    const inc = await time(true);
    const fp = await time(false);
    const r = {
      bench: 'incremental-vs-fixed-point',
      flow: name,
      dtype: 'float32',
      n,
      threads: 1,
      incrementalPerSecond: n / inc.seconds,
      fixedPointPerSecond: n / fp.seconds,
      speedup: fp.seconds / inc.seconds,
    };
    fixed.push(r);
    results.push(r);
  }
  const rows = [['flow', 'dtype', 'n', 'T', 'sample/s', 'zuko rsample', '×', 'logProb/s', 'zuko log_prob', '×', 'sample/logProb cost']];
  for (const r of results.filter((q) => q.bench === 'throughput')) {
    rows.push([
      r.flow,
      r.dtype,
      `2^${Math.log2(r.n)}`,
      r.threads,
      rate(r.samplesPerSecond),
      rate(r.zukoSamplesPerSecond),
      r.sampleRatioVsZuko?.toFixed(2) ?? '—',
      rate(r.logProbPerSecond),
      rate(r.zukoLogProbPerSecond),
      r.logProbRatioVsZuko?.toFixed(2) ?? '—',
      r.sampleOverLogProbCost.toFixed(2),
    ]);
  }
  console.log(`\nzuko: ${zuko.source}`);
  printTable(rows);
  console.log('\nsampling, one thread, n = 16384, float32: incremental inverse vs fixed-point passes');
  printTable([
    ['flow', 'incremental/s', 'fixed-point/s', 'speed-up'],
    ...fixed.map((r) => [r.flow, rate(r.incrementalPerSecond), rate(r.fixedPointPerSecond), `${r.speedup.toFixed(1)}×`]),
  ]);
  return results;
}
