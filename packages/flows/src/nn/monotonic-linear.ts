import { type FusedActivation, type MlpLayer, type Tensor, abs, fusedLinear } from '@eddy/core';
import { applyActivation } from './fuse.js';
import { Linear, linear } from './linear.js';

/**
 * zuko's `MonotonicLinear` (`nn.py:331`): a {@link Linear} layer that uses the absolute
 * value of its weight, $y = x |W|^\top + b$, so every output is non-decreasing in every input.
 * Same parameters (`weight` stored signed), initialisation and `stack` support as
 * {@link Linear}.
 *
 * @example
 * ```ts
 * import { ones, RandomStream } from '@eddy/core';
 * import { MonotonicLinear } from '@eddy/flows';
 * const layer = new MonotonicLinear(3, 2, { stack: 4, rng: new RandomStream(0) });
 * layer.call(ones([10, 4, 3])).shape; // [10, 4, 2]
 * ```
 * @category Networks
 */
export class MonotonicLinear extends Linear {
  /** $x |W|^\top + b$ (stacked: per stack member). */
  override call(x: Tensor): Tensor {
    return this.callFused(x, 'none');
  }

  /** This layer for core's `fusedMLP`: `|W|` and the bias, or `null` when stacked. */
  override mlpLayer(activation: FusedActivation): MlpLayer | null {
    return this.weight.ndim === 2 ? { weight: abs(this.weight), bias: this.bias, activation } : null;
  }

  /** $\operatorname{act}(x |W|^\top + b)$, fused for a single (unstacked) map. */
  override callFused(x: Tensor, activation: FusedActivation): Tensor {
    const w = abs(this.weight);
    if (w.ndim === 2 && x.ndim >= 1 && x.dtype === w.dtype) return fusedLinear(x, w, this.bias, activation);
    return applyActivation(linear(x, w, this.bias), activation);
  }
}
