// Guide — Bayesian flows (zuko's tutorial `bayesian_flows.ipynb`): a Bayesian MLP that
// learns to sort 5 numbers, then a Bayesian conditional neural spline flow on two moons.
// Writes samples of two posterior draws side by side and the histogram of the learned
// log-variances. Run by `npm run examples`.
// #region imports
import '@eddy/backend-cpu';
import { Adam, RandomStream, Rng, type Tensor, gradients, noGrad, take, tensor } from '@eddy/core';
import { BayesianModel, MLP, NSF, randperm } from '@eddy/flows';
// #endregion imports
import { MaskedLinear } from '@eddy/flows';
import { check, writeFigure } from './lib/output.js';
import { type Box, figure, histogram, scatter } from './lib/plot.js';

// #region bnn
// A network 5 → 5, made Bayesian: each weight and bias gets a Gaussian
// posterior N(μ, σ²), μ starting at the network's value, log σ² at −9.
const net = new MLP(5, 5, {
  hiddenFeatures: [64, 64],
  activation: 'ELU',
  rng: new RandomStream(0),
});
const bayesNet = new BayesianModel(net, { initLogvar: -9 });

// sampleModel(): a copy of the network with parameters drawn from the posterior.
const x0 = tensor([[0.3, -1.2, 0.8, 2.0, -0.4]]);
const yA = bayesNet.sampleModel(new Rng(1)).call(x0);
const yB = bayesNet.sampleModel(new Rng(2)).call(x0);
const show = (y: Tensor) => Array.from(y.dataSync(), (v) => v.toFixed(3)).join(', ');
console.log(`network A: ${show(yA)}\nnetwork B: ${show(yB)}`);
// #endregion bnn

// #region bnn-train
/** n rows of 5 standard-normal numbers, and the same rows sorted. */
function sortingBatch(n: number, rng: Rng): { x: Tensor; y: Tensor } {
  const x = rng.normal([n, 5]);
  const values = x.dataSync();
  const y = new Float32Array(values.length);
  for (let i = 0; i < n; i++) {
    const row = Array.from(values.subarray(5 * i, 5 * i + 5));
    y.set(
      row.sort((a, b) => a - b),
      5 * i,
    );
  }
  return { x, y: tensor(y, { shape: [n, 5] }) };
}

const netParams = bayesNet.posteriorParameters(); // means and log-variances
const netOptimizer = new Adam(netParams, { lr: 1e-3 });
const data = new Rng(3);
for (let epoch = 0; epoch < 4; epoch++) {
  let sum = 0;
  for (let step = 0; step < 1024; step++) {
    const { x, y } = sortingBatch(64, data);
    // The data term under one posterior draw (gradients reach μ and log σ²)
    // plus the KL to the N(0, 1) prior, weighted by 1e-6 as in zuko.
    const mse = bayesNet.reparameterize((model) => model.call(x).sub(y).square().mean());
    const loss = mse.add(bayesNet.klDivergence().mul(1e-6));
    netOptimizer.step(gradients(loss, netParams));
    sum += loss.item();
  }
  console.log(`epoch ${epoch + 1}: loss ${(sum / 1024).toFixed(4)}`);
}
// #endregion bnn-train

// #region bnn-use
// An input never seen in training, sorted by 8 networks from the posterior.
const input = tensor([[1.1, -0.3, 2.4, -1.7, 0.5]]);
const truth = [-1.7, -0.3, 0.5, 1.1, 2.4];
const draws = Array.from({ length: 8 }, (_, k) => {
  const model = bayesNet.sampleModel(new Rng(100 + k));
  return Array.from(model.call(input).dataSync());
});
for (let j = 0; j < 5; j++) {
  const column = draws.map((d) => d[j] as number);
  const mean = column.reduce((s, v) => s + v, 0) / column.length;
  const sq = column.reduce((s, v) => s + (v - mean) ** 2, 0);
  const std = Math.sqrt(sq / (column.length - 1));
  console.log(`position ${j + 1}: ${mean.toFixed(3)} ± ${std.toFixed(3)} (true ${truth[j]})`);
}
// The mean squared error on 1000 new inputs, for 8 networks from the posterior.
const probe = sortingBatch(1000, new Rng(4));
const sortErrors = Array.from({ length: 8 }, (_, k) => {
  const model = bayesNet.sampleModel(new Rng(200 + k));
  return noGrad(() => model.call(probe.x).sub(probe.y).square().mean().item());
});
const sortError = sortErrors.reduce((s, v) => s + v, 0) / sortErrors.length;
const range = `${Math.min(...sortErrors).toFixed(4)} to ${Math.max(...sortErrors).toFixed(4)}`;
console.log(`held-out error: ${sortError.toFixed(4)} (${range})`);
// #endregion bnn-use

// #region moons
/** zuko's two moons: θ ~ U(0, 2π), label 1 where θ > π (the lower moon). */
function twoMoons(n: number, rng: Rng, sigma = 0.1) {
  const theta = rng
    .uniform([n])
    .mul(2 * Math.PI)
    .dataSync();
  const noise = rng.normal([n, 2]).dataSync();
  const x = new Float32Array(2 * n);
  const label = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = theta[i] as number;
    const l = t > Math.PI ? 1 : 0;
    label[i] = l;
    x[2 * i] = Math.cos(t) + l - 1 / 2 + sigma * (noise[2 * i] as number);
    x[2 * i + 1] = Math.sin(t) + l / 2 - 1 / 4 + sigma * (noise[2 * i + 1] as number);
  }
  return {
    x: tensor(x, { shape: [n, 2] }), // points
    label: tensor(label, { shape: [n, 1] }), // their moon: the context
  };
}

const trainSet = twoMoons(16384, new Rng(5));
const testSet = twoMoons(4096, new Rng(6)); // held out
// #endregion moons

// #region bnf
const flow = new NSF({
  features: 2,
  context: 1,
  transforms: 3,
  hiddenFeatures: [64, 64],
  seed: 0,
});
// Bayesian: the last layer of each transform's hypernetwork (weights, biases).
const bayesFlow = new BayesianModel(flow, {
  initLogvar: -9,
  includeParams: ['**.hyper.4'],
});
for (const key of bayesFlow.means.keys()) {
  console.log(`Bayesian: ${key} [${bayesFlow.means.get(key)?.shape}]`);
}

// The log-variances start 9 below the prior's 0: a larger step lets them
// reach their balance between the data and the prior within 8 epochs.
const means = bayesFlow.means.values();
const logvars = bayesFlow.logvars.values();
const meansOptimizer = new Adam(means, { lr: 1e-3 });
const logvarsOptimizer = new Adam(logvars, { lr: 1e-2 });
const shuffle = new RandomStream(7);
const N = trainSet.x.shape[0] as number;
for (let epoch = 0; epoch < 8; epoch++) {
  const order = randperm(N, shuffle);
  let nllSum = 0;
  for (let i = 0; i < N; i += 64) {
    const rows = order.slice(i, i + 64);
    const x = take(trainSet.x, rows, 0);
    const c = take(trainSet.label, rows, 0);
    // The negative ELBO per example: −log p(x | c) under one draw, + KL / N.
    const nll = bayesFlow.reparameterize((model) => model.call(c).logProb(x).mean().neg());
    const loss = nll.add(bayesFlow.klDivergence().div(N));
    const grads = gradients(loss, [...means, ...logvars]);
    meansOptimizer.step(grads.slice(0, means.length));
    logvarsOptimizer.step(grads.slice(means.length));
    nllSum += nll.item();
  }
  const nll = (nllSum / (N / 64)).toFixed(3);
  const kl = (bayesFlow.klDivergence().item() / N).toFixed(3);
  console.log(`epoch ${epoch + 1}: −log p(x | c) ${nll}, KL / N ${kl}`);
}
// #endregion bnf

// #region bnf-sample
// Two flows from the posterior, sampled given label 0 (the upper moon) with
// the same random numbers: the differences come from the parameters alone.
const c0 = tensor([0]);
const flowA = bayesFlow.sampleModel(new Rng(8));
const flowB = bayesFlow.sampleModel(new Rng(9));
const samplesA = flowA.call(c0).sample([4096], new Rng(10)); // [4096, 2]
const samplesB = flowB.call(c0).sample([4096], new Rng(10));
const heldOut = (f: NSF) => noGrad(() => f.call(testSet.label).logProb(testSet.x).mean().item());
const [heldOutA, heldOutB] = [heldOut(flowA), heldOut(flowB)];
console.log(`held-out log p: ${heldOutA.toFixed(3)} (A), ${heldOutB.toFixed(3)} (B)`);

// The learned log-variances of all Bayesian parameters, in one list.
const learned = logvars.flatMap((p) => Array.from(p.dataSync()));
// #endregion bnf-sample

const box: Box = [-2, 2, -2, 2];
writeFigure(
  'bayesian-flows-samples.svg',
  figure('Two posterior draws of a Bayesian NSF, label 0 (upper moon)', [
    scatter(samplesA.dataSync(), box, 'draw A: 4096 samples', { max: 4096, radius: 0.9 }),
    scatter(samplesB.dataSync(), box, 'draw B: the same noise', { max: 4096, radius: 0.9, color: '#e36414' }),
  ]),
);
const pinned = learned.filter((v) => v < -1);
writeFigure(
  'bayesian-flows-logvars.svg',
  figure('Learned log-variances (all started at −9)', [
    histogram(learned, `all ${learned.length} Bayesian parameters`, { bins: 52, range: [-13, 0.5], xLabel: 'log σ²' }),
    histogram(pinned, `the ${pinned.length} with log σ² < −1`, { bins: 48, range: [-13, -1], xLabel: 'log σ²' }),
  ]),
);

const sorted = [...learned].sort((a, b) => a - b);
const quantile = (q: number) => sorted[Math.floor(q * (sorted.length - 1))] as number;
console.log(`log σ²: min ${quantile(0).toFixed(2)}, median ${quantile(0.5).toFixed(2)}, max ${quantile(1).toFixed(2)} (all started at −9 ± 0.001)`);

check(sortError < 0.1, `the sampled networks sort held-out inputs with mean squared error ${sortError.toFixed(4)} < 0.1`);
const a = samplesA.dataSync();
const b = samplesB.dataSync();
let differ = 0;
let onMoon = 0;
for (let i = 0; i < a.length; i += 2) {
  differ = Math.max(differ, Math.hypot((a[i] as number) - (b[i] as number), (a[i + 1] as number) - (b[i + 1] as number)));
  // Label 0: the upper half of the unit circle around (−1/2, −1/4), noise 0.1.
  for (const s of [a, b]) {
    const dx = (s[i] as number) + 0.5;
    const dy = (s[i + 1] as number) + 0.25;
    if (Math.abs(Math.hypot(dx, dy) - 1) < 0.3 && dy > -0.3) onMoon++;
  }
}
const fractionOnMoon = onMoon / a.length; // two draws, a.length / 2 points each
check(differ > 0.01, `two posterior draws give different samples for the same noise (largest distance ${differ.toFixed(3)})`);
check(fractionOnMoon > 0.9, `${(100 * fractionOnMoon).toFixed(1)}% of both draws' samples lie within 0.3 of the upper moon`);
check(Math.min(heldOutA, heldOutB) > -0.8, `both draws fit the held-out moons: log-likelihood ${heldOutA.toFixed(3)} and ${heldOutB.toFixed(3)} > −0.8`);
// Weights that the autoregressive masks cut off never touch the output: the data say
// nothing about them, so their posterior should return to the prior N(0, 1), log σ² = 0.
let masked = 0;
let maskedSum = 0;
for (const [name, layer] of flow.namedModules()) {
  if (!(layer instanceof MaskedLinear) || !bayesFlow.logvars.has(`${name.replaceAll('.', '-')}-weight`)) continue;
  const mask = layer.mask.dataSync();
  const lv = (bayesFlow.logvars.get(`${name.replaceAll('.', '-')}-weight`) as Tensor).dataSync();
  for (let i = 0; i < mask.length; i++) {
    if (mask[i]) continue;
    masked++;
    maskedSum += lv[i] as number;
  }
}
const maskedMean = maskedSum / masked;
const constrained = learned.filter((v) => v < -9.2).length;
console.log(`${masked} masked weights: mean log σ² ${maskedMean.toFixed(3)}; ${constrained} log-variances below −9.2`);
check(
  masked > 0 && Math.abs(maskedMean) < 0.2,
  `the ${masked} masked-out weights went back to the prior: mean log σ² ${maskedMean.toFixed(3)} within 0.2 of 0`,
);
check(constrained > 0, `${constrained} log-variances fell below −9.2: the data pin these parameters down`);
check(quantile(0.5) > -8.5, `the median log-variance (${quantile(0.5).toFixed(2)}) moved up from −9 by more than 0.5`);
