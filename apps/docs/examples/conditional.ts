// Guide 4 — Conditional flows: learn p(x | c) for rings whose radius is the context c,
// then sample for chosen contexts. Writes one panel per context. Run by `npm run examples`.
// #region imports
import '@eddy/backend-cpu';
import { Rng, type Tensor, tensor } from '@eddy/core';
import { NSF, fit } from '@eddy/flows';
// #endregion imports
import { check, writeFigure } from './lib/output.js';
import { type Box, figure, heatmap, histogram2d } from './lib/plot.js';

// #region data
/** n points on rings: radius c ~ U(0.5, 2) (the context), angle uniform, noise 0.08. */
function rings(n: number, seed: number): { x: Tensor; c: Tensor } {
  const rng = new Rng(seed);
  const u = rng.uniform([n, 2], 'float64').dataSync();
  const e = rng.normal([n, 2], 'float64').dataSync();
  const x = new Float32Array(2 * n);
  const c = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = 0.5 + 1.5 * (u[2 * i] as number);
    const a = 2 * Math.PI * (u[2 * i + 1] as number);
    c[i] = r;
    x[2 * i] = r * Math.cos(a) + 0.08 * (e[2 * i] as number);
    x[2 * i + 1] = r * Math.sin(a) + 0.08 * (e[2 * i + 1] as number);
  }
  return { x: tensor(x, { shape: [n, 2] }), c: tensor(c, { shape: [n, 1] }) };
}
// #endregion data

// #region fit
const { x, c } = rings(4000, 1); // x: [4000, 2] points, c: [4000, 1] their contexts
const flow = new NSF({ features: 2, context: 1, transforms: 3, hiddenFeatures: [64, 64], seed: 0 });
fit(flow, x, { context: c, epochs: 15, batchSize: 128, lr: 3e-3 });
// #endregion fit

// #region sample
const radii = [0.75, 1.25, 1.75];
// One context: a distribution over x for that ring.
const small = flow.call(tensor([0.75])).sample([3000], new Rng(1)); // [3000, 2]
// A batch of contexts: batch shape [3], one flow per context, sampled together.
const contexts = tensor(radii.map((r) => [r])); // [3, 1]
const all = flow.call(contexts).sample([3000], new Rng(1)); // [3000, 3, 2]
// #endregion sample

const box: Box = [-2.5, 2.5, -2.5, 2.5];
const bins = 60;
const panels = radii.map((r, k) =>
  heatmap(histogram2d(all.slice(1, k, k + 1).dataSync(), box, bins), bins, `samples given c = ${r}`, { label: 'samples per bin' }),
);
writeFigure('conditional-samples.svg', figure('One conditional flow, three contexts', panels));

check(small.shape.join() === '3000,2' && all.shape.join() === '3000,3,2', 'one context samples [3000, 2]; three contexts sample [3000, 3, 2]');
radii.forEach((r, k) => {
  const v = all.slice(1, k, k + 1).dataSync();
  let sum = 0;
  for (let i = 0; i < v.length; i += 2) sum += Math.hypot(v[i] as number, v[i + 1] as number);
  const meanRadius = sum / (v.length / 2);
  check(Math.abs(meanRadius - r) < 0.15, `samples given c = ${r} lie on a ring of mean radius ${meanRadius.toFixed(3)}`);
});
