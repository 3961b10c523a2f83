import {
  type Backend,
  type BackendLU,
  type BinaryOp,
  type DType,
  type FusedKernels,
  type ReduceOp,
  type Shape,
  type TensorInfo,
  type TypedArray,
  type UnaryOp,
  arrayType,
  luInPlace,
  sizeOf,
  stridesOf,
} from '@eddy/core';
import { allocOutput } from './alloc.js';
import { cpuFused } from './fused.js';
import { kernels } from './kernel-table.js';
import { kernelInfo } from './native.js';
import { BINARY_EXPR, UNARY_EXPR, broadcastStrides, elementwise } from './kernels/elementwise.js';
import { gatherMiddle, scatterAddMiddle, searchsortedRows } from './kernels/gather.js';
import { triangularSolveOne } from './kernels/linalg.js';
import { cumsumMiddle, reduceMiddle } from './kernels/reduce.js';

const data = (x: TensorInfo): TypedArray => x.handle as TypedArray;
/** Output storage that the kernel fills completely (uninitialised where that is cheaper). */
const alloc = (dtype: DType, shape: Shape): TypedArray => allocOutput(dtype, sizeOf(shape));
/** Zeroed storage, for kernels that accumulate into their output. */
const zeros = (dtype: DType, shape: Shape): TypedArray => new (arrayType(dtype))(sizeOf(shape));

/** `[outer, mid, inner]` sizes around `axis`. */
function around(shape: Shape, axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis] as number, sizeOf(shape.slice(axis + 1))];
}

/** Offsets of each batch entry of an operand whose batch dims broadcast to `batch`. */
function batchOffsets(batchShape: Shape, batch: Shape, matrixSize: number): Int32Array | number[] {
  const n = sizeOf(batch);
  const st = broadcastStrides(batchShape, batch);
  const out = new Array<number>(n);
  const idx = new Array<number>(batch.length).fill(0);
  for (let b = 0; b < n; b++) {
    let off = 0;
    for (let d = 0; d < batch.length; d++) off += (idx[d] as number) * (st[d] as number);
    out[b] = off * matrixSize;
    for (let d = batch.length - 1; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      if ((idx[d] as number) < (batch[d] as number)) break;
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * The CPU backend: dense row-major storage in `Float32Array` / `Float64Array` /
 * `Int32Array` / `Uint8Array` (bool), garbage-collected (no manual memory). Elementwise
 * loops are generated once per op and array type; matmul goes through the replaceable
 * {@link kernels} table.
 *
 * @example
 * ```ts
 * import { registerBackend, setBackend } from '@eddy/core';
 * import { CpuBackend } from '@eddy/backend-cpu';
 * registerBackend(new CpuBackend());
 * setBackend('cpu');
 * ```
 * @category Backend
 */
export class CpuBackend implements Backend {
  /** Registry name. */
  readonly name = 'cpu';
  /** Every dtype is supported. */
  readonly dtypes: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];
  /** Memory is garbage-collected. */
  readonly manualMemory = false;
  /** Fused linear layers, splines, affine maps and normal log-densities (see {@link cpuFused}). */
  readonly fused: FusedKernels = cpuFused;

  /** Which kernels run: native (and which instruction set) or TypeScript. */
  info(): Record<string, unknown> {
    return { ...kernelInfo() };
  }

  /** Takes ownership of `values` (the caller must not reuse the array). */
  upload(values: TypedArray, _shape: Shape, dtype: DType): unknown {
    const Ctor = arrayType(dtype);
    return values instanceof Ctor ? values : Ctor.from(values);
  }
  /** Returns the storage itself (do not mutate). */
  readSync(x: TensorInfo): TypedArray {
    return data(x);
  }
  /** Same as {@link CpuBackend.readSync}, as a promise. */
  read(x: TensorInfo): Promise<TypedArray> {
    return Promise.resolve(data(x));
  }
  /** Nothing to free. */
  dispose(_x: TensorInfo): void {}
  /** Shares the storage. */
  reshape(x: TensorInfo, _shape: Shape): unknown {
    return x.handle;
  }
  /** Converts element types (to int32 truncates toward zero; to bool is `x != 0`). */
  cast(x: TensorInfo, dtype: DType): unknown {
    const src = data(x);
    if (dtype === 'bool') return elementwise('(a !== 0 ? 1 : 0)', [{ data: src, strides: [1], offset: 0 }], alloc(dtype, x.shape), [src.length]);
    if (dtype === 'int32') return elementwise('Math.trunc(a)', [{ data: src, strides: [1], offset: 0 }], alloc(dtype, x.shape), [src.length]);
    const out = alloc(dtype, x.shape);
    out.set(src);
    return out;
  }
  /** Elementwise unary op. */
  unary(op: UnaryOp, x: TensorInfo, outDtype: DType): unknown {
    const src = data(x);
    return elementwise(UNARY_EXPR[op], [{ data: src, strides: [1], offset: 0 }], alloc(outDtype, x.shape), [src.length]);
  }
  /** Elementwise binary op with broadcasting. */
  binary(op: BinaryOp, a: TensorInfo, b: TensorInfo, outShape: Shape, outDtype: DType): unknown {
    return elementwise(
      BINARY_EXPR[op],
      [
        { data: data(a), strides: broadcastStrides(a.shape, outShape), offset: 0 },
        { data: data(b), strides: broadcastStrides(b.shape, outShape), offset: 0 },
      ],
      alloc(outDtype, outShape),
      outShape,
    );
  }
  /** `cond ? a : b` with broadcasting. */
  where(cond: TensorInfo, a: TensorInfo, b: TensorInfo, outShape: Shape): unknown {
    return elementwise(
      '(c !== 0 ? a : b)',
      [
        { data: data(a), strides: broadcastStrides(a.shape, outShape), offset: 0 },
        { data: data(b), strides: broadcastStrides(b.shape, outShape), offset: 0 },
        { data: data(cond), strides: broadcastStrides(cond.shape, outShape), offset: 0 },
      ],
      alloc(a.dtype, outShape),
      outShape,
    );
  }
  /** Materialises a strided view. */
  strided(x: TensorInfo, outShape: Shape, strides: readonly number[], offset: number): unknown {
    return elementwise('a', [{ data: data(x), strides, offset }], alloc(x.dtype, outShape), outShape);
  }
  /** Reduction over sorted axes. */
  reduce(op: ReduceOp, x: TensorInfo, axes: readonly number[]): unknown {
    const outShape = x.shape.filter((_, i) => !axes.includes(i));
    const out = alloc(x.dtype, outShape);
    if (axes.length === 0) {
      out.set(data(x));
      return out;
    }
    const first = axes[0] as number;
    const last = axes[axes.length - 1] as number;
    if (last - first + 1 === axes.length) {
      // Contiguous block of axes: reduce in place as [outer, r, inner].
      const outer = sizeOf(x.shape.slice(0, first));
      const r = sizeOf(x.shape.slice(first, last + 1));
      reduceMiddle(op, data(x), outer, r, sizeOf(x.shape.slice(last + 1)), out);
      return out;
    }
    // Otherwise move the reduced axes to the end first.
    const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
    const perm = [...kept, ...axes];
    const st = stridesOf(x.shape);
    const moved = this.strided(
      x,
      perm.map((p) => x.shape[p] as number),
      perm.map((p) => st[p] as number),
      0,
    ) as TypedArray;
    reduceMiddle(op, moved, sizeOf(outShape), sizeOf(axes.map((a) => x.shape[a] as number)), 1, out);
    return out;
  }
  /** Inclusive cumulative sum along an axis. */
  cumsum(x: TensorInfo, axis: number, reverse: boolean): unknown {
    const out = alloc(x.dtype, x.shape);
    const [outer, n, inner] = around(x.shape, axis);
    cumsumMiddle(data(x), outer, n, inner, reverse, out);
    return out;
  }
  /** Concatenation along an axis. */
  concat(xs: readonly TensorInfo[], axis: number, outShape: Shape): unknown {
    const out = alloc((xs[0] as TensorInfo).dtype, outShape);
    const outer = sizeOf(outShape.slice(0, axis));
    const inner = sizeOf(outShape.slice(axis + 1));
    const rowOut = (outShape[axis] as number) * inner;
    let col = 0;
    for (const x of xs) {
      const len = (x.shape[axis] as number) * inner;
      const src = data(x);
      if (len >= 64) {
        for (let o = 0; o < outer; o++) out.set(src.subarray(o * len, (o + 1) * len), o * rowOut + col);
      } else {
        // Short runs: a plain loop beats a subarray view per row.
        for (let o = 0; o < outer; o++) {
          const s0 = o * len;
          const d0 = o * rowOut + col;
          for (let j = 0; j < len; j++) out[d0 + j] = src[s0 + j] as number;
        }
      }
      col += len;
    }
    return out;
  }
  /** Batched matrix product with broadcast batch dims. */
  matmul(a: TensorInfo, b: TensorInfo, outShape: Shape): unknown {
    const m = a.shape[a.shape.length - 2] as number;
    const k = a.shape[a.shape.length - 1] as number;
    const n = b.shape[b.shape.length - 1] as number;
    const batch = outShape.slice(0, -2);
    const out = alloc(a.dtype, outShape);
    const ao = batchOffsets(a.shape.slice(0, -2), batch, m * k);
    const bo = batchOffsets(b.shape.slice(0, -2), batch, k * n);
    const mm = kernels.matmul;
    for (let i = 0; i < ao.length; i++) mm(data(a), ao[i] as number, data(b), bo[i] as number, out, i * m * n, m, k, n);
    return out;
  }
  /** Take-along-axis gather. */
  gather(x: TensorInfo, indices: TensorInfo, axis: number): unknown {
    const out = alloc(x.dtype, indices.shape);
    const [outer, k, inner] = around(x.shape, axis);
    gatherMiddle(data(x), data(indices) as Int32Array, outer, k, indices.shape[axis] as number, inner, out);
    return out;
  }
  /** Scatter-add into zeros. */
  scatterAdd(shape: Shape, indices: TensorInfo, src: TensorInfo, axis: number): unknown {
    const out = zeros(src.dtype, shape);
    const [outer, k, inner] = around(shape, axis);
    scatterAddMiddle(data(src), data(indices) as Int32Array, outer, k, indices.shape[axis] as number, inner, out);
    return out;
  }
  /** Row-wise binary search. */
  searchsorted(sorted: TensorInfo, values: TensorInfo, right: boolean): unknown {
    const k = sorted.shape[sorted.shape.length - 1] as number;
    const n = values.shape[values.shape.length - 1] as number;
    const out = new Int32Array(sizeOf(values.shape));
    searchsortedRows(data(sorted), data(values), sizeOf(values.shape.slice(0, -1)), k, n, right, out);
    return out;
  }
  /** Batched triangular solve. */
  triangularSolve(a: TensorInfo, b: TensorInfo, upper: boolean, transpose: boolean, unitDiagonal: boolean): unknown {
    const n = a.shape[a.shape.length - 1] as number;
    const m = b.shape[b.shape.length - 1] as number;
    const out = zeros(b.dtype, b.shape);
    const batches = sizeOf(a.shape.slice(0, -2));
    for (let i = 0; i < batches; i++) {
      triangularSolveOne(data(a), i * n * n, data(b), i * n * m, out, i * n * m, n, m, upper, transpose, unitDiagonal);
    }
    return out;
  }
  /** Batched LU with partial pivoting. */
  lu(a: TensorInfo): BackendLU {
    const n = a.shape[a.shape.length - 1] as number;
    const f = alloc(a.dtype, a.shape);
    f.set(data(a));
    const batches = sizeOf(a.shape.slice(0, -2));
    const piv = new Int32Array(batches * n);
    for (let i = 0; i < batches; i++) luInPlace(f, i * n * n, n, piv, i * n);
    return { lu: f, pivots: piv };
  }
}
