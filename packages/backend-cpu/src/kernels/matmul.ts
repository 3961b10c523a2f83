import type { TypedArray } from '@eddy/core';
import { gemmJs } from './gemm.js';

/**
 * Signature of a single (non-batched) matrix-product kernel:
 * `C[m×n] = A[m×k] · B[k×n]`, row-major, starting at the given offsets. It overwrites C.
 *
 * @example
 * ```ts
 * import { type MatmulKernel, matmulJs, setKernel } from '@eddy/backend-cpu';
 * let calls = 0;
 * const counting: MatmulKernel = (a, aOff, b, bOff, c, cOff, m, k, n) => {
 *   calls++;
 *   matmulJs(a, aOff, b, bOff, c, cOff, m, k, n);
 * };
 * setKernel('matmul', counting); // the CPU backend's matmuls now go through it
 * ```
 * @category Kernels
 */
export type MatmulKernel = (a: TypedArray, aOff: number, b: TypedArray, bOff: number, c: TypedArray, cOff: number, m: number, k: number, n: number) => void;

/**
 * The TypeScript matmul: {@link gemmJs} without transposes (B packed in 4-column panels,
 * 4×4 register tiles, float64 arithmetic). The always-present fallback and the oracle for
 * faster kernels.
 *
 * @example
 * ```ts
 * import { matmulJs } from '@eddy/backend-cpu';
 * const c = new Float64Array(4);
 * matmulJs(new Float64Array([1, 2, 3, 4]), 0, new Float64Array([1, 0, 0, 1]), 0, c, 0, 2, 2, 2); // c = [1, 2, 3, 4]
 * ```
 * @category Kernels
 */
export const matmulJs: MatmulKernel = (a, aOff, b, bOff, c, cOff, m, k, n) => gemmJs(false, false, m, n, k, a, aOff, k, b, bOff, n, c, cOff, n, 0);

/**
 * The textbook triple loop, kept only as an independent oracle in tests and as the
 * baseline in benchmarks.
 *
 * @example
 * ```ts
 * import { matmulJs, matmulNaive } from '@eddy/backend-cpu';
 * const [a, b] = [new Float64Array([1, 2, 3, 4]), new Float64Array([5, 6, 7, 8])]; // 2 × 2 each
 * const [c, oracle] = [new Float64Array(4), new Float64Array(4)];
 * matmulJs(a, 0, b, 0, c, 0, 2, 2, 2);
 * matmulNaive(a, 0, b, 0, oracle, 0, 2, 2, 2); // oracle = c = [19, 22, 43, 50]
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
