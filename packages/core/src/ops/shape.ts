import { record } from '../autodiff.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { broadcastShapes, normalizeAxis, shapesEqual, sizeOf, stridesOf } from '../shape.js';
import { Tensor, arange, full } from '../tensor.js';
import { sumToShape } from './reduce.js';
import { take } from './indexing.js';

/**
 * Same values in a new shape (same size; one entry may be -1 to infer it).
 * @example
 * ```ts
 * import { arange, reshape } from '@eddy/core';
 * reshape(arange(0, 6), [2, -1]); // shape [2, 3]
 * ```
 * @category Shape ops
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = [...shape];
  const infer = target.indexOf(-1);
  if (infer !== target.lastIndexOf(-1)) throw new ValueError(`reshape: only one -1 allowed in ${fmtShape(shape)}`);
  if (infer >= 0) {
    const rest = sizeOf(target.filter((_, i) => i !== infer));
    if (rest === 0 || x.size % rest !== 0) {
      throw new ShapeError(`reshape: cannot reshape ${fmtShape(x.shape)} (size ${x.size}) to ${fmtShape(shape)}`);
    }
    target[infer] = x.size / rest;
  }
  if (target.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(target) !== x.size) {
    throw new ShapeError(`reshape: cannot reshape ${fmtShape(x.shape)} (size ${x.size}) to ${fmtShape(shape)}`);
  }
  if (shapesEqual(target, x.shape)) return x;
  const y = new Tensor(x.backend.reshape(x, target), target, x.dtype, x.backend);
  return record('reshape', y, [x], (g) => [reshape(g, x.shape)]);
}

/**
 * Merges axes `start..end` (inclusive) into one.
 * @example
 * ```ts
 * import { flatten, zeros } from '@eddy/core';
 * flatten(zeros([2, 3, 4]), 1); // shape [2, 12]
 * ```
 * @category Shape ops
 */
export function flatten(x: Tensor, start = 0, end = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeAxis('flatten', start, x.ndim);
  const e = normalizeAxis('flatten', end, x.ndim);
  const merged = sizeOf(x.shape.slice(s, e + 1));
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}

/**
 * Splits axis `axis` into `sizes`.
 * @example
 * ```ts
 * import { unflatten, zeros } from '@eddy/core';
 * unflatten(zeros([2, 12]), 1, [3, 4]); // shape [2, 3, 4]
 * ```
 * @category Shape ops
 */
export function unflatten(x: Tensor, axis: number, sizes: readonly number[]): Tensor {
  const a = normalizeAxis('unflatten', axis, x.ndim);
  return reshape(x, [...x.shape.slice(0, a), ...sizes, ...x.shape.slice(a + 1)]);
}

/** Materialises a strided view of `x` (one backend kernel for every view op). */
function view(x: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  return new Tensor(x.backend.strided(x, shape, strides, offset), shape, x.dtype, x.backend);
}

/**
 * Reorders axes: axis `i` of the output is axis `perm[i]` of `x`.
 * @example
 * ```ts
 * import { permute, zeros } from '@eddy/core';
 * permute(zeros([2, 3, 4]), [2, 0, 1]); // shape [4, 2, 3]
 * ```
 * @category Shape ops
 */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  const p = perm.map((a) => normalizeAxis('permute', a, x.ndim));
  if (p.length !== x.ndim || new Set(p).size !== p.length) {
    throw new ValueError(`permute: ${JSON.stringify(perm)} is not a permutation of the ${x.ndim} axes of ${fmtShape(x.shape)}`);
  }
  if (p.every((a, i) => a === i)) return x;
  const st = stridesOf(x.shape);
  const y = view(
    x,
    p.map((a) => x.shape[a] as number),
    p.map((a) => st[a] as number),
    0,
  );
  const inv = new Array<number>(p.length);
  p.forEach((a, i) => {
    inv[a] = i;
  });
  return record('permute', y, [x], (g) => [permute(g, inv)]);
}

/**
 * Swaps two axes (the last two by default: the matrix transpose).
 * @example
 * ```ts
 * import { transpose, zeros } from '@eddy/core';
 * transpose(zeros([2, 3])); // shape [3, 2]
 * ```
 * @category Shape ops
 */
export function transpose(x: Tensor, axis0 = -2, axis1 = -1): Tensor {
  const a = normalizeAxis('transpose', axis0, x.ndim);
  const b = normalizeAxis('transpose', axis1, x.ndim);
  const perm = Array.from({ length: x.ndim }, (_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
}

/**
 * Broadcasts to `shape` (NumPy rules: new leading axes, size-1 axes repeated).
 * @example
 * ```ts
 * import { expand, tensor } from '@eddy/core';
 * expand(tensor([1, 2]), [3, 2]); // [[1, 2], [1, 2], [1, 2]]
 * ```
 * @category Shape ops
 */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(x.shape, shape)) return x;
  const out = broadcastShapes('expand', x.shape, shape);
  if (!shapesEqual(out, shape)) {
    throw new ShapeError(`expand: cannot broadcast ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
  }
  const st = stridesOf(x.shape);
  const lead = shape.length - x.ndim;
  const strides = shape.map((d, i) => (i < lead || x.shape[i - lead] !== d ? 0 : (st[i - lead] as number)));
  const y = view(x, shape, strides, 0);
  return record('expand', y, [x], (g) => [sumToShape(g, x.shape)]);
}

/**
 * Alias of {@link expand} with NumPy's name.
 * @example
 * ```ts
 * import { broadcastTo, tensor } from '@eddy/core';
 * broadcastTo(tensor([1]), [4]); // [1, 1, 1, 1]
 * ```
 * @category Shape ops
 */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  return expand(x, shape);
}

/**
 * Removes size-1 axes (only `axis` if given; then it must have size 1).
 * @example
 * ```ts
 * import { squeeze, zeros } from '@eddy/core';
 * squeeze(zeros([2, 1, 3])); // shape [2, 3]
 * ```
 * @category Shape ops
 */
export function squeeze(x: Tensor, axis?: number): Tensor {
  if (axis === undefined)
    return reshape(
      x,
      x.shape.filter((d) => d !== 1),
    );
  const a = normalizeAxis('squeeze', axis, x.ndim);
  if (x.shape[a] !== 1) throw new ShapeError(`squeeze: axis ${axis} of ${fmtShape(x.shape)} has size ${x.shape[a]}, not 1`);
  return reshape(
    x,
    x.shape.filter((_, i) => i !== a),
  );
}

/**
 * Inserts a size-1 axis at `axis` (negative counts from the end of the result).
 * @example
 * ```ts
 * import { unsqueeze, zeros } from '@eddy/core';
 * unsqueeze(zeros([2, 3]), -1); // shape [2, 3, 1]
 * ```
 * @category Shape ops
 */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis('unsqueeze', axis, x.ndim + 1);
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

/**
 * Elements `start, start+step, ...` (before `end`) along `axis`. Negative `start`/`end`
 * count from the end; out-of-range bounds are clipped as in Python slicing.
 * @example
 * ```ts
 * import { arange, slice } from '@eddy/core';
 * slice(arange(0, 10), 0, 2, 8, 3); // [2, 5]
 * ```
 * @category Shape ops
 */
export function slice(x: Tensor, axis: number, start: number, end?: number, step = 1): Tensor {
  const a = normalizeAxis('slice', axis, x.ndim);
  const n = x.shape[a] as number;
  if (!Number.isInteger(step) || step <= 0) throw new ValueError(`slice: step must be a positive integer, got ${step}`);
  const clip = (v: number): number => Math.min(n, Math.max(0, v < 0 ? v + n : v));
  const s = clip(start);
  const e = Math.max(s, end === undefined ? n : clip(end));
  if (step !== 1) return take(x, arange(s, e, step, { dtype: 'int32', backend: x.backend }), a);
  if (s === 0 && e === n) return x;
  const shape = [...x.shape];
  shape[a] = e - s;
  const st = stridesOf(x.shape);
  const y = view(x, shape, st, s * (st[a] as number));
  return record('slice', y, [x], (g) => [padAxis(g, a, s, n - e)]);
}

/**
 * Pads with `value` along `axis`: `before` entries in front, `after` behind.
 * @example
 * ```ts
 * import { padAxis, tensor } from '@eddy/core';
 * padAxis(tensor([1, 2]), 0, 1, 2); // [0, 1, 2, 0, 0]
 * ```
 * @category Shape ops
 */
export function padAxis(x: Tensor, axis: number, before: number, after: number, value = 0): Tensor {
  const a = normalizeAxis('padAxis', axis, x.ndim);
  const parts: Tensor[] = [];
  const side = (k: number): Tensor => {
    const s = [...x.shape];
    s[a] = k;
    return full(s, value, { dtype: x.dtype, backend: x.backend });
  };
  if (before > 0) parts.push(side(before));
  parts.push(x);
  if (after > 0) parts.push(side(after));
  return parts.length === 1 ? x : concat(parts, a);
}

/**
 * Reverses the order along `axis`.
 * @example
 * ```ts
 * import { flip, tensor } from '@eddy/core';
 * flip(tensor([1, 2, 3]), 0); // [3, 2, 1]
 * ```
 * @category Shape ops
 */
export function flip(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis('flip', axis, x.ndim);
  const st = stridesOf(x.shape);
  const n = x.shape[a] as number;
  if (n <= 1) return x;
  const strides = st.map((s, i) => (i === a ? -s : s));
  const y = view(x, x.shape, strides, (n - 1) * (st[a] as number));
  return record('flip', y, [x], (g) => [flip(g, a)]);
}

/**
 * Joins tensors along an existing axis; all other dims and the dtype must match.
 * @example
 * ```ts
 * import { concat, ones, zeros } from '@eddy/core';
 * concat([zeros([2, 3]), ones([1, 3])], 0); // shape [3, 3]
 * ```
 * @category Shape ops
 */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new ValueError('concat: needs at least one tensor');
  const first = xs[0] as Tensor;
  const a = normalizeAxis('concat', axis, first.ndim);
  let total = 0;
  for (const [i, t] of xs.entries()) {
    const ok = t.ndim === first.ndim && t.shape.every((d, j) => j === a || d === first.shape[j]);
    if (!ok) {
      throw new ShapeError(`concat: tensor ${i} has shape ${fmtShape(t.shape)}, which does not match ${fmtShape(first.shape)} off axis ${a}`);
    }
    if (t.dtype !== first.dtype) throw new ShapeError(`concat: tensor ${i} is ${t.dtype}, tensor 0 is ${first.dtype}`);
    total += t.shape[a] as number;
  }
  if (xs.length === 1) return first;
  const shape = [...first.shape];
  shape[a] = total;
  const y = new Tensor(first.backend.concat(xs, a, shape), shape, first.dtype, first.backend);
  return record('concat', y, xs, (g) => {
    let off = 0;
    return xs.map((t) => {
      const n = t.shape[a] as number;
      const part = slice(g, a, off, off + n);
      off += n;
      return part;
    });
  });
}

/**
 * Joins tensors of one shape along a new axis.
 * @example
 * ```ts
 * import { ones, stack, zeros } from '@eddy/core';
 * stack([zeros([3]), ones([3])], 0); // shape [2, 3]
 * ```
 * @category Shape ops
 */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new ValueError('stack: needs at least one tensor');
  const first = xs[0] as Tensor;
  for (const [i, t] of xs.entries()) {
    if (!shapesEqual(t.shape, first.shape)) {
      throw new ShapeError(`stack: tensor ${i} has shape ${fmtShape(t.shape)}, tensor 0 has ${fmtShape(first.shape)}`);
    }
  }
  const a = normalizeAxis('stack', axis, first.ndim + 1);
  return concat(
    xs.map((t) => unsqueeze(t, a)),
    a,
  );
}

/**
 * Splits along `axis` into pieces of the given sizes (or `n` equal pieces).
 * @example
 * ```ts
 * import { arange, split } from '@eddy/core';
 * split(arange(0, 5), [2, 3], 0); // [[0, 1], [2, 3, 4]]
 * ```
 * @category Shape ops
 */
export function split(x: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  const a = normalizeAxis('split', axis, x.ndim);
  const n = x.shape[a] as number;
  let parts: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes <= 0 || n % sizes !== 0) {
      throw new ShapeError(`split: axis ${a} of size ${n} cannot be split into ${sizes} equal parts`);
    }
    parts = new Array<number>(sizes).fill(n / sizes);
  } else parts = [...sizes];
  if (parts.reduce((p, q) => p + q, 0) !== n || parts.some((p) => !Number.isInteger(p) || p < 0)) {
    throw new ShapeError(`split: sizes ${JSON.stringify(parts)} do not add up to axis ${a} of size ${n}`);
  }
  let off = 0;
  return parts.map((p) => {
    const t = slice(x, a, off, off + p);
    off += p;
    return t;
  });
}

/**
 * Entry `index` along `axis`, with that axis removed (`x[..., index, ...]`).
 * @example
 * ```ts
 * import { select, tensor } from '@eddy/core';
 * select(tensor([[1, 2], [3, 4]]), 1, 0); // [1, 3]
 * ```
 * @category Shape ops
 */
export function select(x: Tensor, axis: number, index: number): Tensor {
  const a = normalizeAxis('select', axis, x.ndim);
  const n = x.shape[a] as number;
  if (!Number.isInteger(index) || index < -n || index >= n) {
    throw new ValueError(`select: index ${index} is out of range for axis ${a} of size ${n}`);
  }
  const i = index < 0 ? index + n : index;
  return squeeze(slice(x, a, i, i + 1), a);
}
