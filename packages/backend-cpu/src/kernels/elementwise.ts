import type { BinaryOp, TypedArray, UnaryOp } from '@eddy/core';
import { special } from '@eddy/core';

/**
 * One operand of an elementwise loop: data plus its strides (0 = broadcast) and offset.
 *
 * @category Kernels
 */
export interface Operand {
  readonly data: TypedArray;
  readonly strides: readonly number[];
  readonly offset: number;
}

/**
 * Scalar JS expressions of `a` (and `b`, `c`) for each op; `H` holds helper functions.
 *
 * @category Kernels
 */
export const UNARY_EXPR: Record<UnaryOp, string> = {
  neg: '-a',
  exp: 'Math.exp(a)',
  expm1: 'Math.expm1(a)',
  log: 'Math.log(a)',
  log1p: 'Math.log1p(a)',
  sqrt: 'Math.sqrt(a)',
  square: 'a * a',
  reciprocal: '1 / a',
  abs: 'Math.abs(a)',
  sign: '(a > 0 ? 1 : a < 0 ? -1 : a)',
  sin: 'Math.sin(a)',
  cos: 'Math.cos(a)',
  tan: 'Math.tan(a)',
  asin: 'Math.asin(a)',
  acos: 'Math.acos(a)',
  atan: 'Math.atan(a)',
  sinh: 'Math.sinh(a)',
  cosh: 'Math.cosh(a)',
  tanh: 'Math.tanh(a)',
  sigmoid: '(a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a)))',
  logsigmoid: '(a >= 0 ? -Math.log1p(Math.exp(-a)) : a - Math.log1p(Math.exp(a)))',
  // PyTorch's softplus: the identity above the threshold 20.
  softplus: '(a > 20 ? a : Math.log1p(Math.exp(a)))',
  relu: '(a > 0 ? a : a === a ? 0 : a)',
  erf: 'H.erf(a)',
  erfc: 'H.erfc(a)',
  erfinv: 'H.erfinv(a)',
  lgamma: 'H.lgamma(a)',
  digamma: 'H.digamma(a)',
  floor: 'Math.floor(a)',
  ceil: 'Math.ceil(a)',
  logicalNot: '(a === 0 ? 1 : 0)',
  isnan: '(a !== a ? 1 : 0)',
  isfinite: '(Number.isFinite(a) ? 1 : 0)',
};

export const BINARY_EXPR: Record<BinaryOp, string> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  pow: 'Math.pow(a, b)',
  atan2: 'Math.atan2(a, b)',
  minimum: 'Math.min(a, b)',
  maximum: 'Math.max(a, b)',
  // torch.remainder / Python %: the result takes the sign of the divisor.
  remainder: 'H.remainder(a, b)',
  eq: '(a === b ? 1 : 0)',
  ne: '(a !== b ? 1 : 0)',
  lt: '(a < b ? 1 : 0)',
  le: '(a <= b ? 1 : 0)',
  gt: '(a > b ? 1 : 0)',
  ge: '(a >= b ? 1 : 0)',
  logicalAnd: '(a !== 0 && b !== 0 ? 1 : 0)',
  logicalOr: '(a !== 0 || b !== 0 ? 1 : 0)',
};

function remainder(a: number, b: number): number {
  let r = a % b;
  if (r !== 0 && r < 0 !== b < 0) r += b;
  return r;
}

const HELPERS = { ...special, remainder };

type Loop = (ins: TypedArray[], offs: number[], strides: number[][], out: TypedArray, shape: number[], h: typeof HELPERS) => void;

const NAMES = ['a', 'b', 'c'];
const cache = new Map<string, Loop>();

/**
 * Generates (once per expression and array types, so each loop stays monomorphic) an
 * n-d strided loop: an odometer over the outer axes and a tight inner loop.
 */
function compile(arity: number, expr: string, key: string): Loop {
  let fn = cache.get(key);
  if (fn !== undefined) return fn;
  const v = NAMES.slice(0, arity);
  const body = `
const nd = shape.length, n = shape[nd - 1], total = out.length;
if (total === 0) return;
${v.map((x, i) => `const D${x} = ins[${i}], s${x} = strides[${i}], i${x} = s${x}[nd - 1]; let p${x} = offs[${i}];`).join('\n')}
const idx = new Int32Array(nd);
let o = 0;
while (o < total) {
  ${v.map((x) => `let q${x} = p${x};`).join(' ')}
  for (let j = 0; j < n; j++) {
    ${v.map((x) => `const ${x} = D${x}[q${x}]; q${x} += i${x};`).join(' ')}
    out[o++] = ${expr};
  }
  for (let d = nd - 2; d >= 0; d--) {
    idx[d]++;
    ${v.map((x) => `p${x} += s${x}[d];`).join(' ')}
    if (idx[d] < shape[d]) break;
    ${v.map((x) => `p${x} -= s${x}[d] * shape[d];`).join(' ')}
    idx[d] = 0;
  }
}`;
  fn = new Function('ins', 'offs', 'strides', 'out', 'shape', 'H', body) as Loop;
  cache.set(key, fn);
  return fn;
}

/**
 * Strides of an operand of shape `shape` broadcast to `outShape` (0 on broadcast axes).
 *
 * @category Kernels
 */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const out = new Array<number>(outShape.length).fill(0);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const o = outShape.length - shape.length + i;
    out[o] = shape[i] === 1 && outShape[o] !== 1 ? 0 : acc;
    acc *= shape[i] as number;
  }
  return out;
}

/**
 * Merges adjacent axes that every operand walks contiguously, so the inner loop is as
 * long as possible (a same-shape op becomes one flat loop).
 */
function collapse(shape: readonly number[], strides: number[][]): { shape: number[]; strides: number[][] } {
  const s: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d] as number;
    if (size === 1) continue;
    const last = s.length - 1;
    if (last >= 0 && strides.every((x, k) => (st[k] as number[])[last] === (x[d] as number) * size)) {
      s[last] = (s[last] as number) * size;
      strides.forEach((x, k) => {
        (st[k] as number[])[last] = x[d] as number;
      });
    } else {
      s.push(size);
      strides.forEach((x, k) => {
        (st[k] as number[]).push(x[d] as number);
      });
    }
  }
  if (s.length === 0) return { shape: [1], strides: strides.map(() => [0]) };
  return { shape: s, strides: st };
}

/**
 * Runs `expr` over operands into a fresh row-major output of `outShape`.
 *
 * @category Kernels
 */
export function elementwise(expr: string, operands: readonly Operand[], out: TypedArray, outShape: readonly number[]): TypedArray {
  const key = `${expr}|${operands.map((o) => o.data.constructor.name).join(',')}|${out.constructor.name}`;
  const fn = compile(operands.length, expr, key);
  const c = collapse(
    outShape,
    operands.map((o) => [...o.strides]),
  );
  fn(
    operands.map((o) => o.data),
    operands.map((o) => o.offset),
    c.strides,
    out,
    c.shape,
    HELPERS,
  );
  return out;
}
