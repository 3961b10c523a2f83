import type { TypedArray } from '@eddy/core';

/**
 * Signature of the general matrix-product kernel: `C = op(A)·op(B)` (plus the old `C`
 * when `beta` is 1) on row-major buffers with leading dimensions and offsets, `op(X)` the
 * transpose when the flag is set. `m × k` times `k × n`.
 *
 * @example
 * ```ts
 * import { type GemmKernel, gemmJs } from '@eddy/backend-cpu';
 * const gemm: GemmKernel = gemmJs;
 * const a = new Float64Array([1, 2, 3, 4, 5, 6]); // 2 × 3
 * const w = new Float64Array([1, 0, 0, 0, 1, 0]); // 2 × 3
 * const c = new Float64Array(4); // 2 × 2
 * gemm(false, true, 2, 2, 3, a, 0, 3, w, 0, 3, c, 0, 2, 0); // c = a · wᵀ = [1, 2, 4, 5]
 * ```
 * @category Kernels
 */
export type GemmKernel = (
  ta: boolean,
  tb: boolean,
  m: number,
  n: number,
  k: number,
  a: TypedArray,
  aOff: number,
  lda: number,
  b: TypedArray,
  bOff: number,
  ldb: number,
  c: TypedArray,
  cOff: number,
  ldc: number,
  beta: number,
) => void;

let pack = new Float64Array(0);

/**
 * The TypeScript matrix product: `op(B)` is packed into panels of 4 columns (contiguous
 * along k), then each 4×4 block of C is accumulated in 16 local variables (register
 * tiling) over the whole k loop, in float64 for both dtypes. The always-present fallback
 * of the native kernels and the oracle in tests.
 *
 * @example
 * ```ts
 * import { gemmJs } from '@eddy/backend-cpu';
 * const c = new Float64Array(4);
 * gemmJs(false, false, 2, 2, 2, new Float64Array([1, 2, 3, 4]), 0, 2, new Float64Array([1, 0, 0, 1]), 0, 2, c, 0, 2, 0); // c = [1, 2, 3, 4]
 * ```
 * @category Kernels
 */
export const gemmJs: GemmKernel = (ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, beta) => {
  if (m === 0 || n === 0) return;
  const ars = ta ? 1 : lda;
  const acs = ta ? lda : 1;
  const brs = tb ? 1 : ldb;
  const bcs = tb ? ldb : 1;
  const panels = Math.ceil(n / 4);
  const need = panels * k * 4;
  if (pack.length < need) pack = new Float64Array(need);
  const bp = pack;
  for (let jb = 0; jb < panels; jb++) {
    const j0 = jb * 4;
    const w = Math.min(4, n - j0);
    let p = jb * k * 4;
    for (let kk = 0; kk < k; kk++, p += 4) {
      const row = bOff + kk * brs + j0 * bcs;
      bp[p] = b[row] as number;
      bp[p + 1] = w > 1 ? (b[row + bcs] as number) : 0;
      bp[p + 2] = w > 2 ? (b[row + 2 * bcs] as number) : 0;
      bp[p + 3] = w > 3 ? (b[row + 3 * bcs] as number) : 0;
    }
  }
  const acc = beta !== 0;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const r0 = aOff + i * ars;
    const r1 = r0 + ars;
    const r2 = r1 + ars;
    const r3 = r2 + ars;
    // biome-ignore format: the micro-kernel's 4×4 register tile reads as a grid, one row per line
    for (let jb = 0; jb < panels; jb++) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      let p = jb * k * 4;
      for (let kk = 0, q = 0; kk < k; kk++, p += 4, q += acs) {
        const b0 = bp[p] as number;
        const b1 = bp[p + 1] as number;
        const b2 = bp[p + 2] as number;
        const b3 = bp[p + 3] as number;
        const a0 = a[r0 + q] as number;
        const a1 = a[r1 + q] as number;
        const a2 = a[r2 + q] as number;
        const a3 = a[r3 + q] as number;
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
      }
      const j0 = jb * 4;
      const w = Math.min(4, n - j0);
      const o0 = cOff + i * ldc + j0;
      store(c, o0, w, acc, c00, c01, c02, c03);
      store(c, o0 + ldc, w, acc, c10, c11, c12, c13);
      store(c, o0 + 2 * ldc, w, acc, c20, c21, c22, c23);
      store(c, o0 + 3 * ldc, w, acc, c30, c31, c32, c33);
    }
  }
  for (; i < m; i++) {
    const r0 = aOff + i * ars;
    for (let jb = 0; jb < panels; jb++) {
      let c0 = 0,
        c1 = 0,
        c2 = 0,
        c3 = 0;
      let p = jb * k * 4;
      for (let kk = 0, q = 0; kk < k; kk++, p += 4, q += acs) {
        const a0 = a[r0 + q] as number;
        c0 += a0 * (bp[p] as number);
        c1 += a0 * (bp[p + 1] as number);
        c2 += a0 * (bp[p + 2] as number);
        c3 += a0 * (bp[p + 3] as number);
      }
      const j0 = jb * 4;
      store(c, cOff + i * ldc + j0, Math.min(4, n - j0), acc, c0, c1, c2, c3);
    }
  }
};

function store(c: TypedArray, o: number, w: number, acc: boolean, v0: number, v1: number, v2: number, v3: number): void {
  if (acc) {
    c[o] = (c[o] as number) + v0;
    if (w > 1) c[o + 1] = (c[o + 1] as number) + v1;
    if (w > 2) c[o + 2] = (c[o + 2] as number) + v2;
    if (w > 3) c[o + 3] = (c[o + 3] as number) + v3;
    return;
  }
  c[o] = v0;
  if (w > 1) c[o + 1] = v1;
  if (w > 2) c[o + 2] = v2;
  if (w > 3) c[o + 3] = v3;
}
