import type { GradNode } from './autodiff.js';
import { type Backend, getBackend } from './backend.js';
import { type DType, type TypedArray, arrayType, dtypeOfArray, getDefaultDType } from './dtype.js';
import { EddyError, ShapeError, ValueError, fmtShape } from './errors.js';
import { trackTensor } from './memory.js';
import * as ew from './ops/elementwise.js';
import * as lin from './ops/linalg.js';
import * as red from './ops/reduce.js';
import * as sh from './ops/shape.js';
import { type Shape, checkShape, sizeOf } from './shape.js';

/**
 * Anything an op accepts where a tensor is expected: a tensor or a plain number (which
 * takes the other operand's dtype).
 * @category Tensors
 */
export type TensorLike = Tensor | number;

/**
 * Nested arrays of numbers or booleans, as accepted by {@link tensor}.
 * @category Tensors
 */
export type NestedArray = number | boolean | readonly NestedArray[];

/**
 * An immutable n-dimensional array on a backend, with optional autodiff history.
 * Create tensors with {@link tensor}, {@link zeros}, {@link randn}, ...; every op returns
 * a new tensor. Methods mirror the free functions (`x.add(y)` is `add(x, y)`).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * const x = tensor([[1, 2], [3, 4]], { dtype: 'float64' });
 * x.mul(2).sum().item(); // 20
 * ```
 * @category Tensors
 */
export class Tensor {
  /** Size of each axis. */
  readonly shape: Shape;
  /** Element type. */
  readonly dtype: DType;
  /** The backend that owns the storage. */
  readonly backend: Backend;
  #handle: unknown;
  #node: GradNode | null = null;
  #requiresGrad: boolean;
  #disposed = false;

  /**
   * Wraps a backend handle; prefer the creation functions ({@link tensor}, ...).
   * @internal
   */
  constructor(handle: unknown, shape: Shape, dtype: DType, backend: Backend, requiresGrad = false) {
    this.#handle = handle;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.backend = backend;
    this.#requiresGrad = requiresGrad;
    trackTensor(this);
  }

  /** Backend-owned storage handle. */
  get handle(): unknown {
    return this.#handle;
  }

  /**
   * Replaces the storage (same shape and dtype). Only {@link Parameter} and buffers use
   * this, for optimizer updates and `loadStateDict`; every other tensor stays immutable.
   * @internal
   */
  protected _replaceHandle(handle: unknown): void {
    this.#handle = handle;
  }

  /** Number of elements. */
  get size(): number {
    return sizeOf(this.shape);
  }

  /** Number of axes. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Whether gradients flow to or through this tensor. */
  get requiresGrad(): boolean {
    return this.#requiresGrad;
  }

  /** The recorded op that produced this tensor, or null for a leaf. */
  get node(): GradNode | null {
    return this.#node;
  }

  /** @internal Used by `record`. */
  _setNode(node: GradNode): void {
    this.#node = node;
    this.#requiresGrad = true;
  }

  /** Whether {@link Tensor.dispose} was called. */
  get isDisposed(): boolean {
    return this.#disposed;
  }

  /** A new leaf tensor sharing this data that requires gradients (like `x.requires_grad_()`). */
  requireGrad(): Tensor {
    return new Tensor(this.backend.reshape(this, this.shape), this.shape, this.dtype, this.backend, true);
  }

  /** The same values with no autodiff history. */
  detach(): Tensor {
    return new Tensor(this.backend.reshape(this, this.shape), this.shape, this.dtype, this.backend, false);
  }

  /** Frees backend memory (needed only on manual-memory backends). */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.backend.dispose(this);
  }

  /** Values as a row-major typed array (synchronous; a copy-free view on the CPU: do not mutate). */
  dataSync(): TypedArray {
    if (this.#disposed) throw new EddyError('tensor was disposed');
    return this.backend.readSync(this);
  }

  /** Values as a row-major typed array (works on every backend). */
  data(): Promise<TypedArray> {
    if (this.#disposed) return Promise.reject(new EddyError('tensor was disposed'));
    return this.backend.read(this);
  }

  /** Values as nested JS arrays (numbers; booleans for `bool`). */
  toArray(): NestedArray {
    const flat = this.dataSync();
    const isBool = this.dtype === 'bool';
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return isBool ? flat[offset] === 1 : (flat[offset] as number);
      const n = this.shape[dim] as number;
      const stride = sizeOf(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) out.push(build(dim + 1, offset + i * stride));
      return out;
    };
    return build(0, 0);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item: tensor of shape ${fmtShape(this.shape)} has ${this.size} elements, not 1`);
    return this.dataSync()[0] as number;
  }

  /** Readable summary, e.g. `Tensor(float64, [2,3])`. */
  toString(): string {
    return `Tensor(${this.dtype}, ${fmtShape(this.shape)})`;
  }

  /** What `console.log` shows in Node: dtype, shape and (for up to 64 elements) the values. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    if (this.#disposed) return `${this.toString()} (disposed)`;
    return this.size <= 64 ? `${this.toString()} ${JSON.stringify(this.toArray())}` : this.toString();
  }

  /** Converts to another dtype (differentiable between float dtypes). */
  cast(dtype: DType): Tensor {
    return ew.cast(this, dtype);
  }
  /** Zeros with this shape and dtype. */
  zerosLike(): Tensor {
    return full(this.shape, 0, { dtype: this.dtype, backend: this.backend });
  }
  /** Ones with this shape and dtype. */
  onesLike(): Tensor {
    return full(this.shape, 1, { dtype: this.dtype, backend: this.backend });
  }

  /** See {@link add}. */
  add(y: TensorLike): Tensor {
    return ew.add(this, y);
  }
  /** See {@link sub}. */
  sub(y: TensorLike): Tensor {
    return ew.sub(this, y);
  }
  /** See {@link mul}. */
  mul(y: TensorLike): Tensor {
    return ew.mul(this, y);
  }
  /** See {@link div}. */
  div(y: TensorLike): Tensor {
    return ew.div(this, y);
  }
  /** See {@link pow}. */
  pow(y: TensorLike): Tensor {
    return ew.pow(this, y);
  }
  /** See {@link remainder}. */
  remainder(y: TensorLike): Tensor {
    return ew.remainder(this, y);
  }
  /** See {@link neg}. */
  neg(): Tensor {
    return ew.neg(this);
  }
  /** See {@link exp}. */
  exp(): Tensor {
    return ew.exp(this);
  }
  /** See {@link log}. */
  log(): Tensor {
    return ew.log(this);
  }
  /** See {@link log1p}. */
  log1p(): Tensor {
    return ew.log1p(this);
  }
  /** See {@link expm1}. */
  expm1(): Tensor {
    return ew.expm1(this);
  }
  /** See {@link sqrt}. */
  sqrt(): Tensor {
    return ew.sqrt(this);
  }
  /** See {@link square}. */
  square(): Tensor {
    return ew.square(this);
  }
  /** See {@link abs}. */
  abs(): Tensor {
    return ew.abs(this);
  }
  /** See {@link tanh}. */
  tanh(): Tensor {
    return ew.tanh(this);
  }
  /** See {@link sigmoid}. */
  sigmoid(): Tensor {
    return ew.sigmoid(this);
  }
  /** See {@link softplus}. */
  softplus(): Tensor {
    return ew.softplus(this);
  }
  /** See {@link minimum}. */
  minimum(y: TensorLike): Tensor {
    return ew.minimum(this, y);
  }
  /** See {@link maximum}. */
  maximum(y: TensorLike): Tensor {
    return ew.maximum(this, y);
  }
  /** See {@link clamp}. */
  clamp(min?: TensorLike, max?: TensorLike): Tensor {
    return ew.clamp(this, min, max);
  }
  /** See {@link lt}. */
  lt(y: TensorLike): Tensor {
    return ew.lt(this, y);
  }
  /** See {@link le}. */
  le(y: TensorLike): Tensor {
    return ew.le(this, y);
  }
  /** See {@link gt}. */
  gt(y: TensorLike): Tensor {
    return ew.gt(this, y);
  }
  /** See {@link ge}. */
  ge(y: TensorLike): Tensor {
    return ew.ge(this, y);
  }
  /** See {@link eq}. */
  eq(y: TensorLike): Tensor {
    return ew.eq(this, y);
  }

  /** See {@link sum}. */
  sum(axis?: number | readonly number[], keepdims = false): Tensor {
    return red.sum(this, axis, keepdims);
  }
  /** See {@link mean}. */
  mean(axis?: number | readonly number[], keepdims = false): Tensor {
    return red.mean(this, axis, keepdims);
  }
  /** See {@link max}. */
  max(axis?: number | readonly number[], keepdims = false): Tensor {
    return red.max(this, axis, keepdims);
  }
  /** See {@link min}. */
  min(axis?: number | readonly number[], keepdims = false): Tensor {
    return red.min(this, axis, keepdims);
  }
  /** See {@link logsumexp}. */
  logsumexp(axis?: number | readonly number[], keepdims = false): Tensor {
    return red.logsumexp(this, axis, keepdims);
  }

  /** See {@link reshape}. */
  reshape(shape: readonly number[]): Tensor {
    return sh.reshape(this, shape);
  }
  /** See {@link transpose}. */
  transpose(axis0 = -2, axis1 = -1): Tensor {
    return sh.transpose(this, axis0, axis1);
  }
  /** See {@link permute}. */
  permute(perm: readonly number[]): Tensor {
    return sh.permute(this, perm);
  }
  /** See {@link expand}. */
  expand(shape: readonly number[]): Tensor {
    return sh.expand(this, shape);
  }
  /** See {@link squeeze}. */
  squeeze(axis?: number): Tensor {
    return sh.squeeze(this, axis);
  }
  /** See {@link unsqueeze}. */
  unsqueeze(axis: number): Tensor {
    return sh.unsqueeze(this, axis);
  }
  /** See {@link slice}. */
  slice(axis: number, start: number, end?: number, step = 1): Tensor {
    return sh.slice(this, axis, start, end, step);
  }
  /** See {@link matmul}. */
  matmul(y: Tensor): Tensor {
    return lin.matmul(this, y);
  }
}

/**
 * Options for creating a tensor.
 * @category Tensors
 */
export interface TensorOptions {
  /** Element type; defaults to the array's own type, or the default float dtype. */
  dtype?: DType;
  /** Shape for flat typed-array data (defaults to `[data.length]`). */
  shape?: readonly number[];
  /** Backend to create on (defaults to the active one). */
  backend?: Backend;
}

function flattenNested(data: NestedArray, op: string): { flat: number[]; shape: number[]; isBool: boolean } {
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = (probe as readonly NestedArray[])[0] as NestedArray;
    if (probe === undefined) break;
  }
  const flat: number[] = [];
  let isBool = shape.length === 0 ? typeof data === 'boolean' : false;
  let sawNumber = false;
  const walk = (v: NestedArray, dim: number): void => {
    if (dim === shape.length) {
      if (Array.isArray(v)) throw new ValueError(`${op}: ragged nested array (expected shape ${fmtShape(shape)})`);
      if (typeof v === 'boolean') {
        isBool = true;
        flat.push(v ? 1 : 0);
      } else if (typeof v === 'number') {
        sawNumber = true;
        flat.push(v);
      } else throw new ValueError(`${op}: expected numbers or booleans, got ${typeof v}`);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      throw new ValueError(`${op}: ragged nested array (expected shape ${fmtShape(shape)})`);
    }
    for (const e of v as readonly NestedArray[]) walk(e, dim + 1);
  };
  walk(data, 0);
  if (isBool && sawNumber) throw new ValueError(`${op}: mixes booleans and numbers`);
  return { flat, shape, isBool };
}

/**
 * Creates a tensor from a number, a boolean, nested arrays or a typed array.
 * The dtype comes from `options.dtype`, else from the typed array, else `bool` for
 * booleans, else the default float dtype ({@link setDefaultDType}).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * tensor([[1, 2], [3, 4]]);                                  // float32 [2,2]
 * tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] }); // float64 [2,2]
 * tensor(3, { dtype: 'float64' });                           // scalar
 * ```
 * @category Tensors
 */
export function tensor(data: NestedArray | TypedArray, options: TensorOptions = {}): Tensor {
  const backend = options.backend ?? getBackend();
  let values: ArrayLike<number>;
  let shape: number[];
  let dtype: DType;
  if (ArrayBuffer.isView(data)) {
    values = data;
    dtype = options.dtype ?? dtypeOfArray(data);
    shape = options.shape ? [...options.shape] : [data.length];
  } else {
    const f = flattenNested(data, 'tensor');
    values = f.flat;
    dtype = options.dtype ?? (f.isBool ? 'bool' : getDefaultDType());
    shape = options.shape ? [...options.shape] : f.shape;
  }
  checkShape('tensor', shape);
  if (sizeOf(shape) !== values.length) {
    throw new ShapeError(`tensor: shape ${fmtShape(shape)} needs ${sizeOf(shape)} values, got ${values.length}`);
  }
  const Ctor = arrayType(dtype);
  // A user's typed array is copied, so later writes to it cannot change the tensor.
  const arr = values instanceof Ctor ? (values as TypedArray).slice() : Ctor.from(values as ArrayLike<number>);
  return new Tensor(backend.upload(arr, shape, dtype), shape, dtype, backend);
}

/**
 * A tensor of `shape` filled with `value`.
 *
 * @example
 * ```ts
 * import { full } from '@eddy/core';
 * full([2, 2], 7, { dtype: 'int32' });
 * ```
 * @category Tensors
 */
export function full(shape: readonly number[], value: number, options: Omit<TensorOptions, 'shape'> = {}): Tensor {
  checkShape('full', shape);
  const dtype = options.dtype ?? getDefaultDType();
  const arr = new (arrayType(dtype))(sizeOf(shape));
  if (value !== 0) arr.fill(value);
  const backend = options.backend ?? getBackend();
  return new Tensor(backend.upload(arr, shape, dtype), shape, dtype, backend);
}

/**
 * A tensor of zeros.
 *
 * @example
 * ```ts
 * import { zeros } from '@eddy/core';
 * zeros([3], { dtype: 'float64' });
 * ```
 * @category Tensors
 */
export function zeros(shape: readonly number[], options: Omit<TensorOptions, 'shape'> = {}): Tensor {
  return full(shape, 0, options);
}

/**
 * A tensor of ones.
 *
 * @example
 * ```ts
 * import { ones } from '@eddy/core';
 * ones([2, 3]);
 * ```
 * @category Tensors
 */
export function ones(shape: readonly number[], options: Omit<TensorOptions, 'shape'> = {}): Tensor {
  return full(shape, 1, options);
}

/**
 * `[start, start + step, ...)` up to (not including) `end`, like `numpy.arange`.
 *
 * @example
 * ```ts
 * import { arange } from '@eddy/core';
 * arange(0, 5);            // [0, 1, 2, 3, 4]
 * arange(0, 1, 0.25);      // [0, 0.25, 0.5, 0.75]
 * ```
 * @category Tensors
 */
export function arange(start: number, end: number, step = 1, options: Omit<TensorOptions, 'shape'> = {}): Tensor {
  if (step === 0 || !Number.isFinite(step)) throw new ValueError(`arange: step must be finite and non-zero, got ${step}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = options.dtype ?? getDefaultDType();
  const arr = new (arrayType(dtype))(n);
  for (let i = 0; i < n; i++) arr[i] = start + i * step;
  return tensor(arr, { ...options, dtype, shape: [n] });
}

/**
 * `n` evenly spaced values from `start` to `end` inclusive.
 *
 * @example
 * ```ts
 * import { linspace } from '@eddy/core';
 * linspace(0, 1, 5); // [0, 0.25, 0.5, 0.75, 1]
 * ```
 * @category Tensors
 */
export function linspace(start: number, end: number, n: number, options: Omit<TensorOptions, 'shape'> = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`linspace: n must be a non-negative integer, got ${n}`);
  const dtype = options.dtype ?? getDefaultDType();
  const arr = new (arrayType(dtype))(n);
  for (let i = 0; i < n; i++) arr[i] = n === 1 ? start : start + ((end - start) * i) / (n - 1);
  return tensor(arr, { ...options, dtype, shape: [n] });
}

/**
 * Identity matrix `n × n` (or `n × m`).
 *
 * @example
 * ```ts
 * import { eye } from '@eddy/core';
 * eye(3, undefined, { dtype: 'float64' });
 * ```
 * @category Tensors
 */
export function eye(n: number, m = n, options: Omit<TensorOptions, 'shape'> = {}): Tensor {
  checkShape('eye', [n, m]);
  const dtype = options.dtype ?? getDefaultDType();
  const arr = new (arrayType(dtype))(n * m);
  for (let i = 0; i < Math.min(n, m); i++) arr[i * m + i] = 1;
  return tensor(arr, { ...options, dtype, shape: [n, m] });
}

/**
 * Wraps a backend handle as a tensor (for backends and ops). @internal
 */
export function fromHandle(handle: unknown, shape: Shape, dtype: DType, backend: Backend): Tensor {
  return new Tensor(handle, shape, dtype, backend);
}
