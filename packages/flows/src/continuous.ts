import { Buffer, type Rng, type Tensor, ValueError, broadcastShapes, concat, cos, getDefaultDType, select, sin, tensor } from '@eddy/core';
import { FreeFormJacobianTransform } from '@eddy/transforms';
import { standardNormalBase } from './bases.js';
import { Flow, LazyTransform } from './lazy.js';
import type { ActivationSpec } from './nn/activation-from-name.js';
import { MLP } from './nn/mlp.js';
import { type NetworkOptions, networkRng } from './options.js';

/**
 * Options of {@link FFJTransform} (and of {@link CNF}, which passes them on).
 * @category Flows
 */
export interface FFJTransformOptions extends NetworkOptions {
  /** Number of time-embedding frequencies `F` (default 3): $[\cos(\pi k t), \sin(\pi k t)]$, $k = 1, \dots, F$. */
  freqs?: number;
  /** Absolute integration tolerance (default 1e-6). */
  atol?: number;
  /** Relative integration tolerance (default 1e-5). */
  rtol?: number;
  /** Exact trace of the Jacobian (default true), else Hutchinson's unbiased estimate. */
  exact?: boolean;
  /** Hidden layer sizes of the ODE network (default `[64, 64]`). */
  hiddenFeatures?: readonly number[];
  /** Activation of the ODE network (default `'ELU'`, as zuko's CNF). */
  activation?: ActivationSpec;
  /** Whether a LayerNorm follows each activation of the ODE network (default false). */
  normalize?: boolean;
  /** Where Hutchinson's probes are drawn from when `exact` is false (default: the global `defaultRng()` at each call). */
  traceRng?: Rng;
}

const checkInteger = (name: string, what: string, v: number, min: number): void => {
  if (!Number.isSafeInteger(v) || v < min) throw new ValueError(`${name}: ${what} must be an integer ≥ ${min}, got ${v}`);
};

/**
 * zuko's lazy free-form Jacobian transformation (`FFJTransform`, `zuko/flows/continuous.py`):
 * builds a `FreeFormJacobianTransform` whose vector field is the network
 *
 * $$
 * f(t, x \mid c) = \operatorname{ode}\big([\cos(\pi k t)]_k, [\sin(\pi k t)]_k, x, c\big), \quad k = 1, \dots, F,
 * $$
 *
 * an {@link MLP} on the concatenation (time embedding first, then `x`, then the context,
 * broadcast over the batch axes), integrated from $t_0 = 0$ to $t_1 = 1$. The parameters
 * $\varphi$ handed to the adjoint are the context (when given) and every network parameter.
 * Members as zuko's state dict: buffers `times = [0, 1]` and `freqs = [π, 2π, …, Fπ]`, then
 * the network `ode.0.weight`, `ode.0.bias`, `ode.2.weight`, … .
 *
 * References:
 * - [FFJORD: Free-form Continuous Dynamics for Scalable Reversible Generative Models (Grathwohl et al., 2018)](https://arxiv.org/abs/1810.01367)
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { FFJTransform } from '@eddy/flows';
 * const [x, c] = [randn([8, 3], { seed: 0 }), randn([8, 4], { seed: 1 })];
 * const t = new FFJTransform(3, 4);       // 3 features, 4 context features
 * const y = t.call(c).call(x);            // c: [N, 4], x: [N, 3]
 * t.call(c).inv.call(y);                  // ≈ x
 * ```
 * @category Flows
 */
export class FFJTransform extends LazyTransform {
  /** Buffer `[t₀, t₁] = [0, 1]`. */
  readonly times: Buffer;
  /** Buffer `[π, 2π, …, Fπ]`. */
  readonly freqs: Buffer;
  /** The vector field network: `D + C + 2F` inputs, `D` outputs. */
  readonly ode: MLP;
  /** Number of features `D`. */
  readonly features: number;
  /** Number of context features `C`. */
  readonly context: number;
  /** Absolute integration tolerance. */
  readonly atol: number;
  /** Relative integration tolerance. */
  readonly rtol: number;
  /** Whether the trace is exact. */
  readonly exact: boolean;
  readonly #traceRng: Rng | undefined;

  /**
   * @param features number of features `D`
   * @param context number of context features `C` (default 0)
   * @param options `freqs` (3), `atol` (1e-6), `rtol` (1e-5), `exact` (true), the network's
   *   `hiddenFeatures` ([64, 64]), `activation` ('ELU'), `normalize`, and `seed`/`rng`/`dtype`, `traceRng`
   */
  constructor(features: number, context = 0, options: FFJTransformOptions = {}) {
    super();
    const { freqs = 3, atol = 1e-6, rtol = 1e-5, exact = true, hiddenFeatures, activation = 'ELU', normalize, traceRng } = options;
    checkInteger('FFJTransform', 'features', features, 1);
    checkInteger('FFJTransform', 'context', context, 0);
    checkInteger('FFJTransform', 'freqs', freqs, 0);
    const dtype = options.dtype ?? getDefaultDType();
    this.times = new Buffer(tensor([0, 1], { dtype }));
    this.freqs = new Buffer(
      tensor(
        Float64Array.from({ length: freqs }, (_, k) => (k + 1) * Math.PI),
        { dtype },
      ),
    );
    this.ode = new MLP(features + context + 2 * freqs, features, {
      hiddenFeatures,
      activation,
      normalize,
      rng: networkRng(options),
      dtype,
    });
    this.features = features;
    this.context = context;
    this.atol = atol;
    this.rtol = rtol;
    this.exact = exact;
    this.#traceRng = traceRng;
  }

  /**
   * The vector field `f(t, x | c)`: the time embedding `[cos(freqs·t), sin(freqs·t)]`, `x`
   * and `c` broadcast over their batch axes and concatenated, through the network.
   */
  f(t: Tensor, x: Tensor, c?: Tensor): Tensor {
    const parts: Tensor[] = [];
    if (this.freqs.size > 0) {
      const e = this.freqs.mul(t);
      parts.push(concat([cos(e), sin(e)], -1));
    }
    parts.push(x);
    if (c !== undefined) parts.push(c);
    const batch = broadcastShapes('FFJTransform', ...parts.map((p) => p.shape.slice(0, -1)));
    const wide = parts.map((p) => p.expand([...batch, p.shape[p.ndim - 1] as number]));
    return this.ode.call(concat(wide, -1));
  }

  /** The free-form Jacobian transform for context `c` (none for an unconditional flow). */
  call(c?: Tensor): FreeFormJacobianTransform {
    const params = this.parameters();
    return new FreeFormJacobianTransform(
      (t: Tensor, x: Tensor) => this.f(t, x, c),
      select(this.times, 0, 0),
      select(this.times, 0, 1),
      c === undefined ? params : [c, ...params],
      { atol: this.atol, rtol: this.rtol, exact: this.exact, rng: this.#traceRng },
    );
  }
}

/**
 * Options of {@link CNF}.
 * @category Flows
 */
export interface CNFOptions extends FFJTransformOptions {
  /** Number of features `D`. */
  features: number;
  /** Number of context features `C` (default 0). */
  context?: number;
}

/**
 * Continuous normalizing flow (zuko's `CNF`): one {@link FFJTransform} (a neural ODE
 * $dx/dt = f_\varphi(t, x \mid c)$ on $t \in [0, 1]$, with $\log p(x) = \log \mathcal{N}(x(1); 0, I) + \int_0^1
 * \operatorname{tr}(\partial f/\partial x)\, dt$) over a standard normal base. Exact traces by default (`exact: false` for
 * Hutchinson's estimator); gradients by the adjoint method. State dict as zuko's:
 * `transform.times`, `transform.freqs`, `transform.ode.<i>.weight|bias`, `base.loc`,
 * `base.scale`.
 *
 * References:
 * - [Neural Ordinary Differential Equations (Chen et al., 2018)](https://arxiv.org/abs/1806.07366)
 * - [FFJORD: Free-form Continuous Dynamics for Scalable Reversible Generative Models (Grathwohl et al., 2018)](https://arxiv.org/abs/1810.01367)
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { CNF } from '@eddy/flows';
 * const x = randn([8, 2], { seed: 0 });
 * const flow = new CNF({ features: 2, hiddenFeatures: [32, 32] });
 * const lp = flow.call().logProb(x);    // x: [N, 2] → [N]
 * const s = flow.call().sample([100]);  // [100, 2]
 * ```
 * @category Flows
 */
export class CNF extends Flow {
  /** The constructor options (saved with the model). */
  readonly options: CNFOptions;

  /** @param options see {@link CNFOptions}. */
  constructor(options: CNFOptions) {
    const { features, context = 0 } = options;
    checkInteger('CNF', 'features', features, 1);
    super(new FFJTransform(features, context, options), standardNormalBase(features, options.dtype));
    this.options = options;
  }
}
