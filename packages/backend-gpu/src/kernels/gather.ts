import { ValueError, sizeOf } from '@eddy/core';
import * as tf from '@tensorflow/tfjs-core';
import { select } from './ops.js';

/** An int32 scalar (a plain number would make TensorFlow.js promote to float32). */
const i32 = (v: number): tf.Tensor => tf.scalar(v, 'int32');

/** `[outer, mid, inner]` sizes around `axis`. */
function around(shape: readonly number[], axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis] as number, sizeOf(shape.slice(axis + 1))];
}

/**
 * Throws like the CPU backend when an index is outside `[0, k)`. Costs one small read
 * back (the min and max index); TensorFlow.js would otherwise fail differently per engine
 * (the pure-JS engine asserts, CUDA gathers zeros).
 * @category Kernels
 */
export function checkRange(op: string, idx: tf.Tensor, k: number): void {
  if (idx.size === 0) return;
  const [lo, hi] = tf.tidy(() => tf.stack([tf.min(idx), tf.max(idx)]).dataSync());
  if ((lo as number) < 0 || (hi as number) >= k) {
    const bad = (lo as number) < 0 ? lo : hi;
    throw new ValueError(`${op}: index ${bad} is out of range [0, ${k})`);
  }
}

/**
 * Flat positions `(o·k + idx)·inner + i` of a take-along-axis index tensor viewed as
 * `[outer, j, inner]` into a source viewed as `[outer, k, inner]`.
 */
function flatPositions(idx: tf.Tensor, outer: number, k: number, j: number, inner: number): tf.Tensor {
  let p = tf.reshape(idx, [outer, j, inner]);
  if (outer > 1) p = tf.add(p, tf.reshape(tf.range(0, outer * k, k, 'int32'), [outer, 1, 1]));
  if (inner > 1) p = tf.add(tf.mul(p, i32(inner)), tf.reshape(tf.range(0, inner, 1, 'int32'), [1, 1, inner]));
  return tf.reshape(p, [-1]);
}

/**
 * `out[..., j, ...] = x[..., indices[..., j, ...], ...]` along `axis`, as one gather from
 * the flattened `x` with flat indices: no `batchDims` (which gives wrong values on the
 * wasm engine) and no TensorFlow.js gradient (Eddy differentiates it itself).
 * @category Kernels
 */
export function gatherKernel(x: tf.Tensor, indices: tf.Tensor, axis: number, check: boolean): tf.Tensor {
  const [outer, k, inner] = around(x.shape, axis);
  const j = indices.shape[axis] as number;
  if (check) checkRange('gather', indices, k);
  return tf.tidy(() => {
    if (indices.size === 0) return tf.zeros(indices.shape, x.dtype);
    const pos = flatPositions(indices, outer, k, j, inner);
    return tf.reshape(tf.gather(tf.reshape(x, [-1]), pos), indices.shape);
  });
}

/**
 * Zeros of `shape`, then `out[..., indices[..., j, ...], ...] += src[..., j, ...]` along
 * `axis`: one `scatterND` into the flattened output (repeated positions add up).
 * @category Kernels
 */
export function scatterAddKernel(shape: readonly number[], indices: tf.Tensor, src: tf.Tensor, axis: number, check: boolean): tf.Tensor {
  const [outer, k, inner] = around(shape, axis);
  const j = indices.shape[axis] as number;
  if (check) checkRange('scatterAdd', indices, k);
  return tf.tidy(() => {
    const total = sizeOf(shape);
    if (indices.size === 0 || total === 0) return tf.zeros([...shape], src.dtype);
    const pos = tf.reshape(flatPositions(indices, outer, k, j, inner), [-1, 1]);
    return tf.reshape(tf.scatterND(pos, tf.reshape(src, [-1]), [total]), [...shape]);
  });
}

/** Above this many comparisons (rows · values · K) searchsorted switches to bisection. */
const COUNT_LIMIT = 1 << 24;

/**
 * Row-wise insertion indices (`sorted` `[...B, K]`, `values` `[...B, N]`): the number of
 * entries `< v` (left) or `<= v` (right), which for sorted rows is the first `i` with
 * `sorted[i] >= v` (`> v`). Small problems count comparisons in one broadcast; large ones
 * bisect with ⌈log2(K + 1)⌉ flat gathers. (TensorFlow.js's `searchSorted` has no kernel in
 * tfjs-node, so both paths use plain ops.)
 * @category Kernels
 */
export function searchsortedKernel(sorted: tf.Tensor, values: tf.Tensor, right: boolean): tf.Tensor {
  return tf.tidy(() => {
    const k = sorted.shape[sorted.rank - 1] as number;
    const n = values.shape[values.rank - 1] as number;
    const rows = sizeOf(values.shape.slice(0, -1));
    if (k === 0 || values.size === 0) return tf.zeros(values.shape, 'int32');
    const s2 = tf.reshape(sorted, [rows, k]);
    const v2 = tf.reshape(values, [rows, n]);
    if (rows * n * k <= COUNT_LIMIT) {
      const s3 = tf.reshape(s2, [rows, 1, k]);
      const v3 = tf.reshape(v2, [rows, n, 1]);
      const hit = right ? tf.lessEqual(s3, v3) : tf.less(s3, v3);
      return tf.reshape(tf.sum(tf.cast(hit, 'int32'), 2), values.shape);
    }
    const flatSorted = tf.reshape(s2, [-1]);
    const rowBase = tf.reshape(tf.mul(tf.range(0, rows, 1, 'int32'), i32(k)), [rows, 1]);
    let lo: tf.Tensor = tf.zeros([rows, n], 'int32');
    let hi: tf.Tensor = tf.fill([rows, n], k, 'int32');
    for (let width = k; width > 0; width >>= 1) {
      // Invariant: the answer lies in [lo, hi]; the step halves hi - lo.
      const open = tf.less(lo, hi);
      const mid = tf.floorDiv(tf.add(lo, hi), i32(2));
      const probe = tf.gather(flatSorted, tf.reshape(tf.add(tf.minimum(mid, i32(k - 1)), rowBase), [-1]));
      const p = tf.reshape(probe, [rows, n]);
      const goRight = tf.logicalAnd(open, right ? tf.lessEqual(p, v2) : tf.less(p, v2));
      const goLeft = tf.logicalAnd(open, tf.logicalNot(goRight));
      lo = select(goRight, tf.add(mid, i32(1)), lo);
      hi = select(goLeft, mid, hi);
    }
    return tf.reshape(lo, values.shape);
  });
}
