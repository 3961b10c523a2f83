import { type DType, DTypeError, type TensorInfo } from '@eddy/core';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * The TensorFlow.js dtypes this backend stores.
 *
 * @category Backend
 */
export type TfDType = 'float32' | 'int32' | 'bool';

/**
 * What the GPU backend does with a float64 tensor (TensorFlow.js has no float64):
 *
 * - `'warn'` (default): store it as float32 and print one warning per process; the
 *   tensor keeps its `float64` label, all arithmetic on it is float32, and reads return a
 *   `Float64Array` holding the float32 values;
 * - `'silent'`: the same without the warning;
 * - `'error'`: throw a `DTypeError` naming the operation.
 *
 * @example
 * ```ts
 * import { gpuBackend } from '@eddy/backend-gpu';
 * gpuBackend.options.float64 = 'error';
 * ```
 * @category Backend
 */
export type Float64Policy = 'warn' | 'silent' | 'error';

/**
 * The TensorFlow.js dtype that stores an Eddy dtype (float64 is stored as float32).
 *
 * @category Backend
 */
export function tfDtype(d: DType): TfDType {
  return d === 'float64' ? 'float32' : d;
}

let warned = false;

/**
 * Applies the float64 policy when a float64 tensor reaches the backend.
 *
 * @category Backend
 */
export function checkFloat64(policy: Float64Policy, op: string): void {
  if (policy === 'error') {
    throw new DTypeError(
      `backend gpu: ${op} got a float64 tensor, but TensorFlow.js stores float32 only; use float32 (e.g. { dtype: 'float32' }) or set gpuBackend.options.float64 = 'warn'`,
    );
  }
  if (policy === 'warn' && !warned) {
    warned = true;
    console.warn(
      `[eddy] backend gpu: float64 tensors are stored and computed as float32 (TensorFlow.js has no float64); first seen in ${op}. Set gpuBackend.options.float64 to 'silent' or 'error' to change this.`,
    );
  }
}

/** Resets the one-time float64 warning (tests). @internal */
export function resetFloat64Warning(): void {
  warned = false;
}

/**
 * The TensorFlow.js tensor behind a tensor info.
 *
 * @category Backend
 */
export function h(x: TensorInfo): tf.Tensor {
  return x.handle as tf.Tensor;
}
