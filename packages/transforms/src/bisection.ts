import { type Tensor, ValueError, customGrad, enableGrad, full, gradients, lt, sumToShape, where } from '@eddy/core';

/**
 * A univariate function of `x` with parameter tensors `φ`: `f(x, φ)`, elementwise in `x`
 * (it may broadcast `x` against the parameters). Monotonic transforms, the bisection
 * inverse and the Gauss–Legendre quadrature take functions of this form, so that the
 * implicit gradients can evaluate `f` at other parameter values.
 *
 * Two conventions are supported (see {@link BisectionOptions.explicit}): `f` either
 * *closes over* the tensors listed in `phi` (zuko's convention; the second argument is then
 * the same list and may be ignored), or reads its parameters *only* from its second
 * argument (`explicit`), which lets the gradient code substitute fresh leaves for them.
 *
 * @example
 * ```ts
 * import { type ParametricFunction } from '@eddy/transforms';
 * const f: ParametricFunction = (x, [a]) => x.pow(3).mul(a!).add(x); // a x³ + x
 * ```
 * @category Numerics
 */
export type ParametricFunction = (x: Tensor, phi: readonly Tensor[]) => Tensor;

/**
 * Options of {@link bisection}.
 * @category Numerics
 */
export interface BisectionOptions {
  /** The parameter tensors `φ` of `f`; gradients flow to those that require them. */
  phi?: readonly Tensor[];
  /** The search interval is `[-bound, bound]` (default 10). */
  bound?: number;
  /** The absolute resolution: `n = ceil(log2(2·bound/eps))` iterations (default 1e-6). */
  eps?: number;
  /** The number of iterations, overriding the one derived from `eps`. */
  iterations?: number;
  /**
   * Whether `f` reads its parameters only from its second argument (default false: it
   * may close over the tensors of `phi`, as in zuko). Explicit functions are
   * differentiated at fresh leaves standing for `φ`, so the backward pass does not walk
   * back through the graph that produced `φ` (e.g. a hypernetwork).
   */
  explicit?: boolean;
}

/**
 * Number of bisection steps that shrink `[-bound, bound]` below `eps`:
 * `ceil(log2(2·bound/eps))` (25 for bound 10, 24 for bound 5, with `eps = 1e-6`).
 *
 * @example
 * ```ts
 * import { bisectionIterations } from '@eddy/transforms';
 * bisectionIterations(10, 1e-6); // 25
 * ```
 * @category Numerics
 */
export function bisectionIterations(bound: number, eps: number): number {
  if (!(bound > 0) || !(eps > 0)) throw new ValueError(`bisection: bound and eps must be positive, got ${bound}, ${eps}`);
  return Math.ceil(Math.log2((2 * bound) / eps));
}

/**
 * The tensors standing for `φ` when `f` is evaluated for a gradient: fresh leaves for the
 * parameters that require gradients when `f` is explicit, the tensors themselves
 * otherwise. @internal
 */
export function parameterStandIns(phi: readonly Tensor[], explicit: boolean): Tensor[] {
  return phi.map((p) => (explicit && p.requiresGrad ? p.detach().requireGrad() : p));
}

/**
 * Solves `f(x) = y` for an increasing elementwise `f` by bisection on `[-bound, bound]`,
 * exactly as zuko's `bisection` (`zuko/utils.py`): `a = -bound`, `b = bound`, then `n`
 * times `c = (a + b)/2; if f(c) < y then a = c else b = c`; the result is `(a + b)/2`.
 * Values of `y` outside `f([-bound, bound])` give (about) `±bound`.
 *
 * The iterations run without recording. The gradient is implicit (as zuko's
 * `Bisection.backward`): at the root $x^*$, $\frac{\partial x}{\partial y} = \frac{1}{f'(x^*)}$ and
 * $\frac{\partial x}{\partial \varphi} = -\frac{(\partial f/\partial \varphi)(x^*)}{f'(x^*)}$, both from autodiff of one evaluation of $f$ at $x^*$.
 * Like zuko's, the backward pass is first-order (its result is not itself differentiable).
 *
 * @param f the increasing function `f(x, φ)`.
 * @param y the targets.
 * @param options `phi`, `bound` (10), `eps` (1e-6) or `iterations`, `explicit`.
 * @returns $x \approx f^{-1}(y)$, to within $2 \cdot \mathrm{bound}/2^{n+1}$.
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { bisection } from '@eddy/transforms';
 * const a = tensor([2], { dtype: 'float64' }).requireGrad();
 * const x = bisection((x, [s]) => x.pow(3).mul(s!).add(x), tensor([10], { dtype: 'float64' }), { phi: [a], explicit: true });
 * // x ≈ 1.6586 (2x³ + x = 10); gradients(x, [a]) = -x³/(6x² + 1)
 * ```
 * @category Numerics
 */
export function bisection(f: ParametricFunction, y: Tensor, options: BisectionOptions = {}): Tensor {
  const { phi = [], bound = 10, eps = 1e-6, explicit = false } = options;
  const n = options.iterations ?? bisectionIterations(bound, eps);
  const op = customGrad((yy: Tensor, ...params: Tensor[]) => {
    let a = full(yy.shape, -bound, { dtype: yy.dtype, backend: yy.backend });
    let b = full(yy.shape, bound, { dtype: yy.dtype, backend: yy.backend });
    for (let i = 0; i < n; i++) {
      const c = a.add(b).div(2);
      const mask = lt(f(c, params), yy);
      a = where(mask, c, a);
      b = where(mask, b, c);
    }
    const x = a.add(b).div(2);
    return {
      value: x,
      backward: (g: Tensor) => {
        const needPhi = params.map((p) => p.requiresGrad);
        const grads = enableGrad(() => {
          const xs = x.requireGrad();
          const stand = parameterStandIns(params, explicit);
          const fx = f(xs, stand);
          const [dfdx] = gradients(fx, [xs], { gradOutput: fx.onesLike() });
          const gy = g.div(dfdx as Tensor);
          const wrt = stand.filter((_, i) => needPhi[i]);
          const gphi = wrt.length > 0 ? gradients(fx, wrt, { gradOutput: gy.neg() }) : [];
          return { gy, gphi };
        });
        let j = 0;
        const out: Array<Tensor | null> = [sumToShape(grads.gy, yy.shape)];
        for (const [i, p] of params.entries()) {
          out.push(needPhi[i] ? sumToShape(grads.gphi[j++] as Tensor, p.shape) : null);
        }
        return out;
      },
    };
  }, 'bisection');
  return op(y, ...phi);
}
