// The main job (npm start): fit a neural spline flow to the two-moons dataset, draw a
// million samples from it with the worker pool, and write them with a picture:
//   out/two-moons.safetensors  the trained flow (eddy info / eddy sample can use it)
//   out/two-moons-samples.npy  the samples, float32 [n, 2]
//   out/two-moons.svg          density of the training data (left) and of the samples (right)
// Environment: EDDY_EPOCHS (default 20), EDDY_SAMPLES (default 1000000), EDDY_THREADS.
// Run with tools/run-ts.mjs (npm start builds the packages first).
import '@eddy/backend-cpu';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mean, noGrad } from '@eddy/core';
import { NSF, fit, saveFlowToFile } from '@eddy/flows';
import { FlowPool, readNpy } from '@eddy/montecarlo';
import { makeMoons } from '../apps/docs/examples/lib/datasets.js';
import { type Box, figure, heatmap, histogram2d } from '../apps/docs/examples/lib/plot.js';

const epochs = Number(process.env.EDDY_EPOCHS ?? 20);
const nSamples = Number(process.env.EDDY_SAMPLES ?? 1_000_000);
const train = makeMoons(4000, 0.05, 1);
const test = makeMoons(2000, 0.05, 2);
const flow = new NSF({ features: 2, transforms: 3, hiddenFeatures: [64, 64], seed: 0 });
console.log(`training ${flow.parameters().reduce((s, p) => s + p.size, 0)} parameters for ${epochs} epochs on 4000 points`);
const t0 = performance.now();
fit(flow, train, {
  epochs,
  batchSize: 256,
  lr: 3e-3,
  onEpoch: (e) => {
    const ll = noGrad(() => mean(flow.call().logProb(test)).item());
    console.log(`epoch ${String(e.epoch + 1).padStart(3)}  train log-lik ${(-e.trainLoss).toFixed(3)}  held-out ${ll.toFixed(3)}`);
  },
});
console.log(`trained in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
mkdirSync('out', { recursive: true });
saveFlowToFile(flow, 'out/two-moons.safetensors');
const pool = new FlowPool({ threads: process.env.EDDY_THREADS === undefined ? undefined : Number(process.env.EDDY_THREADS) });
const t1 = performance.now();
let lastReport = 0;
await pool.sampleToFile(flow, nSamples, 'out/two-moons-samples.npy', {
  seed: 42,
  onProgress: (p) => {
    if (performance.now() - lastReport < 1000 && p.done < p.total) return;
    lastReport = performance.now();
    console.log(`sampling: ${p.done}/${p.total}  ${Math.round(p.rowsPerSecond)}/s  ETA ${p.etaSeconds.toFixed(0)} s`);
  },
});
await pool.close();
console.log(`drew ${nSamples} samples on ${pool.threads} threads in ${((performance.now() - t1) / 1000).toFixed(1)} s -> out/two-moons-samples.npy`);
const samples = readNpy('out/two-moons-samples.npy').data;
const box: Box = [-1.5, 2.5, -1, 1.5];
const svg = figure('Two moons: training data and flow samples', [
  heatmap(histogram2d(train.dataSync(), box, 60), 60, 'training data (4000 points)'),
  heatmap(histogram2d(samples, box, 60), 60, `NSF samples (${nSamples})`),
]);
writeFileSync('out/two-moons.svg', svg);
console.log('wrote out/two-moons.svg');
