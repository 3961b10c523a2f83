import {
  type FloatDType,
  type FusedActivation,
  type MlpLayer,
  type Parameter,
  type RandomStream,
  type Tensor,
  type TensorFunction,
  Module,
  ShapeError,
  ValueError,
  add,
  fusedLinear,
  matmul,
  permute,
  reshape,
  squeeze,
  transpose,
  unsqueeze,
} from '@eddy/core';
import { type FusableLayer, applyActivation } from './fuse.js';
import { defaultInitRng, kaimingUniform } from './init.js';

/**
 * The affine map of zuko's `linear` (`nn.py:13`): with a `[out, in]` weight,
 * $y = x W^\top + b$ on `x` of shape `[..., in]`; with a stacked `[S, out, in]` weight,
 * `y[..., s, :] = W[s] x[..., s, :] + b[s]` on `x` of shape `[..., S, in]` (the leading
 * axes of `W` broadcast against those of `x`, as in zuko's `einsum('...ij,...j->...i')`).
 * `bias` (`[out]` or `[S, out]`) may be omitted.
 *
 * @example
 * ```ts
 * import { ones, zeros } from '@eddy/core';
 * import { linear } from '@eddy/flows';
 * linear(ones([5, 3]), ones([2, 3]), zeros([2])); // [5, 2], every entry 3
 * ```
 * @category Networks
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  let y: Tensor;
  if (weight.ndim === 2) {
    y = matmul(x, transpose(weight));
  } else if (weight.ndim === 3 && x.ndim >= 2 && x.shape[x.ndim - 2] === weight.shape[0]) {
    // [..., S, in] → [S, n, in] so that each stack member is one [n, in] @ [in, out] product.
    const [s, out, inp] = weight.shape as [number, number, number];
    if (x.shape[x.ndim - 1] !== inp) {
      throw new ShapeError(`linear: input has ${x.shape[x.ndim - 1]} features, the weight expects ${inp}`);
    }
    const lead = x.shape.slice(0, -2);
    const xs = permute(reshape(x, [-1, s, inp]), [1, 0, 2]);
    const ys = matmul(xs, transpose(weight));
    y = reshape(permute(ys, [1, 0, 2]), [...lead, s, out]);
  } else if (weight.ndim >= 3) {
    y = squeeze(matmul(weight, unsqueeze(x, -1)), -1);
  } else {
    throw new ShapeError(`linear: the weight must have 2 or more axes, got ${weight.ndim}`);
  }
  return bias === undefined || bias === null ? y : add(y, bias);
}

/**
 * Options of {@link Linear} (and {@link MonotonicLinear}).
 *
 * @example
 * ```ts
 * import { RandomStream } from '@eddy/core';
 * import { type LinearOptions } from '@eddy/flows';
 * const opts: LinearOptions = { bias: false, stack: 4, rng: new RandomStream(0), dtype: 'float64' };
 * ```
 * @category Networks
 */
export interface LinearOptions {
  /** Whether the layer has an additive bias (default true). */
  bias?: boolean;
  /** Number `S` of independent stacked maps (default: none, a single map). */
  stack?: number;
  /** Where the initial weights come from (default: {@link defaultInitRng}). */
  rng?: RandomStream;
  /** Parameter dtype (default: the default float dtype). */
  dtype?: FloatDType;
}

function checkSize(op: string, what: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new ValueError(`${op}: ${what} must be a positive integer, got ${n}`);
}

/**
 * zuko's `Linear` (`nn.py:51`): $y = x W^\top + b$ with `weight` `[out, in]` and `bias`
 * `[out]`; with `stack = S`, `weight` `[S, out, in]`, `bias` `[S, out]` and input
 * `[..., S, in]` → `y[..., s, :] = W[s] x[..., s, :] + b[s]` (see {@link linear}).
 * Weights and bias start as PyTorch's defaults, $\mathcal{U}(-1/\sqrt{\mathrm{in}}, 1/\sqrt{\mathrm{in}})$, drawn from `rng`
 * (weight first, then bias), so a layer is deterministic given its stream.
 *
 * @example
 * ```ts
 * import { ones, RandomStream } from '@eddy/core';
 * import { Linear } from '@eddy/flows';
 * const layer = new Linear(3, 2, { rng: new RandomStream(0) });
 * layer.call(ones([5, 3])).shape; // [5, 2]
 * layer.namedParameters().map(([n]) => n); // ['weight', 'bias']
 * ```
 * @category Networks
 */
export class Linear extends Module implements TensorFunction, FusableLayer {
  /** `[out, in]` or `[stack, out, in]`. */
  readonly weight: Parameter;
  /** `[out]` or `[stack, out]`; `null` without bias. */
  readonly bias: Parameter | null;
  /** Number of input features. */
  readonly inFeatures: number;
  /** Number of output features. */
  readonly outFeatures: number;
  /** Number of stacked maps, or `undefined` for a single map. */
  readonly stack: number | undefined;

  /**
   * @param inFeatures input size `in`
   * @param outFeatures output size `out`
   * @param options `bias` (default true), `stack`, `rng`, `dtype`
   */
  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    const { bias = true, stack, rng = defaultInitRng(), dtype } = options;
    const name = new.target.name;
    checkSize(name, 'inFeatures', inFeatures);
    checkSize(name, 'outFeatures', outFeatures);
    if (stack !== undefined) checkSize(name, 'stack', stack);
    const lead = stack === undefined ? [] : [stack];
    this.weight = kaimingUniform([...lead, outFeatures, inFeatures], inFeatures, rng, dtype);
    this.bias = bias ? kaimingUniform([...lead, outFeatures], inFeatures, rng, dtype) : null;
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.stack = stack;
  }

  /** $x W^\top + b$ (stacked: per stack member). */
  call(x: Tensor): Tensor {
    return this.callFused(x, 'none');
  }

  /** This layer for core's `fusedMLP`: its weight and bias, or `null` when stacked. */
  mlpLayer(activation: FusedActivation): MlpLayer | null {
    return this.weight.ndim === 2 ? { weight: this.weight, bias: this.bias, activation } : null;
  }

  /** $\operatorname{act}(x W^\top + b)$: one fused pass for a single (unstacked) map. */
  callFused(x: Tensor, activation: FusedActivation): Tensor {
    if (this.weight.ndim === 2 && x.ndim >= 1 && x.dtype === this.weight.dtype) return fusedLinear(x, this.weight, this.bias, activation);
    return applyActivation(linear(x, this.weight, this.bias), activation);
  }

  /** e.g. `Linear(in_features=3, out_features=2, bias=true)`. */
  override toString(): string {
    const stack = this.stack === undefined ? '' : `, stack=${this.stack}`;
    return `${this.constructor.name}(in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias !== null}${stack})`;
  }
}
