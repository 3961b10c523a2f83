import { type Tensor, type TensorLike, erf, erfinv, exp, logsumexp, mean, square } from '@eddy/core';
import { MonotonicTransform } from './monotonic.js';
import { param } from './params.js';

const C = 1 - 1e-6;

/**
 * Options of {@link GaussianizationTransform}.
 * @category Splines and polynomials
 */
export interface GaussianizationOptions {
  /** The bisection bound of the inverse (default 10). */
  bound?: number;
  /** The bisection tolerance of the inverse (default 1e-6). */
  eps?: number;
}

/**
 * The Gaussianization transformation (zuko's `GaussianizationTransform`), with `K`
 * components: $f(x) = \Phi^{-1}\Big(\frac{1}{K} \sum_k \Phi(e^{a_k} x + b_k)\Big)$ with $\Phi$ the standard normal
 * CDF, computed as zuko does,
 * $f(x) = \sqrt{2} \operatorname{erfinv}\big((1 - 10^{-6}) \operatorname{mean}_k \operatorname{erf}((e^{a_k} x + b_k)/\sqrt{2})\big)$ (the factor keeps the
 * argument of `erfinv` inside $(-1, 1)$). The derivative is analytic,
 * $f'(x) = (1 - 10^{-6}) \exp\big(f(x)^2/2\big) \operatorname{mean}_k\big[e^{a_k} \exp\big(-(e^{a_k} x + b_k)^2/2\big)\big]$, and the
 * `ladj` is computed in log space (logsumexp), so it stays finite far in the tails.
 * The inverse is a bisection on `[-10, 10]` (25 steps).
 *
 * References:
 * - [Gaussianization (Chen et al., 2000)](https://papers.nips.cc/paper/1856-gaussianization)
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { GaussianizationTransform } from '@eddy/transforms';
 * const t = new GaussianizationTransform(randn([4, 8], { seed: 1, dtype: 'float64' }), randn([4, 8], { seed: 2, dtype: 'float64' }));
 * const [y, ladj] = t.callAndLadj(randn([4], { seed: 9, dtype: 'float64' }));
 * t.inv.call(y); // x again (to ~6e-7)
 * ```
 * @category Splines and polynomials
 */
export class GaussianizationTransform extends MonotonicTransform {
  /** The shifts `b` `(..., K)`. */
  readonly shift: Tensor;
  /** The unconstrained log-scales `a` `(..., K)`. */
  readonly logScale: Tensor;
  /** The scales `e^{a}` `(..., K)`. */
  readonly scale: Tensor;

  /**
   * @param shift the shifts `b` `(..., K)`.
   * @param scale the unconstrained scales `a` `(..., K)` (the scales are `e^{a}`).
   * @param options `bound` (10), `eps` (1e-6) of the inverse.
   */
  constructor(shift: TensorLike, scale: TensorLike, options: GaussianizationOptions = {}) {
    super(undefined, { bound: options.bound ?? 10, eps: options.eps ?? 1e-6, explicit: true });
    this.shift = param(shift);
    this.logScale = param(scale);
    this.scale = exp(this.logScale);
  }

  /** `[b, e^{a}]`: what `f` depends on. */
  override get phi(): readonly Tensor[] {
    return [this.shift, this.scale];
  }

  /** $\sqrt{2} \operatorname{erfinv}\big((1 - 10^{-6}) \operatorname{mean}_k \operatorname{erf}((x e^{a_k} + b_k)/\sqrt{2})\big)$ at the parameters `[b, e^{a}]`. */
  override fWith(x: Tensor, phi: readonly Tensor[]): Tensor {
    const [shift, scale] = phi as [Tensor, Tensor];
    const z = x.unsqueeze(-1).mul(scale).add(shift);
    const m = mean(erf(z.div(Math.SQRT2)), -1).mul(C);
    return erfinv(m).mul(Math.SQRT2);
  }

  /**
   * `[f(x), log f'(x)]` with
   * $\log f'(x) = \log(1 - 10^{-6}) + f^2/2 + \operatorname{logsumexp}_k(a_k - z_k^2/2) - \log K$, $z_k = e^{a_k} x + b_k$.
   */
  override callAndLadj(x: Tensor): [Tensor, Tensor] {
    const z = x.unsqueeze(-1).mul(this.scale).add(this.shift);
    const K = z.shape[z.ndim - 1] as number;
    const m = mean(erf(z.div(Math.SQRT2)), -1).mul(C);
    const y = erfinv(m).mul(Math.SQRT2);
    const lse = logsumexp(this.logScale.sub(square(z).div(2)), -1);
    const ladj = square(y)
      .div(2)
      .add(lse)
      .add(Math.log(C) - Math.log(K));
    return [y, ladj];
  }

  /** `log f'(x)`. */
  override logAbsDetJacobian(x: Tensor, _y?: Tensor): Tensor {
    return this.callAndLadj(x)[1];
  }

  /** `GaussianizationTransform(components=K)`. */
  override toString(): string {
    return `GaussianizationTransform(components=${this.shift.shape[this.shift.ndim - 1] ?? 1})`;
  }
}
