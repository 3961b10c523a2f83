// Trains the two-moons flow of the browser demo (apps/docs/browser/build.mjs runs it with
// tools/run-ts.mjs during `npm run docs`) and saves it where the page fetches it:
//   node tools/run-ts.mjs apps/docs/browser/train-two-moons.ts   (writes $EDDY_DEMO_MODEL)
// Everything is seeded (data, initialisation, batches), so the file is the same on every
// build with the same kernels. A small float64 NSF: the page runs it in a Web Worker.
import '@eddy/backend-cpu';
import { mean, noGrad } from '@eddy/core';
import { NSF, fit, saveFlowToFile } from '@eddy/flows';
import { makeMoons } from '../examples/lib/datasets.js';

const out = process.env.EDDY_DEMO_MODEL;
if (out === undefined) throw new Error('train-two-moons: set EDDY_DEMO_MODEL to the output path');
const train = makeMoons(4000, 0.05, 1).cast('float64');
const test = makeMoons(2000, 0.05, 2).cast('float64');
const flow = new NSF({ features: 2, transforms: 3, hiddenFeatures: [64, 64], dtype: 'float64', seed: 0 });
const t0 = performance.now();
fit(flow, train, { epochs: 100, batchSize: 256, lr: 3e-3, seed: 0 });
const heldOut = noGrad(() => mean(flow.call().logProb(test)).item());
// The true two-moons density (noise 0.05) has about -0.26 nats; an untrained flow is below -2.
if (!(heldOut > -0.6)) throw new Error(`train-two-moons: held-out log-likelihood ${heldOut.toFixed(3)} is too low; the demo would show a poor fit`);
saveFlowToFile(flow, out);
console.log(`train-two-moons: held-out log-likelihood ${heldOut.toFixed(3)} after ${((performance.now() - t0) / 1000).toFixed(1)} s -> ${out}`);
