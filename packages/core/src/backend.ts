import type { DType, TypedArray } from './dtype.js';
import { BackendError } from './errors.js';
import type { FusedKernels } from './fused-kernels.js';
import type { Shape } from './shape.js';

/**
 * What a backend kernel sees of a tensor: its shape, dtype and the backend's own handle
 * to its storage (a typed array on the CPU, a TensorFlow.js tensor on the GPU backend).
 * Storage is always dense and row-major.
 * @category Backends
 */
export interface TensorInfo {
  /** Size of each axis. */
  readonly shape: Shape;
  /** Element type. */
  readonly dtype: DType;
  /** Backend-owned storage. */
  readonly handle: unknown;
}

/**
 * Elementwise one-input primitives. Float ops take and return a float dtype;
 * `logicalNot`/`isnan`/`isfinite` return `bool`.
 * @category Backends
 */
export type UnaryOp =
  | 'neg'
  | 'exp'
  | 'expm1'
  | 'log'
  | 'log1p'
  | 'sqrt'
  | 'square'
  | 'reciprocal'
  | 'abs'
  | 'sign'
  | 'sin'
  | 'cos'
  | 'tan'
  | 'asin'
  | 'acos'
  | 'atan'
  | 'sinh'
  | 'cosh'
  | 'tanh'
  | 'sigmoid'
  | 'logsigmoid'
  | 'softplus'
  | 'relu'
  | 'erf'
  | 'erfc'
  | 'erfinv'
  | 'lgamma'
  | 'digamma'
  | 'floor'
  | 'ceil'
  | 'logicalNot'
  | 'isnan'
  | 'isfinite';

/**
 * Elementwise two-input primitives with broadcasting. Comparisons and logical ops return
 * `bool`. `remainder` follows Python's sign convention (the sign of the divisor).
 * @category Backends
 */
export type BinaryOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'atan2'
  | 'minimum'
  | 'maximum'
  | 'remainder'
  | 'eq'
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge'
  | 'logicalAnd'
  | 'logicalOr';

/**
 * Reductions over a set of axes.
 * @category Backends
 */
export type ReduceOp = 'sum' | 'prod' | 'max' | 'min';

/**
 * The small interface a device implements: storage plus primitive kernels. Everything
 * else (autodiff, composite ops, linear algebra built from primitives) lives in core, so
 * a new backend only fills this in. All inputs are dense row-major tensors; shapes are
 * already validated and, where an argument says so, already broadcast by core.
 *
 * @example
 * ```ts
 * import { type Backend, getBackend, registerBackend, setBackend } from '@eddy/core';
 * // A backend that logs every matmul and delegates everything to the current one.
 * const inner = getBackend();
 * const logging: Backend = Object.assign(Object.create(inner) as Backend, {
 *   name: 'logging',
 *   matmul: (...args: Parameters<Backend['matmul']>) => (console.log('matmul'), inner.matmul(...args)),
 * });
 * registerBackend(logging);
 * setBackend('logging');
 * ```
 * @category Backends
 */
export interface Backend {
  /** Registry name, e.g. `cpu`. */
  readonly name: string;
  /** dtypes this backend can store. */
  readonly dtypes: readonly DType[];
  /** Whether tensors hold memory that must be freed explicitly (see `tidy`). */
  readonly manualMemory: boolean;
  /** Copies host values into backend storage (values are row-major, length = size). */
  upload(values: TypedArray, shape: Shape, dtype: DType): unknown;
  /** Reads a tensor back to the host synchronously (row-major copy or view; do not mutate). */
  readSync(x: TensorInfo): TypedArray;
  /** Reads a tensor back to the host. */
  read(x: TensorInfo): Promise<TypedArray>;
  /** Frees a handle (no-op where memory is garbage-collected). */
  dispose(x: TensorInfo): void;
  /** Same data, new shape (same size). May share storage. */
  reshape(x: TensorInfo, shape: Shape): unknown;
  /** Converts to another dtype (floats to int32 truncate toward zero; to bool: x != 0). */
  cast(x: TensorInfo, dtype: DType): unknown;
  /** Elementwise unary op; the output has `outDtype`. */
  unary(op: UnaryOp, x: TensorInfo, outDtype: DType): unknown;
  /** Elementwise binary op; `a` and `b` broadcast to `outShape`. Inputs share one dtype. */
  binary(op: BinaryOp, a: TensorInfo, b: TensorInfo, outShape: Shape, outDtype: DType): unknown;
  /** `cond ? a : b` elementwise; all three broadcast to `outShape`. */
  where(cond: TensorInfo, a: TensorInfo, b: TensorInfo, outShape: Shape): unknown;
  /**
   * Materialises a strided view: `out[i] = x[offset + Σ_d i_d·strides[d]]` for each
   * multi-index `i` of `outShape`. Strides may be 0 (broadcast) or negative (flip).
   * Transpose, slicing, broadcasting and flipping are all this one kernel.
   */
  strided(x: TensorInfo, outShape: Shape, strides: readonly number[], offset: number): unknown;
  /** Reduces over `axes` (sorted, unique); the output shape drops those axes. */
  reduce(op: ReduceOp, x: TensorInfo, axes: readonly number[]): unknown;
  /** Inclusive cumulative sum along `axis`, optionally from the end. */
  cumsum(x: TensorInfo, axis: number, reverse: boolean): unknown;
  /** Concatenates along `axis` (inputs share dtype and all other dims). */
  concat(xs: readonly TensorInfo[], axis: number, outShape: Shape): unknown;
  /**
   * Batched matrix product: `a` is `[...B, m, k]`, `b` is `[...B', k, n]`; batch dims
   * broadcast to the batch part of `outShape` (`[...batch, m, n]`).
   */
  matmul(a: TensorInfo, b: TensorInfo, outShape: Shape): unknown;
  /**
   * `out[..., j, ...] = x[..., indices[..., j, ...], ...]` along `axis`; `indices` is
   * int32 with the shape of the output and the same dims as `x` off `axis`.
   */
  gather(x: TensorInfo, indices: TensorInfo, axis: number): unknown;
  /** Zeros of `shape`, then `out[..., indices[..., j, ...], ...] += src[..., j, ...]` along `axis`. */
  scatterAdd(shape: Shape, indices: TensorInfo, src: TensorInfo, axis: number): unknown;
  /**
   * For sorted rows `sorted` (`[...B, K]`) and `values` (`[...B, N]`), int32 insertion
   * indices: the first i with `sorted[i] >= v` (left) or `> v` (right).
   */
  searchsorted(sorted: TensorInfo, values: TensorInfo, right: boolean): unknown;
  /**
   * Solves `op(A) X = B` for triangular `A` (`[...B, n, n]`, `b` `[...B, n, m]`, same batch);
   * `op(A)` is `Aᵀ` when `transpose`; only the `upper` or lower triangle is read.
   */
  triangularSolve(a: TensorInfo, b: TensorInfo, upper: boolean, transpose: boolean, unitDiagonal: boolean): unknown;
  /**
   * LU factorisation with partial pivoting of `[...B, n, n]`: packed factors (unit lower
   * L below the diagonal, U on and above) and int32 row pivots `[...B, n]` (LAPACK style,
   * 0-based: row i was swapped with row pivots[i]).
   */
  lu(a: TensorInfo): BackendLU;
  /**
   * Optional fused kernels (see {@link FusedKernels}); core composes primitives where one
   * is missing.
   */
  readonly fused?: FusedKernels;
  /** Facts about the backend worth showing a user (active kernels, device, ...). */
  info?(): Record<string, unknown>;
}

/**
 * What {@link Backend.lu} returns: two backend handles.
 * @category Backends
 */
export interface BackendLU {
  /** Packed factors, the shape of the input. */
  lu: unknown;
  /** int32 row pivots, `[...B, n]`. */
  pivots: unknown;
}

const registry = new Map<string, Backend>();
let active: Backend | undefined;

/**
 * Adds a backend to the registry. The first backend registered becomes the active one.
 *
 * @example
 * ```ts
 * import { CpuBackend } from '@eddy/backend-cpu';
 * import { registerBackend } from '@eddy/core';
 * registerBackend(new CpuBackend());
 * ```
 * @category Backends
 */
export function registerBackend(backend: Backend): void {
  registry.set(backend.name, backend);
  if (active === undefined) active = backend;
}

/**
 * Makes a registered backend the active one: new tensors are created on it.
 *
 * @example
 * ```ts
 * import '@eddy/backend-cpu';
 * import { setBackend } from '@eddy/core';
 * setBackend('cpu');
 * ```
 * @category Backends
 */
export function setBackend(name: string): Backend {
  const b = registry.get(name);
  if (b === undefined) {
    throw new BackendError(
      `no backend named ${JSON.stringify(name)} is registered (have: ${[...registry.keys()].join(', ') || 'none'}); import its package first, e.g. '@eddy/backend-cpu'`,
    );
  }
  active = b;
  return b;
}

/**
 * The active backend; throws a {@link BackendError} if none is registered.
 *
 * @example
 * ```ts
 * import { getBackend } from '@eddy/core';
 * getBackend().name; // 'cpu'
 * ```
 * @category Backends
 */
export function getBackend(): Backend {
  if (active === undefined) {
    throw new BackendError("no backend is registered: import '@eddy/backend-cpu' (or another backend) first");
  }
  return active;
}

/**
 * Names of the registered backends.
 *
 * @example
 * ```ts
 * import { listBackends } from '@eddy/core';
 * listBackends(); // ['cpu']
 * ```
 * @category Backends
 */
export function listBackends(): string[] {
  return [...registry.keys()];
}

/**
 * The name of a registered backend (default: the active one) with what it reports about
 * itself: for `cpu`, whether the native kernels run and on which instruction set.
 *
 * @example
 * ```ts
 * import { backendInfo } from '@eddy/core';
 * backendInfo(); // { name: 'cpu', native: true, isa: 'avx512', ... }
 * ```
 * @category Backends
 */
export function backendInfo(name?: string): Record<string, unknown> {
  const b = name === undefined ? getBackend() : registry.get(name);
  if (b === undefined) throw new BackendError(`no backend named ${JSON.stringify(name)} is registered (have: ${[...registry.keys()].join(', ') || 'none'})`);
  return { name: b.name, ...(b.info?.() ?? {}) };
}
