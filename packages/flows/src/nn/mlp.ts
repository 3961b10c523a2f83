import { type FloatDType, type Module, type Tensor, type RandomStream, type TensorFunction, Sequential, ValueError } from '@eddy/core';
import { type ActivationSpec, activationFactory } from './activation-from-name.js';
import { callLayers } from './fuse.js';
import { defaultInitRng } from './init.js';
import { LayerNorm } from './layer-norm.js';
import { Linear, type LinearOptions } from './linear.js';

/**
 * A constructor of linear layers with {@link Linear}'s signature ({@link Linear} itself,
 * {@link MonotonicLinear}, ...), the `linear` option of {@link MLP}.
 *
 * @example
 * ```ts
 * import { type LinearConstructor, MonotonicLinear } from '@eddy/flows';
 * const make: LinearConstructor = MonotonicLinear;
 * ```
 * @category Networks
 */
export type LinearConstructor = new (inFeatures: number, outFeatures: number, options?: LinearOptions) => Linear;

/**
 * Options of {@link MLP}.
 * @category Networks
 */
export interface MLPOptions {
  /** Sizes of the hidden layers (default `[64, 64]`). */
  hiddenFeatures?: readonly number[];
  /** Activation after every hidden layer: a name or a factory (default `'ReLU'`). */
  activation?: ActivationSpec;
  /** Whether a {@link LayerNorm} follows every activation (default false). */
  normalize?: boolean;
  /** Number `S` of independent stacked networks (see {@link Linear}; default none). */
  stack?: number;
  /** Whether the linear layers have biases (default true). */
  bias?: boolean;
  /** Where the initial weights come from, shared by all layers in order (default: one {@link defaultInitRng}). */
  rng?: RandomStream;
  /** Parameter dtype (default: the default float dtype). */
  dtype?: FloatDType;
  /** Class of the linear layers (default {@link Linear}). */
  linear?: LinearConstructor;
}

/**
 * zuko's `MLP` (`nn.py:159`), a {@link Sequential}
 * `[Linear(in, h₁), act, Linear(h₁, h₂), act, …, Linear(h_k, out)]` with no activation
 * after the last layer, so its linear layers are `0`, `2`, `4`, … in the state dict
 * (`0.weight`, `0.bias`, `2.weight`, …) exactly as in zuko. With `normalize`, a
 * parameter-free {@link LayerNorm} follows each activation (linears at `0`, `3`, `6`, …).
 * With `stack = S` every layer is stacked (input `[..., S, in]`, see {@link Linear}).
 *
 * @example
 * ```ts
 * import { ones, RandomStream } from '@eddy/core';
 * import { MLP } from '@eddy/flows';
 * const net = new MLP(3, 2, { hiddenFeatures: [16, 16], rng: new RandomStream(0) });
 * net.call(ones([10, 3])).shape; // [10, 2]
 * net.namedParameters().map(([n]) => n); // ['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']
 * ```
 * @category Networks
 */
export class MLP extends Sequential {
  /** Number of input features. */
  readonly inFeatures: number;
  /** Number of output features. */
  readonly outFeatures: number;

  /**
   * @param inFeatures input size
   * @param outFeatures output size
   * @param options `hiddenFeatures` (default `[64, 64]`), `activation` (default `'ReLU'`),
   *   `normalize` (default false), `stack`, `bias`, `rng`, `dtype`, `linear`
   */
  constructor(inFeatures: number, outFeatures: number, options: MLPOptions = {}) {
    super(buildMLPLayers(new.target.name, inFeatures, outFeatures, options));
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
  }

  /** The layers in order, each linear layer fused with the ReLU after it. */
  override call(x: Tensor): Tensor {
    return callLayers(this.layers, x);
  }
}

function buildMLPLayers(name: string, inFeatures: number, outFeatures: number, options: MLPOptions): Array<Module & TensorFunction> {
  const {
    hiddenFeatures = [64, 64],
    activation = 'ReLU',
    normalize = false,
    stack,
    bias = true,
    rng = defaultInitRng(),
    dtype,
    linear: LinearClass = Linear,
  } = options;
  for (const h of hiddenFeatures) {
    if (!Number.isSafeInteger(h) || h < 1) throw new ValueError(`${name}: hidden sizes must be positive integers, got [${hiddenFeatures.join(', ')}]`);
  }
  const makeActivation = activationFactory(activation);
  const sizes = [inFeatures, ...hiddenFeatures, outFeatures];
  const layers: Array<Module & TensorFunction> = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new LinearClass(sizes[i] as number, sizes[i + 1] as number, { bias, stack, rng, dtype }));
    if (i + 2 < sizes.length) {
      layers.push(makeActivation());
      if (normalize) layers.push(new LayerNorm());
    }
  }
  return layers;
}
