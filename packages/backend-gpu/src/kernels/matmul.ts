import { sizeOf } from '@eddy/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Batched matrix product: `a` `[...B, m, k]` times `b` `[...B', k, n]`, batch dims
 * broadcast to `outShape`'s batch part. Inputs are never passed as transposed
 * (core materialises transposes; the wasm engine uses its fast kernel only for
 * untransposed operands). When `b` has no batch (a weight matrix), `a`'s batch folds
 * into its rows: one 2-D product, no broadcast copies of `b`.
 * @category Kernels
 */
export function matmulKernel(a: tf.Tensor, b: tf.Tensor, outShape: readonly number[]): tf.Tensor {
  return tf.tidy(() => {
    const out = [...outShape];
    const m = a.shape[a.rank - 2] as number;
    const k = a.shape[a.rank - 1] as number;
    const n = b.shape[b.rank - 1] as number;
    if (sizeOf(out) === 0 || k === 0) return tf.zeros(out, a.dtype);
    const batch = out.slice(0, -2);
    const nb = sizeOf(batch);
    const aBatch = sizeOf(a.shape.slice(0, -2));
    const bBatch = sizeOf(b.shape.slice(0, -2));
    if (bBatch === 1) {
      // [...B, m, k] @ [k, n]: rows of every batch entry at once (a broadcasts only if
      // the batch comes from b's size-1 axes, i.e. a has the whole batch already).
      const a2 = aBatch === nb ? tf.reshape(a, [nb * m, k]) : tf.reshape(tf.broadcastTo(a, [...batch, m, k]), [nb * m, k]);
      return tf.reshape(tf.matMul(a2, tf.reshape(b, [k, n])), out);
    }
    const a3 = aBatch === nb ? tf.reshape(a, [nb, m, k]) : tf.reshape(tf.broadcastTo(a, [...batch, m, k]), [nb, m, k]);
    const b3 = bBatch === nb ? tf.reshape(b, [nb, k, n]) : tf.reshape(tf.broadcastTo(b, [...batch, k, n]), [nb, k, n]);
    return tf.reshape(tf.matMul(a3, b3), out);
  });
}
