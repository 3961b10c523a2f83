// Guide 1 — Quick start: build a neural spline flow, fit it, sample, evaluate
// log-densities, save and load. Run by `npm run examples`.
// biome-ignore-start lint/correctness/noUnusedImports: makeMoons, shown in the guide, uses them
// #region imports
import '@eddy/backend-cpu'; // registers the CPU kernels (do this once, first)
import { mkdirSync } from 'node:fs';
import { Rng, type Tensor, noGrad, tensor } from '@eddy/core';
import { NSF, fit, loadFlow, saveFlowToFile } from '@eddy/flows';
// #endregion imports
// biome-ignore-end lint/correctness/noUnusedImports: makeMoons, shown in the guide, uses them
import { makeMoons } from './lib/datasets.js';
import { check, maxAbsDiff } from './lib/output.js';

// #region build
const data = makeMoons(2000, 0.05, 1); // [2000, 2] float32 points
const flow = new NSF({ features: 2, transforms: 3, hiddenFeatures: [64, 64], seed: 0 });
// #endregion build

// #region fit
const { trainLoss } = fit(flow, data, { epochs: 5, batchSize: 256, lr: 3e-3 });
console.log(`mean −log p(x): ${trainLoss[0]?.toFixed(3)} after epoch 1, ${trainLoss.at(-1)?.toFixed(3)} after epoch 5`);
// #endregion fit
check((trainLoss.at(-1) as number) < (trainLoss[0] as number) - 0.3, 'training lowers the negative log-likelihood');

// #region use
const p = flow.call(); // the distribution p(x): a NormalizingFlow
const x = p.sample([4], new Rng(1)); // [4, 2]
const logp = p.logProb(x); // [4]
const [y, logq] = p.rsampleAndLogProb([4], new Rng(1)); // both in one pass
console.log(x.toArray(), logp.toArray());
// #endregion use
check(maxAbsDiff(x, y) < 1e-5, 'the same Rng seed gives the same draws');
const gap = noGrad(() => maxAbsDiff(logq, p.logProb(y)));
check(gap < 1e-3, `rsampleAndLogProb agrees with logProb (largest gap ${gap.toExponential(1)})`);

// #region save
mkdirSync('out', { recursive: true });
saveFlowToFile(flow, 'out/quick-start.safetensors'); // weights + class + options, one file
const again = loadFlow('out/quick-start.safetensors'); // no code needed to rebuild it
const same = again.call().logProb(x); // identical to logp
// #endregion save
check(maxAbsDiff(same, logp) === 0, 'the loaded flow gives bit-identical log-densities');
