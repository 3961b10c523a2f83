import type { TypedArray } from '@eddy/core';
import { type GemmKernel, gemmJs } from './gemm.js';

/**
 * Activation codes of the fused kernels: 0 none, 1 ReLU.
 *
 * @example
 * ```ts
 * ACT_CODES.relu; // 1
 * ```
 * @category Kernels
 */
export const ACT_CODES = { none: 0, relu: 1 } as const;

/**
 * Signature of the fused linear kernel: `Y[m×n] = act(Σ_b X_b · W[:, c_b:c_b+k_b]ᵀ + bias)`,
 * `X_b` row-major `[m, k_b]` (`k_b = X_b.length / m`), `W` row-major `[n, Σ k_b]`.
 *
 * @example
 * ```ts
 * const k: LinearKernel = linearJs;
 * ```
 * @category Kernels
 */
export type LinearKernel = (m: number, n: number, xs: readonly TypedArray[], w: TypedArray, bias: TypedArray | null, act: number, y: TypedArray) => void;

/**
 * The TypeScript fused linear layer: one {@link gemmJs} per input block accumulating into
 * `Y`, then bias and activation in one pass.
 *
 * @example
 * ```ts
 * const y = new Float64Array(2);
 * linearJs(1, 2, [new Float64Array([1, 1])], new Float64Array([1, 2, 3, 4]), null, 0, y); // y = [3, 7]
 * ```
 * @category Kernels
 */
export const linearJs: LinearKernel = (m, n, xs, w, bias, act, y) => linearWith(gemmJs, m, n, xs, w, bias, act, y);

/** The fused linear layer on any gemm kernel. @internal */
export function linearWith(gemm: GemmKernel, m: number, n: number, xs: readonly TypedArray[], w: TypedArray, bias: TypedArray | null, act: number, y: TypedArray): void {
  let K = 0;
  for (const x of xs) K += x.length / m;
  let col = 0;
  for (const [b, x] of xs.entries()) {
    const kb = x.length / m;
    gemm(false, true, m, n, kb, x, 0, kb, w, col, K, y, 0, n, b > 0 ? 1 : 0);
    col += kb;
  }
  if (bias === null && act === 0) return;
  for (let i = 0, o = 0; i < m; i++) {
    for (let j = 0; j < n; j++, o++) {
      let v = y[o] as number;
      if (bias !== null) v += bias[j] as number;
      if (act === 1) v = v > 0 ? v : Number.isNaN(v) ? v : 0;
      y[o] = v;
    }
  }
}

/**
 * `out = g · act'(y)` for an activation given by its code, from the activation's output.
 *
 * @example
 * ```ts
 * actVjpJs(2, 1, new Float64Array([1, 1]), new Float64Array([0, 2]), out); // out = [0, 1]
 * ```
 * @category Kernels
 */
export function actVjpJs(n: number, act: number, g: TypedArray, y: TypedArray, out: TypedArray): void {
  for (let i = 0; i < n; i++) out[i] = act === 1 ? ((y[i] as number) > 0 ? (g[i] as number) : 0) : (g[i] as number);
}

/**
 * Column sums of a row-major `[m, n]` array, rows in order.
 *
 * @example
 * ```ts
 * colsumJs(2, 2, new Float64Array([1, 2, 3, 4]), out); // out = [4, 6]
 * ```
 * @category Kernels
 */
export function colsumJs(m: number, n: number, a: TypedArray, out: TypedArray): void {
  const acc = new Float64Array(n);
  for (let i = 0, o = 0; i < m; i++) for (let j = 0; j < n; j++, o++) acc[j] = (acc[j] as number) + (a[o] as number);
  out.set(acc);
}
