import type { TypedArray } from './dtype.js';

/**
 * LU factorisation with partial pivoting of one row-major `n × n` block of `lu` at
 * `off`, in place on the host (Doolittle: unit-lower L below the diagonal, U on and
 * above); the row swapped with row `k` at step `k` goes to `piv[pOff + k]` (0-based, as
 * LAPACK's getrf). Backends share it for their `lu` kernel (pivoting is data-dependent,
 * and the matrices of flows are small).
 *
 * @example
 * ```ts
 * import { luInPlace } from '@eddy/core';
 * const a = Float64Array.of(1, 2, 3, 4);
 * const piv = new Int32Array(2);
 * luInPlace(a, 0, 2, piv, 0); // a = [3, 4, 1/3, 2/3], piv = [1, 1]
 * ```
 * @category Linear algebra
 */
export function luInPlace(lu: TypedArray, off: number, n: number, piv: Int32Array, pOff: number): void {
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(lu[off + k * n + k] as number);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(lu[off + i * n + k] as number);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    piv[pOff + k] = p;
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = lu[off + k * n + j] as number;
        lu[off + k * n + j] = lu[off + p * n + j] as number;
        lu[off + p * n + j] = t;
      }
    }
    const d = lu[off + k * n + k] as number;
    if (d === 0) continue;
    for (let i = k + 1; i < n; i++) {
      const f = (lu[off + i * n + k] as number) / d;
      lu[off + i * n + k] = f;
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) lu[off + i * n + j] = (lu[off + i * n + j] as number) - f * (lu[off + k * n + j] as number);
    }
  }
}
