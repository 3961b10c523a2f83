import type { Rng, Tensor, TensorLike } from '@eddy/core';
import { ShapeError, ValueError, broadcastShapes, defaultRng, expand, fmtShape, le, shapesEqual } from '@eddy/core';
import { param } from '@eddy/transforms';
import { Distribution } from './distribution.js';
import { checkOrdered } from './params.js';
import { Uniform } from './uniform.js';

/**
 * A univariate distribution truncated to $[l, u)$ (zuko's `Truncated`): with $F$ the
 * base CDF,
 *
 * $$
 * \log p(x) = \log \mathbf{1}\big[F(l) \le F(x) < F(u)\big] - \log\big(F(u) - F(l)\big) + \log p_\mathrm{base}(x),
 * $$
 *
 * CDF $\operatorname{clamp}\big(\frac{F(x) - F(l)}{F(u) - F(l)}, 0, 1\big)$. Draws invert the base CDF, exactly as
 * zuko: $F^{-1}\big((1 - 2 \cdot 10^{-6})(F(l) + r (F(u) - F(l))) + 10^{-6}\big)$ with $r \sim \mathcal{U}[0, 1)$ (one
 * uniform draw call; the squeeze keeps $F^{-1}$ away from 0 and 1), reparameterised where
 * the base CDF and inverse CDF are differentiable. The base needs `cdf` and `icdf`.
 *
 * @example
 * ```ts
 * import { Rng, tensor } from '@eddy/core';
 * import { Normal, Truncated } from '@eddy/distributions';
 * const d = new Truncated(new Normal(0, 1), { lower: 1, upper: 2 });
 * d.sample([5], new Rng(0)).shape; // [5], every draw in [1, 2)
 * d.logProb(tensor([0])).item();   // -Infinity
 * ```
 * @category Derived
 */
export class Truncated extends Distribution {
  /** The untruncated distribution. */
  readonly base: Distribution;
  /** Lower bound `l` (inclusive). */
  readonly lower: Tensor;
  /** Upper bound `u` (exclusive). */
  readonly upper: Tensor;
  /** `Uniform(F(l), F(u))`: the law of `F(X)` for `X` from the truncated distribution. */
  readonly uniform: Uniform;

  /**
   * @param base a univariate distribution with `cdf` and `icdf`; @param options
   * `lower` (default -∞) and `upper` (default +∞) bounds, with `lower < upper` and
   * `F(lower) < F(upper)` in floating point.
   */
  constructor(base: Distribution, options: { lower?: TensorLike; upper?: TensorLike } = {}) {
    super();
    if (base.eventShape.length !== 0) {
      throw new ShapeError(`Truncated: base must be univariate (event shape []), got event shape ${fmtShape(base.eventShape)}`);
    }
    const lower = param(options.lower ?? Number.NEGATIVE_INFINITY);
    const upper = param(options.upper ?? Number.POSITIVE_INFINITY);
    let batch: number[];
    try {
      batch = broadcastShapes('Truncated', base.batchShape, lower.shape, upper.shape);
    } catch {
      throw new ShapeError(
        `Truncated: lower ${fmtShape(lower.shape)} and upper ${fmtShape(upper.shape)} do not broadcast with the base batch shape ${fmtShape(base.batchShape)}`,
      );
    }
    checkOrdered('Truncated', 'lower', lower, 'upper', upper);
    this.base = shapesEqual(base.batchShape, batch) ? base : base.expand(batch);
    this.lower = lower;
    this.upper = upper;
    const fl = expand(this.base.cdf(lower), batch);
    const fu = expand(this.base.cdf(upper), batch);
    const empty = le(fu, fl).dataSync().indexOf(1);
    if (empty >= 0) {
      throw new ValueError(
        `Truncated: the base puts no probability (in floating point) on [lower, upper) at flat index ${empty}: F(lower) = ${fl.dataSync()[empty]}, F(upper) = ${fu.dataSync()[empty]}`,
      );
    }
    this.uniform = new Uniform(fl, fu, { validateArgs: false });
  }
  /** The base batch shape (broadcast with the bounds' shapes). */
  get batchShape(): number[] {
    return this.base.batchShape;
  }
  /** Scalar events. */
  get eventShape(): number[] {
    return [];
  }
  /** Reparameterised (through the base's `icdf`). */
  override get hasRsample(): boolean {
    return true;
  }
  /** $\log \mathbf{1}\big[F(l) \le F(x) < F(u)\big] - \log\big(F(u) - F(l)\big) + \log p_\mathrm{base}(x)$. */
  logProb(x: Tensor): Tensor {
    this.checkValue(x);
    return this.uniform.logProb(this.base.cdf(x)).add(this.base.logProb(x));
  }
  /** `clamp((F(x) - F(l))/(F(u) - F(l)), 0, 1)`. */
  override cdf(x: Tensor): Tensor {
    return this.uniform.cdf(this.base.cdf(x));
  }
  /** $F^{-1}\big(F(l) + p (F(u) - F(l))\big)$ (exact; {@link Truncated.rsampleFromUniform} squeezes as zuko). */
  override icdf(p: Tensor): Tensor {
    return this.base.icdf(this.uniform.icdf(p));
  }
  /**
   * The draw zuko's `rsample` makes from given uniforms $r \in [0, 1)$ (any shape that
   * broadcasts with the batch shape): $F^{-1}\big((1 - 2 \cdot 10^{-6})(F(l) + r (F(u) - F(l))) + 10^{-6}\big)$.
   * {@link Truncated.rsample} is this applied to `rng.uniform(shape + batchShape)`.
   */
  rsampleFromUniform(r: Tensor): Tensor {
    return this.base.icdf(
      this.uniform
        .icdf(r)
        .mul(1 - 2e-6)
        .add(1e-6),
    );
  }
  /** {@link Truncated.rsampleFromUniform} of one uniform draw call of `rng` (in the dtype of `F(l)`). */
  override rsample(shape: readonly number[] = [], rng: Rng = defaultRng()): Tensor {
    const dtype = this.uniform.low.dtype === 'float32' ? 'float32' : 'float64';
    return this.rsampleFromUniform(rng.uniform(this.extendedShape(shape), dtype));
  }
  /** The truncation of the base expanded to `batchShape`. */
  override expand(batchShape: readonly number[]): Truncated {
    return new Truncated(this.base.expand(batchShape), { lower: this.lower, upper: this.upper });
  }
  /** `Truncated(<base>)`. */
  override toString(): string {
    return `Truncated(${this.base.toString()})`;
  }
}
