import type { TypedArray } from '@eddy/core';
import { type GemmKernel, gemmJs } from './gemm.js';

/**
 * Activation codes of the fused kernels: 0 none, 1 ReLU.
 *
 * @example
 * ```ts
 * import { ACT_CODES } from '@eddy/backend-cpu';
 * ACT_CODES.relu; // 1
 * ```
 * @category Kernels
 */
export const ACT_CODES = {
  /** No activation. */
  none: 0,
  /** ReLU. */
  relu: 1,
} as const;

/**
 * Signature of the fused linear kernel: `Y[m×n] = act(Σ_b X_b · W[:, c_b:c_b+k_b]ᵀ + bias)`,
 * `X_b` row-major `[m, k_b]` (`k_b = X_b.length / m`), `W` row-major `[n, Σ k_b]`.
 * @category Kernels
 */
export type LinearKernel = (m: number, n: number, xs: readonly TypedArray[], w: TypedArray, bias: TypedArray | null, act: number, y: TypedArray) => void;

/**
 * The TypeScript fused linear layer: one {@link gemmJs} per input block accumulating into
 * `Y`, then bias and activation in one pass.
 *
 * @example
 * ```ts
 * import { linearJs } from '@eddy/backend-cpu';
 * const y = new Float64Array(2);
 * linearJs(1, 2, [new Float64Array([1, 1])], new Float64Array([1, 2, 3, 4]), null, 0, y); // y = [3, 7]
 * ```
 * @category Kernels
 */
export const linearJs: LinearKernel = (m, n, xs, w, bias, act, y) => linearWith(gemmJs, m, n, xs, w, bias, act, y);

/** The fused linear layer on any gemm kernel. @internal */
export function linearWith(
  gemm: GemmKernel,
  m: number,
  n: number,
  xs: readonly TypedArray[],
  w: TypedArray,
  bias: TypedArray | null,
  act: number,
  y: TypedArray,
): void {
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
 * import { ACT_CODES, actVjpJs } from '@eddy/backend-cpu';
 * const out = new Float64Array(2);
 * // ReLU: the gradient passes where the output is positive
 * actVjpJs(2, ACT_CODES.relu, new Float64Array([1, 1]), new Float64Array([0, 2]), out); // out = [0, 1]
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
 * import { colsumJs } from '@eddy/backend-cpu';
 * const out = new Float64Array(2);
 * colsumJs(2, 2, new Float64Array([1, 2, 3, 4]), out); // out = [4, 6]
 * ```
 * @category Kernels
 */
export function colsumJs(m: number, n: number, a: TypedArray, out: TypedArray): void {
  const acc = new Float64Array(n);
  for (let i = 0, o = 0; i < m; i++) for (let j = 0; j < n; j++, o++) acc[j] = (acc[j] as number) + (a[o] as number);
  out.set(acc);
}

/**
 * Signature of the fused linear layer's backward kernel: given `G = ∂L/∂Y` (`[m, n]`) and,
 * for a ReLU layer, its output `y` (else `null`), writes `gxs[b] = G'·W[:, c_b:c_b+k_b]`
 * (where not `null`), `gw = G'ᵀ·[X_b]` and `gb = Σ_rows G'`, with `G' = G ⊙ act'(y)`.
 * @category Kernels
 */
export type LinearBackwardKernel = (
  m: number,
  n: number,
  g: TypedArray,
  y: TypedArray | null,
  xs: readonly TypedArray[],
  w: TypedArray,
  gxs: ReadonlyArray<TypedArray | null>,
  gw: TypedArray | null,
  gb: TypedArray | null,
) => void;

/**
 * The TypeScript backward of the fused linear layer: the activation gradient, then one
 * {@link gemmJs} per requested input block and per weight block, and column sums.
 *
 * @example
 * ```ts
 * import { linearBackwardJs } from '@eddy/backend-cpu';
 * // the layer of linearJs's example: one row x = [1, 2], W = [[1, 2], [3, 4]], no activation (y null)
 * const [x, w] = [new Float64Array([1, 2]), new Float64Array([1, 2, 3, 4])];
 * const [gx, gw, gb] = [new Float64Array(2), new Float64Array(4), new Float64Array(2)];
 * linearBackwardJs(1, 2, new Float64Array([1, 1]), null, [x], w, [gx], gw, gb); // gx = [4, 6], gw = [1, 2, 1, 2], gb = [1, 1]
 * ```
 * @category Kernels
 */
export const linearBackwardJs: LinearBackwardKernel = (m, n, g, y, xs, w, gxs, gw, gb) => {
  let gz = g;
  if (y !== null) {
    gz = new (g.constructor as new (n: number) => TypedArray)(m * n);
    actVjpJs(m * n, 1, g, y, gz);
  }
  let K = 0;
  for (const x of xs) K += x.length / m;
  let col = 0;
  for (const [b, x] of xs.entries()) {
    const kb = x.length / m;
    const gx = gxs[b];
    if (gx !== null && gx !== undefined) gemmJs(false, false, m, kb, n, gz, 0, n, w, col, K, gx, 0, kb, 0);
    if (gw !== null) gemmJs(true, false, n, kb, m, gz, 0, n, x, 0, kb, gw, col, K, 0);
    col += kb;
  }
  if (gb !== null) colsumJs(m, n, gz, gb);
};

/**
 * Signature of the fused multilayer-perceptron kernel (forward only):
 * `out = act_L(... act_1([X_b] W_1ᵀ + b_1) ... W_Lᵀ + b_L)` with `ws[l]` row-major
 * `[n_l × n_{l−1}]`; returns whether it ran (else the caller applies the layers one by one).
 * @category Kernels
 */
export type MlpKernel = (
  m: number,
  xs: readonly TypedArray[],
  ws: readonly TypedArray[],
  bs: ReadonlyArray<TypedArray | null>,
  acts: readonly number[],
  out: TypedArray,
) => boolean;

/**
 * The TypeScript MLP forward: {@link linearJs} layer after layer.
 *
 * @example
 * ```ts
 * import { ACT_CODES, mlpJs } from '@eddy/backend-cpu';
 * const x = new Float64Array([1, 2]); // one row of 2 features
 * const w1 = new Float64Array([1, -1, 1, 1]); // 2 → 2, then ReLU
 * const w2 = new Float64Array([1, 1]); // 2 → 1, bias 0.5
 * const out = new Float64Array(1);
 * mlpJs(1, [x], [w1, w2], [null, new Float64Array([0.5])], [ACT_CODES.relu, ACT_CODES.none], out); // true; out = [3.5]
 * ```
 * @category Kernels
 */
export const mlpJs: MlpKernel = (m, xs, ws, bs, acts, out) => mlpWith(linearJs, m, xs, ws, bs, acts, out);

/** The MLP forward layer by layer on any linear kernel. @internal */
export function mlpWith(linear: LinearKernel, ...[m, xs, ws, bs, acts, out]: Parameters<MlpKernel>): boolean {
  let input: readonly TypedArray[] = xs;
  for (let l = 0; l < ws.length; l++) {
    const w = ws[l] as TypedArray;
    const K = input.reduce((s, x) => s + x.length / m, 0);
    const n = w.length / K;
    const y = l === ws.length - 1 ? out : new (out.constructor as new (len: number) => TypedArray)(m * n);
    linear(m, n, input, w, bs[l] ?? null, acts[l] as number, y);
    input = [y];
  }
  return true;
}
