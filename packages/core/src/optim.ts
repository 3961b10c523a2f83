import { noGrad } from './autodiff.js';
import { keep, tidy } from './memory.js';
import { ValueError } from './errors.js';
import type { Parameter } from './module.js';
import { add, div, mul, sqrt, square, sub } from './ops/elementwise.js';
import { sum } from './ops/reduce.js';
import { fusedKernelsOf } from './fused-kernels.js';
import { Tensor } from './tensor.js';

/**
 * Base of the optimizers: holds the parameters and a learning rate (mutable, for
 * schedules); `step(grads)` updates the parameters in place from gradients given in the
 * same order (e.g. from `gradients(loss, params)`).
 *
 * @example
 * ```ts
 * import { Adam, gradients, randn } from '@eddy/core';
 * import { MLP } from '@eddy/flows';
 * const model = new MLP(3, 1);
 * const opt = new Adam(model.parameters(), { lr: 1e-3 });
 * const loss = model.call(randn([8, 3], { seed: 0 })).square().mean();
 * opt.step(gradients(loss, opt.params));
 * ```
 * @category Optimizers
 */
export abstract class Optimizer {
  /** The parameters updated by {@link Optimizer.step}. */
  readonly params: readonly Parameter[];
  /** Learning rate (may be changed between steps). */
  lr: number;
  /** Number of steps taken. */
  stepCount = 0;

  /** @param params parameters to update; @param lr learning rate. */
  constructor(params: readonly Parameter[], lr: number) {
    if (!(lr >= 0)) throw new ValueError(`optimizer: lr must be a non-negative number, got ${lr}`);
    this.params = params;
    this.lr = lr;
  }

  /** Applies one update. `grads[i]` is the gradient of `params[i]`. */
  step(grads: readonly Tensor[]): void {
    if (grads.length !== this.params.length) {
      throw new ValueError(`optimizer.step: got ${grads.length} gradients for ${this.params.length} parameters`);
    }
    this.stepCount++;
    noGrad(() => {
      this.params.forEach((p, i) => {
        // On manual-memory backends the update's intermediates are freed here; state
        // that must survive (moments, momentum) is kept by `remember`.
        const next = tidy(() => this.update(i, p, grads[i] as Tensor));
        p.assign(next);
        if (next.backend.manualMemory) next.dispose();
      });
    });
  }

  /** Keeps `value` across steps (freeing `previous`): optimizer state on manual-memory backends. */
  protected remember(value: Tensor, previous: Tensor | undefined): Tensor {
    keep(value);
    if (previous !== undefined && previous !== value) previous.dispose();
    return value;
  }

  /** The new value of parameter `i` (runs without autodiff). */
  protected abstract update(i: number, p: Tensor, g: Tensor): Tensor;
}

/**
 * Options of {@link SGD}.
 * @category Optimizers
 */
export interface SGDOptions {
  /** Learning rate. */
  lr: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Use Nesterov momentum (default false). */
  nesterov?: boolean;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent with optional (Nesterov) momentum, as `torch.optim.SGD`.
 * @example
 * ```ts
 * import { SGD } from '@eddy/core';
 * import { MLP } from '@eddy/flows';
 * const params = new MLP(3, 1).parameters();
 * const opt = new SGD(params, { lr: 0.1, momentum: 0.9 });
 * ```
 * @category Optimizers
 */
export class SGD extends Optimizer {
  readonly #o: Required<SGDOptions>;
  readonly #buf: Array<Tensor | undefined> = [];

  /** @param params parameters; @param options see {@link SGDOptions}. */
  constructor(params: readonly Parameter[], options: SGDOptions) {
    super(params, options.lr);
    this.#o = { momentum: 0, nesterov: false, weightDecay: 0, ...options };
  }

  protected update(i: number, p: Tensor, g0: Tensor): Tensor {
    const { momentum, nesterov, weightDecay } = this.#o;
    let g = weightDecay !== 0 ? add(g0, mul(p, weightDecay)) : g0;
    if (momentum !== 0) {
      const prev = this.#buf[i];
      const b = this.remember(prev === undefined ? add(g, 0) : add(mul(prev, momentum), g), prev);
      this.#buf[i] = b;
      g = nesterov ? add(g, mul(b, momentum)) : b;
    }
    return sub(p, mul(g, this.lr));
  }
}

/**
 * Options of {@link Adam}.
 * @category Optimizers
 */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates of the moment estimates (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Denominator term (default 1e-8). */
  eps?: number;
  /** Weight decay (default 0): L2 added to the gradient, or decoupled (AdamW) if `decoupled`. */
  weightDecay?: number;
  /** Use decoupled weight decay as AdamW (default false). */
  decoupled?: boolean;
}

/**
 * Adam (Kingma & Ba, 2015) with bias correction, as `torch.optim.Adam`; AdamW's
 * decoupled weight decay with `decoupled: true`.
 * @example
 * ```ts
 * import { Adam } from '@eddy/core';
 * import { MLP } from '@eddy/flows';
 * const model = new MLP(3, 1);
 * const opt = new Adam(model.parameters(), { lr: 1e-3 });
 * ```
 * @category Optimizers
 */
export class Adam extends Optimizer {
  readonly #o: Required<AdamOptions>;
  readonly #m: Tensor[] = [];
  readonly #v: Tensor[] = [];

  /** @param params parameters; @param options see {@link AdamOptions}. */
  constructor(params: readonly Parameter[], options: AdamOptions = {}) {
    super(params, options.lr ?? 1e-3);
    this.#o = { lr: this.lr, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, decoupled: false, ...options };
  }

  protected update(i: number, p0: Tensor, g0: Tensor): Tensor {
    const { betas, eps, weightDecay, decoupled } = this.#o;
    const [b1, b2] = betas;
    const fused = fusedKernelsOf(p0.backend);
    const prevM = this.#m[i];
    const prevV = this.#v[i];
    if (fused?.adam !== undefined && g0.dtype === p0.dtype && g0.backend === p0.backend && g0.size === p0.size) {
      // One kernel call instead of a dozen elementwise ops (same formulas).
      const r = fused.adam(p0, g0, prevM ?? null, prevV ?? null, { lr: this.lr, beta1: b1, beta2: b2, eps, weightDecay, decoupled, step: this.stepCount });
      const wrap = (h: unknown): Tensor => new Tensor(h, p0.shape, p0.dtype, p0.backend);
      this.#m[i] = this.remember(wrap(r.m), prevM);
      this.#v[i] = this.remember(wrap(r.v), prevV);
      return wrap(r.p);
    }
    let p = p0;
    let g = g0;
    if (weightDecay !== 0) {
      if (decoupled) p = mul(p, 1 - this.lr * weightDecay);
      else g = add(g, mul(p, weightDecay));
    }
    const m = i in this.#m ? add(mul(this.#m[i] as Tensor, b1), mul(g, 1 - b1)) : mul(g, 1 - b1);
    const v = i in this.#v ? add(mul(this.#v[i] as Tensor, b2), mul(square(g), 1 - b2)) : mul(square(g), 1 - b2);
    this.#m[i] = this.remember(m, this.#m[i]);
    this.#v[i] = this.remember(v, this.#v[i]);
    const t = this.stepCount;
    const mHat = div(m, 1 - b1 ** t);
    const vHat = div(v, 1 - b2 ** t);
    return sub(p, mul(div(mHat, add(sqrt(vHat), eps)), this.lr));
  }
}

/**
 * What {@link clipGradNorm} returns.
 * @example
 * ```ts
 * import { clipGradNorm, type ClippedGradients, tensor } from '@eddy/core';
 * const { grads, norm }: ClippedGradients = clipGradNorm([tensor([3, 4])], 1); // norm 5, grads [[0.6, 0.8]]
 * ```
 * @category Optimizers
 */
export interface ClippedGradients {
  /** The gradients, scaled down if their norm exceeded the limit. */
  grads: Tensor[];
  /** Global L2 norm before clipping. */
  norm: number;
}

/**
 * Rescales gradients so that their global L2 norm is at most `maxNorm` (as
 * `torch.nn.utils.clip_grad_norm_`). Returns the clipped gradients and the norm before
 * clipping.
 * @example
 * ```ts
 * import { clipGradNorm, gradients, Parameter, randn } from '@eddy/core';
 * const params = [new Parameter(randn([3], { seed: 0 }))];
 * const loss = params[0]!.square().sum();
 * const { grads, norm } = clipGradNorm(gradients(loss, params), 1.0);
 * ```
 * @category Optimizers
 */
export function clipGradNorm(grads: readonly Tensor[], maxNorm: number): ClippedGradients {
  if (!(maxNorm > 0)) throw new ValueError(`clipGradNorm: maxNorm must be positive, got ${maxNorm}`);
  return noGrad(() => {
    let total = 0;
    for (const g of grads) total += sum(square(g)).item();
    const norm = Math.sqrt(total);
    const coef = maxNorm / (norm + 1e-6);
    return { grads: coef < 1 ? grads.map((g) => mul(g, coef)) : [...grads], norm };
  });
}
