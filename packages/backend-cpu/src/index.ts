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

export { CpuBackend } from './cpu-backend.js';
export { type KernelTable, kernels, setKernel } from './kernel-table.js';
export { type MatmulKernel, matmulJs, matmulNaive } from './kernels/matmul.js';

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
registerBackend(cpuBackend);
