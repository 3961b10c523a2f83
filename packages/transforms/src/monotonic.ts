import { type Tensor, ValueError, enableGrad, gradients, isGradEnabled, log, record } from '@eddy/core';
import { type ParametricFunction, bisection, bisectionIterations, parameterStandIns } from './bisection.js';
import { ScalarTransform } from './transform.js';

/**
 * Options of {@link MonotonicTransform} (zuko's keyword arguments).
 * @category Monotonic networks
 */
export interface MonotonicOptions {
  /**
   * The parameters `φ` of `f`. Listing them makes the inverse trainable (its implicit
   * gradient reaches them); `f` receives them as its second argument.
   */
  phi?: readonly Tensor[];
  /** The bisection interval `[-bound, bound]` of the inverse (default 10). */
  bound?: number;
  /** The absolute tolerance of the inverse (default 1e-6 → 25 bisection steps for bound 10). */
  eps?: number;
  /**
   * Whether `f` reads its parameters only from its second argument, never from tensors
   * it closes over (default false, zuko's convention). Explicit functions are
   * differentiated at fresh leaves standing for `φ`, so computing `ladj` and the inverse's
   * gradient never walks back through the graph that produced `φ` (a hypernetwork).
   */
  explicit?: boolean;
}

/** Links a leaf that stood in for `source` back to it, so gradients reach `source`. */
function link(standIn: Tensor, source: Tensor): void {
  if (standIn !== source && source.requiresGrad) record('standIn', standIn, [source], (g) => [g]);
}

/**
 * A transformation from an increasing univariate function `f_φ(x)` (zuko's
 * `MonotonicTransform`): $y = f(x)$, $\text{ladj} = \log f'(x)$ with $f'$ from Eddy's autodiff
 * (recorded, so the ladj stays differentiable with respect to `x` and `φ` for training),
 * and the inverse by {@link bisection} on `[-bound, bound]` with `ceil(log2(2·bound/eps))`
 * steps (25 by default), whose implicit gradient reaches `x`'s target and `φ`.
 *
 * Subclasses (Bernstein, Gaussianization, unconstrained monotonic) override
 * {@link MonotonicTransform.fWith} instead of passing `f`.
 *
 * zuko's docstring cites no paper; it is the univariate transform of neural autoregressive
 * flows: Huang et al. (2018), "Neural Autoregressive Flows" (https://arxiv.org/abs/1804.00779).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { MonotonicTransform } from '@eddy/transforms';
 * const a = tensor([1, 2], { dtype: 'float64' });
 * const t = new MonotonicTransform((x, [s]) => x.pow(3).mul(s!).add(x), { phi: [a] });
 * const [y, ladj] = t.callAndLadj(tensor([1, 1], { dtype: 'float64' })); // y [2, 3], ladj log [4, 7]
 * t.inv.call(y); // ≈ [1, 1] (to ~6e-7)
 * ```
 * @category Monotonic networks
 */
export class MonotonicTransform extends ScalarTransform {
  /** The bisection bound `B` of the inverse. */
  readonly bound: number;
  /** The absolute tolerance of the inverse. */
  readonly eps: number;
  /** Whether `f` reads its parameters only from its arguments. */
  readonly explicit: boolean;
  readonly #f: ParametricFunction | undefined;
  readonly #phi: readonly Tensor[];

  /**
   * @param f the increasing function `f(x, φ)`; `undefined` in subclasses that override {@link MonotonicTransform.fWith}.
   * @param options `phi`, `bound` (10), `eps` (1e-6), `explicit` (false).
   */
  constructor(f?: ParametricFunction, options: MonotonicOptions = {}) {
    super();
    const { phi = [], bound = 10, eps = 1e-6, explicit = false } = options;
    bisectionIterations(bound, eps); // validates
    this.#f = f;
    this.#phi = phi;
    this.bound = bound;
    this.eps = eps;
    this.explicit = explicit;
  }

  /** The parameters `φ` passed to {@link MonotonicTransform.fWith}. */
  get phi(): readonly Tensor[] {
    return this.#phi;
  }

  /** Number of bisection steps of the inverse, `ceil(log2(2·bound/eps))`. */
  get iterations(): number {
    return bisectionIterations(this.bound, this.eps);
  }

  /** Increasing. */
  override get sign(): 1 {
    return 1;
  }

  /** `f(x, φ)` with the given parameters (the function given to the constructor). */
  fWith(x: Tensor, phi: readonly Tensor[]): Tensor {
    if (this.#f === undefined) throw new ValueError(`${this.constructor.name}: no function f given and fWith not overridden`);
    return this.#f(x, phi);
  }

  /** `f(x)` at the transform's parameters. */
  f(x: Tensor): Tensor {
    return this.fWith(x, this.phi);
  }

  /** $y = f(x)$. */
  call(x: Tensor): Tensor {
    return this.f(x);
  }

  /** $f^{-1}(y)$ by bisection on `[-bound, bound]`, with the implicit gradient. */
  inverse(y: Tensor): Tensor {
    return bisection((x, p) => this.fWith(x, p), y, {
      phi: this.phi,
      bound: this.bound,
      iterations: this.iterations,
      explicit: this.explicit,
    });
  }

  /** `log f'(x)`. */
  logAbsDetJacobian(x: Tensor, _y?: Tensor): Tensor {
    return this.callAndLadj(x)[1];
  }

  /**
   * `[f(x), log f'(x)]` with `f'` from autodiff (as zuko: the derivative graph is kept
   * when gradients are being recorded and `x` or a parameter requires them).
   */
  override callAndLadj(x: Tensor): [Tensor, Tensor] {
    const createGraph = isGradEnabled() && (x.requiresGrad || this.phi.some((p) => p.requiresGrad));
    return enableGrad(() => {
      // The derivative is taken at a fresh leaf (and, for an explicit f, fresh parameter
      // leaves), so that autodiff does not walk back through x's (and φ's) history; the
      // leaves are linked to x and φ afterwards so that y and ladj stay differentiable.
      const xl = x.detach().requireGrad();
      const stand = parameterStandIns(this.phi, this.explicit);
      const y = this.fWith(xl, stand);
      const [dfdx] = gradients(y, [xl], { gradOutput: y.onesLike(), createGraph });
      const ladj = log(dfdx as Tensor);
      if (!createGraph) return [y.detach(), ladj.detach()];
      link(xl, x);
      for (const [i, s] of stand.entries()) link(s, this.phi[i] as Tensor);
      return [y, ladj];
    });
  }

  /** `MonotonicTransform(bound=B, eps=ε)`. */
  override toString(): string {
    return `${this.constructor.name}(bound=${this.bound}, eps=${this.eps})`;
  }
}
