/**
 * `@eddy/backend-cpu`: Eddy's CPU backend. Importing this package registers it under the
 * name `cpu` and makes it the active backend if none is active yet.
 *
 * @example
 * ```ts
 * import '@eddy/backend-cpu';
 * import { tensor } from '@eddy/core';
 * tensor([1, 2, 3]).sum().item(); // 6
 * ```
 *
 * @packageDocumentation
 */
import { registerBackend } from '@eddy/core';
import { CpuBackend } from './cpu-backend.js';
import { useNativeKernels } from './native.js';

export { CpuBackend } from './cpu-backend.js';
export { type KernelTable, jsKernels, kernels, setKernel } from './kernel-table.js';
export { type MatmulKernel, matmulJs, matmulNaive } from './kernels/matmul.js';
export { type GemmKernel, gemmJs } from './kernels/gemm.js';
export {
  ACT_CODES,
  type LinearBackwardKernel,
  type LinearKernel,
  type MlpKernel,
  actVjpJs,
  colsumJs,
  linearBackwardJs,
  linearJs,
  mlpJs,
} from './kernels/linear.js';
export { type AdamKernel, adamJs } from './kernels/adam.js';
export { type RqsKernel, type RqsVjpKernel, rqsJs, rqsVjpJs } from './kernels/rqs.js';
export { type AffineKernel, type AffineVjpKernel, affineJs, affineVjpJs } from './kernels/affine.js';
export { normalLogProbJs, normalLogProbVjpJs } from './kernels/normal.js';
export { type RandomKernel, randomJs } from './kernels/random.js';
export { type MadeInverseKernel, madeInverseJs } from './kernels/made-inverse.js';
export { cpuFused } from './fused.js';
export { type KernelInfo, adviseHugePages, kernelInfo, useNativeKernels } from './native.js';

/**
 * The instance registered as `cpu` on import.
 *
 * @example
 * ```ts
 * import { cpuBackend } from '@eddy/backend-cpu';
 * cpuBackend.name; // 'cpu'
 * ```
 * @category Backend
 */
export const cpuBackend: CpuBackend = new CpuBackend();
useNativeKernels(true);
registerBackend(cpuBackend);
