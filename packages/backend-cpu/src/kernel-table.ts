import { type MatmulKernel, matmulJs } from './kernels/matmul.js';

/**
 * The hot kernels of the CPU backend, behind one table so that a faster implementation
 * (a native addon, WebAssembly SIMD) can replace one without touching the rest. The pure
 * TypeScript kernels are the defaults and stay available as the oracle in tests.
 *
 * @example
 * ```ts
 * import { kernels, setKernel } from '@eddy/backend-cpu';
 * const js = kernels.matmul;
 * setKernel('matmul', myWasmMatmul);
 * setKernel('matmul', js); // back to the default
 * ```
 * @category Kernels
 */
export interface KernelTable {
  /** `C[m×n] = A[m×k] · B[k×n]` on row-major buffers. */
  matmul: MatmulKernel;
}

/**
 * The active kernels.
 *
 * @example
 * ```ts
 * kernels.matmul === matmulJs; // true by default
 * ```
 * @category Kernels
 */
export const kernels: KernelTable = { matmul: matmulJs };

/**
 * Replaces one kernel of {@link kernels}.
 *
 * @example
 * ```ts
 * setKernel('matmul', matmulJs);
 * ```
 * @category Kernels
 */
export function setKernel<K extends keyof KernelTable>(name: K, impl: KernelTable[K]): void {
  kernels[name] = impl;
}
