import { type DType, ShapeError, type Tensor, type TensorLike, ValueError, fmtShape, isfinite, log, logicalNot, mul, special, tensor, where } from '@eddy/core';
import { broadcastParams } from './params.js';

/**
 * Small shared helpers of the distributions (not part of the public API).
 * @internal
 * @module
 */

/**
 * {@link broadcastParams} with an error that names every parameter and its shape when
 * they do not broadcast. @internal
 */
export function namedParams(
  owner: string,
  named: Readonly<Record<string, TensorLike>>,
): { tensors: Tensor[]; batchShape: number[]; dtype: 'float32' | 'float64' } {
  const names = Object.keys(named);
  const values = Object.values(named);
  try {
    return broadcastParams(owner, values);
  } catch (e) {
    if (!(e instanceof ShapeError)) throw e;
    const desc = names.map((n, i) => {
      const v = values[i] as TensorLike;
      return `${n} of shape ${fmtShape(typeof v === 'number' ? [] : v.shape)}`;
    });
    throw new ShapeError(`${owner}: parameter shapes do not broadcast: ${desc.join(', ')}`);
  }
}

/** Throws a {@link ValueError} naming `arg` if any entry of `t` is NaN or infinite. @internal */
export function checkFinite(owner: string, arg: string, t: Tensor): void {
  const bad = logicalNot(isfinite(t)).dataSync();
  const i = bad.indexOf(1);
  if (i >= 0) throw new ValueError(`${owner}: ${arg} must be finite, got ${t.dataSync()[i]} at flat index ${i}`);
}

/**
 * `base`, the per-coordinate distribution of a vector event, after checking that it has
 * a batch axis to become the event axis; else a {@link ShapeError} saying which
 * parameters (`params`) of `owner` need one. @internal
 */
export function withEventAxis<D extends { readonly batchShape: readonly number[] }>(owner: string, params: string, base: D): D {
  if (base.batchShape.length === 0) {
    throw new ShapeError(`${owner}: ${params} need at least one axis (the event axis), got scalars`);
  }
  return base;
}

/** Throws a {@link ValueError} unless `n` is an integer in `[min, max]`. @internal */
export function checkInteger(owner: string, arg: string, n: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new ValueError(`${owner}: ${arg} must be an integer ${range}, got ${n}`);
  }
}

/**
 * `x` where `inside` holds and a harmless stand-in (`safe`) elsewhere: the value handed
 * to a formula whose result is then discarded by `where(inside, …, -∞)`, so that the
 * branch not taken can produce neither NaN values nor NaN gradients. @internal
 */
export function guard(inside: Tensor, x: Tensor, safe = 1): Tensor {
  return where(inside, x, safe);
}

/** `where(inside, lp, -∞)`: the log-density with `-∞` outside the support. @internal */
export function outside(inside: Tensor, lp: Tensor): Tensor {
  return where(inside, lp, Number.NEGATIVE_INFINITY);
}

/** `a · log x` with `0 · log 0 = 0` (PyTorch's `xlogy`), safe for gradients. @internal */
export function xlogy(a: Tensor, x: Tensor): Tensor {
  const zero = a.eq(0);
  return where(zero, 0, mul(a, log(where(zero, 1, x))));
}

/**
 * `log n!`: the log of the float64 product `1·2·…·n` for `n ≤ 170` (as zuko's
 * `math.log(math.factorial(n))`, to the last bit or so), else `lgamma(n + 1)`. @internal
 */
export function logFactorial(n: number): number {
  if (n > 170) return special.lgamma(n + 1);
  let p = 1;
  for (let k = 2; k <= n; k++) p *= k;
  return Math.log(p);
}

/** Machine epsilon of a float dtype. @internal */
export function epsOf(dtype: DType): number {
  return dtype === 'float32' ? 1.1920928955078125e-7 : Number.EPSILON;
}

/**
 * Sorts the last axis of `x` on the host (no gradient): ascending, or descending.
 * NaN entries go last. @internal
 */
export function hostSortLastAxis(x: Tensor, descending: boolean): Tensor {
  const n = x.shape[x.ndim - 1] as number;
  const data = Float64Array.from(x.dataSync());
  for (let off = 0; off < data.length; off += n) {
    const row = data.subarray(off, off + n);
    row.sort();
    if (descending) {
      // Reverse the finite part, keeping NaNs last.
      let m = n;
      while (m > 0 && Number.isNaN(row[m - 1] as number)) m--;
      row.subarray(0, m).reverse();
    }
  }
  return tensor(data, { shape: x.shape, dtype: x.dtype, backend: x.backend });
}
