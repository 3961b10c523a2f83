import { type FusedActivation, type Module, type Tensor, type TensorFunction, relu } from '@eddy/core';
import { ReLU } from './activations.js';

/**
 * A layer that can apply an activation in the same pass as its affine map (a fused
 * kernel where the backend has one).
 *
 * @example
 * ```ts
 * const y = (layer as FusableLayer).callFused(x, 'relu');
 * ```
 * @category Networks
 */
export interface FusableLayer {
  /** `act(layer(x))` in one pass where possible. */
  callFused(x: Tensor, activation: FusedActivation): Tensor;
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
 * const y = callLayers(mlp.layers, x);
 * ```
 * @category Networks
 */
export function callLayers(layers: ReadonlyArray<Module & TensorFunction>, x: Tensor): Tensor {
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
 * applyActivation(y, 'relu');
 * ```
 * @category Networks
 */
export function applyActivation(y: Tensor, activation: FusedActivation): Tensor {
  return activation === 'relu' ? relu(y) : y;
}
