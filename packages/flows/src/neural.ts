import { Module, type Tensor, abs, broadcastShapes, concat, exp, expand, squeeze, unsqueeze } from '@eddy/core';
import { AdditiveTransform, ComposedTransform, MonotonicTransform, SoftclipTransform, type Transform, UnconstrainedMonotonicTransform } from '@eddy/transforms';
import { standardNormalBase } from './bases.js';
import { Flow, type LazyDistribution, type LazyTransform, UnconditionalTransform } from './lazy.js';
import { type AutoregressiveFlowOptions, autoregressiveStack } from './autoregressive-stack.js';
import { type ActivationName, MLP, MonotonicMLP } from './nn/index.js';
import { type NetworkOptions, networkRng } from './options.js';

/**
 * Options of the per-feature networks of {@link MNN} and {@link UMNN}.
 * @category Flows
 */
export interface UnivariateNetworkOptions {
  /** Hidden layer sizes (default `[64, 64]`). */
  hiddenFeatures?: readonly number[];
  /** Activation (UMNN only; default `ELU`). */
  activation?: ActivationName;
}

/** The options of a per-feature network of `stack` stacked copies (MNN's and UMNN's): hidden sizes [64, 64] by default. */
function stackedNetwork(network: UnivariateNetworkOptions, stack: number, options: NetworkOptions) {
  return { hiddenFeatures: network.hiddenFeatures ?? [64, 64], stack, rng: networkRng(options), dtype: options.dtype };
}

/** `cat([x, signal])` per feature: `x` `[..., D]`, `signal` `[..., D, S]` → `[..., D, 1 + S]`. */
function withSignal(x: Tensor, signal: Tensor): Tensor {
  // x may carry extra leading axes (e.g. quadrature nodes): broadcast both.
  const s = signal.shape[signal.ndim - 1] as number;
  const lead = broadcastShapes('withSignal', x.shape, signal.shape.slice(0, -1));
  return concat([expand(unsqueeze(x, -1), [...lead, 1]), expand(signal, [...lead, s])], -1);
}

/**
 * Monotonic neural network univariate of NAF (zuko's `MNN`): per feature `i`,
 * `f_i(x) = network_i([x, signal_i])` with a stacked {@link MonotonicMLP} (increasing in
 * `x`), wrapped in a `MonotonicTransform` (bisection inverse with bound 10).
 *
 * References:
 * - [Neural Autoregressive Flows (Huang et al., 2018)](https://arxiv.org/abs/1804.00779)
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { MNN } from '@eddy/flows';
 * const signal = randn([8, 3, 16], { seed: 0 });
 * const mnn = new MNN(16, 3, { hiddenFeatures: [16, 16] }, { seed: 0 });
 * const t = mnn.call(signal); // signal [..., 3, 16]
 * ```
 * @category Flows
 */
export class MNN extends Module {
  /** The stacked monotonic network (`stack = features`). */
  network: MonotonicMLP;

  /** @param signal signal size; @param stack number of features; @param network network options. */
  constructor(signal: number, stack: number, network: UnivariateNetworkOptions = {}, options: NetworkOptions = {}) {
    super();
    this.network = new MonotonicMLP(1 + signal, 1, stackedNetwork(network, stack, options));
  }

  /** The monotonic transform for a signal `[..., D, S]`. */
  call(signal: Tensor): Transform {
    const f = (x: Tensor): Tensor => squeeze(this.network.call(withSignal(x, signal)), -1);
    return new MonotonicTransform(f, { phi: [signal, ...this.parameters()] });
  }
}

/**
 * Unconstrained monotonic neural network univariate of UNAF (zuko's `UMNN`):
 * $f(x) = \int_0^x g(u)\, du + \mathrm{constant}$ with $g(u) = \exp\big(v / (1 + |v / 7|)\big)$,
 * `v = integrand_i([u, signal_i])` (a stacked MLP, ELU by default), by 32-point
 * Gauss–Legendre quadrature; bisection inverse.
 *
 * Wehenkel & Louppe (2019), "Unconstrained Monotonic Neural Networks".
 *
 * References:
 * - [Unconstrained Monotonic Neural Networks (Wehenkel et al., 2019)](https://arxiv.org/abs/1908.05164)
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { UMNN } from '@eddy/flows';
 * const [signal, constant] = [randn([8, 3, 16], { seed: 0 }), randn([8, 3], { seed: 1 })];
 * const umnn = new UMNN(16, 3);
 * const t = umnn.call(signal, constant);
 * ```
 * @category Flows
 */
export class UMNN extends Module {
  /** The stacked integrand network. */
  integrand: MLP;

  /** @param signal signal size; @param stack number of features; @param network network options. */
  constructor(signal: number, stack: number, network: UnivariateNetworkOptions = {}, options: NetworkOptions = {}) {
    super();
    this.integrand = new MLP(1 + signal, 1, { ...stackedNetwork(network, stack, options), activation: network.activation ?? 'ELU' });
  }

  /** The transform for a signal `[..., D, S]` and a constant `[..., D]`. */
  call(signal: Tensor, constant: Tensor): Transform {
    const g = (x: Tensor): Tensor => {
      const v = squeeze(this.integrand.call(withSignal(x, signal)), -1);
      return exp(v.div(abs(v.div(7)).add(1)));
    };
    return new ComposedTransform([new UnconstrainedMonotonicTransform(g, { phi: [signal, ...this.parameters()] }), new AdditiveTransform(constant)]);
  }
}

/**
 * Options of {@link NAF} and {@link UNAF}.
 * @category Flows
 */
export interface NeuralFlowOptions extends Omit<AutoregressiveFlowOptions, 'univariate' | 'shapes'> {
  /** Signal size per feature (default 16). */
  signal?: number;
  /** Options of the per-feature network. */
  network?: UnivariateNetworkOptions;
}

/** Inserts `Softclip(11)` between consecutive transforms (zuko's NAF/UNAF/SOSPF). @internal */
export function withSoftclips(parts: readonly LazyTransform[]): LazyTransform[] {
  const out: LazyTransform[] = [];
  parts.forEach((p, i) => {
    if (i > 0) out.push(new UnconditionalTransform(() => new SoftclipTransform(11), {}));
    out.push(p);
  });
  return out;
}

/**
 * NAF's and UNAF's transforms and base: the autoregressive stack of `Univariate`
 * networks (signal size `options.signal`, default 16, hyper-network output `shapes(signal)`)
 * with soft clips between the transforms, over a standard normal.
 */
function neuralFlow(
  name: string,
  options: NeuralFlowOptions,
  Univariate: typeof MNN | typeof UMNN,
  shapes: (signal: number) => number[][],
): [LazyTransform[], LazyDistribution] {
  const signal = options.signal ?? 16;
  const parts = autoregressiveStack(
    name,
    { ...options, shapes: shapes(signal) },
    (rng) => new Univariate(signal, options.features, options.network, { rng, dtype: options.dtype }),
  );
  return [withSoftclips(parts), standardNormalBase(options.features, options.dtype)];
}

/**
 * Neural Autoregressive Flow (zuko's `NAF`): masked autoregressive transforms whose
 * univariates are monotonic neural networks ({@link MNN}), with `Softclip(11)` between
 * transforms, over a standard normal base.
 *
 * References:
 * - [Neural Autoregressive Flows (Huang et al., 2018)](https://arxiv.org/abs/1804.00779)
 *
 * @example
 * ```ts
 * import { NAF } from '@eddy/flows';
 * const flow = new NAF({ features: 2, network: { hiddenFeatures: [16, 16] } });
 * ```
 * @category Flows
 */
export class NAF extends Flow {
  /** The constructor options (saved with the model). */
  readonly options: NeuralFlowOptions;

  /** @param options see {@link NeuralFlowOptions}. */
  constructor(options: NeuralFlowOptions) {
    super(...neuralFlow('NAF', options, MNN, (signal) => [[signal]]));
    this.options = options;
  }
}

/**
 * Unconstrained Neural Autoregressive Flow (zuko's `UNAF`): as {@link NAF} with
 * {@link UMNN} univariates (an integrated positive network plus a constant).
 *
 * Wehenkel & Louppe (2019), "Unconstrained Monotonic Neural Networks".
 *
 * References:
 * - [Unconstrained Monotonic Neural Networks (Wehenkel et al., 2019)](https://arxiv.org/abs/1908.05164)
 *
 * @example
 * ```ts
 * import { UNAF } from '@eddy/flows';
 * const flow = new UNAF({ features: 2 });
 * ```
 * @category Flows
 */
export class UNAF extends Flow {
  /** The constructor options (saved with the model). */
  readonly options: NeuralFlowOptions;

  /** @param options see {@link NeuralFlowOptions}. */
  constructor(options: NeuralFlowOptions) {
    super(...neuralFlow('UNAF', options, UMNN, (signal) => [[signal], []]));
    this.options = options;
  }
}
