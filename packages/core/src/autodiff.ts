import { ShapeError, ValueError, fmtShape } from './errors.js';
import type { Tensor } from './tensor.js';

/**
 * How a recorded op passes gradients back: given the gradient of the output, the
 * gradients of its inputs (`null` where an input gets none). Backward functions are
 * written with core ops, so they run on every backend and can themselves be recorded
 * (higher-order gradients with `createGraph`).
 *
 * @example
 * ```ts
 * // y = x * x  →  backward: (g) => [g.mul(x).mul(2)]
 * ```
 * @category Autodiff
 */
export interface GradNode {
  /** Op name, for error messages and debugging. */
  readonly op: string;
  /** The recorded inputs. */
  readonly inputs: readonly Tensor[];
  /** Maps the output's gradient to each input's gradient. */
  readonly backward: (g: Tensor) => ReadonlyArray<Tensor | null>;
  /** Set when this output is one of several produced by one op (see {@link recordMulti}). */
  readonly group?: GradGroup;
}

/**
 * The shared part of an op with several outputs (see {@link recordMulti}): its backward
 * runs once, with the gradient of every output (`null` for an output that got none).
 *
 * @example
 * ```ts
 * // y, ladj = f(x): backward: ([gy, gl]) => [gy.mul(dy) .add(gl.mul(dl))]
 * ```
 * @category Autodiff
 */
export interface GradGroup {
  /** The outputs, in the order the backward receives their gradients. */
  readonly outputs: readonly Tensor[];
  /** Maps the outputs' gradients to each input's gradient. */
  readonly backward: (gs: ReadonlyArray<Tensor | null>) => ReadonlyArray<Tensor | null>;
}

let gradEnabled = true;

/**
 * Whether ops are currently being recorded for reverse-mode autodiff.
 *
 * @example
 * ```ts
 * import { isGradEnabled, noGrad } from '@eddy/core';
 * noGrad(() => isGradEnabled()); // false
 * ```
 * @category Autodiff
 */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

function withGradMode<T>(mode: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = mode;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/**
 * Runs `fn` without recording any op for autodiff (cheaper: no graph is kept). Use it
 * for sampling, evaluation and optimizer updates.
 *
 * @example
 * ```ts
 * import { noGrad, randn } from '@eddy/core';
 * import { MLP } from '@eddy/flows';
 * const model = new MLP(3, 1);
 * const y = noGrad(() => model.call(randn([8, 3], { seed: 0 }))); // no graph is recorded
 * ```
 * @category Autodiff
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/**
 * Runs `fn` with recording switched on, even inside a {@link noGrad} scope.
 *
 * @example
 * ```ts
 * import { enableGrad, isGradEnabled, noGrad } from '@eddy/core';
 * noGrad(() => enableGrad(() => isGradEnabled())); // true
 * ```
 * @category Autodiff
 */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

/**
 * Attaches a backward function to `out` if recording is on and any input requires
 * gradients. Used by every differentiable primitive; returns `out`.
 *
 * @example
 * ```ts
 * import { noGrad, Parameter, record, type Tensor, tensor } from '@eddy/core';
 * // A differentiable square: compute without a graph, then attach d(x²)/dx = 2x.
 * const square = (x: Tensor): Tensor => record('square', noGrad(() => x.mul(x)), [x], (g) => [g.mul(x).mul(2)]);
 * square(new Parameter(tensor([1, 2, 3])));
 * ```
 * @category Autodiff
 */
export function record(op: string, out: Tensor, inputs: readonly Tensor[], backward: (g: Tensor) => ReadonlyArray<Tensor | null>): Tensor {
  if (!gradEnabled) return out;
  let any = false;
  for (const t of inputs) if (t.requiresGrad) any = true;
  if (!any) return out;
  out._setNode({ op, inputs, backward });
  return out;
}

/**
 * Like {@link record} for an op with several outputs that share one backward (a fused
 * kernel returning a value and its log-Jacobian, say): `backward` is called once during
 * {@link gradients}, after the gradients of all outputs are complete, with `null` for an
 * output nothing depended on. Returns `outputs`.
 *
 * @example
 * ```ts
 * import { noGrad, Parameter, recordMulti, type Tensor, tensor } from '@eddy/core';
 * // exp(x) and its log-Jacobian x, two outputs with one backward.
 * const x: Tensor = new Parameter(tensor([0.5, 1]));
 * const [y, ladj] = recordMulti('expWithLadj', noGrad(() => [x.exp(), x.mul(1)]), [x], ([gy, gl]) => [
 *   (gy ? gy.mul(x.exp()) : x.mul(0)).add(gl ?? 0),
 * ]);
 * ```
 * @category Autodiff
 */
export function recordMulti(
  op: string,
  outputs: readonly Tensor[],
  inputs: readonly Tensor[],
  backward: (gs: ReadonlyArray<Tensor | null>) => ReadonlyArray<Tensor | null>,
): readonly Tensor[] {
  if (!gradEnabled) return outputs;
  let any = false;
  for (const t of inputs) if (t.requiresGrad) any = true;
  if (!any) return outputs;
  const group: GradGroup = { outputs, backward };
  const unused = (): never => {
    throw new ValueError(`internal: the outputs of ${op} are differentiated through their group`);
  };
  for (const o of outputs) o._setNode({ op, inputs, backward: unused, group });
  return outputs;
}

/**
 * Options for {@link gradients}.
 * @category Autodiff
 */
export interface GradientOptions {
  /** Gradient of the output (defaults to ones; required when the output is not a scalar). */
  gradOutput?: Tensor;
  /** Record the backward pass itself so its result can be differentiated again. */
  createGraph?: boolean;
}

/**
 * Reverse-mode gradients of `output` with respect to each tensor in `wrt` (tensors that
 * require gradients: parameters, or leaves made with {@link Tensor.requireGrad}). An input
 * that `output` does not depend on gets zeros.
 *
 * @example
 * ```ts
 * import { gradients, Parameter, square, sum, tensor } from '@eddy/core';
 * const w = new Parameter(tensor([1, 2]));
 * const loss = sum(square(w));
 * const [gw] = gradients(loss, [w]); // [2, 4]
 * ```
 * @category Autodiff
 */
export function gradients(output: Tensor, wrt: readonly Tensor[], options: GradientOptions = {}): Tensor[] {
  const { createGraph = false } = options;
  let seed = options.gradOutput;
  if (seed === undefined) {
    if (output.size !== 1) {
      throw new ShapeError(`gradients: output must be a scalar (shape ${fmtShape(output.shape)} given); pass gradOutput for a non-scalar output`);
    }
    seed = output.onesLike();
  } else if (seed.shape.length !== output.shape.length || seed.shape.some((d, i) => d !== output.shape[i])) {
    throw new ShapeError(`gradients: gradOutput shape ${fmtShape(seed.shape)} does not match output shape ${fmtShape(output.shape)}`);
  }
  for (const [i, t] of wrt.entries()) {
    if (!t.requiresGrad) {
      throw new ValueError(`gradients: wrt[${i}] does not require gradients; make it with requireGrad() or a Parameter`);
    }
  }
  return withGradMode(createGraph, () => {
    const order = topoOrder(output);
    // Only tensors with a path to some `wrt` need a gradient: prune the rest (e.g. the
    // history of parameters when differentiating with respect to an input).
    const targets = new Set(wrt);
    const needed = new Set<Tensor>();
    for (const t of order) {
      if (targets.has(t) || (t.node?.inputs.some((inp) => needed.has(inp)) ?? false)) needed.add(t);
    }
    const grads = new Map<Tensor, Tensor>();
    grads.set(output, seed);
    // A multi-output op runs its backward at its earliest output in topological order:
    // by then every consumer of every output has passed its gradient back.
    const remaining = new Map<GradGroup, number>();
    for (const t of order) {
      const grp = t.node?.group;
      if (grp !== undefined) remaining.set(grp, (remaining.get(grp) ?? 0) + 1);
    }
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i] as Tensor;
      const node = t.node;
      let g = grads.get(t);
      const grp = node?.group;
      if (grp !== undefined) {
        const left = (remaining.get(grp) as number) - 1;
        remaining.set(grp, left);
        if (left > 0) continue;
        g = grp.outputs.some((o) => grads.has(o)) ? t : undefined;
      }
      if (node === null || g === undefined || (targets.has(t) && !node.inputs.some((inp) => needed.has(inp)))) continue;
      const inGrads = grp !== undefined ? grp.backward(grp.outputs.map((o) => grads.get(o) ?? null)) : node.backward(g);
      for (let j = 0; j < node.inputs.length; j++) {
        const inp = node.inputs[j] as Tensor;
        const gi = inGrads[j];
        if (gi === null || gi === undefined || !inp.requiresGrad || !needed.has(inp)) continue;
        if (gi.shape.length !== inp.shape.length || gi.shape.some((d, k) => d !== inp.shape[k])) {
          throw new ShapeError(`internal: backward of ${node.op} gave gradient shape ${fmtShape(gi.shape)} for input of shape ${fmtShape(inp.shape)}`);
        }
        const prev = grads.get(inp);
        grads.set(inp, prev === undefined ? gi : prev.add(gi));
      }
      // Free intermediate gradients as soon as they are consumed.
      if (grp !== undefined) {
        for (const o of grp.outputs) if (!targets.has(o)) grads.delete(o);
      } else if (!targets.has(t)) grads.delete(t);
    }
    return wrt.map((t) => grads.get(t) ?? t.zerosLike());
  });
}

/** Topological order (inputs before outputs) of the recorded graph under `root`. */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: Array<[Tensor, number]> = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as [Tensor, number];
    const [t, i] = top;
    const inputs = t.node?.inputs ?? [];
    if (i < inputs.length) {
      top[1] = i + 1;
      const c = inputs[i] as Tensor;
      if (c.requiresGrad && !visited.has(c)) {
        visited.add(c);
        stack.push([c, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

/**
 * Turns `f` into a function that returns the gradient of `f` (a scalar) with respect to
 * each of its arguments, as an array.
 *
 * @example
 * ```ts
 * import { exp, grad, sum, Tensor, tensor } from '@eddy/core';
 * const df = grad((x: Tensor) => sum(exp(x)));
 * const [g] = df(tensor([0, 1])); // [1, e]
 * ```
 * @category Autodiff
 */
export function grad<A extends Tensor[]>(f: (...args: A) => Tensor): (...args: A) => Tensor[] {
  const vg = valueAndGrad(f);
  return (...args: A) => vg(...args).grads;
}

/**
 * What a {@link valueAndGrad} function returns.
 * @example
 * ```ts
 * import { type Tensor, type ValueAndGrad, valueAndGrad } from '@eddy/core';
 * import { tensor } from '@eddy/core';
 * const f = (x: Tensor) => x.square().sum();
 * const { value, grads }: ValueAndGrad = valueAndGrad(f)(tensor([1, 2])); // grads[0] = 2x
 * ```
 * @category Autodiff
 */
export interface ValueAndGrad {
  /** The value of `f` (detached). */
  value: Tensor;
  /** One gradient per argument. */
  grads: Tensor[];
}

/**
 * Like {@link grad}, but also returns the value of `f`.
 *
 * @example
 * ```ts
 * import { square, sum, Tensor, tensor, valueAndGrad } from '@eddy/core';
 * const { value, grads } = valueAndGrad((x: Tensor) => sum(square(x)))(tensor([3]));
 * // value 9, grads [[6]]
 * ```
 * @category Autodiff
 */
export function valueAndGrad<A extends Tensor[]>(f: (...args: A) => Tensor): (...args: A) => ValueAndGrad {
  return (...args: A) => {
    const leaves = args.map((a) => a.requireGrad()) as A;
    const value = enableGrad(() => f(...leaves));
    const grads = gradients(value, leaves);
    return { value: value.detach(), grads };
  };
}

/**
 * Defines an op with a hand-written gradient (like `torch.autograd.Function` or JAX's
 * `custom_vjp`): `forward` runs without recording and returns the output plus a
 * `backward` closure mapping the output gradient to one gradient per input. Use it for
 * implicit differentiation (bisection, quadrature) or a cheaper/more stable gradient.
 *
 * @example
 * ```ts
 * import { customGrad, Tensor } from '@eddy/core';
 * const cube = customGrad((x: Tensor) => {
 *   const y = x.mul(x).mul(x);
 *   return { value: y, backward: (g) => [g.mul(x.square()).mul(3)] };
 * });
 * ```
 * @category Autodiff
 */
export function customGrad<A extends Tensor[]>(
  forward: (...inputs: A) => { value: Tensor; backward: (g: Tensor) => ReadonlyArray<Tensor | null> },
  name = 'customGrad',
): (...inputs: A) => Tensor {
  return (...inputs: A) => {
    const { value, backward } = noGrad(() => forward(...inputs));
    const out = value.detach();
    return record(name, out, inputs, backward);
  };
}
