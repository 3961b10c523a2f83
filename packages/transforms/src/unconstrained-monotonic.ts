import { type Tensor, ValueError, log } from '@eddy/core';
import type { ParametricFunction } from './bisection.js';
import { gaussLegendre } from './gauss-legendre.js';
import { type MonotonicOptions, MonotonicTransform } from './monotonic.js';

/**
 * Options of {@link UnconstrainedMonotonicTransform}.
 * @category Monotonic networks
 */
export interface UnconstrainedMonotonicOptions extends MonotonicOptions {
  /** Number of Gauss–Legendre nodes of the quadrature (default 32). */
  n?: number;
}

/**
 * A monotonic transformation obtained by integrating a positive function `g` (zuko's
 * `UnconstrainedMonotonicTransform`, the univariate transform of UMNN/UNAF):
 * $f(x) = \int_0^x g(u)\, du$, estimated by $n$-point Gauss–Legendre quadrature
 * ({@link gaussLegendre}: $f(x) = x \sum_i w_i g(t_i x)$, the nodes on a leading axis of the
 * tensor passed to `g`); $\text{ladj} = \log g(x)$ (the exact integrand, not the derivative of the
 * quadrature; the gradient of $f$ with respect to $x$ is $g(x)$ as well). The inverse is a
 * bisection on `[-bound, bound]` (25 steps by default).
 *
 * zuko's docstring cites no paper; it is the univariate transform of UNAF.
 *
 * References:
 * - [Unconstrained Monotonic Neural Networks (Wehenkel et al., 2019)](https://arxiv.org/abs/1908.05164)
 *
 * @example
 * ```ts
 * import { exp, square, tensor } from '@eddy/core';
 * import { UnconstrainedMonotonicTransform } from '@eddy/transforms';
 * const t = new UnconstrainedMonotonicTransform((u) => exp(square(u).neg()).add(0.01));
 * const [y, ladj] = t.callAndLadj(tensor([0, 1, 2], { dtype: 'float64' }));
 * t.inv.call(y); // x again (to ~6e-7)
 * ```
 * @category Monotonic networks
 */
export class UnconstrainedMonotonicTransform extends MonotonicTransform {
  /** Number of quadrature nodes. */
  readonly n: number;
  readonly #g: ParametricFunction | undefined;

  /**
   * @param g the positive integrand `g(u, φ)` (broadcasting a leading node axis of `u`);
   *   `undefined` in subclasses that override {@link UnconstrainedMonotonicTransform.gWith}.
   * @param options `phi`, `n` (32), `bound` (10), `eps` (1e-6), `explicit` (false).
   */
  constructor(g?: ParametricFunction, options: UnconstrainedMonotonicOptions = {}) {
    const { n = 32, ...rest } = options;
    super(undefined, rest);
    if (!Number.isInteger(n) || n < 1) throw new ValueError(`UnconstrainedMonotonicTransform: n must be a positive integer, got ${n}`);
    this.#g = g;
    this.n = n;
  }

  /** The integrand `g(u, φ)` (the function given to the constructor). */
  gWith(u: Tensor, phi: readonly Tensor[]): Tensor {
    if (this.#g === undefined) throw new ValueError(`${this.constructor.name}: no function g given and gWith not overridden`);
    return this.#g(u, phi);
  }

  /** `g(u)` at the transform's parameters. */
  g(u: Tensor): Tensor {
    return this.gWith(u, this.phi);
  }

  /** $\int_0^x g(u, \varphi)\, du$ by Gauss–Legendre quadrature. */
  override fWith(x: Tensor, phi: readonly Tensor[]): Tensor {
    return gaussLegendre((u, p) => this.gWith(u, p), x.zerosLike(), x, { n: this.n, phi, explicit: this.explicit });
  }

  /** `log g(x)`. */
  override logAbsDetJacobian(x: Tensor, _y?: Tensor): Tensor {
    return log(this.g(x));
  }

  /** `[f(x), log g(x)]`. */
  override callAndLadj(x: Tensor): [Tensor, Tensor] {
    return [this.f(x), log(this.g(x))];
  }

  /** `UnconstrainedMonotonicTransform(n=…, bound=…)`. */
  override toString(): string {
    return `${this.constructor.name}(n=${this.n}, bound=${this.bound})`;
  }
}
