import type { TypedArray } from '@eddy/core';

/**
 * Signature of the fused Adam step on one parameter of `n` elements (`m`, `v` `null` on
 * the first step); writes the new parameter and moments.
 * @category Kernels
 */
export type AdamKernel = (
  n: number,
  p: TypedArray,
  g: TypedArray,
  m: TypedArray | null,
  v: TypedArray | null,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  weightDecay: number,
  decoupled: boolean,
  step: number,
  pOut: TypedArray,
  mOut: TypedArray,
  vOut: TypedArray,
) => void;

/**
 * The TypeScript Adam step (PyTorch's formulas, as core's composed `Adam`): L2 or
 * decoupled weight decay, moments, bias corrections `1 − βᵗ`, `p − lr·m̂/(√v̂ + eps)`.
 *
 * @example
 * ```ts
 * import { adamJs } from '@eddy/backend-cpu';
 * const p = new Float64Array([1, 2]);
 * const g = new Float64Array([0.5, -0.5]);
 * const [pOut, mOut, vOut] = [new Float64Array(2), new Float64Array(2), new Float64Array(2)];
 * // the first step (no moments yet: null, null) moves each parameter by lr against its gradient
 * adamJs(2, p, g, null, null, 1e-3, 0.9, 0.999, 1e-8, 0, false, 1, pOut, mOut, vOut); // pOut ≈ [0.999, 2.001]
 * ```
 * @category Kernels
 */
export const adamJs: AdamKernel = (n, p, g, m, v, lr, b1, b2, eps, wd, decoupled, step, po, mo, vo) => {
  const c1 = 1 - b1 ** step;
  const c2 = 1 - b2 ** step;
  for (let i = 0; i < n; i++) {
    let pi = p[i] as number;
    let gi = g[i] as number;
    if (wd !== 0) {
      if (decoupled) pi *= 1 - lr * wd;
      else gi += pi * wd;
    }
    const mi = (m === null ? 0 : (m[i] as number) * b1) + gi * (1 - b1);
    const vi = (v === null ? 0 : (v[i] as number) * b2) + gi * gi * (1 - b2);
    po[i] = pi - (mi / c1 / (Math.sqrt(vi / c2) + eps)) * lr;
    mo[i] = mi;
    vo[i] = vi;
  }
};
