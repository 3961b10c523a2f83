import { type Rng, type Tensor, type TensorLike, defaultRng, digamma, expand, full, gt, lgamma, log, log1p, sqrt, square, where } from '@eddy/core';
import { gammaQuantile } from './gamma-special.js';
import { ScalarDistribution } from './scalar-distribution.js';

const HALF_LOG_PI = 0.5 * Math.log(Math.PI);

/**
 * Student's t distribution with $\nu > 0$ degrees of freedom, location $\mu$ and scale
 * $\sigma > 0$: with $y = (x - \mu)/\sigma$,
 *
 * $$
 * \log p(x) = -\frac{\nu + 1}{2} \log\Big(1 + \frac{y^2}{\nu}\Big) - \log \sigma - \frac{1}{2} \log \nu - \frac{1}{2} \log \pi - \log \Gamma\Big(\frac{\nu}{2}\Big) + \log \Gamma\Big(\frac{\nu + 1}{2}\Big)
 * $$
 *
 * (PyTorch's `StudentT`). Draws are $\mu + \sigma z \sqrt{\nu / (2g)}$ with $z \sim \mathcal{N}(0, 1)$ (one normal
 * draw call) and $g \sim \operatorname{Gamma}(\nu/2, 1)$ drawn by inversion (one uniform draw call; see
 * {@link Gamma}), so they are reparameterised in $\nu$, $\mu$ and $\sigma$.
 *
 * @example
 * ```ts
 * import { Rng, tensor } from '@eddy/core';
 * import { StudentT } from '@eddy/distributions';
 * const d = new StudentT(tensor([3, 30]));  // loc 0, scale 1
 * d.variance.toArray();                    // [3, 30/28]
 * d.sample([5], new Rng(0)).shape;         // [5, 2]
 * ```
 * @category Univariate
 */
export class StudentT extends ScalarDistribution<'df' | 'loc' | 'scale'> {
  /** Degrees of freedom `ν > 0`, broadcast to the batch shape. */
  declare readonly df: Tensor;
  /** Location `μ`, broadcast to the batch shape. */
  declare readonly loc: Tensor;
  /** Scale `σ > 0`, broadcast to the batch shape. */
  declare readonly scale: Tensor;

  /**
   * @param df degrees of freedom `ν` (positive); @param loc location `μ` (default 0);
   * @param scale scale `σ` (positive, default 1);
   * @param options `validateArgs` (default true) checks `ν > 0` and `σ > 0`.
   */
  constructor(df: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1, options: { validateArgs?: boolean } = {}) {
    super('StudentT', { df, loc, scale }, options, ['df', 'scale']);
  }
  /** $\mu$ for $\nu > 1$, NaN otherwise (as PyTorch). */
  override get mean(): Tensor {
    return where(gt(this.df, 1), this.loc, Number.NaN);
  }
  /** $\sigma^2 \nu/(\nu - 2)$ for $\nu > 2$, $+\infty$ for $1 < \nu \le 2$, NaN for $\nu \le 1$ (as PyTorch). */
  override get variance(): Tensor {
    const df = this.df;
    const finite = gt(df, 2);
    const v = square(this.scale)
      .mul(df)
      .div(where(finite, df, 3).sub(2));
    const inf = full(this.batchShape, Number.POSITIVE_INFINITY, { dtype: v.dtype, backend: v.backend });
    return where(finite, v, where(gt(df, 1), inf, Number.NaN));
  }
  /** $-\frac{\nu + 1}{2} \operatorname{log1p}(y^2/\nu) - \log \sigma - \frac{1}{2} \log \nu - \frac{1}{2} \log \pi - \log \Gamma(\nu/2) + \log \Gamma\big((\nu + 1)/2\big)$, $y = (x - \mu)/\sigma$. */
  logProb(x: Tensor): Tensor {
    this.checkValue(x);
    const df = this.df;
    const y = x.sub(this.loc).div(this.scale);
    const z = log(this.scale)
      .add(log(df).mul(0.5))
      .add(HALF_LOG_PI)
      .add(lgamma(df.mul(0.5)))
      .sub(lgamma(df.add(1).mul(0.5)));
    return log1p(square(y).div(df)).mul(df.add(1).mul(-0.5)).sub(z);
  }
  /** $\mu + \sigma z \sqrt{\nu/(2g)}$: $z$ from `rng.normal`, then $g = P^{-1}(\nu/2, u)$ from `rng.uniform`. */
  override rsample(shape: readonly number[] = [], rng: Rng = defaultRng()): Tensor {
    const s = this.extendedShape(shape);
    const z = rng.normal(s, this.drawDtype);
    const g = gammaQuantile(this.df.mul(0.5), rng.uniform(s, this.drawDtype));
    return z
      .mul(sqrt(this.df.div(g.mul(2))))
      .mul(this.scale)
      .add(this.loc);
  }
  /**
   * $\log \sigma + \frac{\nu + 1}{2}\big(\psi((\nu + 1)/2) - \psi(\nu/2)\big) + \frac{1}{2} \log \nu + \log B(\nu/2, \frac{1}{2})$ (not differentiable
   * in $\nu$: no trigamma).
   */
  override entropy(): Tensor {
    const df = this.df;
    const lbeta = lgamma(df.mul(0.5))
      .add(HALF_LOG_PI)
      .sub(lgamma(df.add(1).mul(0.5)));
    return log(this.scale)
      .add(
        df
          .add(1)
          .mul(0.5)
          .mul(digamma(df.add(1).mul(0.5)).sub(digamma(df.mul(0.5)))),
      )
      .add(log(df).mul(0.5))
      .add(lbeta);
  }
  /** The same Student t broadcast to `batchShape`. */
  override expand(batchShape: readonly number[]): StudentT {
    return new StudentT(expand(this.df, batchShape), expand(this.loc, batchShape), expand(this.scale, batchShape), {
      validateArgs: false,
    });
  }
}
