import { chargeAllocation } from './allocation-limit.js';
import { ShapeError, ValueError, fmtShape } from './errors.js';

/**
 * A tensor shape: the size of each axis, outermost first.
 * @category Tensors
 */
export type Shape = readonly number[];

/**
 * Number of elements of a shape (1 for a scalar shape `[]`).
 *
 * @example
 * ```ts
 * import { sizeOf } from '@eddy/core';
 * sizeOf([2, 3]); // 6
 * ```
 * @category Tensors
 */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Row-major (C order) strides of a shape, in elements.
 *
 * @example
 * ```ts
 * import { stridesOf } from '@eddy/core';
 * stridesOf([2, 3, 4]); // [12, 4, 1]
 * ```
 * @category Tensors
 */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i] as number;
  }
  return s;
}

/**
 * NumPy broadcasting of two or more shapes; throws a {@link ShapeError} naming `op`.
 *
 * @example
 * ```ts
 * import { broadcastShapes } from '@eddy/core';
 * broadcastShapes('add', [2, 1], [3]); // [2, 3]
 * ```
 * @category Tensors
 */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const nd = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(nd).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = nd - s.length + i;
      const d = s[i] as number;
      const cur = out[o] as number;
      if (d === cur || d === 1) continue;
      if (cur === 1) out[o] = d;
      else throw new ShapeError(`${op}: shapes ${shapes.map(fmtShape).join(' and ')} do not broadcast`);
    }
  }
  return out;
}

/**
 * Normalises a possibly negative axis for a tensor of rank `ndim` (`-1` is the last axis).
 *
 * @example
 * ```ts
 * import { normalizeAxis } from '@eddy/core';
 * normalizeAxis('sum', -1, 3); // 2
 * ```
 * @category Tensors
 */
export function normalizeAxis(op: string, axis: number, ndim: number): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    throw new ValueError(`${op}: axis ${axis} is out of range for a tensor of rank ${ndim}`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/**
 * Whether two shapes are equal.
 *
 * @example
 * ```ts
 * import { shapesEqual } from '@eddy/core';
 * shapesEqual([2, 3], [2, 3]); // true
 * ```
 * @category Tensors
 */
export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Checks that a shape is a list of non-negative integers.
 *
 * @example
 * ```ts
 * import { checkShape } from '@eddy/core';
 * checkShape('zeros', [2, 3]);
 * ```
 * @category Tensors
 */
export function checkShape(op: string, shape: Shape): void {
  if (!Array.isArray(shape)) throw new ValueError(`${op}: shape must be an array of integers, got ${String(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ValueError(`${op}: shape ${fmtShape(shape)} must hold non-negative integers`);
    }
  }
  chargeAllocation(op, shape);
}
