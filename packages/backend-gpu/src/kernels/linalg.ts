import { luInPlace, sizeOf } from '@eddy/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Solves `op(A) X = B` by row substitution on the device (`a` `[...B, n, n]`, `b`
 * `[...B, n, m]`, same batch): n steps, each one matrix-vector product against the rows
 * already solved, so B's columns (e.g. a batch of samples) stay in parallel. Only the
 * effective triangle of `op(A)` is read.
 * @category Kernels
 */
export function triangularSolveKernel(a: tf.Tensor, b: tf.Tensor, upper: boolean, transpose: boolean, unit: boolean): tf.Tensor {
  return tf.tidy(() => {
    const n = a.shape[a.rank - 1] as number;
    const m = b.shape[b.rank - 1] as number;
    const batch = a.shape.slice(0, -2);
    const nb = sizeOf(batch);
    if (n === 0 || m === 0 || nb === 0) return tf.zeros(b.shape, b.dtype);
    let a3 = tf.reshape(a, [nb, n, n]);
    if (transpose) a3 = tf.transpose(a3, [0, 2, 1]);
    const b3 = tf.reshape(b, [nb, n, m]);
    const lower = upper === transpose; // the triangle op(A) has
    const rows: tf.Tensor[] = new Array<tf.Tensor>(n);
    for (let t = 0; t < n; t++) {
      const i = lower ? t : n - 1 - t;
      let r = tf.slice(b3, [0, i, 0], [nb, 1, m]);
      if (t > 0) {
        // The solved rows j < i (lower) or j > i (upper), stacked in index order.
        const lo = lower ? 0 : i + 1;
        const solved = tf.concat(rows.slice(lo, lo + t), 1);
        const coef = tf.slice(a3, [0, i, lo], [nb, 1, t]);
        r = tf.sub(r, tf.matMul(coef, solved));
      }
      if (!unit) r = tf.div(r, tf.slice(a3, [0, i, i], [nb, 1, 1]));
      rows[i] = r;
    }
    return tf.reshape(tf.concat(rows, 1), b.shape);
  });
}

/**
 * LU with partial pivoting of `[...B, n, n]` values (row-major, any float array), in
 * float64 on the host: pivot choice is data-dependent and the matrices of flows are small.
 * Returns packed factors and LAPACK-style 0-based pivots.
 * @category Kernels
 */
export function luHost(values: ArrayLike<number>, batches: number, n: number): { lu: Float32Array; pivots: Int32Array } {
  const f = Float64Array.from(values);
  const piv = new Int32Array(batches * n);
  for (let bi = 0; bi < batches; bi++) luInPlace(f, bi * n * n, n, piv, bi * n);
  return { lu: Float32Array.from(f), pivots: piv };
}
