import {
  type Backend,
  type BackendLU,
  type BinaryOp,
  type DType,
  EddyError,
  type ReduceOp,
  type Shape,
  type TensorInfo,
  type TypedArray,
  type UnaryOp,
  sizeOf,
} from '@eddy/core';
import * as tf from '@tensorflow/tfjs-core';
import { type Float64Policy, checkFloat64, h, tfDtype } from './dtype.js';
import { engineChosen, useEngine } from './engine.js';
import { binaryKernel, castKernel, unaryKernel, whereKernel } from './kernels/elementwise.js';
import { gatherKernel, scatterAddKernel, searchsortedKernel } from './kernels/gather.js';
import { luHost, triangularSolveKernel } from './kernels/linalg.js';
import { matmulKernel } from './kernels/matmul.js';
import { cumsumKernel, reduceKernel } from './kernels/reduce.js';
import { stridedKernel } from './kernels/strided.js';

/**
 * Settings of a {@link GpuBackend} (mutable through `backend.options`).
 * @category Backend
 */
export interface GpuBackendOptions {
  /** What to do with float64 tensors (default `'warn'`); see {@link Float64Policy}. */
  float64: Float64Policy;
  /**
   * Check that gather/scatterAdd indices are in range and throw like the CPU backend
   * (default true). Each check reads two numbers back from the device; turn it off in hot
   * loops whose indices are known to be valid (out-of-range indices then give
   * engine-specific results: zeros on CUDA).
   */
  checkIndices: boolean;
}

/**
 * Eddy's backend on TensorFlow.js: storage is `tf.Tensor`s of the engine chosen by
 * {@link useEngine} (CUDA through `@tensorflow/tfjs-node-gpu`, else native or pure-JS
 * TensorFlow.js on the CPU). Every kernel runs inside `tf.tidy`, so its intermediates are
 * freed; the tensors it returns belong to Eddy tensors and are freed by `dispose` /
 * core's `tidy` (`manualMemory` is true). float32, int32 and bool are stored; float64 is
 * stored as float32 under the {@link Float64Policy}. Gradients are Eddy's own: no
 * TensorFlow.js gradient is ever used.
 *
 * @example
 * ```ts
 * import { registerBackend, setBackend } from '@eddy/core';
 * import { GpuBackend } from '@eddy/backend-gpu';
 * registerBackend(new GpuBackend({ name: 'gpu2' }));
 * setBackend('gpu2');
 * ```
 * @category Backend
 */
export class GpuBackend implements Backend {
  /** Registry name (`gpu` for the instance registered on import). */
  readonly name: string;
  /** dtypes stored natively (float64 is converted; see {@link GpuBackendOptions.float64}). */
  readonly dtypes: readonly DType[] = ['float32', 'int32', 'bool'];
  /** TensorFlow.js tensors must be freed: core's `tidy` and `dispose` do it. */
  readonly manualMemory = true;
  /** Mutable settings. */
  readonly options: GpuBackendOptions;

  /** @param options a registry `name` (default `gpu`) and initial {@link GpuBackendOptions}. */
  constructor(options: Partial<GpuBackendOptions> & { name?: string } = {}) {
    this.name = options.name ?? 'gpu';
    this.options = { float64: options.float64 ?? 'warn', checkIndices: options.checkIndices ?? true };
  }

  /** Chooses the engine on first use (logs the one start-up line). */
  #ready(): void {
    if (!engineChosen()) useEngine();
  }

  #dt(d: DType, op: string): 'float32' | 'int32' | 'bool' {
    if (d === 'float64') checkFloat64(this.options.float64, op);
    return tfDtype(d);
  }

  /** Copies host values to the device (float64 values are rounded to float32). */
  upload(values: TypedArray, shape: Shape, dtype: DType): unknown {
    this.#ready();
    const dt = this.#dt(dtype, 'upload');
    let v: Float32Array | Int32Array | Uint8Array;
    if (dt === 'float32') v = values instanceof Float32Array ? values : Float32Array.from(values);
    else if (dt === 'int32') v = values instanceof Int32Array ? values : Int32Array.from(values);
    else v = values instanceof Uint8Array ? values : Uint8Array.from(values, (a) => (a !== 0 ? 1 : 0));
    return tf.tensor(v, [...shape], dt);
  }

  #host(x: TensorInfo, v: TypedArray): TypedArray {
    // A float64-labelled tensor reads back as a Float64Array of its float32 values.
    return x.dtype === 'float64' && v instanceof Float32Array ? Float64Array.from(v) : v;
  }

  /** Reads back synchronously (`dataSync`: blocks until the device has finished). */
  readSync(x: TensorInfo): TypedArray {
    return this.#host(x, h(x).dataSync() as TypedArray);
  }

  /** Reads back without blocking the event loop (`data()`). */
  async read(x: TensorInfo): Promise<TypedArray> {
    return this.#host(x, (await h(x).data()) as TypedArray);
  }

  /** Frees the TensorFlow.js tensor. */
  dispose(x: TensorInfo): void {
    const t = h(x);
    if (!t.isDisposed) t.dispose();
  }

  /** New shape, shared storage (TensorFlow.js reference-counts the buffer). */
  reshape(x: TensorInfo, shape: Shape): unknown {
    return tf.reshape(h(x), [...shape]);
  }

  /** Converts dtype (floats to int32 truncate toward zero; to bool is x != 0). */
  cast(x: TensorInfo, dtype: DType): unknown {
    return castKernel(h(x), this.#dt(dtype, 'cast'));
  }

  /** Elementwise unary op. */
  unary(op: UnaryOp, x: TensorInfo, outDtype: DType): unknown {
    return unaryKernel(op, h(x), this.#dt(outDtype, op));
  }

  /** Elementwise binary op with broadcasting. */
  binary(op: BinaryOp, a: TensorInfo, b: TensorInfo, outShape: Shape, outDtype: DType): unknown {
    return binaryKernel(op, h(a), h(b), outShape, this.#dt(outDtype, op));
  }

  /** `cond ? a : b` with broadcasting. */
  where(cond: TensorInfo, a: TensorInfo, b: TensorInfo, outShape: Shape): unknown {
    return whereKernel(h(cond), h(a), h(b), outShape);
  }

  /** Strided view as slice/flip/transpose/broadcast (a flat gather for other views). */
  strided(x: TensorInfo, outShape: Shape, strides: readonly number[], offset: number): unknown {
    return stridedKernel(h(x), outShape, strides, offset);
  }

  /** Reduction over sorted axes. */
  reduce(op: ReduceOp, x: TensorInfo, axes: readonly number[]): unknown {
    return reduceKernel(op, h(x), axes);
  }

  /** Inclusive cumulative sum (the axis is normalised to be non-negative). */
  cumsum(x: TensorInfo, axis: number, reverse: boolean): unknown {
    return cumsumKernel(h(x), axis, reverse);
  }

  /** Concatenation along an axis. */
  concat(xs: readonly TensorInfo[], axis: number, outShape: Shape): unknown {
    return tf.tidy(() => {
      const parts = xs.map(h).filter((t) => t.size > 0);
      if (parts.length === 0) return tf.zeros([...outShape], tfDtype((xs[0] as TensorInfo).dtype));
      return parts.length === 1 ? tf.clone(parts[0] as tf.Tensor) : tf.concat(parts, axis);
    });
  }

  /** Batched matrix product (no transposed operands). */
  matmul(a: TensorInfo, b: TensorInfo, outShape: Shape): unknown {
    return matmulKernel(h(a), h(b), outShape);
  }

  /** Take-along-axis gather through flat indices. */
  gather(x: TensorInfo, indices: TensorInfo, axis: number): unknown {
    return gatherKernel(h(x), h(indices), axis, this.options.checkIndices);
  }

  /** Scatter-add into zeros through flat indices. */
  scatterAdd(shape: Shape, indices: TensorInfo, src: TensorInfo, axis: number): unknown {
    return scatterAddKernel(shape, h(indices), h(src), axis, this.options.checkIndices);
  }

  /** Row-wise insertion indices. */
  searchsorted(sorted: TensorInfo, values: TensorInfo, right: boolean): unknown {
    return searchsortedKernel(h(sorted), h(values), right);
  }

  /** Triangular solve by substitution on the device. */
  triangularSolve(a: TensorInfo, b: TensorInfo, upper: boolean, transpose: boolean, unitDiagonal: boolean): unknown {
    return triangularSolveKernel(h(a), h(b), upper, transpose, unitDiagonal);
  }

  /** LU with partial pivoting, computed in float64 on the host and uploaded. */
  lu(a: TensorInfo): BackendLU {
    const n = a.shape[a.shape.length - 1] as number;
    const batches = sizeOf(a.shape.slice(0, -2));
    if (h(a).dtype !== 'float32') throw new EddyError(`backend gpu: lu needs a float tensor, got ${a.dtype}`);
    const { lu, pivots } = luHost(h(a).dataSync(), batches, n);
    return { lu: tf.tensor(lu, [...a.shape], 'float32'), pivots: tf.tensor(pivots, [...a.shape.slice(0, -1)], 'int32') };
  }
}
