import { record } from '../autodiff.js';
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { broadcastShapes, normalizeAxis, shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import { add, cast, lt, where } from './elementwise.js';
import { expand, reshape } from './shape.js';

function checkIndex(op: string, indices: Tensor): Tensor {
  if (indices.dtype === 'int32') return indices;
  if (indices.dtype === 'bool') throw new DTypeError(`${op}: indices must be int32, got bool`);
  return cast(indices, 'int32');
}

/** Shape with axis `a` replaced by `n`. */
function withAxis(shape: readonly number[], a: number, n: number): number[] {
  const s = [...shape];
  s[a] = n;
  return s;
}

/**
 * Picks entries along `axis` by index (NumPy `take_along_axis`, PyTorch `gather`):
 * `out[..., j, ...] = x[..., indices[..., j, ...], ...]`. `indices` (int32, each in
 * `[0, x.shape[axis])`) has the same rank as `x`; the other axes broadcast.
 * @example
 * ```ts
 * import { gather, tensor } from '@eddy/core';
 * gather(tensor([[1, 2], [3, 4]]), tensor([[1], [0]], { dtype: 'int32' }), 1); // [[2], [3]]
 * ```
 * @category Indexing
 */
export function gather(x: Tensor, indices: Tensor, axis: number): Tensor {
  const a = normalizeAxis('gather', axis, x.ndim);
  const idx0 = checkIndex('gather', indices);
  if (idx0.ndim !== x.ndim) {
    throw new ShapeError(`gather: indices ${fmtShape(idx0.shape)} must have the rank of x ${fmtShape(x.shape)}`);
  }
  const off = broadcastShapes('gather', withAxis(x.shape, a, 1), withAxis(idx0.shape, a, 1));
  const xe = expand(x, withAxis(off, a, x.shape[a] as number));
  const idx = expand(idx0, withAxis(off, a, idx0.shape[a] as number));
  const y = new Tensor(x.backend.gather(xe, idx, a), idx.shape, x.dtype, x.backend);
  return record('gather', y, [xe], (g) => [scatterAddInto(xe.shape, idx, g, a)]);
}

/**
 * NumPy's name for {@link gather}: `takeAlongAxis(x, indices, axis)`.
 * @example
 * ```ts
 * import { takeAlongAxis, tensor } from '@eddy/core';
 * takeAlongAxis(tensor([[10, 20, 30]]), tensor([[2, 0]], { dtype: 'int32' }), 1); // [[30, 10]]
 * ```
 * @category Indexing
 */
export const takeAlongAxis: (x: Tensor, indices: Tensor, axis: number) => Tensor = gather;

/** Zeros of `shape` with `src` added at `indices` along `axis` (shapes already checked). */
function scatterAddInto(shape: readonly number[], indices: Tensor, src: Tensor, axis: number): Tensor {
  const y = new Tensor(src.backend.scatterAdd(shape, indices, src, axis), shape, src.dtype, src.backend);
  return record('scatterAdd', y, [src], (g) => [gather(g, indices, axis)]);
}

/**
 * Adds `src` into a copy of `x` at `indices` along `axis` (PyTorch `scatter_add`):
 * `out[..., indices[..., j, ...], ...] += src[..., j, ...]`. `indices` and `src` share a
 * shape that matches `x` off `axis`. Repeated indices accumulate.
 * @example
 * ```ts
 * import { scatterAdd, tensor, zeros } from '@eddy/core';
 * scatterAdd(zeros([3]), tensor([0, 0, 2], { dtype: 'int32' }), tensor([1, 1, 5]), 0); // [2, 0, 5]
 * ```
 * @category Indexing
 */
export function scatterAdd(x: Tensor, indices: Tensor, src: Tensor, axis: number): Tensor {
  const a = normalizeAxis('scatterAdd', axis, x.ndim);
  const idx = checkIndex('scatterAdd', indices);
  if (!shapesEqual(idx.shape, src.shape) || !shapesEqual(withAxis(idx.shape, a, 1), withAxis(x.shape, a, 1))) {
    throw new ShapeError(
      `scatterAdd: indices ${fmtShape(idx.shape)} and src ${fmtShape(src.shape)} must have one shape matching x ${fmtShape(x.shape)} off axis ${a}`,
    );
  }
  return add(x, scatterAddInto(x.shape, idx, cast(src, x.dtype), a));
}

/**
 * Selects along `axis` with a list (or tensor) of indices; the index shape replaces that
 * axis (NumPy `take`, PyTorch `index_select`). Negative indices count from the end.
 * @example
 * ```ts
 * import { take, tensor } from '@eddy/core';
 * take(tensor([[1, 2, 3]]), [2, 0], 1); // [[3, 1]]
 * ```
 * @category Indexing
 */
export function take(x: Tensor, indices: Tensor | readonly number[], axis: number): Tensor {
  const a = normalizeAxis('take', axis, x.ndim);
  const n = x.shape[a] as number;
  let idx = Array.isArray(indices)
    ? new Tensor(x.backend.upload(Int32Array.from(indices as number[]), [indices.length], 'int32'), [indices.length], 'int32', x.backend)
    : checkIndex('take', indices as Tensor);
  idx = where(lt(idx, 0), add(idx, n), idx);
  const k = idx.size;
  const ones = x.shape.map(() => 1);
  const flat = expand(reshape(idx, withAxis(ones, a, k)), withAxis(x.shape, a, k));
  const y = gather(x, flat, a);
  return reshape(y, [...x.shape.slice(0, a), ...idx.shape, ...x.shape.slice(a + 1)]);
}

/**
 * Insertion indices that keep rows sorted (PyTorch `searchsorted`): for sorted
 * `sorted[..., K]` and `values[..., N]` (batch axes broadcast; a 1-D `sorted` serves all
 * values), the first `i` with `sorted[i] >= v` (`side: 'left'`) or `> v` (`'right'`).
 * Returns int32 with the values' shape.
 * @example
 * ```ts
 * import { searchsorted, tensor } from '@eddy/core';
 * searchsorted(tensor([0, 1, 2]), tensor([1.5, -1, 3])); // [2, 0, 3]
 * ```
 * @category Indexing
 */
export function searchsorted(sorted: Tensor, values: Tensor, side: 'left' | 'right' = 'left'): Tensor {
  if (sorted.ndim === 0) throw new ShapeError('searchsorted: sorted must have at least one axis');
  const v = cast(values, sorted.dtype);
  if (sorted.ndim === 1) {
    const flatV = reshape(v, [1, v.size]);
    const s2 = reshape(sorted, [1, sorted.shape[0] as number]);
    const out = new Tensor(sorted.backend.searchsorted(s2, flatV, side === 'right'), flatV.shape, 'int32', sorted.backend);
    return reshape(out, v.shape);
  }
  if (v.ndim !== sorted.ndim) {
    throw new ShapeError(`searchsorted: values ${fmtShape(v.shape)} must have the rank of sorted ${fmtShape(sorted.shape)}`);
  }
  const batch = broadcastShapes('searchsorted', sorted.shape.slice(0, -1), v.shape.slice(0, -1));
  const se = expand(sorted, [...batch, sorted.shape[sorted.ndim - 1] as number]);
  const ve = expand(v, [...batch, v.shape[v.ndim - 1] as number]);
  return new Tensor(sorted.backend.searchsorted(se, ve, side === 'right'), ve.shape, 'int32', sorted.backend);
}
