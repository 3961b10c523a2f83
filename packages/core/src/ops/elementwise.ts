import { record } from '../autodiff.js';
import type { BinaryOp, UnaryOp } from '../backend.js';
import { type DType, getDefaultDType, isFloat, promoteTypes } from '../dtype.js';
import { DTypeError } from '../errors.js';
import { broadcastShapes, shapesEqual } from '../shape.js';
import { Tensor, type TensorLike, full } from '../tensor.js';
import { sumToShape } from './reduce.js';

/** Turns a number into a scalar tensor of `dtype` on `like`'s backend. @internal */
export function scalarLike(v: number, like: Tensor, dtype: DType = like.dtype): Tensor {
  return full([], v, { dtype, backend: like.backend });
}

/**
 * Converts to another dtype. Between float dtypes the gradient passes through (cast back);
 * to int32 values truncate toward zero; to bool, `x != 0`.
 *
 * @example
 * ```ts
 * import { cast, tensor } from '@eddy/core';
 * cast(tensor([1.7, -1.7]), 'int32'); // [1, -1]
 * ```
 * @category Elementwise ops
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const out = new Tensor(x.backend.cast(x, dtype), x.shape, dtype, x.backend);
  if (!isFloat(dtype) || !isFloat(x.dtype)) return out;
  return record('cast', out, [x], (g) => [cast(g, x.dtype)]);
}

function asFloat(x: Tensor): Tensor {
  return isFloat(x.dtype) ? x : cast(x, getDefaultDType());
}

type UnaryGrad = (g: Tensor, x: Tensor, y: Tensor) => Tensor | null;

function unary(op: UnaryOp, x: Tensor, gradFn: UnaryGrad | null): Tensor {
  const xf = asFloat(x);
  const y = new Tensor(xf.backend.unary(op, xf, xf.dtype), xf.shape, xf.dtype, xf.backend);
  if (gradFn === null) return y;
  return record(op, y, [xf], (g) => [gradFn(g, xf, y)]);
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * `-x` elementwise.
 * @example
 * ```ts
 * import { neg, tensor } from '@eddy/core';
 * neg(tensor([1, -2])); // [-1, 2]
 * ```
 * @category Elementwise ops
 */
export function neg(x: Tensor): Tensor {
  return unary('neg', x, (g) => neg(g));
}
/**
 * $e^x$ elementwise.
 * @example
 * ```ts
 * import { exp, tensor } from '@eddy/core';
 * exp(tensor([0])); // [1]
 * ```
 * @category Elementwise ops
 */
export function exp(x: Tensor): Tensor {
  return unary('exp', x, (g, _x, y) => mul(g, y));
}
/**
 * $e^x - 1$, accurate near 0.
 * @example
 * ```ts
 * import { expm1, tensor } from '@eddy/core';
 * expm1(tensor([1e-10])); // [1e-10]
 * ```
 * @category Elementwise ops
 */
export function expm1(x: Tensor): Tensor {
  return unary('expm1', x, (g, _x, y) => mul(g, add(y, 1)));
}
/**
 * Natural logarithm.
 * @example
 * ```ts
 * import { log, tensor } from '@eddy/core';
 * log(tensor([Math.E])); // [1]
 * ```
 * @category Elementwise ops
 */
export function log(x: Tensor): Tensor {
  return unary('log', x, (g, xx) => div(g, xx));
}
/**
 * $\log(1 + x)$, accurate near 0.
 * @example
 * ```ts
 * import { log1p, tensor } from '@eddy/core';
 * log1p(tensor([1e-10])); // [1e-10]
 * ```
 * @category Elementwise ops
 */
export function log1p(x: Tensor): Tensor {
  return unary('log1p', x, (g, xx) => div(g, add(xx, 1)));
}
/**
 * Square root.
 * @example
 * ```ts
 * import { sqrt, tensor } from '@eddy/core';
 * sqrt(tensor([4])); // [2]
 * ```
 * @category Elementwise ops
 */
export function sqrt(x: Tensor): Tensor {
  return unary('sqrt', x, (g, _x, y) => div(g, mul(y, 2)));
}
/**
 * $x^2$.
 * @example
 * ```ts
 * import { square, tensor } from '@eddy/core';
 * square(tensor([3])); // [9]
 * ```
 * @category Elementwise ops
 */
export function square(x: Tensor): Tensor {
  return unary('square', x, (g, xx) => mul(g, mul(xx, 2)));
}
/**
 * $1 / x$.
 * @example
 * ```ts
 * import { reciprocal, tensor } from '@eddy/core';
 * reciprocal(tensor([4])); // [0.25]
 * ```
 * @category Elementwise ops
 */
export function reciprocal(x: Tensor): Tensor {
  return unary('reciprocal', x, (g, _x, y) => neg(mul(g, square(y))));
}
/**
 * `|x|` (gradient `sign(x)`, 0 at 0).
 * @example
 * ```ts
 * import { abs, tensor } from '@eddy/core';
 * abs(tensor([-2])); // [2]
 * ```
 * @category Elementwise ops
 */
export function abs(x: Tensor): Tensor {
  return unary('abs', x, (g, xx) => mul(g, sign(xx)));
}
/**
 * Sign: -1, 0 or 1 (NaN stays NaN). Not differentiable (zero gradient).
 * @example
 * ```ts
 * import { sign, tensor } from '@eddy/core';
 * sign(tensor([-3, 0, 2])); // [-1, 0, 1]
 * ```
 * @category Elementwise ops
 */
export function sign(x: Tensor): Tensor {
  return unary('sign', x, null);
}
/**
 * Sine.
 * @example
 * ```ts
 * import { sin, tensor } from '@eddy/core';
 * sin(tensor([0])); // [0]
 * ```
 * @category Elementwise ops
 */
export function sin(x: Tensor): Tensor {
  return unary('sin', x, (g, xx) => mul(g, cos(xx)));
}
/**
 * Cosine.
 * @example
 * ```ts
 * import { cos, tensor } from '@eddy/core';
 * cos(tensor([0])); // [1]
 * ```
 * @category Elementwise ops
 */
export function cos(x: Tensor): Tensor {
  return unary('cos', x, (g, xx) => neg(mul(g, sin(xx))));
}
/**
 * Tangent.
 * @example
 * ```ts
 * import { tan, tensor } from '@eddy/core';
 * tan(tensor([0])); // [0]
 * ```
 * @category Elementwise ops
 */
export function tan(x: Tensor): Tensor {
  return unary('tan', x, (g, _x, y) => mul(g, add(square(y), 1)));
}
/**
 * Arcsine.
 * @example
 * ```ts
 * import { asin, tensor } from '@eddy/core';
 * asin(tensor([1])); // [π/2]
 * ```
 * @category Elementwise ops
 */
export function asin(x: Tensor): Tensor {
  return unary('asin', x, (g, xx) => div(g, sqrt(rsub(1, square(xx)))));
}
/**
 * Arccosine.
 * @example
 * ```ts
 * import { acos, tensor } from '@eddy/core';
 * acos(tensor([1])); // [0]
 * ```
 * @category Elementwise ops
 */
export function acos(x: Tensor): Tensor {
  return unary('acos', x, (g, xx) => neg(div(g, sqrt(rsub(1, square(xx))))));
}
/**
 * Arctangent.
 * @example
 * ```ts
 * import { atan, tensor } from '@eddy/core';
 * atan(tensor([1])); // [π/4]
 * ```
 * @category Elementwise ops
 */
export function atan(x: Tensor): Tensor {
  return unary('atan', x, (g, xx) => div(g, add(square(xx), 1)));
}
/**
 * Hyperbolic sine.
 * @example
 * ```ts
 * import { sinh, tensor } from '@eddy/core';
 * sinh(tensor([0])); // [0]
 * ```
 * @category Elementwise ops
 */
export function sinh(x: Tensor): Tensor {
  return unary('sinh', x, (g, xx) => mul(g, cosh(xx)));
}
/**
 * Hyperbolic cosine.
 * @example
 * ```ts
 * import { cosh, tensor } from '@eddy/core';
 * cosh(tensor([0])); // [1]
 * ```
 * @category Elementwise ops
 */
export function cosh(x: Tensor): Tensor {
  return unary('cosh', x, (g, xx) => mul(g, sinh(xx)));
}
/**
 * Hyperbolic tangent.
 * @example
 * ```ts
 * import { tanh, tensor } from '@eddy/core';
 * tanh(tensor([0])); // [0]
 * ```
 * @category Elementwise ops
 */
export function tanh(x: Tensor): Tensor {
  return unary('tanh', x, (g, _x, y) => mul(g, rsub(1, square(y))));
}
/**
 * Logistic sigmoid $1 / (1 + e^{-x})$, computed without overflow.
 * @example
 * ```ts
 * import { sigmoid, tensor } from '@eddy/core';
 * sigmoid(tensor([0])); // [0.5]
 * ```
 * @category Elementwise ops
 */
export function sigmoid(x: Tensor): Tensor {
  return unary('sigmoid', x, (g, _x, y) => mul(g, mul(y, rsub(1, y))));
}
/**
 * $\log \sigma(x) = -\operatorname{softplus}(-x)$, stable for large $|x|$.
 * @example
 * ```ts
 * import { logsigmoid, tensor } from '@eddy/core';
 * logsigmoid(tensor([0])); // [-log 2]
 * ```
 * @category Elementwise ops
 */
export function logsigmoid(x: Tensor): Tensor {
  return unary('logsigmoid', x, (g, xx) => mul(g, sigmoid(neg(xx))));
}
/**
 * $\log(1 + e^x)$, as PyTorch computes it: `x` itself when `x > 20`.
 * @example
 * ```ts
 * import { softplus, tensor } from '@eddy/core';
 * softplus(tensor([0])); // [log 2]
 * ```
 * @category Elementwise ops
 */
export function softplus(x: Tensor): Tensor {
  return unary('softplus', x, (g, xx) => mul(g, sigmoid(xx)));
}
/**
 * `max(x, 0)` (gradient 0 at 0, as in PyTorch).
 * @example
 * ```ts
 * import { relu, tensor } from '@eddy/core';
 * relu(tensor([-1, 2])); // [0, 2]
 * ```
 * @category Elementwise ops
 */
export function relu(x: Tensor): Tensor {
  return unary('relu', x, (g, xx) => mul(g, cast(gt(xx, 0), g.dtype)));
}
/**
 * ELU: $x$ for $x > 0$, else $\alpha(e^x - 1)$. The exponential only sees `min(x, 0)`, so the
 * unused branch never produces an infinite gradient.
 * @example
 * ```ts
 * import { elu, tensor } from '@eddy/core';
 * elu(tensor([-1, 2])); // [e⁻¹ - 1, 2]
 * ```
 * @category Elementwise ops
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  const xf = asFloat(x);
  return where(gt(xf, 0), xf, mul(expm1(minimum(xf, 0)), alpha));
}
/**
 * Error function (float64-accurate).
 * @example
 * ```ts
 * import { erf, tensor } from '@eddy/core';
 * erf(tensor([0.5])); // [0.5204998778130465]
 * ```
 * @category Elementwise ops
 */
export function erf(x: Tensor): Tensor {
  return unary('erf', x, (g, xx) => mul(g, mul(exp(neg(square(xx))), TWO_OVER_SQRT_PI)));
}
/**
 * Complementary error function `1 - erf(x)`, accurate for large x.
 * @example
 * ```ts
 * import { erfc, tensor } from '@eddy/core';
 * erfc(tensor([10])); // [2.088487583762545e-45]
 * ```
 * @category Elementwise ops
 */
export function erfc(x: Tensor): Tensor {
  return unary('erfc', x, (g, xx) => mul(g, mul(exp(neg(square(xx))), -TWO_OVER_SQRT_PI)));
}
/**
 * Inverse error function on [-1, 1].
 * @example
 * ```ts
 * import { erfinv, tensor } from '@eddy/core';
 * erfinv(tensor([0.5])); // [0.4769362762044699]
 * ```
 * @category Elementwise ops
 */
export function erfinv(x: Tensor): Tensor {
  return unary('erfinv', x, (g, _x, y) => mul(g, mul(exp(square(y)), Math.sqrt(Math.PI) / 2)));
}
/**
 * `log|Γ(x)|`; its gradient is the digamma function.
 * @example
 * ```ts
 * import { lgamma, tensor } from '@eddy/core';
 * lgamma(tensor([5])); // [log 24]
 * ```
 * @category Elementwise ops
 */
export function lgamma(x: Tensor): Tensor {
  return unary('lgamma', x, (g, xx) => mul(g, digamma(xx)));
}
/**
 * Digamma function ψ(x) = d/dx log Γ(x). Its own gradient (trigamma) is not implemented:
 * differentiating through it throws.
 * @example
 * ```ts
 * import { digamma, tensor } from '@eddy/core';
 * digamma(tensor([1])); // [-0.5772156649015329]
 * ```
 * @category Elementwise ops
 */
export function digamma(x: Tensor): Tensor {
  return unary('digamma', x, () => {
    throw new DTypeError('digamma: gradient (trigamma) is not implemented');
  });
}
/**
 * Largest integer ≤ x (zero gradient).
 * @example
 * ```ts
 * import { floor, tensor } from '@eddy/core';
 * floor(tensor([1.5, -1.5])); // [1, -2]
 * ```
 * @category Elementwise ops
 */
export function floor(x: Tensor): Tensor {
  return unary('floor', x, null);
}
/**
 * Smallest integer ≥ x (zero gradient).
 * @example
 * ```ts
 * import { ceil, tensor } from '@eddy/core';
 * ceil(tensor([1.5])); // [2]
 * ```
 * @category Elementwise ops
 */
export function ceil(x: Tensor): Tensor {
  return unary('ceil', x, null);
}

function boolUnary(op: UnaryOp, x: Tensor): Tensor {
  return new Tensor(x.backend.unary(op, x, 'bool'), x.shape, 'bool', x.backend);
}
/**
 * Elementwise NOT of a mask (non-zero counts as true).
 * @example
 * ```ts
 * import { logicalNot, tensor } from '@eddy/core';
 * logicalNot(tensor([true, false])); // [false, true]
 * ```
 * @category Elementwise ops
 */
export function logicalNot(x: Tensor): Tensor {
  return boolUnary('logicalNot', x);
}
/**
 * Mask of NaN entries.
 * @example
 * ```ts
 * import { isnan, tensor } from '@eddy/core';
 * isnan(tensor([NaN, 1])); // [true, false]
 * ```
 * @category Elementwise ops
 */
export function isnan(x: Tensor): Tensor {
  return boolUnary('isnan', x);
}
/**
 * Mask of finite entries.
 * @example
 * ```ts
 * import { isfinite, tensor } from '@eddy/core';
 * isfinite(tensor([Infinity, 1])); // [false, true]
 * ```
 * @category Elementwise ops
 */
export function isfinite(x: Tensor): Tensor {
  return boolUnary('isfinite', x);
}

const COMPARISONS = new Set<BinaryOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr']);

/**
 * Brings two operands to one dtype by the promotion rule ({@link promoteTypes}), except
 * that a 0-d float tensor takes the dtype of a float tensor with axes (PyTorch's rule); a
 * plain number takes the tensor's dtype (or the default float dtype if it is not an
 * integer and the tensor holds integers). @internal
 */
export function coerce(a: TensorLike, b: TensorLike, floatOnly: boolean): [Tensor, Tensor] {
  if (typeof a === 'number' && typeof b === 'number') throw new DTypeError('binary op needs at least one tensor');
  const like = (typeof a === 'number' ? b : a) as Tensor;
  const numDtype = (v: number): DType => (isFloat(like.dtype) ? like.dtype : Number.isInteger(v) && !floatOnly ? 'int32' : getDefaultDType());
  let ta = typeof a === 'number' ? scalarLike(a, like, numDtype(a)) : a;
  let tb = typeof b === 'number' ? scalarLike(b, like, numDtype(b)) : b;
  let dt = promoteTypes(ta.dtype, tb.dtype);
  // As in PyTorch, a 0-d float tensor does not promote a float tensor with axes:
  // float32 data times a float64 scalar parameter stays float32.
  if (isFloat(ta.dtype) && isFloat(tb.dtype) && ta.dtype !== tb.dtype && (ta.ndim === 0) !== (tb.ndim === 0)) {
    dt = ta.ndim === 0 ? tb.dtype : ta.dtype;
  }
  if (floatOnly && !isFloat(dt)) dt = getDefaultDType();
  ta = cast(ta, dt);
  tb = cast(tb, dt);
  return [ta, tb];
}

type BinaryGrad = (g: Tensor, a: Tensor, b: Tensor, y: Tensor) => [Tensor | null, Tensor | null];

function binary(op: BinaryOp, a0: TensorLike, b0: TensorLike, gradFn: BinaryGrad | null, floatOnly = false): Tensor {
  const [a, b] = coerce(a0, b0, floatOnly);
  const outShape = shapesEqual(a.shape, b.shape) ? a.shape : broadcastShapes(op, a.shape, b.shape);
  const outDtype = COMPARISONS.has(op) ? 'bool' : a.dtype;
  const y = new Tensor(a.backend.binary(op, a, b, outShape, outDtype), outShape, outDtype, a.backend);
  if (gradFn === null || !isFloat(outDtype)) return y;
  return record(op, y, [a, b], (g) => {
    const [ga, gb] = gradFn(g, a, b, y);
    return [ga && sumToShape(ga, a.shape), gb && sumToShape(gb, b.shape)];
  });
}

/**
 * `a + b` with broadcasting.
 * @example
 * ```ts
 * import { add, tensor } from '@eddy/core';
 * add(tensor([1, 2]), 1); // [2, 3]
 * ```
 * @category Elementwise ops
 */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return binary('add', a, b, (g) => [g, g]);
}
/**
 * `a - b` with broadcasting.
 * @example
 * ```ts
 * import { sub, tensor } from '@eddy/core';
 * sub(tensor([3]), tensor([1])); // [2]
 * ```
 * @category Elementwise ops
 */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  return binary('sub', a, b, (g) => [g, neg(g)]);
}
/** `b - a` for a number `a` (helper). @internal */
function rsub(a: number, b: Tensor): Tensor {
  return sub(a, b);
}
/**
 * `a · b` with broadcasting.
 * @example
 * ```ts
 * import { mul, tensor } from '@eddy/core';
 * mul(tensor([1, 2]), tensor([[1], [2]])); // [[1, 2], [2, 4]]
 * ```
 * @category Elementwise ops
 */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return binary('mul', a, b, (g, x, y) => [mul(g, y), mul(g, x)]);
}
/**
 * `a / b` with broadcasting (always a float result).
 * @example
 * ```ts
 * import { div, tensor } from '@eddy/core';
 * div(tensor([1]), 4); // [0.25]
 * ```
 * @category Elementwise ops
 */
export function div(a: TensorLike, b: TensorLike): Tensor {
  return binary('div', a, b, (g, _a, b2, y) => [div(g, b2), neg(div(mul(g, y), b2))], true);
}
/**
 * `aᵇ` with broadcasting. The gradient with respect to `b` is taken as 0 where `a = 0`
 * and `b ≥ 0` (as PyTorch does), never NaN.
 * @example
 * ```ts
 * import { pow, tensor } from '@eddy/core';
 * pow(tensor([2, 3]), 2); // [4, 9]
 * ```
 * @category Elementwise ops
 */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  return binary(
    'pow',
    a,
    b,
    (g, x, e, y) => {
      // As PyTorch: the base gradient is 0 where the exponent is 0 (not 0 · x⁻¹ = NaN at x = 0).
      const ga = where(eq(e, 0), 0, mul(g, mul(e, pow(x, sub(e, 1)))));
      const safe = logicalAnd(eq(x, 0), ge(e, 0));
      const gb = where(safe, 0, mul(g, mul(y, log(where(safe, 1, x)))));
      return [ga, gb];
    },
    true,
  );
}
/**
 * Four-quadrant arctangent of `a / b`.
 * @example
 * ```ts
 * import { atan2, tensor } from '@eddy/core';
 * atan2(tensor([1]), tensor([-1])); // [3π/4]
 * ```
 * @category Elementwise ops
 */
export function atan2(a: TensorLike, b: TensorLike): Tensor {
  return binary(
    'atan2',
    a,
    b,
    (g, y, x) => {
      const r2 = add(square(x), square(y));
      return [div(mul(g, x), r2), neg(div(mul(g, y), r2))];
    },
    true,
  );
}

function minMaxGrad(isMin: boolean): BinaryGrad {
  return (g, a, b) => {
    const aWins = isMin ? lt(a, b) : gt(a, b);
    const tie = eq(a, b);
    const half = mul(g, 0.5);
    const ga = where(aWins, g, where(tie, half, 0));
    const gb = where(aWins, 0, where(tie, half, g));
    return [ga, gb];
  };
}
/**
 * Elementwise minimum (NaN propagates; ties split the gradient evenly, as PyTorch).
 * @example
 * ```ts
 * import { minimum, tensor } from '@eddy/core';
 * minimum(tensor([1, 5]), 3); // [1, 3]
 * ```
 * @category Elementwise ops
 */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return binary('minimum', a, b, minMaxGrad(true));
}
/**
 * Elementwise maximum (NaN propagates; ties split the gradient evenly, as PyTorch).
 * @example
 * ```ts
 * import { maximum, tensor } from '@eddy/core';
 * maximum(tensor([1, 5]), 3); // [3, 5]
 * ```
 * @category Elementwise ops
 */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return binary('maximum', a, b, minMaxGrad(false));
}
/**
 * Remainder with the sign of the divisor (Python's `%`, `torch.remainder`).
 * @example
 * ```ts
 * import { remainder, tensor } from '@eddy/core';
 * remainder(tensor([-1]), 3); // [2]
 * ```
 * @category Elementwise ops
 */
export function remainder(a: TensorLike, b: TensorLike): Tensor {
  return binary('remainder', a, b, (g, x, y) => [g, neg(mul(g, floor(div(x, y))))]);
}
/**
 * Clamps to `[min, max]` (either bound may be omitted). Gradient passes where the value
 * is inside the bounds.
 * @example
 * ```ts
 * import { clamp, tensor } from '@eddy/core';
 * clamp(tensor([-2, 0.5, 2]), -1, 1); // [-1, 0.5, 1]
 * ```
 * @category Elementwise ops
 */
export function clamp(x: Tensor, min?: TensorLike, max?: TensorLike): Tensor {
  let y = x;
  if (min !== undefined) y = where(lt(y, min), min, y);
  if (max !== undefined) y = where(gt(y, max), max, y);
  return y;
}
/**
 * `a == b` as a bool mask.
 * @example
 * ```ts
 * import { eq, tensor } from '@eddy/core';
 * eq(tensor([1, 2]), 2); // [false, true]
 * ```
 * @category Elementwise ops
 */
export function eq(a: TensorLike, b: TensorLike): Tensor {
  return binary('eq', a, b, null);
}
/**
 * `a != b` as a bool mask.
 * @example
 * ```ts
 * import { ne, tensor } from '@eddy/core';
 * ne(tensor([1, 2]), 2); // [true, false]
 * ```
 * @category Elementwise ops
 */
export function ne(a: TensorLike, b: TensorLike): Tensor {
  return binary('ne', a, b, null);
}
/**
 * `a < b` as a bool mask.
 * @example
 * ```ts
 * import { lt, tensor } from '@eddy/core';
 * lt(tensor([1, 2]), 2); // [true, false]
 * ```
 * @category Elementwise ops
 */
export function lt(a: TensorLike, b: TensorLike): Tensor {
  return binary('lt', a, b, null);
}
/**
 * `a <= b` as a bool mask.
 * @example
 * ```ts
 * import { le, tensor } from '@eddy/core';
 * le(tensor([1, 2]), 2); // [true, true]
 * ```
 * @category Elementwise ops
 */
export function le(a: TensorLike, b: TensorLike): Tensor {
  return binary('le', a, b, null);
}
/**
 * `a > b` as a bool mask.
 * @example
 * ```ts
 * import { gt, tensor } from '@eddy/core';
 * gt(tensor([1, 2]), 1); // [false, true]
 * ```
 * @category Elementwise ops
 */
export function gt(a: TensorLike, b: TensorLike): Tensor {
  return binary('gt', a, b, null);
}
/**
 * `a >= b` as a bool mask.
 * @example
 * ```ts
 * import { ge, tensor } from '@eddy/core';
 * ge(tensor([1, 2]), 2); // [false, true]
 * ```
 * @category Elementwise ops
 */
export function ge(a: TensorLike, b: TensorLike): Tensor {
  return binary('ge', a, b, null);
}
/**
 * Elementwise AND of masks.
 * @example
 * ```ts
 * import { logicalAnd, tensor } from '@eddy/core';
 * logicalAnd(tensor([true, true]), tensor([true, false])); // [true, false]
 * ```
 * @category Elementwise ops
 */
export function logicalAnd(a: TensorLike, b: TensorLike): Tensor {
  return binary('logicalAnd', a, b, null);
}
/**
 * Elementwise OR of masks.
 * @example
 * ```ts
 * import { logicalOr, tensor } from '@eddy/core';
 * logicalOr(tensor([false, true]), tensor([false, false])); // [false, true]
 * ```
 * @category Elementwise ops
 */
export function logicalOr(a: TensorLike, b: TensorLike): Tensor {
  return binary('logicalOr', a, b, null);
}

/**
 * `cond ? a : b` elementwise with broadcasting of all three. The gradient goes to `a`
 * where `cond` holds and to `b` elsewhere. Guard the inputs of the branch not taken
 * (e.g. `log(where(ok, x, 1))`) so that it cannot produce NaN gradients.
 * @example
 * ```ts
 * import { tensor, where } from '@eddy/core';
 * where(tensor([true, false]), tensor([1, 2]), 0); // [1, 0]
 * ```
 * @category Elementwise ops
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  // Two plain numbers take the default float dtype.
  const a0 = typeof a === 'number' && typeof b === 'number' ? scalarLike(a, cond, getDefaultDType()) : a;
  const [ta, tb] = coerce(a0, b, false);
  const c = cond.dtype === 'bool' ? cond : cast(cond, 'bool');
  const outShape = broadcastShapes('where', c.shape, ta.shape, tb.shape);
  const y = new Tensor(ta.backend.where(c, ta, tb, outShape), outShape, ta.dtype, ta.backend);
  if (!isFloat(ta.dtype)) return y;
  return record('where', y, [ta, tb], (g) => {
    const zero = scalarLike(0, g);
    return [sumToShape(where(c, g, zero), ta.shape), sumToShape(where(c, zero, g), tb.shape)];
  });
}
