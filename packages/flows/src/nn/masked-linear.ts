import type { FloatDType, FusedActivation, MlpLayer, Parameter, RandomStream, Tensor, TensorFunction } from '@eddy/core';
import { Buffer, Module, ShapeError, cast, fusedLinear, noGrad, where } from '@eddy/core';
import { defaultInitRng, kaimingUniform } from './init.js';
import { type FusableLayer, applyActivation } from './fuse.js';
import { linear } from './linear.js';

/**
 * Options of {@link MaskedLinear}.
 *
 * @example
 * ```ts
 * import { RandomStream } from '@eddy/core';
 * import { type MaskedLinearOptions } from '@eddy/flows';
 * const opts: MaskedLinearOptions = { rng: new RandomStream(0), dtype: 'float64' };
 * ```
 * @category Networks
 */
export interface MaskedLinearOptions {
  /** Whether the layer has an additive bias (default true). */
  bias?: boolean;
  /** Where the initial weights come from (default: {@link defaultInitRng}). */
  rng?: RandomStream;
  /** Parameter dtype (default: the default float dtype). */
  dtype?: FloatDType;
}

/**
 * zuko's `MaskedLinear` (`nn.py:202`): $y = x (M \odot W)^\top + b$ for a fixed boolean
 * adjacency $M$ `[out, in]` (output `i` may depend on input `j` iff `M[i, j]`). State:
 * `weight` `[out, in]` (stored **unmasked**: masked entries keep whatever value they
 * hold and receive zero gradient), `bias` `[out]`, and the buffer `mask` (bool
 * `[out, in]`), in that order, as in PyTorch's `state_dict`. Initialised like
 * `torch.nn.Linear`: $\mathcal{U}(-1/\sqrt{\mathrm{in}}, 1/\sqrt{\mathrm{in}})$ from `rng` (weight, then bias).
 *
 * @example
 * ```ts
 * import { ones, tensor } from '@eddy/core';
 * import { MaskedLinear } from '@eddy/flows';
 * const layer = new MaskedLinear(tensor([[true, false], [true, true]]));
 * layer.call(ones([5, 2])).shape; // [5, 2]; output 0 ignores input 1
 * ```
 * @category Networks
 */
export class MaskedLinear extends Module implements TensorFunction, FusableLayer {
  /** `[out, in]`, unmasked. */
  readonly weight: Parameter;
  /** `[out]`, or `null` without bias. */
  readonly bias: Parameter | null;
  /** The adjacency `M`, bool `[out, in]`. */
  readonly mask: Buffer;
  /** Number of input features. */
  readonly inFeatures: number;
  /** Number of output features. */
  readonly outFeatures: number;

  /**
   * @param adjacency bool `[out, in]` (other dtypes: nonzero = connected)
   * @param options `bias` (default true), `rng`, `dtype`
   */
  constructor(adjacency: Tensor, options: MaskedLinearOptions = {}) {
    super();
    if (adjacency.ndim !== 2) throw new ShapeError(`MaskedLinear: adjacency must be [out, in], got ${adjacency.ndim} axes`);
    const [outFeatures, inFeatures] = adjacency.shape as [number, number];
    const { bias = true, rng = defaultInitRng(), dtype } = options;
    this.weight = kaimingUniform([outFeatures, inFeatures], inFeatures, rng, dtype);
    this.bias = bias ? kaimingUniform([outFeatures], inFeatures, rng, dtype) : null;
    this.mask = new Buffer(noGrad(() => cast(adjacency, 'bool')));
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
  }

  /** $x (M \odot W)^\top + b$. */
  call(x: Tensor): Tensor {
    return this.callFused(x, 'none');
  }

  /** The masked weight `M ⊙ W` (gradients reach `W` where `M` is set). */
  maskedWeight(): Tensor {
    return where(this.mask, this.weight, 0);
  }

  /** This layer for core's `fusedMLP`: the masked weight and the bias. */
  mlpLayer(activation: FusedActivation): MlpLayer {
    return { weight: this.maskedWeight(), bias: this.bias, activation };
  }

  /** $\operatorname{act}\big(x (M \odot W)^\top + b\big)$ in one fused pass. */
  callFused(x: Tensor, activation: FusedActivation): Tensor {
    const w = this.maskedWeight();
    if (x.ndim >= 1 && x.dtype === w.dtype) return fusedLinear(x, w, this.bias, activation);
    return applyActivation(linear(x, w, this.bias), activation);
  }

  /** e.g. `MaskedLinear(in_features=3, out_features=64, bias=true)`. */
  override toString(): string {
    return `MaskedLinear(in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias !== null})`;
  }
}
