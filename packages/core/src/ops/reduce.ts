import { noGrad, record } from '../autodiff.js';
import type { ReduceOp } from '../backend.js';
import { getDefaultDType, isFloat } from '../dtype.js';
import { ValueError } from '../errors.js';
import { normalizeAxis, shapesEqual, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { cast, div, eq, exp, log, mul, sub, where } from './elementwise.js';
import { expand, flip, reshape } from './shape.js';

/** Normalised, sorted, unique axes (all axes when `axis` is undefined). @internal */
export function resolveAxes(op: string, ndim: number, axis?: number | readonly number[]): number[] {
  if (axis === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : [...axis];
  const out = [...new Set(list.map((a) => normalizeAxis(op, a, ndim)))].sort((p, q) => p - q);
  if (out.length !== list.length) throw new ValueError(`${op}: repeated axis in ${JSON.stringify(list)}`);
  return out;
}

function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

function reducePrim(op: ReduceOp, x: Tensor, axes: number[], keepdims: boolean): Tensor {
  const outShape = x.shape.filter((_, i) => !axes.includes(i));
  const y = new Tensor(x.backend.reduce(op, x, axes), outShape, x.dtype, x.backend);
  return keepdims ? reshape(y, keptShape(x.shape, axes)) : y;
}

/**
 * Sum over `axis` (one axis, a list, or all when omitted), optionally keeping reduced
 * axes as size 1.
 * @example
 * ```ts
 * import { sum, tensor } from '@eddy/core';
 * sum(tensor([[1, 2], [3, 4]]), 0); // [4, 6]
 * ```
 * @category Reductions
 */
export function sum(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  const axes = resolveAxes('sum', x.ndim, axis);
  const xf = x.dtype === 'bool' ? cast(x, 'int32') : x;
  const y = reducePrim('sum', xf, axes, keepdims);
  if (!isFloat(x.dtype)) return y;
  return record('sum', y, [xf], (g) => [expand(reshape(g, keptShape(x.shape, axes)), x.shape)]);
}

/**
 * Mean over `axis` (all axes when omitted).
 * @example
 * ```ts
 * import { mean, tensor } from '@eddy/core';
 * mean(tensor([1, 2, 3, 4])); // 2.5
 * ```
 * @category Reductions
 */
export function mean(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  const axes = resolveAxes('mean', x.ndim, axis);
  const n = sizeOf(axes.map((a) => x.shape[a] as number));
  const xf = isFloat(x.dtype) ? x : cast(x, getDefaultDType());
  return div(sum(xf, axes, keepdims), n);
}

function extremum(op: 'max' | 'min', x: Tensor, axis: number | readonly number[] | undefined, keepdims: boolean): Tensor {
  const axes = resolveAxes(op, x.ndim, axis);
  for (const a of axes) {
    if (x.shape[a] === 0) throw new ValueError(`${op}: cannot reduce over empty axis ${a}`);
  }
  const y = reducePrim(op, x, axes, keepdims);
  if (!isFloat(x.dtype)) return y;
  return record(op, y, [x], (g) => {
    // The gradient is shared evenly among tied extrema (as torch.amax/amin).
    const kshape = keptShape(x.shape, axes);
    const yk = reshape(y.detach(), kshape);
    const mask = cast(eq(x, yk), x.dtype);
    const count = sum(mask, axes, true);
    return [mul(div(mask, count), reshape(g, kshape))];
  });
}

/**
 * Maximum over `axis` (all axes when omitted).
 * @example
 * ```ts
 * import { max, tensor } from '@eddy/core';
 * max(tensor([[1, 5], [3, 2]]), 1); // [5, 3]
 * ```
 * @category Reductions
 */
export function max(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  return extremum('max', x, axis, keepdims);
}

/**
 * Minimum over `axis` (all axes when omitted).
 * @example
 * ```ts
 * import { min, tensor } from '@eddy/core';
 * min(tensor([[1, 5], [3, 2]]), 1); // [1, 2]
 * ```
 * @category Reductions
 */
export function min(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  return extremum('min', x, axis, keepdims);
}

/**
 * Product over `axis` (all axes when omitted). Its gradient is `prod / x`, so it is
 * undefined where an entry is exactly 0.
 * @example
 * ```ts
 * import { prod, tensor } from '@eddy/core';
 * prod(tensor([1, 2, 3, 4])); // 24
 * ```
 * @category Reductions
 */
export function prod(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  const axes = resolveAxes('prod', x.ndim, axis);
  const y = reducePrim('prod', x, axes, keepdims);
  if (!isFloat(x.dtype)) return y;
  return record('prod', y, [x], (g) => {
    const kshape = keptShape(x.shape, axes);
    return [div(mul(reshape(g, kshape), reshape(y, kshape)), x)];
  });
}

/**
 * $\log \sum_i \exp(x_i)$ over `axis`, stable (the maximum is subtracted first; all -∞ gives -∞).
 * @example
 * ```ts
 * import { logsumexp, tensor } from '@eddy/core';
 * logsumexp(tensor([0, 0])); // log 2
 * ```
 * @category Reductions
 */
export function logsumexp(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  const axes = resolveAxes('logsumexp', x.ndim, axis);
  const m = noGrad(() => {
    const mk = max(x, axes, true);
    return where(eq(mk, Number.NEGATIVE_INFINITY), 0, where(eq(mk, Number.POSITIVE_INFINITY), 0, mk));
  });
  const s = log(sum(exp(sub(x, m)), axes, true));
  const out = s.add(m);
  return keepdims
    ? out
    : reshape(
        out,
        x.shape.filter((_, i) => !axes.includes(i)),
      );
}

/**
 * Softmax along `axis` (default last).
 * @example
 * ```ts
 * import { softmax, tensor } from '@eddy/core';
 * softmax(tensor([0, 0])); // [0.5, 0.5]
 * ```
 * @category Reductions
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  return exp(logSoftmax(x, axis));
}

/**
 * $x - \operatorname{logsumexp}(x)$ along `axis` (default last).
 * @example
 * ```ts
 * import { logSoftmax, tensor } from '@eddy/core';
 * logSoftmax(tensor([0, 0])); // [-log 2, -log 2]
 * ```
 * @category Reductions
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return sub(x, logsumexp(x, axis, true));
}

/**
 * Inclusive cumulative sum along `axis`.
 * @example
 * ```ts
 * import { cumsum, tensor } from '@eddy/core';
 * cumsum(tensor([1, 2, 3]), 0); // [1, 3, 6]
 * ```
 * @category Reductions
 */
export function cumsum(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis('cumsum', axis, x.ndim);
  const y = new Tensor(x.backend.cumsum(x, a, false), x.shape, x.dtype, x.backend);
  if (!isFloat(x.dtype)) return y;
  return record('cumsum', y, [x], (g) => [flip(cumsum(flip(g, a), a), a)]);
}

/**
 * Sums a broadcast gradient back down to `shape` (the inverse of broadcasting).
 * @example
 * ```ts
 * import { ones, sumToShape } from '@eddy/core';
 * sumToShape(ones([4, 3]), [1, 3]); // [[4, 4, 4]]
 * ```
 * @category Reductions
 */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const s = axes.length > 0 ? sum(g, axes, true) : g;
  return reshape(s, shape);
}
