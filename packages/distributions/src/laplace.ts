import { type Rng, type Tensor, type TensorLike, abs, defaultRng, expand, expm1, log, log1p, sign, square } from '@eddy/core';
import { LocationScale } from './location-scale.js';
import { epsOf } from './helpers.js';

/**
 * The Laplace (double exponential) distribution with location $\mu$ and scale $b > 0$:
 * $\log p(x) = -\log(2b) - |x - \mu|/b$; CDF $\frac{1}{2} - \frac{1}{2} \operatorname{sign}(x - \mu) \operatorname{expm1}(-|x - \mu|/b)$, inverse
 * CDF $\mu - b \operatorname{sign}(p - \frac{1}{2}) \log(1 - 2|p - \frac{1}{2}|)$ (PyTorch's `Laplace`). Draws are
 * $\mu - b \operatorname{sign}(v) \log(1 - |v|)$ with $v = 2u - 1$ mapped into $(-1, 1)$ as PyTorch does
 * ($v \sim \mathcal{U}[\varepsilon - 1, 1)$), so they are always finite (reparameterised in $\mu$, $b$).
 *
 * @example
 * ```ts
 * import { Rng, tensor } from '@eddy/core';
 * import { Laplace } from '@eddy/distributions';
 * const d = new Laplace(0, 1);
 * d.logProb(tensor([0])).toArray(); // [-log 2]
 * d.sample([100], new Rng(0)).shape; // [100]
 * ```
 * @category Univariate
 */
export class Laplace extends LocationScale {
  /**
   * @param loc location `μ`; @param scale scale `b` (must be positive);
   * @param options `validateArgs` (default true) checks `b > 0`.
   */
  constructor(loc: TensorLike, scale: TensorLike, options: { validateArgs?: boolean } = {}) {
    super('Laplace', loc, scale, options);
  }
  /** $2b^2$. */
  override get variance(): Tensor {
    return square(this.scale).mul(2);
  }
  /** $-\log(2b) - |x - \mu|/b$. */
  logProb(x: Tensor): Tensor {
    this.checkValue(x);
    return abs(x.sub(this.loc))
      .div(this.scale)
      .neg()
      .sub(log(this.scale.mul(2)));
  }
  /** $\mu - b \operatorname{sign}(v) \operatorname{log1p}(-|v|)$, $v \sim \mathcal{U}[\varepsilon - 1, 1)$ from one uniform draw of `rng`. */
  override rsample(shape: readonly number[] = [], rng: Rng = defaultRng()): Tensor {
    const u = rng.uniform(this.extendedShape(shape), this.drawDtype);
    const eps = epsOf(this.drawDtype);
    const v = u.mul(2 - eps).add(eps - 1);
    return this.loc.sub(this.scale.mul(sign(v)).mul(log1p(abs(v).neg())));
  }
  /** `1 + log(2b)`. */
  override entropy(): Tensor {
    return log(this.scale.mul(2)).add(1);
  }
  /** $\frac{1}{2} - \frac{1}{2} \operatorname{sign}(x - \mu) \operatorname{expm1}(-|x - \mu|/b)$. */
  override cdf(x: Tensor): Tensor {
    const d = x.sub(this.loc);
    return sign(d)
      .mul(expm1(abs(d).div(this.scale).neg()))
      .mul(-0.5)
      .add(0.5);
  }
  /** $\mu - b \operatorname{sign}(p - \frac{1}{2}) \operatorname{log1p}(-2|p - \frac{1}{2}|)$. */
  override icdf(p: Tensor): Tensor {
    const t = p.sub(0.5);
    return this.loc.sub(this.scale.mul(sign(t)).mul(log1p(abs(t).mul(-2))));
  }
  /** The same Laplace broadcast to `batchShape`. */
  override expand(batchShape: readonly number[]): Laplace {
    return new Laplace(expand(this.loc, batchShape), expand(this.scale, batchShape), { validateArgs: false });
  }
}
