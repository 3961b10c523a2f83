// Guide 6 — Backends: the same flow on the CPU backend and on the TensorFlow.js backend
// (a GPU when @tensorflow/tfjs-node-gpu is installed), float32 vs float64, and memory
// with tidy. Run by `npm run examples` (in CI the gpu backend runs on pure-JS TensorFlow.js).
// #region imports
import '@eddy/backend-cpu';
import '@eddy/backend-gpu';
import { engineInfo } from '@eddy/backend-gpu';
import { Rng, getBackend, noGrad, randn, setBackend, tensor, tidy } from '@eddy/core';
import { NSF } from '@eddy/flows';
import { memory } from '@tensorflow/tfjs-core';
// #endregion imports
import { check, maxAbsDiff } from './lib/output.js';

// #region dtypes
setBackend('cpu'); // the default once @eddy/backend-cpu is imported
const x = randn([1000, 4], { seed: 1, dtype: 'float64' });
const flow64 = new NSF({ features: 4, transforms: 2, dtype: 'float64', seed: 0 });
const flow32 = new NSF({ features: 4, transforms: 2, dtype: 'float32', seed: 0 }); // same weights, rounded
const lp64 = flow64.call().logProb(x); // float64 all the way
const lp32 = flow32.call().logProb(x.cast('float32')); // float32: half the memory, faster matmuls
// #endregion dtypes
check(lp64.dtype === 'float64' && lp32.dtype === 'float32', 'each flow computes in its own dtype');
check(maxAbsDiff(lp64, lp32.cast('float64')) < 1e-3, `float32 and float64 log-densities agree to ${maxAbsDiff(lp64, lp32.cast('float64')).toExponential(1)}`);

// #region gpu
setBackend('gpu'); // tensors created from here on live in TensorFlow.js
const { engine, device } = engineInfo(); // 'tfjs-node-gpu' and 'cuda' on a GPU machine
console.log(`TensorFlow.js engine ${engine} on ${device}`);
const flowGpu = new NSF({ features: 4, transforms: 2, dtype: 'float32', seed: 0 }); // same seed, same weights
const xGpu = tensor(x.dataSync(), { shape: [1000, 4], dtype: 'float32' }); // data moved by value
const lpGpu = flowGpu.call().logProb(xGpu);
const draws = flowGpu.call().sample([4], new Rng(3)); // the same (seed, row) addressing as on the CPU
// #endregion gpu
check(getBackend().name === 'gpu', `the gpu backend is active (engine ${engine})`);
check(
  maxAbsDiff(tensor(lpGpu.dataSync(), { dtype: 'float32' }), tensor(lp32.dataSync(), { dtype: 'float32' })) < 1e-3,
  'CPU and TensorFlow.js agree to float32 rounding',
);

// #region tidy
const live = memory().numTensors;
for (let i = 0; i < 10; i++) {
  // Everything created inside tidy is freed at its end, except what it returns.
  tidy(() => noGrad(() => flowGpu.call().sample([256], new Rng(i)).dataSync()));
}
console.log(`TensorFlow.js tensors: ${live} before, ${memory().numTensors} after 10 batches`);
// #endregion tidy
check(memory().numTensors === live, 'tidy leaves no TensorFlow.js tensor behind');
check(draws.shape.join() === '4,4', 'sampling on the gpu backend gives [4, 4]');
setBackend('cpu');
