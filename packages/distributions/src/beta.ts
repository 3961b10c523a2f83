import { type Rng, type Tensor, type TensorLike, defaultRng, digamma, expand, ge, le, lgamma, logicalAnd, square } from '@eddy/core';
import { gammaQuantile } from './gamma-special.js';
import { guard, outside, xlogy } from './helpers.js';
import { ScalarDistribution } from './scalar-distribution.js';

/**
 * The beta distribution on $[0, 1]$ with concentrations $\alpha > 0$ (`concentration1`) and
 * $\beta > 0$ (`concentration0`):
 *
 * $$
 * \log p(x) = (\alpha - 1) \log x + (\beta - 1) \log(1 - x) + \log \Gamma(\alpha + \beta) - \log \Gamma(\alpha) - \log \Gamma(\beta)
 * $$
 *
 * for $0 \le x \le 1$ (with $0 \cdot \log 0 = 0$) and $-\infty$ elsewhere (PyTorch's `Beta`).
 *
 * Draws are $X/(X + Y)$ for independent $X \sim \operatorname{Gamma}(\alpha, 1)$, $Y \sim \operatorname{Gamma}(\beta, 1)$, each drawn
 * by inversion from one uniform draw call of `rng` (see {@link Gamma}), so they are
 * reparameterised with exact implicit gradients. For very small concentrations
 * (≲ 0.02) both gamma draws can underflow to the clamp value, which biases the draws
 * towards ½; PyTorch's sampler has the same limitation.
 *
 * @example
 * ```ts
 * import { Rng } from '@eddy/core';
 * import { Beta } from '@eddy/distributions';
 * const d = new Beta(2, 5);
 * d.mean.item();                     // 2/7
 * d.rsample([100], new Rng(0)).shape; // [100]
 * ```
 * @category Univariate
 */
export class Beta extends ScalarDistribution<'concentration1' | 'concentration0'> {
  /** `α`, the exponent of `x` plus one, broadcast to the batch shape. */
  declare readonly concentration1: Tensor;
  /** `β`, the exponent of `1 - x` plus one, broadcast to the batch shape. */
  declare readonly concentration0: Tensor;

  /**
   * @param concentration1 `α` (positive); @param concentration0 `β` (positive);
   * @param options `validateArgs` (default true) checks both are positive.
   */
  constructor(concentration1: TensorLike, concentration0: TensorLike, options: { validateArgs?: boolean } = {}) {
    super('Beta', { concentration1, concentration0 }, options, ['concentration1', 'concentration0']);
  }
  /** $\alpha/(\alpha + \beta)$. */
  override get mean(): Tensor {
    return this.concentration1.div(this.concentration1.add(this.concentration0));
  }
  /** $\frac{\alpha\beta}{(\alpha + \beta)^2 (\alpha + \beta + 1)}$. */
  override get variance(): Tensor {
    const s = this.concentration1.add(this.concentration0);
    return this.concentration1.mul(this.concentration0).div(square(s).mul(s.add(1)));
  }
  /** $(\alpha - 1) \log x + (\beta - 1) \log(1 - x) + \log \Gamma(\alpha + \beta) - \log \Gamma(\alpha) - \log \Gamma(\beta)$ on $[0, 1]$, $-\infty$ elsewhere. */
  logProb(x: Tensor): Tensor {
    this.checkValue(x);
    const a = this.concentration1;
    const b = this.concentration0;
    const inside = logicalAnd(ge(x, 0), le(x, 1));
    const xs = guard(inside, x, 0.5);
    const lp = xlogy(a.sub(1), xs)
      .add(xlogy(b.sub(1), xs.neg().add(1)))
      .add(lgamma(a.add(b)))
      .sub(lgamma(a))
      .sub(lgamma(b));
    return outside(inside, lp);
  }
  /** $X/(X + Y)$, $X = P^{-1}(\alpha, u_1)$, $Y = P^{-1}(\beta, u_2)$ from two uniform draw calls of `rng`. */
  override rsample(shape: readonly number[] = [], rng: Rng = defaultRng()): Tensor {
    const s = this.extendedShape(shape);
    const x = gammaQuantile(this.concentration1, rng.uniform(s, this.drawDtype));
    const y = gammaQuantile(this.concentration0, rng.uniform(s, this.drawDtype));
    return x.div(x.add(y));
  }
  /**
   * $\log B(\alpha, \beta) - (\alpha - 1)\psi(\alpha) - (\beta - 1)\psi(\beta) + (\alpha + \beta - 2)\psi(\alpha + \beta)$ (not differentiable: no
   * trigamma).
   */
  override entropy(): Tensor {
    const a = this.concentration1;
    const b = this.concentration0;
    const s = a.add(b);
    const lbeta = lgamma(a).add(lgamma(b)).sub(lgamma(s));
    return lbeta
      .sub(a.sub(1).mul(digamma(a)))
      .sub(b.sub(1).mul(digamma(b)))
      .add(s.sub(2).mul(digamma(s)));
  }
  /** The same beta broadcast to `batchShape`. */
  override expand(batchShape: readonly number[]): Beta {
    return new Beta(expand(this.concentration1, batchShape), expand(this.concentration0, batchShape), { validateArgs: false });
  }
}
