/**
 * `@eddy/backend-gpu`: Eddy's backend on TensorFlow.js — CUDA through
 * `@tensorflow/tfjs-node-gpu` where it is installed, else native TensorFlow on the CPU
 * (`@tensorflow/tfjs-node`), else pure-JS TensorFlow.js (`@tensorflow/tfjs-backend-cpu`).
 *
 * Importing the package registers the backend under the name `gpu`. Core's
 * `registerBackend` makes the first backend registered in the process the active one, so
 * `gpu` becomes active only if no backend was registered before it (e.g. when it is
 * imported before `@eddy/backend-cpu`, or alone); otherwise select it with
 * `setBackend('gpu')`. The TensorFlow.js engine is chosen when the first tensor is
 * created on the backend (or by {@link useEngine}) and named in one `console.info` line.
 *
 * @example
 * ```ts
 * import '@eddy/backend-cpu';
 * import '@eddy/backend-gpu';
 * import { setBackend } from '@eddy/core';
 * setBackend('gpu'); // tensors created from here on live on TensorFlow.js
 * ```
 *
 * @packageDocumentation
 */
import { registerBackend } from '@eddy/core';
import { GpuBackend } from './gpu-backend.js';

export { GpuBackend, type GpuBackendOptions } from './gpu-backend.js';
export type { Float64Policy } from './dtype.js';
export {
  ENGINE_ENV,
  ENGINE_ORDER,
  type EngineInfo,
  type EngineName,
  type SkippedEngine,
  engineInfo,
  engineName,
  setEngineLogging,
  useEngine,
} from './engine.js';

/**
 * The instance registered as `gpu` on import.
 *
 * @example
 * ```ts
 * import { gpuBackend } from '@eddy/backend-gpu';
 * gpuBackend.options.checkIndices = false; // skip the index range read-back in hot loops
 * ```
 * @category Backend
 */
export const gpuBackend: GpuBackend = new GpuBackend();
registerBackend(gpuBackend);
