import type { TypedArray } from '@eddy/core';

/**
 * Signature of a single (non-batched) matrix-product kernel:
 * `C[m×n] = A[m×k] · B[k×n]`, row-major, starting at the given offsets. It overwrites C.
 *
 * @example
 * ```ts
 * const mm: MatmulKernel = (a, aOff, b, bOff, c, cOff, m, k, n) => { ... };
 * ```
 * @category Kernels
 */
export type MatmulKernel = (
  a: TypedArray,
  aOff: number,
  b: TypedArray,
  bOff: number,
  c: TypedArray,
  cOff: number,
  m: number,
  k: number,
  n: number,
) => void;

let pack = new Float64Array(0);

/**
 * The pure TypeScript matmul: B is packed into panels of 4 columns (contiguous along k),
 * then each 4×4 block of C is accumulated in 16 local variables (register tiling) over
 * the whole k loop. Arithmetic is in float64 for both dtypes. This is the always-present
 * fallback and the oracle for faster kernels.
 *
 * @example
 * ```ts
 * const c = new Float64Array(4);
 * matmulJs(new Float64Array([1, 2, 3, 4]), 0, new Float64Array([1, 0, 0, 1]), 0, c, 0, 2, 2, 2); // c = [1, 2, 3, 4]
 * ```
 * @category Kernels
 */
export const matmulJs: MatmulKernel = (a, aOff, b, bOff, c, cOff, m, k, n) => {
  const panels = Math.ceil(n / 4);
  const need = panels * k * 4;
  if (pack.length < need) pack = new Float64Array(need);
  const bp = pack;
  for (let jb = 0; jb < panels; jb++) {
    const j0 = jb * 4;
    const w = Math.min(4, n - j0);
    let p = jb * k * 4;
    for (let kk = 0; kk < k; kk++, p += 4) {
      const row = bOff + kk * n + j0;
      bp[p] = b[row] as number;
      bp[p + 1] = w > 1 ? (b[row + 1] as number) : 0;
      bp[p + 2] = w > 2 ? (b[row + 2] as number) : 0;
      bp[p + 3] = w > 3 ? (b[row + 3] as number) : 0;
    }
  }
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const r0 = aOff + i * k;
    const r1 = r0 + k;
    const r2 = r1 + k;
    const r3 = r2 + k;
    for (let jb = 0; jb < panels; jb++) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      let p = jb * k * 4;
      for (let kk = 0; kk < k; kk++, p += 4) {
        const b0 = bp[p] as number;
        const b1 = bp[p + 1] as number;
        const b2 = bp[p + 2] as number;
        const b3 = bp[p + 3] as number;
        const a0 = a[r0 + kk] as number;
        const a1 = a[r1 + kk] as number;
        const a2 = a[r2 + kk] as number;
        const a3 = a[r3 + kk] as number;
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
      }
      const j0 = jb * 4;
      const w = Math.min(4, n - j0);
      const o0 = cOff + i * n + j0;
      store(c, o0, w, c00, c01, c02, c03);
      store(c, o0 + n, w, c10, c11, c12, c13);
      store(c, o0 + 2 * n, w, c20, c21, c22, c23);
      store(c, o0 + 3 * n, w, c30, c31, c32, c33);
    }
  }
  for (; i < m; i++) {
    const r0 = aOff + i * k;
    for (let jb = 0; jb < panels; jb++) {
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      let p = jb * k * 4;
      for (let kk = 0; kk < k; kk++, p += 4) {
        const a0 = a[r0 + kk] as number;
        c0 += a0 * (bp[p] as number);
        c1 += a0 * (bp[p + 1] as number);
        c2 += a0 * (bp[p + 2] as number);
        c3 += a0 * (bp[p + 3] as number);
      }
      const j0 = jb * 4;
      store(c, cOff + i * n + j0, Math.min(4, n - j0), c0, c1, c2, c3);
    }
  }
};

function store(c: TypedArray, o: number, w: number, v0: number, v1: number, v2: number, v3: number): void {
  c[o] = v0;
  if (w > 1) c[o + 1] = v1;
  if (w > 2) c[o + 2] = v2;
  if (w > 3) c[o + 3] = v3;
}

/**
 * The textbook triple loop, kept only as an independent oracle in tests and as the
 * baseline in benchmarks.
 *
 * @example
 * ```ts
 * matmulNaive(a, 0, b, 0, c, 0, m, k, n);
 * ```
 * @category Kernels
 */
export const matmulNaive: MatmulKernel = (a, aOff, b, bOff, c, cOff, m, k, n) => {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let kk = 0; kk < k; kk++) s += (a[aOff + i * k + kk] as number) * (b[bOff + kk * n + j] as number);
      c[cOff + i * n + j] = s;
    }
  }
};
