import type { TypedArray } from '@eddy/core';
import { type AffineKernel, type AffineVjpKernel, affineJs, affineVjpJs } from './kernels/affine.js';
import { type GemmKernel, gemmJs } from './kernels/gemm.js';
import { type AdamKernel, adamJs } from './kernels/adam.js';
import { type LinearBackwardKernel, type LinearKernel, type MlpKernel, actVjpJs, colsumJs, linearBackwardJs, linearJs, mlpJs } from './kernels/linear.js';
import { type MatmulKernel, matmulJs } from './kernels/matmul.js';
import { normalLogProbJs, normalLogProbVjpJs } from './kernels/normal.js';
import { type MadeInverseKernel, madeInverseJs } from './kernels/made-inverse.js';
import { type RandomKernel, randomJs } from './kernels/random.js';
import { type RqsKernel, type RqsVjpKernel, rqsJs, rqsVjpJs } from './kernels/rqs.js';

/**
 * The hot kernels of the CPU backend, behind one table so that a faster implementation
 * (the native addon `@eddy/cpu-native`) can replace them without touching the rest. The
 * TypeScript kernels ({@link jsKernels}) are the defaults and stay available as the
 * oracle in tests. All of them compute each row independently of the others.
 *
 * @example
 * ```ts
 * import { kernels, setKernel, jsKernels } from '@eddy/backend-cpu';
 * setKernel('matmul', jsKernels.matmul); // force the TypeScript matmul
 * ```
 * @category Kernels
 */
export interface KernelTable {
  /** `C[m×n] = A[m×k] · B[k×n]` on row-major buffers. */
  matmul: MatmulKernel;
  /** `C = op(A)·op(B) (+ C)` with transposes, offsets and leading dimensions. */
  gemm: GemmKernel;
  /** The fused linear layer `act(Σ_b X_b W_bᵀ + bias)`. */
  linear: LinearKernel;
  /** Its backward (activation gradient, input, weight and bias gradients). */
  linearBackward: LinearBackwardKernel;
  /** A whole multilayer perceptron forward, hidden activations kept per row tile. */
  mlp: MlpKernel;
  /** `out = g · act'(y)`. */
  actVjp: (n: number, act: number, g: TypedArray, y: TypedArray, out: TypedArray) => void;
  /** Column sums of a row-major `[m, n]` array. */
  colsum: (m: number, n: number, a: TypedArray, out: TypedArray) => void;
  /** The monotonic rational-quadratic spline. */
  rqs: RqsKernel;
  /** Its vector-Jacobian product. */
  rqsVjp: RqsVjpKernel;
  /** The monotonic affine map. */
  affine: AffineKernel;
  /** Its vector-Jacobian product. */
  affineVjp: AffineVjpKernel;
  /** Diagonal normal log-density summed over the features of each row. */
  normalLogProb: (rows: number, d: number, z: TypedArray, loc: TypedArray, scale: TypedArray, out: TypedArray) => void;
  /** Its gradient with respect to `z`. */
  normalLogProbVjp: (rows: number, d: number, z: TypedArray, loc: TypedArray, scale: TypedArray, g: TypedArray, gz: TypedArray) => void;
  /** One Adam step on one parameter. */
  adam: AdamKernel;
  /** The incremental inverse of a masked autoregressive transform; false where not taken (TypeScript: always). */
  madeInverse: MadeInverseKernel;
  /** Draws `offset .. offset + n − 1` of `(seed, stream)`: kind 0 uniforms, 1 normals (Philox4x32-10). */
  random: RandomKernel;
}

/**
 * The TypeScript kernels (always available; the reference the native ones are tested
 * against).
 *
 * @example
 * ```ts
 * import { jsKernels, matmulJs } from '@eddy/backend-cpu';
 * jsKernels.matmul === matmulJs; // true
 * ```
 * @category Kernels
 */
export const jsKernels: Readonly<KernelTable> = Object.freeze({
  matmul: matmulJs,
  gemm: gemmJs,
  linear: linearJs,
  linearBackward: linearBackwardJs,
  mlp: mlpJs,
  actVjp: actVjpJs,
  colsum: colsumJs,
  rqs: rqsJs,
  rqsVjp: rqsVjpJs,
  affine: affineJs,
  affineVjp: affineVjpJs,
  normalLogProb: normalLogProbJs,
  normalLogProbVjp: normalLogProbVjpJs,
  adam: adamJs,
  random: randomJs,
  madeInverse: madeInverseJs,
});

/**
 * The active kernels: the native ones where `@eddy/cpu-native` loaded, else
 * {@link jsKernels}.
 *
 * @example
 * ```ts
 * import { kernels } from '@eddy/backend-cpu';
 * const [m, k, n] = [2, 3, 2];
 * const [a, b, c] = [new Float64Array(m * k).fill(1), new Float64Array(k * n).fill(1), new Float64Array(m * n)];
 * kernels.matmul(a, 0, b, 0, c, 0, m, k, n); // c = a·b: all 3
 * ```
 * @category Kernels
 */
export const kernels: KernelTable = { ...jsKernels };

/**
 * Replaces one kernel of {@link kernels}.
 *
 * @example
 * ```ts
 * import { matmulJs, setKernel } from '@eddy/backend-cpu';
 * setKernel('matmul', matmulJs);
 * ```
 * @category Kernels
 */
export function setKernel<K extends keyof KernelTable>(name: K, impl: KernelTable[K]): void {
  kernels[name] = impl;
}
