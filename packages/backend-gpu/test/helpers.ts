import { cpuBackend } from '@eddy/backend-cpu';
import { type Backend, type Tensor, randn, tensor } from '@eddy/core';
import * as tf from '@tensorflow/tfjs-core';

/** One TensorFlow.js kernel call: its name and attributes. */
export interface KernelCall {
  name: string;
  attrs: Record<string, unknown>;
}

/**
 * Runs `fn` and records every TensorFlow.js kernel it runs (through the engine's
 * `runKernel`, which every TensorFlow.js op goes through).
 */
export function recordKernels<T>(fn: () => T): { result: T; calls: KernelCall[] } {
  const eng = tf.engine() as unknown as { runKernel: (name: string, inputs: unknown, attrs?: Record<string, unknown>) => unknown };
  const orig = eng.runKernel;
  const calls: KernelCall[] = [];
  eng.runKernel = function (this: unknown, name: string, inputs: unknown, attrs?: Record<string, unknown>) {
    calls.push({ name, attrs: { ...(attrs ?? {}) } });
    return orig.call(this, name, inputs, attrs);
  };
  try {
    return { result: fn(), calls };
  } finally {
    eng.runKernel = orig;
  }
}

/** A copy of `t` on `backend` (same values, shape and dtype). */
export function onBackend(t: Tensor, backend: Backend): Tensor {
  return tensor(t.dataSync().slice(), { shape: t.shape, dtype: t.dtype, backend });
}

/**
 * Kernels that @tensorflow/tfjs-node(-gpu) 4.22.0 registers for its `tensorflow`
 * backend (the file names of its dist/kernels). A kernel outside this list would throw
 * "not registered for backend 'tensorflow'" on the CUDA engine.
 */
export const TFJS_NODE_KERNELS = new Set(
  `Abs Acos Acosh Add AddN All Any ArgMax ArgMin Asin Asinh Atan Atan2 Atanh AvgPool AvgPool3D AvgPool3DGrad
  AvgPoolGrad BatchMatMul BatchToSpaceND Bincount BroadcastArgs Cast Ceil ClipByValue Complex ComplexAbs Concat
  Conv2D Conv2DBackpropFilter Conv2DBackpropInput Conv3D Conv3DBackpropFilterV2 Conv3DBackpropInputV2 Cos Cosh
  CropAndResize Cumprod Cumsum DepthToSpace DepthwiseConv2dNative DepthwiseConv2dNativeBackpropFilter
  DepthwiseConv2dNativeBackpropInput Diag Dilation2D Dilation2DBackpropFilter Dilation2DBackpropInput Einsum Elu
  EluGrad Equal Erf Exp ExpandDims Expm1 FFT Fill FlipLeftRight Floor FloorDiv FusedBatchNorm FusedConv2D
  FusedDepthwiseConv2D GatherNd GatherV2 Greater GreaterEqual IFFT Identity Imag IsFinite IsInf IsNan LRN LRNGrad
  LeakyRelu Less LessEqual LinSpace Log Log1p LogicalAnd LogicalNot LogicalOr Max MaxPool MaxPool3D MaxPool3DGrad
  MaxPoolGrad Maximum Mean Min Minimum MirrorPad Mod Multinomial Multiply Neg NonMaxSuppressionV3
  NonMaxSuppressionV4 NonMaxSuppressionV5 NotEqual OneHot OnesLike Pack PadV2 Pow Prelu Prod Range Real RealDiv
  Reciprocal Relu Relu6 Reshape ResizeBilinear ResizeBilinearGrad ResizeNearestNeighbor ResizeNearestNeighborGrad
  Reverse Round Rsqrt ScatterNd Select Selu Sigmoid Sign Sin Sinh Slice Softmax Softplus SpaceToBatchND
  SparseToDense SplitV Sqrt Square SquaredDifference StaticRegexReplace Step StridedSlice Sub Sum Tan Tanh
  TensorScatterUpdate Tile TopK Transpose Unique Unpack UnsortedSegmentSum ZerosLike _FusedMatMul`.split(/\s+/),
);

const f32 = (shape: number[], seed: number, backend: Backend): Tensor => onBackend(randn(shape, { seed, dtype: 'float32', backend: cpuBackend }), backend);
const idxOn = (data: number[], shape: number[], backend: Backend): Tensor => tensor(Int32Array.from(data), { shape, dtype: 'int32', backend });

/**
 * Calls every kernel of backend `b` once or more (each primitive, the special functions,
 * every strided-view path, both searchsorted paths, the linear algebra), disposing each
 * raw result. The input tensors are ordinary Eddy tensors (freed by an enclosing `tidy`).
 */
export function kernelWorkout(b: Backend): void {
  const x = f32([4, 5], 8, b);
  for (const op of [
    'neg',
    'exp',
    'expm1',
    'log1p',
    'sqrt',
    'square',
    'reciprocal',
    'abs',
    'sign',
    'sin',
    'cos',
    'tan',
    'asin',
    'acos',
    'atan',
    'sinh',
    'cosh',
    'tanh',
    'sigmoid',
    'logsigmoid',
    'softplus',
    'relu',
    'erf',
    'erfc',
    'erfinv',
    'lgamma',
    'digamma',
    'floor',
    'ceil',
    'logicalNot',
    'isnan',
    'isfinite',
  ] as const) {
    (b.unary(op, x, op === 'logicalNot' || op === 'isnan' || op === 'isfinite' ? 'bool' : 'float32') as tf.Tensor).dispose();
  }
  for (const op of [
    'add',
    'sub',
    'mul',
    'div',
    'pow',
    'atan2',
    'minimum',
    'maximum',
    'remainder',
    'eq',
    'ne',
    'lt',
    'le',
    'gt',
    'ge',
    'logicalAnd',
    'logicalOr',
  ] as const) {
    (b.binary(op, x, x, [4, 5], ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr'].includes(op) ? 'bool' : 'float32') as tf.Tensor).dispose();
  }
  const ints = idxOn([0, 1, 2, 3], [4], b);
  (b.binary('div', ints, ints, [4], 'int32') as tf.Tensor).dispose();
  for (const op of ['sum', 'prod', 'max', 'min'] as const) (b.reduce(op, x, [0, 1]) as tf.Tensor).dispose();
  (b.strided(x, [5, 4], [1, 5], 0) as tf.Tensor).dispose();
  (b.strided(x, [2, 5], [-10, 1], 15) as tf.Tensor).dispose();
  (b.strided(x, [3, 4, 5], [0, 5, 1], 0) as tf.Tensor).dispose();
  (b.strided(x, [2, 3], [5, 2], 0) as tf.Tensor).dispose();
  (b.strided(x, [4], [6], 0) as tf.Tensor).dispose(); // the diagonal: flat-gather fallback
  (b.cumsum(x, 1, true) as tf.Tensor).dispose();
  (b.concat([x, x], 0, [8, 5]) as tf.Tensor).dispose();
  (b.matmul(x, f32([3, 5, 2], 9, b), [3, 4, 2]) as tf.Tensor).dispose();
  const i2 = idxOn([0, 4, 1, 3, 2, 2, 4, 0], [4, 2], b);
  (b.gather(x, i2, 1) as tf.Tensor).dispose();
  (b.scatterAdd([4, 5], i2, f32([4, 2], 10, b), 1) as tf.Tensor).dispose();
  const sorted = tensor([[0, 1, 2, 3]], { dtype: 'float32', backend: b });
  (b.searchsorted(sorted, tensor([[0.5, 2.5, 9]], { dtype: 'float32', backend: b }), true) as tf.Tensor).dispose();
  const big = tensor(
    Float32Array.from({ length: 5000 }, (_, i) => i),
    { shape: [1, 5000], backend: b },
  );
  (
    b.searchsorted(
      big,
      tensor(
        Float32Array.from({ length: 4000 }, (_, i) => i * 1.3),
        { shape: [1, 4000], backend: b },
      ),
      false,
    ) as tf.Tensor
  ).dispose();
  const a = tensor(
    [
      [2, 0, 0],
      [1, 3, 0],
      [1, 1, 4],
    ],
    { dtype: 'float32', backend: b },
  );
  (b.triangularSolve(a, f32([3, 2], 11, b), false, true, false) as tf.Tensor).dispose();
  const f = b.lu(a);
  (f.lu as tf.Tensor).dispose();
  (f.pivots as tf.Tensor).dispose();
  const mask = b.binary('lt', x, x, [4, 5], 'bool') as tf.Tensor;
  (b.where({ shape: [4, 5], dtype: 'bool', handle: mask }, x, x, [4, 5]) as tf.Tensor).dispose();
  mask.dispose();
  (b.cast(x, 'int32') as tf.Tensor).dispose();
  (b.cast(x, 'bool') as tf.Tensor).dispose();
}
