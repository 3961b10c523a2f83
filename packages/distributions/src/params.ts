import { type Tensor, type TensorLike, ValueError, broadcastShapes, expand, getDefaultDType, isFloat, lt, le, logicalOr, isnan } from '@eddy/core';
import { param } from '@eddy/transforms';

/**
 * Distribution parameters broadcast to one batch shape, and the dtype of draws: the
 * parameters' own float dtype, or the default float dtype when every parameter was a
 * plain number. @internal
 */
export function broadcastParams(name: string, values: readonly TensorLike[]): { tensors: Tensor[]; batchShape: number[]; dtype: 'float32' | 'float64' } {
  const tensors = values.map((v) => param(v));
  const batchShape = broadcastShapes(name, ...tensors.map((t) => t.shape));
  const given = values.filter((v): v is Tensor => typeof v !== 'number');
  const dtype = given.length > 0 && isFloat((given[0] as Tensor).dtype) ? ((given[0] as Tensor).dtype as 'float32' | 'float64') : getDefaultDType();
  return { tensors: tensors.map((t) => expand(t, batchShape)), batchShape, dtype };
}

/**
 * Throws a {@link ValueError} naming `arg` if any entry of `t` is not strictly positive
 * (or is NaN). Reads the values (a sync point on GPU backends). @internal
 */
export function checkPositive(owner: string, arg: string, t: Tensor): void {
  const bad = logicalOr(le(t, 0), isnan(t)).dataSync();
  const i = bad.indexOf(1);
  if (i >= 0) throw new ValueError(`${owner}: ${arg} must be positive, got ${t.dataSync()[i]} at flat index ${i}`);
}

/**
 * Throws a {@link ValueError} naming the arguments if `low < high` fails anywhere. @internal
 */
export function checkOrdered(owner: string, lowName: string, low: Tensor, highName: string, high: Tensor): void {
  const ok = lt(low, high).dataSync();
  const i = ok.indexOf(0);
  if (i >= 0) throw new ValueError(`${owner}: ${lowName} must be < ${highName} (at flat index ${i})`);
}
