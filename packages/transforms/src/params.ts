import { type Tensor, type TensorLike, broadcastShapes, expand, full } from '@eddy/core';

/**
 * Turns a transform parameter (a tensor or a plain number) into a tensor; a number
 * becomes a 0-d float64 tensor, which takes the dtype of the data it meets (a 0-d
 * tensor does not promote a tensor with axes). @internal
 */
export function param(v: TensorLike): Tensor {
  if (typeof v !== 'number') return v;
  return full([], v, { dtype: 'float64' });
}

/**
 * Broadcasts an elementwise `ladj` term to the shape of `x` (and of the term itself),
 * so elementwise transforms always return one value per element. @internal
 */
export function ladjLike(l: Tensor, x: Tensor): Tensor {
  return expand(l, broadcastShapes('ladj', l.shape, x.shape));
}
