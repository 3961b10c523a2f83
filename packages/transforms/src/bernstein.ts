import { type Tensor, ValueError, concat, cumsum, exp, full, le, ge, log, logicalOr, mean, slice, softplus, special, sub, tensor, where } from '@eddy/core';
import { MonotonicTransform } from './monotonic.js';

/** Per order `M`: exponents `i`, `M - i` and the two lgamma terms of the Beta densities. */
interface BasisConstants {
  i: Float64Array;
  mi: Float64Array;
  lgSum: number;
  lgParts: Float64Array;
}

const BASES = new Map<number, BasisConstants>();

function basisConstants(order: number): BasisConstants {
  let c = BASES.get(order);
  if (c === undefined) {
    const n = order + 1;
    const i = Float64Array.from({ length: n }, (_, k) => k);
    const mi = Float64Array.from({ length: n }, (_, k) => order - k);
    const lgParts = Float64Array.from({ length: n }, (_, k) => special.lgamma(k + 1) + special.lgamma(order - k + 1));
    c = { i, mi, lgSum: special.lgamma(order + 2), lgParts };
    BASES.set(order, c);
  }
  return c;
}

/**
 * The Bernstein polynomial $P(u) = \sum_{i=0}^{M} \binom{M}{i} u^i (1-u)^{M-i} \theta_i$ of order
 * `M = θ.shape[-1] - 1`, evaluated as zuko does: `mean_i(Beta(i+1, M-i+1).pdf(u)·θ_i)` with
 * `pdf = exp((α-1)log u + (β-1)log(1-u) + lgamma(α+β) - lgamma(α) - lgamma(β))`. Its
 * derivative is the polynomial of order $M - 1$ with coefficients $M(\theta_{i+1} - \theta_i)$.
 * `u` `(...)` must lie in `(0, 1)` (the log form is used); `θ` is `(..., M + 1)`.
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { bernsteinPolynomial } from '@eddy/transforms';
 * bernsteinPolynomial(tensor([0.5]), tensor([[0, 1, 2]])); // [1]
 * ```
 * @category Splines and polynomials
 */
export function bernsteinPolynomial(u: Tensor, theta: Tensor): Tensor {
  const order = (theta.shape[theta.ndim - 1] as number) - 1;
  if (!(order >= 0)) throw new ValueError('bernsteinPolynomial: theta needs a last axis of at least one coefficient');
  const { i, mi, lgSum, lgParts } = basisConstants(order);
  const opts = { dtype: theta.dtype, backend: theta.backend };
  const ue = u.unsqueeze(-1);
  const logb = log(ue)
    .mul(tensor(i, opts))
    .add(log(sub(1, ue)).mul(tensor(mi, opts)))
    .add(lgSum)
    .sub(tensor(lgParts, opts));
  return mean(exp(logb).mul(theta), -1);
}

/**
 * Options of {@link BernsteinTransform}.
 * @category Splines and polynomials
 */
export interface BernsteinOptions {
  /** The polynomial's domain bound `B` (default 5), also the bisection bound. */
  bound?: number;
  /** Where the linear extrapolation starts in `u = (x+B)/(2B)` and the bisection tolerance (default 1e-6). */
  eps?: number;
}

/**
 * A monotonic Bernstein polynomial transformation (zuko's `BernsteinTransform`): on
 * $[-B, B]$, with $u = (x + B)/(2B)$,
 *
 * $$
 * f(x) = \frac{1}{M + 1} \sum_{i=0}^{M} b_{i+1, M-i+1}(u)\, \theta_i
 * $$
 *
 * ($b$ the Beta densities, i.e.
 * $\sum_i \binom{M}{i} u^i (1-u)^{M-i} \theta_i$), linearly extrapolated outside: for $u \le \varepsilon$,
 * $y = P'(\varepsilon)(u - \varepsilon) + P(\varepsilon)$, for $u \ge 1 - \varepsilon$, $y = P'(1-\varepsilon)(u - 1 + \varepsilon) + P(1-\varepsilon)$
 * ($\varepsilon = 10^{-6}$). `L` unconstrained values give `M + 1 = L + 2` increasing coefficients:
 * $\theta = \operatorname{cumsum}\big([\theta_0, \operatorname{softplus}([r_0, r, r_\mathrm{last}])]\big) - L \ln 2 / 2$ with $r = \theta_{1:}$ (the
 * repeated ends make the second derivative vanish at the bounds).
 * $\text{ladj} = \log\big(P'(u)/(2B)\big)$ ($\log(\mathrm{slope}/(2B))$ in the tails), analytic. The inverse is linear
 * in the tails and a bisection on `[-B, B]` in between (24 steps for `B = 5`).
 *
 * References:
 * - [Deep transformation models: Tackling complex regression problems with neural network based transformation models (Sick et al., 2020)](https://arxiv.org/abs/2004.00464)
 * - [Short-Term Density Forecasting of Low-Voltage Load using Bernstein-Polynomial Normalizing Flows (Arpogaus et al., 2022)](https://arxiv.org/abs/2204.13939)
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { BernsteinTransform } from '@eddy/transforms';
 * const t = new BernsteinTransform(randn([4, 10], { seed: 1, dtype: 'float64' }));
 * const [y, ladj] = t.callAndLadj(randn([4], { seed: 9, dtype: 'float64' }));
 * t.inv.call(y); // x again (to ~6e-7)
 * ```
 * @category Splines and polynomials
 */
export class BernsteinTransform extends MonotonicTransform {
  /** The constrained, increasing coefficients `θ` `(..., M + 1)`. */
  readonly theta: Tensor;
  /** `θ` differences scaled by `M`: the coefficients of `P'` `(..., M)`. */
  readonly dtheta: Tensor;
  /** `[P(ε), P(1-ε)]` stacked on a last axis `(..., 2)`. */
  readonly offset: Tensor;
  /** `[P'(ε), P'(1-ε)]` stacked on a last axis `(..., 2)` (slopes in `u`). */
  readonly slope: Tensor;
  readonly #ends: [Tensor, Tensor, Tensor, Tensor];

  /**
   * @param theta the unconstrained coefficients `(..., L)`.
   * @param options `bound` (5), `eps` (1e-6).
   */
  constructor(theta: Tensor, options: BernsteinOptions = {}) {
    super(undefined, { bound: options.bound ?? 5, eps: options.eps ?? 1e-6, explicit: true });
    this.theta = this.constrainTheta(theta);
    const order = (this.theta.shape[this.theta.ndim - 1] as number) - 1;
    this.dtheta = slice(this.theta, -1, 1)
      .sub(slice(this.theta, -1, 0, order))
      .mul(order);
    const [o0, o1, s0, s1] = this.boundaryLines();
    this.#ends = [o0, o1, s0, s1];
    this.offset = concat([o0.unsqueeze(-1), o1.unsqueeze(-1)], -1);
    this.slope = concat([s0.unsqueeze(-1), s1.unsqueeze(-1)], -1);
  }

  /** The polynomial's order `M`. */
  get order(): number {
    return (this.theta.shape[this.theta.ndim - 1] as number) - 1;
  }

  /** `[θ, P(ε), P(1-ε), P'(ε), P'(1-ε)]`: what `f` depends on. */
  override get phi(): readonly Tensor[] {
    return [this.theta, ...this.#ends];
  }

  /** Maps the unconstrained values to increasing coefficients (zuko's `_constrain_theta`). */
  protected constrainTheta(raw: Tensor): Tensor {
    const L = raw.shape[raw.ndim - 1] as number;
    if (!(L >= 2)) throw new ValueError(`BernsteinTransform: theta needs at least 2 values on its last axis, got [${raw.shape}]`);
    const shift = (Math.LN2 * L) / 2;
    const thetaMin = slice(raw, -1, 0, 1);
    const r = slice(raw, -1, 1);
    const ext = concat([slice(r, -1, 0, 1), r, slice(r, -1, L - 2)], -1);
    return cumsum(concat([thetaMin, softplus(ext)], -1), -1).sub(shift);
  }

  /** `[P(ε), P(1-ε), P'(ε), P'(1-ε)]`, the lines the tails follow (zuko's `_offset_and_slope`). */
  protected boundaryLines(): [Tensor, Tensor, Tensor, Tensor] {
    const opts = { dtype: this.theta.dtype, backend: this.theta.backend };
    const lo = full([], this.eps, opts);
    const hi = full([], 1 - this.eps, opts);
    return [
      bernsteinPolynomial(lo, this.theta),
      bernsteinPolynomial(hi, this.theta),
      bernsteinPolynomial(lo, this.dtheta),
      bernsteinPolynomial(hi, this.dtheta),
    ];
  }

  /** `u = (x+B)/(2B)`, the tail masks and `u` moved to 0.5 in the tails. */
  #map(x: Tensor): { u: Tensor; lower: Tensor; upper: Tensor; inner: Tensor } {
    const u = x.add(this.bound).div(2 * this.bound);
    const lower = le(u, this.eps);
    const upper = ge(u, 1 - this.eps);
    const inner = where(logicalOr(lower, upper), 0.5, u);
    return { u, lower, upper, inner };
  }

  /** The polynomial with its linear tails, at the parameters `[θ, P(ε), P(1-ε), P'(ε), P'(1-ε)]`. */
  override fWith(x: Tensor, phi: readonly Tensor[]): Tensor {
    const [theta, o0, o1, s0, s1] = phi as [Tensor, Tensor, Tensor, Tensor, Tensor];
    const m = this.#map(x);
    return this.#withTails(m, bernsteinPolynomial(m.inner, theta), [o0, o1, s0, s1]);
  }

  /** `p` inside `[ε, 1-ε]`, the tail lines `P(ε) + P'(ε)(u-ε)` and `P(1-ε) + P'(1-ε)(u-1+ε)` outside. */
  #withTails(m: { u: Tensor; lower: Tensor; upper: Tensor }, p: Tensor, [o0, o1, s0, s1]: readonly [Tensor, Tensor, Tensor, Tensor]): Tensor {
    const { u, lower, upper } = m;
    // Each tail line is evaluated at a substitute u where it is not used (finite gradients).
    const y0 = s0.mul(where(lower, u, this.eps).sub(this.eps)).add(o0);
    const y1 = s1
      .mul(
        where(upper, u, 1 - this.eps)
          .sub(1)
          .add(this.eps),
      )
      .add(o1);
    return where(upper, y1, where(lower, y0, p));
  }

  /** `[f(x), log f'(x)]` with the analytic derivative `P'(u)/(2B)` (slopes in the tails). */
  override callAndLadj(x: Tensor): [Tensor, Tensor] {
    const [, , s0, s1] = this.#ends;
    const m = this.#map(x);
    const y = this.#withTails(m, bernsteinPolynomial(m.inner, this.theta), this.#ends);
    const dydu = where(m.upper, s1, where(m.lower, s0, bernsteinPolynomial(m.inner, this.dtheta)));
    return [y, log(dydu.div(2 * this.bound))];
  }

  /** `log f'(x)`. */
  override logAbsDetJacobian(x: Tensor, _y?: Tensor): Tensor {
    return this.callAndLadj(x)[1];
  }

  /** Linear in the tails (`y ≤ P(ε)`, `y ≥ P(1-ε)`), bisection in between. */
  override inverse(y: Tensor): Tensor {
    const [o0, o1, s0, s1] = this.#ends;
    const left = le(y, o0);
    const right = ge(y, o1);
    const x = super.inverse(y);
    const twoB = 2 * this.bound;
    const x0 = where(left, y, o0).sub(o0).div(s0).add(this.eps).mul(twoB).sub(this.bound);
    const x1 = where(right, y, o1).sub(o1).div(s1).sub(this.eps).add(1).mul(twoB).sub(this.bound);
    return where(right, x1, where(left, x0, x));
  }

  /** `BernsteinTransform(order=M, bound=B)`. */
  override toString(): string {
    return `${this.constructor.name}(order=${this.order}, bound=${this.bound})`;
  }
}
