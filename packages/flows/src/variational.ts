import { Adam, Rng, type Tensor, ValueError, clipGradNorm, gradients, mean } from '@eddy/core';
import type { LazyDistribution } from './lazy.js';

/**
 * The evidence lower bound of an unnormalised log-density $\log \tilde p$ under the flow $q$:
 *
 * $$
 * \mathrm{ELBO} = \mathbb{E}_q\big[\log \tilde p(x) - \log q(x)\big] \le \log Z,
 * $$
 *
 * estimated with $n$ reparameterised draws
 * (so it is differentiable with respect to the flow's parameters). $-\mathrm{ELBO}$ is the
 * reverse KL divergence $\mathrm{KL}(q \,\Vert\, \tilde p / Z)$ up to the constant $\log Z$.
 *
 * Rezende & Mohamed (2015), "Variational Inference with Normalizing Flows".
 *
 * @example
 * ```ts
 * import { Rng, Tensor } from '@eddy/core';
 * import { elbo, NSF } from '@eddy/flows';
 * const flow = new NSF({ features: 2 });
 * const logTarget = (x: Tensor) => x.square().sum(-1).mul(-0.5); // an unnormalised Gaussian
 * const value = elbo(flow, logTarget, 1024, new Rng(0)).item();
 * ```
 * @category Training
 */
export function elbo(flow: LazyDistribution, logDensity: (x: Tensor) => Tensor, n: number, rng?: Rng, context?: Tensor): Tensor {
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`elbo: n must be a positive integer, got ${n}`);
  const [x, logQ] = flow.call(context).rsampleAndLogProb([n], rng);
  return mean(logDensity(x).sub(logQ));
}

/**
 * Options of {@link fitReverseKL}.
 * @category Training
 */
export interface ReverseKLOptions {
  /** Optimizer steps (default 1000). */
  steps?: number;
  /** Draws per step (default 256). */
  samples?: number;
  /** Adam learning rate (default 1e-3). */
  lr?: number;
  /** Clip the gradient norm to this value (default: no clipping). */
  clipNorm?: number;
  /** Seed of the draws (default 0): step `k` uses rows `k·samples…` of one stream. */
  seed?: number;
  /** Called after each step with the ELBO estimate. */
  onStep?: (step: number, elbo: number) => void;
}

/**
 * Variational inference: trains the flow `q` to approximate the distribution with
 * unnormalised log-density `logDensity` by maximising the ELBO (minimising the reverse
 * KL) with Adam. Returns the ELBO estimate of each step.
 *
 * @example
 * ```ts
 * import { select, type Tensor } from '@eddy/core';
 * import { fitReverseKL, NSF } from '@eddy/flows';
 * // log p(x) up to a constant: a banana-shaped density
 * const banana = (x: Tensor) => {
 *   const [a, b] = [select(x, -1, 0), select(x, -1, 1)];
 *   return a.square().mul(-0.5).sub(b.sub(a.square()).square().mul(2));
 * };
 * const q = new NSF({ features: 2 });
 * const history = fitReverseKL(q, banana, { steps: 2000, samples: 256, lr: 1e-3 });
 * ```
 * @category Training
 */
export function fitReverseKL(flow: LazyDistribution, logDensity: (x: Tensor) => Tensor, options: ReverseKLOptions = {}): number[] {
  const { steps = 1000, samples = 256, lr = 1e-3, seed = 0 } = options;
  const params = flow.parameters();
  const opt = new Adam(params, { lr });
  const history: number[] = [];
  flow.train();
  for (let k = 0; k < steps; k++) {
    const value = elbo(flow, logDensity, samples, new Rng(seed, { row: k * samples }));
    const v = value.item();
    if (!Number.isFinite(v)) throw new ValueError(`fitReverseKL: the ELBO became ${v} at step ${k}`);
    let grads = gradients(value.neg(), params);
    if (options.clipNorm !== undefined) grads = clipGradNorm(grads, options.clipNorm).grads;
    opt.step(grads);
    history.push(v);
    options.onStep?.(k, v);
  }
  flow.eval();
  return history;
}
