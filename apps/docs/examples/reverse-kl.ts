// Guide 3 — Variational inference (reverse KL): fit a flow q to a banana-shaped target
// known only up to its normaliser, by maximising the ELBO. Writes the target, the fitted
// density and the ELBO curve. Run by `npm run examples`.
// biome-ignore-start lint/correctness/noUnusedImports: bananaLogDensity, shown in the guide, uses them
// #region imports
import '@eddy/backend-cpu';
import { Rng, type Tensor, noGrad, select } from '@eddy/core';
import { NSF, elbo, fitReverseKL } from '@eddy/flows';
// #endregion imports
// biome-ignore-end lint/correctness/noUnusedImports: bananaLogDensity, shown in the guide, uses them
import { BANANA_LOG_Z, bananaLogDensity } from './lib/datasets.js';
import { check, writeFigure } from './lib/output.js';
import { type Box, densityGrid, figure, heatmap, histogram2d, lineChart } from './lib/plot.js';

// #region fit
// log p̃(x): the target's log-density up to an unknown constant log Z.
const logTarget = bananaLogDensity;
const q = new NSF({ features: 2, transforms: 3, hiddenFeatures: [64, 64], seed: 0 });
const history = fitReverseKL(q, logTarget, { steps: 200, samples: 128, lr: 3e-3 });
// ELBO = E_q[log p̃(x) − log q(x)] = log Z − KL(q ‖ p) ≤ log Z
const final = noGrad(() => elbo(q, logTarget, 20_000, new Rng(123)).item());
console.log(`ELBO ${history[0]?.toFixed(3)} → ${final.toFixed(3)}; log Z = ${BANANA_LOG_Z.toFixed(3)}`);
// #endregion fit

// #region draw
const x = q.call().sample([20_000], new Rng(7)); // approximate draws from the target
// #endregion draw

const box: Box = [-3.5, 3.5, -4.5, 2.5];
const bins = 64;
writeFigure(
  'reverse-kl-density.svg',
  figure('Reverse KL: a banana-shaped target and the fitted flow', [
    heatmap(densityGrid(logTarget, box, bins), bins, 'target p̃(x) (unnormalised)', { label: 'p̃(x)' }),
    heatmap(
      densityGrid((v) => q.call().logProb(v), box, bins),
      bins,
      'flow q(x) after 200 steps',
      { label: 'density q(x)' },
    ),
    heatmap(histogram2d(x.dataSync(), box, bins), bins, '20,000 draws from q'),
  ]),
);
const smooth = history.map((_, i) => average(history.slice(Math.max(0, i - 19), i + 1)));
writeFigure(
  'reverse-kl-elbo.svg',
  figure('ELBO during training', [
    lineChart(
      [
        { name: 'ELBO (20-step mean)', values: smooth, color: '#3b528b' },
        { name: 'log Z (exact)', values: history.map(() => BANANA_LOG_Z), color: '#e36414' },
      ],
      'evidence lower bound',
      'step',
      'nats',
      'bottom',
    ),
  ]),
);
check(final <= BANANA_LOG_Z + 0.02, `the ELBO (${final.toFixed(3)}) does not exceed log Z (${BANANA_LOG_Z.toFixed(3)}) beyond Monte Carlo error`);
check(final > BANANA_LOG_Z - 0.2, `KL(q ‖ p) = log Z − ELBO = ${(BANANA_LOG_Z - final).toFixed(3)} nats is below 0.2 after 200 steps`);

function average(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}
