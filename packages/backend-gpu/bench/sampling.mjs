// Sampling / logProb benchmark of @eddy/backend-gpu (run by tools/gpu-check.sh after a
// build). Prints one line per batch size: milliseconds and throughput of NSF sampling and
// log-density on the gpu backend (and on the CPU backend up to EDDY_BENCH_CPU_MAX rows).
//   EDDY_BENCH_SIZES     batch sizes (default 1000,10000,100000,1000000)
//   EDDY_BENCH_CPU_MAX   largest batch also timed on the CPU backend (default 10000)
import { cpuBackend } from '@eddy/backend-cpu';
import { engineInfo, gpuBackend } from '@eddy/backend-gpu';
import { Rng, noGrad, setBackend, tensor, tidy } from '@eddy/core';
import { NSF } from '@eddy/flows';
import * as tf from '@tensorflow/tfjs-core';

const sizes = (process.env.EDDY_BENCH_SIZES ?? '1000,10000,100000,1000000').split(',').map(Number);
const cpuMax = Number(process.env.EDDY_BENCH_CPU_MAX ?? 10000);
const options = { features: 8, transforms: 3, hiddenFeatures: [256, 256], bins: 8, dtype: 'float32', seed: 0 };

setBackend(cpuBackend.name);
const cpuFlow = new NSF(options);
setBackend(gpuBackend.name);
const info = engineInfo();
const gpuFlow = new NSF(options);
const dict = {};
for (const [k, v] of Object.entries(cpuFlow.stateDict())) dict[k] = tensor(v.dataSync(), { shape: v.shape, dtype: v.dtype, backend: gpuBackend });
gpuFlow.loadStateDict(dict);
gpuBackend.options.checkIndices = false; // the spline indices are valid by construction

/** Times sample (with read-back) and logProb of those samples; returns [ms, ms, samples]. */
function time(flow, n, seed) {
  return tidy(() =>
    noGrad(() => {
      const d = flow.call();
      const t0 = performance.now();
      const x = d.sample([n], new Rng(seed));
      const xs = x.dataSync();
      const t1 = performance.now();
      const lp = d.logProb(x).dataSync();
      const t2 = performance.now();
      return [t1 - t0, t2 - t1, xs, lp];
    }),
  );
}

console.log(`engine: ${info.engine} (${info.package} ${info.version}), device ${info.device}, TF32 ${info.tf32 ? 'allowed' : 'off'}`);
console.log(
  `flow: NSF features ${options.features}, transforms ${options.transforms}, hidden ${options.hiddenFeatures.join('x')}, bins ${options.bins}, float32`,
);
setBackend(gpuBackend.name);
time(gpuFlow, 1000, 99); // warm-up: kernel compilation, cuBLAS/cuDNN initialisation
const baseline = tf.memory().numTensors;
for (const n of sizes) {
  setBackend(gpuBackend.name);
  const [gs, gl, gx, glp] = time(gpuFlow, n, 1);
  let line = `n=${n}: gpu sample ${gs.toFixed(0)} ms (${((n / gs) * 1000).toExponential(2)}/s), logProb ${gl.toFixed(0)} ms (${((n / gl) * 1000).toExponential(2)}/s)`;
  if (n <= cpuMax) {
    setBackend(cpuBackend.name);
    const [cs, cl, cx, clp] = time(cpuFlow, n, 1);
    let worst = 0;
    for (let i = 0; i < cx.length; i++) worst = Math.max(worst, Math.abs(gx[i] - cx[i]) / (1e-4 + 1e-4 * Math.abs(cx[i])));
    for (let i = 0; i < clp.length; i++) worst = Math.max(worst, Math.abs(glp[i] - clp[i]) / (1e-4 + 1e-4 * Math.abs(clp[i])));
    line += ` | cpu sample ${cs.toFixed(0)} ms, logProb ${cl.toFixed(0)} ms | speed-up ${(cs / gs).toFixed(1)}x / ${(cl / gl).toFixed(1)}x | agreement worst err/tol ${worst.toFixed(3)}`;
  }
  console.log(line);
}
console.log(`tf.memory(): ${tf.memory().numTensors} tensors (${baseline} after warm-up), ${(tf.memory().numBytes / 2 ** 20).toFixed(1)} MiB`);
