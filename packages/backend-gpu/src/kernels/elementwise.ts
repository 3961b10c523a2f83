import type { BinaryOp, UnaryOp } from '@eddy/core';
import * as tf from '@tensorflow/tfjs-core';
import { select } from './ops.js';
import type { TfDType } from '../dtype.js';
import { digamma, erf, erfc, erfinv, lgamma } from './special.js';

/** Keeps NaN entries of `x` in `y` (for ops whose NaN handling differs between engines). */
function keepNaN(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return select(tf.isNaN(x), x, y);
}

const toBool = (x: tf.Tensor): tf.Tensor => (x.dtype === 'bool' ? x : tf.cast(x, 'bool'));

/**
 * softplus(x) = log(1 + eˣ), and the identity above 20 (PyTorch's threshold, as the CPU
 * backend), composed here rather than TensorFlow.js's Softplus, whose threshold differs
 * by engine.
 */
function softplus(x: tf.Tensor): tf.Tensor {
  return select(tf.greater(x, 20), x, tf.log1p(tf.exp(x)));
}

/** Each unary primitive as TensorFlow.js ops (call inside `tf.tidy`). */
const UNARY: Record<UnaryOp, (x: tf.Tensor) => tf.Tensor> = {
  neg: (x) => tf.neg(x),
  exp: (x) => tf.exp(x),
  expm1: (x) => tf.expm1(x),
  log: (x) => tf.log(x),
  log1p: (x) => tf.log1p(x),
  sqrt: (x) => tf.sqrt(x),
  square: (x) => tf.square(x),
  reciprocal: (x) => tf.reciprocal(x),
  abs: (x) => tf.abs(x),
  // sign(NaN) = NaN as on the CPU backend (TensorFlow.js gives 0).
  sign: (x) => (x.dtype === 'float32' ? keepNaN(x, tf.sign(x)) : tf.sign(x)),
  sin: (x) => tf.sin(x),
  cos: (x) => tf.cos(x),
  tan: (x) => tf.tan(x),
  asin: (x) => tf.asin(x),
  acos: (x) => tf.acos(x),
  atan: (x) => tf.atan(x),
  sinh: (x) => tf.sinh(x),
  cosh: (x) => tf.cosh(x),
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  // log σ(x) = -softplus(-x) = x - softplus(x), each on the side where it is accurate.
  logsigmoid: (x) => select(tf.greaterEqual(x, 0), tf.neg(tf.log1p(tf.exp(tf.neg(x)))), tf.sub(x, tf.log1p(tf.exp(x)))),
  softplus,
  // relu(NaN) = NaN on every engine.
  relu: (x) => (x.dtype === 'float32' ? keepNaN(x, tf.relu(x)) : tf.relu(x)),
  erf,
  erfc,
  erfinv,
  lgamma,
  digamma,
  floor: (x) => tf.floor(x),
  ceil: (x) => tf.ceil(x),
  logicalNot: (x) => tf.logicalNot(toBool(x)),
  isnan: (x) => (x.dtype === 'float32' ? tf.isNaN(x) : tf.zeros(x.shape, 'bool')),
  isfinite: (x) => (x.dtype === 'float32' ? tf.isFinite(x) : tf.ones(x.shape, 'bool')),
};

/**
 * Elementwise unary op with output dtype `out`.
 *
 * @category Kernels
 */
export function unaryKernel(op: UnaryOp, x: tf.Tensor, out: TfDType): tf.Tensor {
  return tf.tidy(() => {
    const y = UNARY[op](x);
    return y.dtype === out ? y : tf.cast(y, out);
  });
}

/** NaN-propagating minimum / maximum (engines differ on NaN). */
function minmax(a: tf.Tensor, b: tf.Tensor, max: boolean): tf.Tensor {
  const r = max ? tf.maximum(a, b) : tf.minimum(a, b);
  if (a.dtype !== 'float32') return r;
  // Where either input is NaN, a + b is that NaN.
  return select(tf.logicalOr(tf.isNaN(a), tf.isNaN(b)), tf.add(a, b), r);
}

const BINARY: Record<BinaryOp, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor> = {
  add: (a, b) => tf.add(a, b),
  sub: (a, b) => tf.sub(a, b),
  mul: (a, b) => tf.mul(a, b),
  // TensorFlow.js floors int32 quotients; the CPU backend truncates toward zero.
  div: (a, b) => (a.dtype === 'int32' ? tf.cast(tf.div(tf.cast(a, 'float32'), tf.cast(b, 'float32')), 'int32') : tf.div(a, b)),
  pow: (a, b) => tf.pow(a, b),
  atan2: (a, b) => tf.atan2(a, b),
  minimum: (a, b) => minmax(a, b, false),
  maximum: (a, b) => minmax(a, b, true),
  // tf.mod is the floored modulo (the sign of the divisor), as Python's %.
  remainder: (a, b) => tf.mod(a, b),
  eq: (a, b) => tf.equal(a, b),
  ne: (a, b) => tf.notEqual(a, b),
  lt: (a, b) => tf.less(a, b),
  le: (a, b) => tf.lessEqual(a, b),
  gt: (a, b) => tf.greater(a, b),
  ge: (a, b) => tf.greaterEqual(a, b),
  logicalAnd: (a, b) => tf.logicalAnd(toBool(a), toBool(b)),
  logicalOr: (a, b) => tf.logicalOr(toBool(a), toBool(b)),
};

/**
 * Elementwise binary op with broadcasting to `outShape` and output dtype `out`.
 *
 * @category Kernels
 */
export function binaryKernel(op: BinaryOp, a: tf.Tensor, b: tf.Tensor, outShape: readonly number[], out: TfDType): tf.Tensor {
  return tf.tidy(() => {
    let y = BINARY[op](a, b);
    if (y.dtype !== out) y = tf.cast(y, out);
    // Broadcasting already gives outShape; a rank mismatch can only come from 0-d inputs.
    return y.shape.length === outShape.length ? y : tf.reshape(y, [...outShape]);
  });
}

/**
 * `cond ? a : b` with all three broadcast to `outShape`.
 *
 * @category Kernels
 */
export function whereKernel(cond: tf.Tensor, a: tf.Tensor, b: tf.Tensor, outShape: readonly number[]): tf.Tensor {
  return tf.tidy(() => {
    const y = select(toBool(cond), a, b);
    return y.shape.length === outShape.length ? y : tf.reshape(y, [...outShape]);
  });
}

/**
 * Cast with the CPU backend's rules (floats to int32 truncate toward zero; to bool: x != 0).
 *
 * @category Kernels
 */
export function castKernel(x: tf.Tensor, out: TfDType): tf.Tensor {
  return x.dtype === out ? tf.clone(x) : tf.cast(x, out);
}
