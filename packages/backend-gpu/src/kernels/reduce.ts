import type { ReduceOp } from '@eddy/core';
import * as tf from '@tensorflow/tfjs-core';
import { select } from './ops.js';

const INIT: Record<ReduceOp, number> = {
  sum: 0,
  prod: 1,
  max: Number.NEGATIVE_INFINITY,
  min: Number.POSITIVE_INFINITY,
};

const REDUCE: Record<ReduceOp, (x: tf.Tensor, axes: number[]) => tf.Tensor> = {
  sum: tf.sum,
  prod: tf.prod,
  max: tf.max,
  min: tf.min,
};

/**
 * Reduces over `axes` (sorted, unique, non-negative), dropping them. An empty reduction
 * gives the op's identity (0, 1, -∞, +∞); max and min propagate NaN on every engine.
 * @category Kernels
 */
export function reduceKernel(op: ReduceOp, x: tf.Tensor, axes: readonly number[]): tf.Tensor {
  return tf.tidy(() => {
    const outShape = x.shape.filter((_, i) => !axes.includes(i));
    if (axes.length === 0) return tf.clone(x);
    if (axes.some((a) => x.shape[a] === 0)) {
      const fill = x.dtype === 'int32' && !Number.isFinite(INIT[op]) ? (INIT[op] > 0 ? 2147483647 : -2147483648) : INIT[op];
      return tf.fill(outShape, fill, x.dtype);
    }
    const ax = [...axes];
    let y = REDUCE[op](x, ax);
    if ((op === 'max' || op === 'min') && x.dtype === 'float32') {
      y = select(tf.any(tf.isNaN(x), ax), tf.fill(outShape, Number.NaN), y);
    }
    return y.dtype === x.dtype ? y : tf.cast(y, x.dtype);
  });
}

/**
 * Inclusive cumulative sum along `axis`, optionally from the end. The axis is always
 * passed non-negative: `tf.cumsum(x, -1)` returns an empty tensor on the pure-JS engine
 * (and corrupts memory on wasm).
 * @category Kernels
 */
export function cumsumKernel(x: tf.Tensor, axis: number, reverse: boolean): tf.Tensor {
  return tf.tidy(() => {
    const a = axis < 0 ? axis + x.rank : axis;
    if (x.size === 0) return tf.clone(x);
    const xs = x.dtype === 'bool' ? tf.cast(x, 'int32') : x;
    return tf.cumsum(xs, a, false, reverse);
  });
}
