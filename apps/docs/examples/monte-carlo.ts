// Guide 5 — Bulk Monte Carlo: the worker pool, results independent of the thread count,
// streaming to .npy, importance sampling with an effective sample size, and the same job
// from the command line. Run by `npm run examples`.
// #region imports
import '@eddy/backend-cpu';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { type Tensor, select } from '@eddy/core';
import { NSF, fitReverseKL, saveFlowToFile } from '@eddy/flows';
import { FlowPool, importanceSampling, readNpy, readNpyHeader } from '@eddy/montecarlo';
// #endregion imports
import { BANANA_LOG_Z, bananaLogDensity } from './lib/datasets.js';
import { check, maxAbsDiff } from './lib/output.js';

// #region proposal
// A proposal q for the banana target, fitted by reverse KL as in the reverse-KL guide.
const q = new NSF({ features: 2, transforms: 3, hiddenFeatures: [64, 64], seed: 0 });
fitReverseKL(q, bananaLogDensity, { steps: 200, samples: 128, lr: 3e-3 });
// #endregion proposal

// #region pool
const pool = new FlowPool({ threads: 2 }); // worker threads; each loads the flow once
const a = await pool.sample(q, 100_000, { seed: 7 }); // [100000, 2], in shared memory
const one = new FlowPool({ threads: 1 });
const b = await one.sample(q, 100_000, { seed: 7, chunkSize: 3000 }); // 1 thread, other shards
await one.close();
// a and b are bit-identical: row i depends on (seed, i) only.
// #endregion pool
check(maxAbsDiff(a, b) === 0, '2 threads and 1 thread (other chunk size) give bit-identical samples');

// #region file
mkdirSync('out', { recursive: true });
const file = await pool.sampleToFile(q, 200_000, 'out/banana-samples.npy', {
  seed: 7,
  onProgress: (p) => {
    if (p.done === p.total) console.log(`${p.done} of ${p.total} rows written`); // also p.rowsPerSecond, p.etaSeconds
  },
});
console.log(readNpyHeader(file.path)); // { dtype: 'float32', shape: [200000, 2], ... }
// #endregion file
{
  const head = readNpyHeader(file.path);
  check(head.shape.join() === '200000,2' && head.dtype === 'float32', 'the .npy header says float32 [200000, 2]');
  const rows = readNpy(file.path).data.subarray(0, 200_000);
  check(maxAbsDiff(rows, a) === 0, 'the first 100,000 rows of the file equal the in-memory job with the same seed');
}

// #region importance
// Weights w = p̃(x) / q(x) for x ~ q: log Z = log mean w, and E_p[f] = Σ w f / Σ w.
const r = await importanceSampling(q, bananaLogDensity, 100_000, {
  pool,
  seed: 11,
  f: (x: Tensor) => select(x, -1, 0).square(), // E_p[x₁²] (= 1 for this target)
});
console.log(`log Z ≈ ${r.logZ.toFixed(4)} (exact ${BANANA_LOG_Z.toFixed(4)})`);
console.log(`E[x₁²] ≈ ${r.estimate.toFixed(3)} ± ${r.standardError.toFixed(3)}, ESS ${Math.round(r.ess)} of ${r.n}`);
await pool.close();
// #endregion importance
check(Math.abs(r.logZ - BANANA_LOG_Z) < 0.02, `log Z is within 0.02 of log 2π (error ${(r.logZ - BANANA_LOG_Z).toExponential(2)})`);
check(Math.abs(r.estimate - 1) < 5 * r.standardError + 0.01, `E_p[x₁²] = ${r.estimate.toFixed(3)} matches 1 within 5 standard errors`);
check(r.ess > 0.5 * r.n, `the effective sample size is ${((100 * r.ess) / r.n).toFixed(1)}% of the draws`);

// #region cli
saveFlowToFile(q, 'out/banana.safetensors');
// eddy sample out/banana.safetensors -n 100000 --seed 7 --threads 2 --out out/banana-cli.npy
const cli = spawnSync(
  process.execPath,
  ['apps/cli/bin/eddy.mjs', 'sample', 'out/banana.safetensors', '-n', '100000', '--seed', '7', '--threads', '2', '--out', 'out/banana-cli.npy'],
  { encoding: 'utf8' },
);
// #endregion cli
check(cli.status === 0, `the CLI exits with 0 (stderr: ${cli.stderr.trim().split('\n').at(-1)})`);
check(maxAbsDiff(readNpy('out/banana-cli.npy').data, a) === 0, '`eddy sample` with the same seed writes the same rows as the pool');
