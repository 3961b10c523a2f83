import { type Tensor, sum } from '@eddy/core';

/**
 * Sums the `n` trailing axes of `x` (no-op for `n = 0`), as zuko's `_sum_rightmost`.
 *
 * @example
 * ```ts
 * import { zeros } from '@eddy/core';
 * import { sumRightmost } from '@eddy/transforms';
 * sumRightmost(zeros([4, 3]), 1).shape; // [4]
 * ```
 * @category Basics
 */
export function sumRightmost(x: Tensor, n: number): Tensor {
  if (n <= 0) return x;
  const axes = Array.from({ length: n }, (_, i) => x.ndim - n + i);
  return sum(x, axes);
}
