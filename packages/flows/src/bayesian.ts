import {
  EddyError,
  type FusedActivation,
  type FloatDType,
  Module,
  Parameter,
  type RandomStream,
  type Rng,
  type Tensor,
  ValueError,
  defaultRng,
  noGrad,
  tensor,
  where,
} from '@eddy/core';
import { MaskedAutoregressiveTransform } from './autoregressive.js';
import { copyModuleTree } from './module-copy.js';
import { applyActivation } from './nn/fuse.js';
import { defaultInitRng } from './nn/init.js';
import { Linear, linear } from './nn/linear.js';
import { MaskedLinear } from './nn/masked-linear.js';
import { ParameterDict } from './parameter-dict.js';
import { loadFlow, saveFlow } from './io/flow-file.js';
import { isRegisteredFlow } from './io/registry.js';

// ---------------------------------------------------------------------------------------
// zuko's helpers (`bayesian.py`): name patterns and the soft clip of log-variances.

/** A word character of Python's `\w` on `str` (letters, digits, marks, connectors such as `_`). */
const WORD = String.raw`[\p{L}\p{N}\p{M}\p{Pc}]`;

/**
 * zuko's `_compile`: `.` is literal, `**` matches dotted paths (`[\w.]+`), `*` one name
 * segment (`\w+`), and anything may follow (`.*`): a pattern is a prefix.
 */
function compilePattern(prefix: string, option: string): RegExp {
  if (typeof prefix !== 'string' || !new RegExp(`^(?:${WORD}|[.*])*$`, 'u').test(prefix)) {
    throw new ValueError(`BayesianModel: invalid ${option} prefix ${JSON.stringify(prefix)} (only name characters, '.', '*' and '**')`);
  }
  const body = prefix.replaceAll('.', String.raw`\.`).replaceAll('**', String.raw`[\p{L}\p{N}\p{M}\p{Pc}.]+`).replaceAll('*', `${WORD}+`);
  return new RegExp(`^(?:${body}.*)$`, 'u');
}

/**
 * zuko's `_softclip`: $x / \sqrt{1 + (x / \mathrm{bound})^2}$, a smooth clip of $x$ to $(-\mathrm{bound}, \mathrm{bound})$
 * (the log-variances are clipped to ±18 before use).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { softclip } from '@eddy/flows';
 * softclip(tensor([0, 18, -1000]), 18); // ≈ [0, 12.73, -17.99]
 * ```
 * @category Bayesian
 */
export function softclip(x: Tensor, bound: number): Tensor {
  return x.div(x.div(bound).square().add(1).sqrt());
}

/** The soft-clip bound of the log-variances (zuko: 18). */
const LOGVAR_BOUND = 18;

// ---------------------------------------------------------------------------------------
// Public types.

/**
 * Options of {@link BayesianModel}.
 *
 * @example
 * ```ts
 * import { type BayesianModelOptions, NSF } from '@eddy/flows';
 * const opts: BayesianModelOptions<NSF> = {
 *   initLogvar: -9,
 *   includeParams: ['transform.transforms.*.hyper.4'],
 *   excludeParams: ['**.bias'],
 * };
 * ```
 * @category Bayesian
 */
export interface BayesianModelOptions<M extends Module = Module> {
  /** Mean of the initial log-variances (default -9, zuko's `init_logvar`). */
  initLogvar?: number;
  /**
   * Parameter-name prefixes to include (default `['']`: every parameter). In a prefix, `*`
   * matches one name segment (`[a-zA-Z0-9_]+`) and `**` a dotted path
   * (`[a-zA-Z0-9_.]+`); anything may follow a prefix, so `hyper.4` also matches
   * `hyper.40.weight` (as in zuko).
   */
  includeParams?: readonly string[];
  /** Parameter-name prefixes to exclude (default none), with the same syntax. */
  excludeParams?: readonly string[];
  /**
   * Where the initial log-variance noise comes from (default: {@link defaultInitRng},
   * the stream the layers' initial weights come from; see `manualInitSeed`).
   */
  rng?: RandomStream;
  /**
   * How {@link BayesianModel.sampleModel} copies the base model (default: registered flows
   * through `loadFlow(saveFlow(base))`, other modules with {@link copyModuleTree}).
   */
  copy?: (base: M) => M;
}

/**
 * Options of {@link BayesianModel.reparameterize} and {@link BayesianModel.reparameterized}.
 *
 * @example
 * ```ts
 * import { Rng } from '@eddy/core';
 * import { type ReparameterizeOptions } from '@eddy/flows';
 * const opts: ReparameterizeOptions = { localTrick: true, rng: new Rng(7) };
 * ```
 * @category Bayesian
 */
export interface ReparameterizeOptions {
  /**
   * Use the local reparameterisation trick for the `Linear` and `MaskedLinear` layers whose
   * weight is Bayesian (default false): see {@link BayesianModel.reparameterize}.
   */
  localTrick?: boolean;
  /**
   * Where the draws come from (default: the global `defaultRng()`). Each parameter, and
   * with `localTrick` each layer, takes one draw call (an `Rng` allows 4096).
   */
  rng?: Rng;
}

/**
 * The disposable form of {@link BayesianModel.reparameterize}: while it is active, `model`
 * (the base model itself) uses parameters sampled from the posterior; `dispose()` (or the
 * end of a `using` block, where the runtime has `Symbol.dispose`) restores the original
 * parameters. Disposing twice is a no-op.
 *
 * @example
 * ```ts
 * import { randn, type Tensor } from '@eddy/core';
 * import { BayesianModel, NSF } from '@eddy/flows';
 * const bayes = new BayesianModel(new NSF({ features: 2, context: 1 }));
 * const [x, c] = [randn([8, 2], { seed: 0 }), randn([8, 1], { seed: 1 })];
 * let loss: Tensor;
 * const r = bayes.reparameterized();
 * try {
 *   loss = r.model.call(c).logProb(x).mean().neg();
 * } finally {
 *   r.dispose();
 * }
 * ```
 * @category Bayesian
 */
export type ReparameterizedModel<M extends Module> = {
  /** The reparameterised base model (the same object as `BayesianModel.base`). */
  readonly model: M;
  /** Whether the sampled parameters are still in place. */
  readonly active: boolean;
  /** Restores the base model's own parameters. */
  readonly dispose: () => void;
  /** The same as `dispose()`, for a `using` declaration. */
  readonly [Symbol.dispose]: () => void;
};

// ---------------------------------------------------------------------------------------
// Swapping parameters in place (torch's `_reparametrize_module`).

interface Slot {
  holder: Record<PropertyKey, unknown>;
  key: PropertyKey;
}

/** Where each of `targets` is held in the tree: the fields (and array entries) that hold it. */
function findSlots(root: Module, targets: ReadonlySet<Parameter>): Map<Parameter, Slot[]> {
  const slots = new Map<Parameter, Slot[]>();
  const seen = new Set<object>();
  const visit = (holder: Record<PropertyKey, unknown>, key: PropertyKey, v: unknown): void => {
    if (v instanceof Parameter) {
      if (targets.has(v)) slots.set(v, [...(slots.get(v) ?? []), { holder, key }]);
    } else if (Array.isArray(v) && !seen.has(v)) {
      seen.add(v);
      for (let i = 0; i < v.length; i++) visit(v as unknown as Record<PropertyKey, unknown>, i, v[i]);
    }
  };
  const modules = new Set<Module>([root, ...root.namedModules().map(([, m]) => m)]);
  for (const m of modules) {
    for (const [k, v] of Object.entries(m)) visit(m as unknown as Record<PropertyKey, unknown>, k, v);
  }
  return slots;
}

/** The methods of a linear layer the local trick replaces (every path that computes it). */
const PATCHED = ['call', 'callFused', 'mlpLayer'] as const;

const isPromiseLike = (v: unknown): v is PromiseLike<unknown> =>
  (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';

// ---------------------------------------------------------------------------------------

/**
 * A Bayesian wrapper around a base model (zuko's `BayesianModel`, `bayesian.py`): a
 * mean-field Gaussian posterior $q(\theta) = \prod_i \mathcal{N}(\theta_i \mid \mu_i, \sigma_i^2)$ over a chosen subset of the
 * base model's parameters, trained by variational inference ("Bayes by backprop").
 *
 * - `means` and `logvars` are {@link ParameterDict}s keyed by the parameter's dotted name
 *   with `.` replaced by `-` (`transform.transforms.0.hyper.0.weight` →
 *   `transform-transforms-0-hyper-0-weight`), so the state dict is zuko's:
 *   `base.<name>` (the base model's own parameters and buffers), `means.<key>`,
 *   `logvars.<key>`. Means start at the base parameters, log-variances at
 *   $\mathcal{N}(\mathrm{initLogvar}, 0.001^2)$ (0.001 is the standard deviation, as in zuko).
 * - A draw is $\theta = \mu + \exp\big(\operatorname{softclip}(\log \sigma^2, 18) / 2\big) \cdot \varepsilon$, $\varepsilon \sim \mathcal{N}(0, I)$
 *   ({@link BayesianModel.sampleParams}).
 * - {@link BayesianModel.reparameterize} runs a function with the base model temporarily
 *   using one draw (gradients reach `means` and `logvars`: the training path);
 *   {@link BayesianModel.sampleModel} returns a standalone copy with one draw (no
 *   gradient to the posterior: for evaluation); {@link BayesianModel.klDivergence} is the
 *   KL term of the ELBO against a Gaussian prior.
 * - Calling the wrapper itself is an error, as in zuko.
 *
 * Training maximises the ELBO, e.g. per batch
 *
 * $$
 * \mathrm{loss} = -\mathbb{E}_q\big[\log p(x \mid \theta)\big] + \mathrm{KL}(q \,\Vert\, p) / N
 * $$
 *
 * with $N$ the data-set size.
 *
 * References:
 * - [Weight Uncertainty in Neural Networks (Blundell et al., 2015)](https://arxiv.org/abs/1505.05424)
 * - [Variational Dropout and the Local Reparameterization Trick (Kingma et al., 2015)](https://arxiv.org/abs/1506.02557)
 *
 * @example
 * ```ts
 * import '@eddy/backend-cpu';
 * import { Adam, gradients, randn } from '@eddy/core';
 * import { BayesianModel, NSF } from '@eddy/flows';
 *
 * const flow = new NSF({ features: 2, context: 1 });
 * const bayes = new BayesianModel(flow, { includeParams: ['**.hyper.4'] });
 * const params = bayes.posteriorParameters();
 * const opt = new Adam(params, { lr: 1e-3 });
 * const x = randn([64, 2], { seed: 1 });
 * const c = randn([64, 1], { seed: 2 });
 * const loss = bayes.reparameterize((f) => f.call(c).logProb(x).mean().neg()).add(bayes.klDivergence().div(16384));
 * opt.step(gradients(loss, params));
 *
 * const sampled = bayes.sampleModel(); // a standalone NSF with one posterior draw
 * ```
 * @category Bayesian
 */
export class BayesianModel<M extends Module = Module> extends Module {
  /** The base model (its own parameters are left as they are; a draw replaces them temporarily). */
  readonly base: M;
  /** Posterior means $\mu$, keyed by parameter name with `.` → `-`. */
  readonly means: ParameterDict;
  /** Posterior log-variances $\log \sigma^2$, keyed like {@link BayesianModel.means}. */
  readonly logvars: ParameterDict;
  /** Dotted parameter name of each key. */
  readonly #names = new Map<string, string>();
  /** The `copy` option (typed loosely so that a `BayesianModel<NSF>` is a `BayesianModel`). */
  readonly #copy: ((base: never) => Module) | undefined;
  #active = false;

  /**
   * @param base the model to make Bayesian
   * @param options `initLogvar` (default -9), `includeParams` (default `['']`),
   *   `excludeParams` (default `[]`), `rng`, `copy`; see {@link BayesianModelOptions}
   */
  constructor(base: M, options: BayesianModelOptions<M> = {}) {
    super();
    if (!(base instanceof Module)) throw new ValueError('BayesianModel: the base must be a Module');
    const { initLogvar = -9, includeParams = [''], excludeParams = [], rng, copy } = options;
    if (typeof initLogvar !== 'number' || !Number.isFinite(initLogvar)) {
      throw new ValueError(`BayesianModel: initLogvar must be a finite number, got ${initLogvar}`);
    }
    if (copy !== undefined && typeof copy !== 'function') throw new ValueError('BayesianModel: copy must be a function');
    const include = [...includeParams].map((p) => compilePattern(p, 'includeParams'));
    const exclude = [...excludeParams].map((p) => compilePattern(p, 'excludeParams'));
    this.base = base;
    this.means = new ParameterDict();
    this.logvars = new ParameterDict();
    this.#copy = copy;
    const seen = new Set<Parameter>();
    const chosen = new Map<Parameter, string>();
    for (const [name, param] of base.namedParameters()) {
      // Like torch's named_parameters: a parameter held twice is listed once.
      if (seen.has(param)) continue;
      seen.add(param);
      if (!include.some((re) => re.test(name)) || exclude.some((re) => re.test(name))) continue;
      const key = name.replaceAll('.', '-');
      if (this.means.has(key))
        throw new ValueError(`BayesianModel: parameters ${JSON.stringify(this.#names.get(key))} and ${JSON.stringify(name)} have the same key ${key}`);
      this.#names.set(key, name);
      this.means.set(key, param.zerosLike());
      this.logvars.set(key, param.zerosLike());
      chosen.set(param, name);
    }
    const slots = findSlots(base, new Set(chosen.keys()));
    for (const [p, name] of chosen) {
      if (!slots.has(p)) {
        throw new ValueError(
          `BayesianModel: the parameter ${name} is not held in a field or an array of a module, so it cannot be replaced by a draw; exclude it`,
        );
      }
    }
    this.resetBayesianParameters(initLogvar, 1e-3, rng);
  }

  /**
   * Sets the means to the base model's current parameters and draws the log-variances
   * from $\mathcal{N}(\mathrm{logvarMean}, \mathrm{logvarStd}^2)$ (zuko's `_reset_bayesian_parameters`).
   *
   * @example
   * ```ts
   * import { BayesianModel, NSF } from '@eddy/flows';
   * const bayes = new BayesianModel(new NSF({ features: 2, context: 1 }));
   * bayes.resetBayesianParameters(-12); // tighter posterior around the current weights
   * ```
   */
  resetBayesianParameters(logvarMean = -9, logvarStd = 1e-3, rng: RandomStream = defaultInitRng()): void {
    this.#checkIdle('resetBayesianParameters');
    noGrad(() => {
      for (const [name, param] of this.base.namedParameters()) {
        const key = name.replaceAll('.', '-');
        const mean = this.means.get(key);
        if (mean === undefined || this.#names.get(key) !== name) continue;
        mean.assign(param);
        const lv = this.logvars.get(key) as Parameter;
        lv.assign(rng.normal(lv.shape, logvarMean, logvarStd, lv.dtype as FloatDType));
      }
    });
  }

  /**
   * Always throws: a Bayesian model is used through {@link BayesianModel.sampleModel} or
   * {@link BayesianModel.reparameterize} (zuko's `forward` raises the same way).
   *
   * @example
   * ```ts
   * import { randn } from '@eddy/core';
   * import { BayesianModel, NSF } from '@eddy/flows';
   * const bayes = new BayesianModel(new NSF({ features: 2, context: 1 }));
   * bayes.call(randn([8, 1], { seed: 0 })); // throws: use sampleModel() or reparameterize()
   * ```
   */
  call(..._args: unknown[]): never {
    throw new EddyError('BayesianModel.call should not be called directly: use sampleModel() or reparameterize() instead');
  }

  /**
   * The posterior parameters, `means` then `logvars` (what an optimizer trains). An Eddy
   * addition: zuko trains `bayes.parameters()`, whose base entries get no gradient.
   *
   * @example
   * ```ts
   * import { Adam } from '@eddy/core';
   * import { BayesianModel, NSF } from '@eddy/flows';
   * const bayes = new BayesianModel(new NSF({ features: 2, context: 1 }));
   * const opt = new Adam(bayes.posteriorParameters(), { lr: 1e-3 });
   * ```
   */
  posteriorParameters(): Parameter[] {
    return [...this.means.values(), ...this.logvars.values()];
  }

  /**
   * One draw of the Bayesian parameters, by the base model's dotted names:
   * $\theta = \mu + \exp\big(\operatorname{softclip}(\log \sigma^2, 18) / 2\big) \cdot \varepsilon$, one `rng.normal` call per parameter in
   * key order (from `rng`, else the global `defaultRng()`; one `Rng` allows 4096 draw
   * calls). Differentiable with respect to `means` and `logvars` (outside `noGrad`).
   *
   * @example
   * ```ts
   * import { Rng } from '@eddy/core';
   * import { BayesianModel, NSF } from '@eddy/flows';
   * const bayes = new BayesianModel(new NSF({ features: 2, context: 1 }));
   * const params = bayes.sampleParams(new Rng(0)); // { 'transform.transforms.0.hyper.4.weight': Tensor, ... }
   * ```
   */
  sampleParams(rng?: Rng): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [key, name] of this.#names) {
      const mean = this.means.get(key) as Parameter;
      const std = softclip(this.logvars.get(key) as Parameter, LOGVAR_BOUND)
        .div(2)
        .exp();
      out[name] = mean.add(std.mul((rng ?? defaultRng()).normal(mean.shape, mean.dtype as FloatDType)));
    }
    return out;
  }

  /**
   * A model sampled from the posterior: a standalone copy of the base model whose
   * Bayesian parameters are replaced by one draw (the others are copied). It is used
   * exactly like the base model, and its own parameters are trainable, but no gradient
   * reaches `means` or `logvars` — use {@link BayesianModel.reparameterize} to train.
   *
   * The copy is made by the `copy` option when given, else by `loadFlow(saveFlow(base))`
   * for a registered flow (see `registerFlowClass`), else by {@link copyModuleTree}.
   *
   * @example
   * ```ts
   * import { randn } from '@eddy/core';
   * import { BayesianModel, NSF } from '@eddy/flows';
   * const bayes = new BayesianModel(new NSF({ features: 2, context: 1 }));
   * const [x, c] = [randn([8, 2], { seed: 0 }), randn([8, 1], { seed: 1 })];
   * const a = bayes.sampleModel();
   * const b = bayes.sampleModel();
   * a.call(c).logProb(x); // differs from b's
   * ```
   */
  sampleModel(rng?: Rng): M {
    this.#checkIdle('sampleModel');
    const params = noGrad(() => this.sampleParams(rng));
    const copy = this.#copyBase();
    noGrad(() => copy.loadStateDict(params, { strict: false }));
    return copy;
  }

  /**
   * Runs `fn` with the base model reparameterised from the posterior and returns its
   * result (zuko's `with bayes.reparameterize() as model:`): the base model's Bayesian
   * parameters are replaced by one draw ({@link BayesianModel.sampleParams}), with
   * gradients flowing to `means` and `logvars`, and restored when `fn` returns or throws
   * (or, when `fn` returns a promise, when it settles). Within one call the model is
   * deterministic: two calls with the same inputs give the same outputs.
   *
   * With `localTrick`, each `Linear` and `MaskedLinear` layer (exactly those classes,
   * as zuko) whose weight is Bayesian instead samples its outputs (the local
   * reparameterisation trick, Kingma et al. 2015, https://arxiv.org/abs/1506.02557):
   * $y = x \mu_W^\top + \mu_b + \sqrt{x^2 (\sigma_W^2)^\top + \sigma_b^2} \odot \eta$, with the masked mean and variance for a
   * `MaskedLinear`, the layer's own bias where the bias is not Bayesian, and one
   * $\eta \sim \mathcal{N}(0, I)$ per layer and output shape, kept for the whole call. The outputs then
   * have the same distribution per example as with a weight draw, with gradients of lower
   * variance. Masked autoregressive transforms invert with zuko's fixed-point passes
   * meanwhile (their incremental inverse reads the weights directly).
   *
   * While reparameterised, the base model's `namedParameters()` and `stateDict()` lack the
   * replaced entries. Contexts on one model cannot overlap (a nested or concurrent call
   * throws).
   *
   * @example
   * ```ts
   * import { randn } from '@eddy/core';
   * import { BayesianModel, NSF } from '@eddy/flows';
   * const bayes = new BayesianModel(new NSF({ features: 2, context: 1 }));
   * const [x, c] = [randn([8, 2], { seed: 0 }), randn([8, 1], { seed: 1 })];
   * const [lp1, lp2] = bayes.reparameterize((flow) => [flow.call(c).logProb(x), flow.call(c).logProb(x)]);
   * // lp1 equals lp2; another reparameterize call gives another draw
   * const loss = bayes.reparameterize((flow) => flow.call(c).logProb(x).mean().neg(), { localTrick: true });
   * ```
   */
  reparameterize<R>(fn: (model: M) => R, options: ReparameterizeOptions = {}): R {
    if (typeof fn !== 'function') throw new ValueError('BayesianModel.reparameterize: fn must be a function');
    const r = this.reparameterized(options);
    let result: R;
    try {
      result = fn(r.model);
    } catch (e) {
      r.dispose();
      throw e;
    }
    if (isPromiseLike(result)) {
      return Promise.resolve(result).then(
        (v) => {
          r.dispose();
          return v;
        },
        (e: unknown) => {
          r.dispose();
          throw e;
        },
      ) as R;
    }
    r.dispose();
    return result;
  }

  /**
   * The disposable form of {@link BayesianModel.reparameterize}: reparameterises the base
   * model now and returns a handle whose `dispose()` restores it (also `using`, where the
   * runtime has `Symbol.dispose`).
   *
   * @example
   * ```ts
   * import { randn } from '@eddy/core';
   * import { BayesianModel, NSF } from '@eddy/flows';
   * const bayes = new BayesianModel(new NSF({ features: 2, context: 1 }));
   * const [x, c] = [randn([8, 2], { seed: 0 }), randn([8, 1], { seed: 1 })];
   * using r = bayes.reparameterized({ localTrick: true });
   * const lp = r.model.call(c).logProb(x);
   * ```
   */
  reparameterized(options: ReparameterizeOptions = {}): ReparameterizedModel<M> {
    const { localTrick = false, rng } = options;
    this.#checkIdle('reparameterize');
    const params = this.sampleParams(rng);
    const byName = new Map(this.base.namedParameters());
    const originals = new Map<Parameter, Tensor>();
    for (const [name, value] of Object.entries(params)) {
      const p = byName.get(name);
      if (p === undefined) throw new ValueError(`BayesianModel.reparameterize: the base model has no parameter ${name} any more`);
      originals.set(p, value);
    }
    const slots = findSlots(this.base, new Set(originals.keys()));
    const undo: Array<() => void> = [];
    const restore = (): void => {
      for (let i = undo.length - 1; i >= 0; i--) (undo[i] as () => void)();
      undo.length = 0;
    };
    try {
      for (const [p, value] of originals) {
        for (const { holder, key } of slots.get(p) ?? []) {
          holder[key] = value;
          undo.push(() => {
            holder[key] = p;
          });
        }
      }
      if (localTrick) this.#applyLocalTrick(rng, undo);
    } catch (e) {
      restore();
      throw e;
    }
    this.#active = true;
    let active = true;
    const dispose = (): void => {
      if (!active) return;
      active = false;
      restore();
      this.#active = false;
    };
    const handle = {
      model: this.base,
      get active() {
        return active;
      },
      dispose,
    };
    const key = (Symbol as { dispose?: symbol }).dispose;
    if (typeof key === 'symbol') Object.defineProperty(handle, key, { value: dispose });
    return handle as ReparameterizedModel<M>;
  }

  /**
   * The KL divergence $\mathrm{KL}(q \,\Vert\, p)$ from the posterior to the prior $p = \mathcal{N}(0, \mathrm{priorVar} \cdot I)$
   * (zuko's `kl_divergence`):
   *
   * $$
   * \mathrm{KL}(q \,\Vert\, p) = \frac{1}{2} \sum_i \Big(\frac{\sigma_i^2}{s} + \frac{\mu_i^2}{s} + \log s - \log \sigma_i^2 - 1\Big)
   * $$
   *
   * with $s$ = `priorVar` and the soft-clipped
   * $\log \sigma^2$. A scalar, differentiable with respect to `means` and `logvars`; 0 when no
   * parameter is Bayesian.
   *
   * @example
   * ```ts
   * import { randn } from '@eddy/core';
   * import { BayesianModel, NSF } from '@eddy/flows';
   * const bayes = new BayesianModel(new NSF({ features: 2, context: 1 }));
   * const [x, c] = [randn([8, 2], { seed: 0 }), randn([8, 1], { seed: 1 })];
   * const datasetSize = 8;
   * const nll = bayes.reparameterize((flow) => flow.call(c).logProb(x).mean().neg());
   * const loss = nll.add(bayes.klDivergence().div(datasetSize));
   * ```
   */
  klDivergence(priorVar = 1): Tensor {
    if (typeof priorVar !== 'number' || !(priorVar > 0) || !Number.isFinite(priorVar)) {
      throw new ValueError(`BayesianModel.klDivergence: priorVar must be a positive finite number, got ${priorVar}`);
    }
    let kl: Tensor | null = null;
    for (const key of this.means.keys()) {
      const mean = this.means.get(key) as Parameter;
      const logVar = softclip(this.logvars.get(key) as Parameter, LOGVAR_BOUND);
      const term = logVar.exp().div(priorVar).add(mean.square().div(priorVar)).add(Math.log(priorVar)).sub(logVar).sub(1).sum().mul(0.5);
      kl = kl === null ? term : kl.add(term);
    }
    return kl ?? tensor(0);
  }

  #checkIdle(what: string): void {
    if (this.#active) throw new EddyError(`BayesianModel.${what}: the base model is reparameterized (contexts cannot overlap)`);
  }

  #copyBase(): M {
    if (this.#copy !== undefined) {
      const copy = this.#copy(this.base as never);
      if (!(copy instanceof Module) || copy === this.base) throw new ValueError('BayesianModel.sampleModel: the copy function must return a new Module');
      return copy as M;
    }
    if (isRegisteredFlow(this.base)) return loadFlow(saveFlow(this.base as never)) as unknown as M;
    try {
      return copyModuleTree(this.base);
    } catch (e) {
      if (e instanceof ValueError) throw new ValueError(`BayesianModel.sampleModel: ${e.message}; pass the copy option`);
      throw e;
    }
  }

  /** Patches the Bayesian linear layers for the local trick; pushes the undo steps. */
  #applyLocalTrick(rng: Rng | undefined, undo: Array<() => void>): void {
    const cache = new Map<string, Tensor>();
    for (const [name, module] of this.base.namedModules()) {
      if (module instanceof MaskedAutoregressiveTransform && module.incremental) {
        module.incremental = false;
        undo.push(() => {
          module.incremental = true;
        });
        continue;
      }
      if (module.constructor !== Linear && module.constructor !== MaskedLinear) continue;
      const layer = module as Linear | MaskedLinear;
      const key = name.replaceAll('.', '-');
      const wMean = this.means.get(`${key}-weight`);
      if (wMean === undefined) continue;
      const wLogvar = this.logvars.get(`${key}-weight`) as Parameter;
      const bMean = this.means.get(`${key}-bias`);
      const bLogvar = this.logvars.get(`${key}-bias`);
      const forward = (x: Tensor): Tensor => {
        let wm: Tensor = wMean;
        let wv = softclip(wLogvar, LOGVAR_BOUND).exp();
        if (layer instanceof MaskedLinear) {
          wm = where(layer.mask, wm, 0);
          wv = where(layer.mask, wv, 0);
        }
        const bm = bMean ?? layer.bias;
        const bv = bLogvar === undefined ? null : softclip(bLogvar, LOGVAR_BOUND).exp();
        const yMean = linear(x, wm, bm);
        const yVar = linear(x.square(), wv, bv);
        const address = `${name}|${yMean.shape.join(',')}`;
        let eta = cache.get(address);
        if (eta === undefined) {
          eta = (rng ?? defaultRng()).normal(yMean.shape, yMean.dtype as FloatDType);
          cache.set(address, eta);
        }
        return yMean.add(yVar.sqrt().mul(eta));
      };
      const patch: Record<(typeof PATCHED)[number], unknown> = {
        call: forward,
        callFused: (x: Tensor, activation: FusedActivation) => applyActivation(forward(x), activation),
        mlpLayer: () => null,
      };
      for (const method of PATCHED) {
        const before = Object.getOwnPropertyDescriptor(layer, method);
        Object.defineProperty(layer, method, { value: patch[method], configurable: true, writable: true, enumerable: false });
        undo.push(() => {
          if (before === undefined) delete (layer as unknown as Record<string, unknown>)[method];
          else Object.defineProperty(layer, method, before);
        });
      }
    }
  }
}
