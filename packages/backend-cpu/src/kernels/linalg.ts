import type { TypedArray } from '@eddy/core';

/**
 * Solves `op(A) X = B` for one triangular `A` (n×n at `aOff`) and `B` (n×m at `bOff`),
 * writing X at `xOff`. `op(A) = Aᵀ` when `trans`; the effective triangle is lower unless
 * `upper` xor `trans`.
 * @category Kernels
 */
export function triangularSolveOne(
  a: TypedArray,
  aOff: number,
  b: TypedArray,
  bOff: number,
  x: TypedArray,
  xOff: number,
  n: number,
  m: number,
  upper: boolean,
  trans: boolean,
  unit: boolean,
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
