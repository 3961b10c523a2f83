import * as tf from '@tensorflow/tfjs-core';

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * `tf.where` without its three broadcast copies when the shapes already agree: the
 * `Select` kernel directly (one kernel instead of four on every engine).
 * @category Kernels
 */
export function select(cond: tf.Tensor, a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (cond.dtype === 'bool' && sameShape(cond.shape, a.shape) && sameShape(a.shape, b.shape) && a.dtype === b.dtype) {
    return tf.engine().runKernel('Select', { condition: cond, t: a, e: b }) as tf.Tensor;
  }
  return tf.where(cond, a, b);
}
