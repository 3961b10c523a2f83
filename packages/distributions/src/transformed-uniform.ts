import { type Tensor, type TensorLike, ValueError, expand, lt } from '@eddy/core';
import { type Transform, param } from '@eddy/transforms';
import { NormalizingFlow } from './normalizing-flow.js';
import { Uniform } from './uniform.js';

function uniformBase(f: Transform, lower: Tensor, upper: Tensor): Uniform {
  const fl = f.call(lower);
  const fu = f.call(upper);
  const bad = lt(fl, fu).dataSync().indexOf(0);
  if (bad >= 0) {
    throw new ValueError(
      `TransformedUniform: f(lower) must be < f(upper) (f increasing on [lower, upper]), got f(lower) = ${fl.dataSync()[bad]} and f(upper) = ${fu.dataSync()[bad]} at flat index ${bad}`,
    );
  }
  return new Uniform(fl, fu, { validateArgs: false });
}

/**
 * The distribution of $X$ such that $f(X)$ is uniform on $[f(l), f(u))$, for a transform
 * $f$ increasing on $[l, u]$ (zuko's `TransformedUniform`, which is
 * `NormalizingFlow(f, Uniform(f(l), f(u)))`):
 * $p(x) = \frac{f'(x)}{f(u) - f(l)}$ for $f(l) \le f(x) < f(u)$, and 0 elsewhere.
 * Draws are $f^{-1}(v)$ with $v$ from the uniform (reparameterised).
 *
 * @example
 * ```ts
 * import { Rng } from '@eddy/core';
 * import { TransformedUniform } from '@eddy/distributions';
 * import { ExpTransform } from '@eddy/transforms';
 * const d = new TransformedUniform(new ExpTransform(), -1, 1); // log-uniform on [e⁻¹, e)
 * d.sample([3], new Rng(0)).shape; // [3]
 * ```
 * @category Derived
 */
export class TransformedUniform extends NormalizingFlow {
  /** Lower bound `l` (inclusive), before `f`. */
  readonly lower: Tensor;
  /** Upper bound `u` (exclusive), before `f`. */
  readonly upper: Tensor;

  /**
   * @param f a transform (data → uniform space) increasing on `[lower, upper]`;
   * @param lower `l`; @param upper `u` (with `f(l) < f(u)`).
   */
  constructor(f: Transform, lower: TensorLike, upper: TensorLike) {
    const l = param(lower);
    const u = param(upper);
    super(f, uniformBase(f, l, u));
    this.lower = l;
    this.upper = u;
  }
  /** The same transformed uniform with bounds broadcast to `batchShape` (transform shared). */
  override expand(batchShape: readonly number[]): TransformedUniform {
    return new TransformedUniform(this.transform, expand(this.lower, batchShape), expand(this.upper, batchShape));
  }
}
