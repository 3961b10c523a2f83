import { isGradEnabled, record } from '../autodiff.js';
import { isFloat } from '../dtype.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { type FusedActivation, fusedKernelsOf } from '../fused-kernels.js';
import { sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { add, gt, relu, where } from './elementwise.js';
import { matmul } from './linalg.js';
import { sum } from './reduce.js';
import { concat, reshape, slice, transpose } from './shape.js';

/**
 * The fused linear layer $\operatorname{act}(x W^\top + b)$, with `x` given as one tensor `[..., K]` or as
 * several blocks `[..., k_b]` that are concatenated along the last axis ($\sum_b k_b = K$)
 * without materialising the concatenation; `weight` is `[n, K]`, `bias` `[n]` or `null`;
 * the result is `[..., n]`.
 *
 * On a backend with a fused `linear` kernel (the CPU backend; its native SIMD kernels when
 * built) this is one pass with the bias and activation in the matrix product's epilogue,
 * and its gradient one fused backward; elsewhere it composes `matmul`, `add` and the
 * activation. Both give the same values to rounding; gradients follow either way
 * (higher-order gradients use the composed form).
 *
 * @example
 * ```ts
 * import { fusedLinear, ones, zeros } from '@eddy/core';
 * const y = fusedLinear(ones([5, 3]), ones([2, 3]), zeros([2]), 'relu'); // [5, 2], all 3
 * const z = fusedLinear([ones([5, 2]), ones([5, 1])], ones([2, 3]), null); // blocks: same
 * ```
 * @category Fused ops
 */
export function fusedLinear(x: Tensor | readonly Tensor[], weight: Tensor, bias: Tensor | null = null, activation: FusedActivation = 'none'): Tensor {
  const xs: readonly Tensor[] = x instanceof Tensor ? [x] : x;
  if (xs.length === 0) throw new ValueError('fusedLinear: x needs at least one block');
  if (activation !== 'none' && activation !== 'relu')
    throw new ValueError(`fusedLinear: activation must be 'none' or 'relu', got ${JSON.stringify(activation)}`);
  if (weight.ndim !== 2) throw new ShapeError(`fusedLinear: weight must be [out, in], got ${fmtShape(weight.shape)}`);
  if (!isFloat(weight.dtype)) throw new DTypeError(`fusedLinear: weight must be float, got ${weight.dtype}`);
  const [n, K] = weight.shape as [number, number];
  const first = xs[0] as Tensor;
  const lead = first.shape.slice(0, -1);
  let total = 0;
  for (const [i, t] of xs.entries()) {
    if (t.ndim !== first.ndim || t.ndim < 1 || t.shape.slice(0, -1).some((d, j) => d !== lead[j])) {
      throw new ShapeError(`fusedLinear: block ${i} has shape ${fmtShape(t.shape)}, expected [${lead.join(', ')}${lead.length > 0 ? ', ' : ''}k]`);
    }
    if (t.dtype !== weight.dtype) throw new DTypeError(`fusedLinear: block ${i} is ${t.dtype}, the weight is ${weight.dtype}`);
    total += t.shape[t.ndim - 1] as number;
  }
  if (total !== K) throw new ShapeError(`fusedLinear: the blocks have ${total} features in all, the weight [${n}, ${K}] expects ${K}`);
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== n || bias.dtype !== weight.dtype)) {
    throw new ShapeError(`fusedLinear: bias must be [${n}] ${weight.dtype}, got ${fmtShape(bias.shape)} ${bias.dtype}`);
  }
  const be = weight.backend;
  const kernel = fusedKernelsOf(be)?.linear;
  const m = sizeOf(lead);
  if (kernel === undefined || m === 0 || xs.some((t) => t.backend !== be) || (bias !== null && bias.backend !== be)) {
    return composedLinear(xs, weight, bias, activation);
  }
  const outShape = [...lead, n];
  const y = new Tensor(kernel.call(be.fused, xs, weight, bias, activation, m), outShape, weight.dtype, be);
  const inputs = bias === null ? [...xs, weight] : [...xs, weight, bias];
  return record('fusedLinear', y, inputs, (g) => {
    const backward = fusedKernelsOf(be)?.linearBackward;
    if (backward === undefined || isGradEnabled()) return linearGradsComposed(g, y, xs, weight, bias, activation);
    const need = { xs: xs.map((t) => t.requiresGrad), weight: weight.requiresGrad, bias: bias?.requiresGrad ?? false };
    const r = backward.call(be.fused, g, y, xs, weight, activation, need);
    const wrap = (h: unknown | null, shape: readonly number[]): Tensor | null => (h === null ? null : new Tensor(h, shape, weight.dtype, be));
    const grads: Array<Tensor | null> = xs.map((t, i) => wrap(r.xs[i] ?? null, t.shape));
    grads.push(wrap(r.weight, weight.shape));
    if (bias !== null) grads.push(wrap(r.bias, bias.shape));
    return grads;
  });
}

function applyActivation(y: Tensor, activation: FusedActivation): Tensor {
  return activation === 'relu' ? relu(y) : y;
}

function composedLinear(xs: readonly Tensor[], weight: Tensor, bias: Tensor | null, activation: FusedActivation): Tensor {
  const x = xs.length === 1 ? (xs[0] as Tensor) : concat(xs, -1);
  const y = matmul(x, transpose(weight));
  return applyActivation(bias === null ? y : add(y, bias), activation);
}

/** The gradients of a fused linear layer written with differentiable core ops. */
function linearGradsComposed(
  g: Tensor,
  y: Tensor,
  xs: readonly Tensor[],
  weight: Tensor,
  bias: Tensor | null,
  activation: FusedActivation,
): Array<Tensor | null> {
  const [n] = weight.shape as [number, number];
  const gz = reshape(activation === 'relu' ? where(gt(y, 0), g, 0) : g, [-1, n]);
  const grads: Array<Tensor | null> = [];
  const wGrads: Tensor[] = [];
  let col = 0;
  for (const t of xs) {
    const k = t.shape[t.ndim - 1] as number;
    const x2 = reshape(t, [-1, k]);
    grads.push(t.requiresGrad ? reshape(matmul(gz, slice(weight, 1, col, col + k)), t.shape) : null);
    wGrads.push(matmul(transpose(gz), x2));
    col += k;
  }
  grads.push(weight.requiresGrad ? (wGrads.length === 1 ? (wGrads[0] as Tensor) : concat(wGrads, 1)) : null);
  if (bias !== null) grads.push(bias.requiresGrad ? sum(gz, 0) : null);
  return grads;
}

/**
 * One layer of {@link fusedMLP}.
 * @category Fused ops
 */
export interface MlpLayer {
  /** `[out, in]`. */
  weight: Tensor;
  /** `[out]` or `null`. */
  bias: Tensor | null;
  /** Applied after the affine map. */
  activation: FusedActivation;
}

/**
 * A chain of {@link fusedLinear} layers, $\operatorname{act}_L\big(\cdots \operatorname{act}_1(x W_1^\top + b_1) \cdots W_L^\top + b_L\big)$,
 * with `x` one tensor or several blocks along the last axis. When no gradient is being
 * recorded and the backend has a fused `mlp` kernel, the whole network runs in one call
 * that keeps each row tile's hidden activations in cache (the values are those of the
 * layer-by-layer form, bit for bit on the CPU backend); otherwise it is the chain itself.
 *
 * @example
 * ```ts
 * import { fusedMLP, noGrad, randn } from '@eddy/core';
 * const x = randn([8, 3], { seed: 0 });
 * const [w1, b1, w2, b2] = [randn([16, 3], { seed: 0 }), randn([16], { seed: 1 }), randn([2, 16], { seed: 2 }), randn([2], { seed: 3 })];
 * const y = noGrad(() => fusedMLP(x, [{ weight: w1, bias: b1, activation: 'relu' }, { weight: w2, bias: b2, activation: 'none' }]));
 * ```
 * @category Fused ops
 */
export function fusedMLP(x: Tensor | readonly Tensor[], layers: readonly MlpLayer[]): Tensor {
  if (layers.length === 0) throw new ValueError('fusedMLP: needs at least one layer');
  const xs: readonly Tensor[] = x instanceof Tensor ? [x] : x;
  const chain = (): Tensor => layers.reduce<Tensor | readonly Tensor[]>((v, l) => fusedLinear(v, l.weight, l.bias, l.activation), xs) as Tensor;
  const first = xs[0];
  const last = layers[layers.length - 1] as MlpLayer;
  const be = last.weight.backend;
  const kernel = fusedKernelsOf(be)?.mlp;
  const tensors = [...xs, ...layers.flatMap((l) => (l.bias === null ? [l.weight] : [l.weight, l.bias]))];
  const recording = isGradEnabled() && tensors.some((t) => t.requiresGrad);
  if (kernel === undefined || recording || first === undefined || first.ndim < 1 || tensors.some((t) => t.backend !== be || t.dtype !== last.weight.dtype))
    return chain();
  const lead = first.shape.slice(0, -1);
  const m = sizeOf(lead);
  let width = xs.reduce((s, t) => s + (t.shape[t.ndim - 1] as number), 0);
  for (const l of layers) {
    if (l.weight.ndim !== 2 || l.weight.shape[1] !== width || (l.bias !== null && (l.bias.ndim !== 1 || l.bias.shape[0] !== l.weight.shape[0]))) return chain();
    width = l.weight.shape[0] as number;
  }
  if (m === 0 || xs.some((t) => t.ndim !== first.ndim || t.shape.slice(0, -1).some((d, j) => d !== lead[j]))) return chain();
  return new Tensor(kernel.call(be.fused, xs, layers, m), [...lead, width], last.weight.dtype, be);
}
