// The main job (npm start): fit a neural spline flow to the two-moons dataset, draw a
// million samples from it with the worker pool, and write them with a picture:
//   out/two-moons.safetensors  the trained flow (eddy info / eddy sample can use it)
//   out/two-moons-samples.npy  the samples, float32 [n, 2]
//   out/two-moons.svg          density of the training data (left) and of the samples (right)
// Environment: EDDY_EPOCHS (default 20), EDDY_SAMPLES (default 1000000), EDDY_THREADS.
import '@eddy/backend-cpu';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Rng, mean, noGrad, tensor } from '@eddy/core';
import { NSF, fit, saveFlowToFile } from '@eddy/flows';
import { FlowPool, readNpy } from '@eddy/montecarlo';

/** Two interleaving half circles with Gaussian noise (as scikit-learn's make_moons). */
function makeMoons(n, noise, seed) {
  const rng = new Rng(seed);
  const u = rng.uniform([n], 'float64').dataSync();
  const e = rng.normal([n, 2], 'float64').dataSync();
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const t = Math.PI * u[i];
    const upper = i % 2 === 0;
    out[2 * i] = (upper ? Math.cos(t) : 1 - Math.cos(t)) + noise * e[2 * i];
    out[2 * i + 1] = (upper ? Math.sin(t) : 0.5 - Math.sin(t)) + noise * e[2 * i + 1];
  }
  return tensor(out, { shape: [n, 2] });
}

/** A 2-D histogram of points as an SVG heat map inside the box [x0, x1] × [y0, y1]. */
function heatmap(points, title, ox, bins = 60, box = [-1.5, 2.5, -1, 1.5], size = 360) {
  const [x0, x1, y0, y1] = box;
  const counts = new Float64Array(bins * bins);
  for (let i = 0; i < points.length; i += 2) {
    const bx = Math.floor(((points[i] - x0) / (x1 - x0)) * bins);
    const by = Math.floor(((points[i + 1] - y0) / (y1 - y0)) * bins);
    if (bx >= 0 && bx < bins && by >= 0 && by < bins) counts[by * bins + bx]++;
  }
  const max = Math.max(...counts);
  const cell = size / bins;
  let rects = '';
  for (let by = 0; by < bins; by++) {
    for (let bx = 0; bx < bins; bx++) {
      const v = counts[by * bins + bx] / max;
      if (v === 0) continue;
      const shade = Math.round(255 * (1 - Math.sqrt(v)));
      rects += `<rect x="${(ox + bx * cell).toFixed(1)}" y="${(40 + (bins - 1 - by) * cell).toFixed(1)}" width="${cell.toFixed(2)}" height="${cell.toFixed(2)}" fill="rgb(${shade},${shade},255)" stroke="none"/>`;
    }
  }
  return `<text x="${ox + size / 2}" y="28" text-anchor="middle" font-family="sans-serif" font-size="16">${title}</text><rect x="${ox}" y="40" width="${size}" height="${size}" fill="none" stroke="#888"/>${rects}`;
}

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
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="780" height="420" viewBox="0 0 780 420"><title>Two moons: training data and flow samples</title><rect width="780" height="420" fill="white"/>${heatmap(train.dataSync(), 'training data (4000 points)', 20)}${heatmap(samples, `NSF samples (${nSamples})`, 400)}</svg>\n`;
writeFileSync('out/two-moons.svg', svg);
console.log('wrote out/two-moons.svg');
