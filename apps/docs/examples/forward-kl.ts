// Guide 2 — Fitting data (forward KL): a neural spline flow learns the two-moons density
// by maximum likelihood. Writes before/after density plots and the training curve.
// Run by `npm run examples`.
// biome-ignore-start lint/correctness/noUnusedImports: makeMoons, shown in the guide, uses them
// #region imports
import '@eddy/backend-cpu';
import { Rng, type Tensor, mean, noGrad, tensor } from '@eddy/core';
import { NSF, fit } from '@eddy/flows';
// #endregion imports
// biome-ignore-end lint/correctness/noUnusedImports: makeMoons, shown in the guide, uses them
import { makeMoons } from './lib/datasets.js';
import { check, writeFigure } from './lib/output.js';
import { type Box, densityGrid, figure, heatmap, histogram2d, lineChart } from './lib/plot.js';

// #region data
const train = makeMoons(3000, 0.05, 1); // [3000, 2]
const test = makeMoons(1000, 0.05, 2); // held out: never used for a gradient step
const flow = new NSF({ features: 2, transforms: 3, hiddenFeatures: [64, 64], seed: 0 });
const heldOut = () => noGrad(() => mean(flow.call().logProb(test)).item()); // mean log p(x)
const start = heldOut(); // before training
// #endregion data

const box: Box = [-1.5, 2.5, -1, 1.5];
const bins = 64;
const before = densityGrid((x) => flow.call().logProb(x), box, bins);

// #region fit
const result = fit(flow, train, {
  epochs: 12,
  batchSize: 128,
  lr: 3e-3,
  validation: { data: test }, // reports the held-out loss per epoch
  onEpoch: (e) => console.log(`epoch ${e.epoch + 1}: train ${e.trainLoss.toFixed(3)}, held-out ${e.validLoss?.toFixed(3)}`),
});
const end = heldOut();
console.log(`held-out log-likelihood: ${start.toFixed(3)} → ${end.toFixed(3)} nats per point`);
// #endregion fit

const after = densityGrid((x) => flow.call().logProb(x), box, bins);
writeFigure(
  'forward-kl-density.svg',
  figure('Two moons: data and the flow density before and after training', [
    heatmap(histogram2d(train.dataSync(), box, bins), bins, 'training data (3000 points)'),
    heatmap(before, bins, 'flow density at initialisation'),
    heatmap(after, bins, 'flow density after 12 epochs'),
  ]),
);
writeFigure(
  'forward-kl-loss.svg',
  figure('Training curve', [
    lineChart(
      [
        { name: 'training', values: result.trainLoss, color: '#3b528b' },
        { name: 'held-out', values: result.validLoss, color: '#e36414' },
      ],
      'negative log-likelihood per point',
      'epoch',
      '−log p(x)',
    ),
  ]),
);
check(end > start + 1, 'training raises the held-out log-likelihood by more than 1 nat per point');
check(end > -1, `the held-out log-likelihood after 12 epochs (${end.toFixed(3)}) is above −1`);
check(result.validLoss.length === 12, 'one validation loss per epoch');
