import { type FusedActivation, type MlpLayer, type Module, type Tensor, type TensorFunction, fusedMLP, relu } from '@eddy/core';
import { ReLU } from './activations.js';

/**
 * A layer that can apply an activation in the same pass as its affine map (a fused
 * kernel where the backend has one).
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { type FusableLayer, Linear } from '@eddy/flows';
 * const layer: FusableLayer = new Linear(3, 4);
 * const y = layer.callFused(randn([8, 3], { seed: 0 }), 'relu'); // relu(x Wᵀ + b) in one kernel
 * ```
 * @category Networks
 */
export interface FusableLayer {
  /** `act(layer(x))` in one pass where possible. */
  callFused(x: Tensor, activation: FusedActivation): Tensor;
  /** The layer as one $\operatorname{act}(x W^\top + b)$ with its effective weight, or `null` if it is not one (stacked maps). */
  mlpLayer(activation: FusedActivation): MlpLayer | null;
}

function isFusable(l: unknown): l is FusableLayer {
  return typeof (l as Partial<FusableLayer>).callFused === 'function';
}

/**
 * Applies layers in order like `Sequential.call`, except that a fusable linear layer
 * followed by a `ReLU` runs as one fused layer (the same values; fewer passes).
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { callLayers, MLP } from '@eddy/flows';
 * const mlp = new MLP(3, 1);
 * const x = randn([8, 3], { seed: 0 });
 * const y = callLayers(mlp.layers, x);
 * ```
 * @category Networks
 */
export function callLayers(layers: ReadonlyArray<Module & TensorFunction>, x: Tensor): Tensor {
  // A plain chain of linear layers (with ReLUs): the whole network in one fused call
  // where no gradient is recorded (fusedMLP falls back to the chain itself otherwise).
  const chain = asMlp(layers);
  if (chain?.every((l) => l.weight.dtype === x.dtype) && x.ndim >= 1) return fusedMLP(x, chain);
  let v = x;
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i] as Module & TensorFunction;
    if (isFusable(l) && layers[i + 1] instanceof ReLU) {
      v = l.callFused(v, 'relu');
      i++;
    } else {
      v = l.call(v);
    }
  }
  return v;
}

/**
 * `act(y)` for a fused activation name, composed (the fallback of {@link FusableLayer}s).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { applyActivation } from '@eddy/flows';
 * applyActivation(tensor([-1, 2]), 'relu'); // [0, 2]
 * ```
 * @category Networks
 */
export function applyActivation(y: Tensor, activation: FusedActivation): Tensor {
  return activation === 'relu' ? relu(y) : y;
}

/** The layers as a chain of {@link MlpLayer}s, or `null` if any is not a fusable linear layer (or a ReLU after one). */
function asMlp(layers: ReadonlyArray<Module & TensorFunction>): MlpLayer[] | null {
  const out: MlpLayer[] = [];
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i];
    if (!isFusable(l)) return null;
    const act: FusedActivation = layers[i + 1] instanceof ReLU ? 'relu' : 'none';
    if (act === 'relu') i++;
    const m = l.mlpLayer(act);
    if (m === null) return null;
    out.push(m);
  }
  return out;
}
