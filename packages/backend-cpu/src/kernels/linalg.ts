import type { TypedArray } from '@eddy/core';

/**
 * Solves `op(A) X = B` for one triangular `A` (n×n at `aOff`) and `B` (n×m at `bOff`),
 * writing X at `xOff`. `op(A) = Aᵀ` when `trans`; the effective triangle is lower unless
 * `upper` xor `trans`.
 */
export function triangularSolveOne(
  a: TypedArray, aOff: number, b: TypedArray, bOff: number, x: TypedArray, xOff: number,
  n: number, m: number, upper: boolean, trans: boolean, unit: boolean,
): void {
  const at = (i: number, j: number): number => (trans ? (a[aOff + j * n + i] as number) : (a[aOff + i * n + j] as number));
  const effUpper = upper !== trans;
  const row = new Float64Array(m);
  for (let t = 0; t < n; t++) {
    const i = effUpper ? n - 1 - t : t;
    for (let c = 0; c < m; c++) row[c] = b[bOff + i * m + c] as number;
    const from = effUpper ? i + 1 : 0;
    const to = effUpper ? n : i;
    for (let j = from; j < to; j++) {
      const aij = at(i, j);
      if (aij === 0) continue;
      const xr = xOff + j * m;
      for (let c = 0; c < m; c++) row[c] = (row[c] as number) - aij * (x[xr + c] as number);
    }
    const d = unit ? 1 : at(i, i);
    for (let c = 0; c < m; c++) x[xOff + i * m + c] = (row[c] as number) / d;
  }
}

/** In-place LU with partial pivoting of one n×n block of `lu` at `off`; pivots into `piv` at `pOff`. */
export function luOne(lu: TypedArray, off: number, n: number, piv: Int32Array, pOff: number): void {
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
