import type { FloatDType, RandomStream } from '@eddy/core';
import { MLP } from './mlp.js';
import { MonotonicLinear } from './monotonic-linear.js';
import { TwoWayELU } from './two-way-elu.js';

/**
 * Options of {@link MonotonicMLP}.
 * @category Networks
 */
export interface MonotonicMLPOptions {
  /** Sizes of the hidden layers (default `[64, 64]`). */
  hiddenFeatures?: readonly number[];
  /** Number `S` of independent stacked networks (default none). */
  stack?: number;
  /** Whether the linear layers have biases (default true). */
  bias?: boolean;
  /** Where the initial weights come from (default: one {@link defaultInitRng}). */
  rng?: RandomStream;
  /** Parameter dtype (default: the default float dtype). */
  dtype?: FloatDType;
}

/**
 * zuko's `MonotonicMLP` (`nn.py:384`): an {@link MLP} whose linear layers are
 * {@link MonotonicLinear} ($y = x |W|^\top + b$) and whose activations are {@link TwoWayELU},
 * without normalisation. Every output is increasing in every input. State-dict names as
 * for {@link MLP} (`0.weight`, `2.weight`, …); NAF's per-feature networks use
 * `stack = D`.
 *
 * @example
 * ```ts
 * import { ones } from '@eddy/core';
 * import { MonotonicMLP } from '@eddy/flows';
 * const net = new MonotonicMLP(17, 1, { hiddenFeatures: [16, 16], stack: 2 });
 * net.call(ones([10, 2, 17])).shape; // [10, 2, 1]
 * ```
 * @category Networks
 */
export class MonotonicMLP extends MLP {
  /**
   * @param inFeatures input size
   * @param outFeatures output size
   * @param options `hiddenFeatures` (default `[64, 64]`), `stack`, `bias`, `rng`, `dtype`
   */
  constructor(inFeatures: number, outFeatures: number, options: MonotonicMLPOptions = {}) {
    super(inFeatures, outFeatures, {
      ...options,
      activation: () => new TwoWayELU(),
      normalize: false,
      linear: MonotonicLinear,
    });
  }
}
