import type { Tensor, TensorLike } from '@eddy/core';
import { ScalarDistribution } from './scalar-distribution.js';

/**
 * Base of the scalar location–scale families (Normal, Laplace, Cauchy): `loc` and a
 * positive `scale` broadcast to one batch shape, scalar events, reparameterised draws.
 * Subclasses supply the density and the sampler.
 *
 * @example
 * ```ts
 * import { defaultRng, log, log1p, type Rng, softplus, type Tensor, tensor } from '@eddy/core';
 * import { LocationScale } from '@eddy/distributions';
 * class Logistic extends LocationScale {
 *   constructor(loc: number, scale: number) {
 *     super('Logistic', loc, scale);
 *   }
 *   logProb(x: Tensor): Tensor {
 *     const z = x.sub(this.loc).div(this.scale);
 *     return z.neg().sub(softplus(z.neg()).mul(2)).sub(log(this.scale));
 *   }
 *   override rsample(shape: readonly number[] = [], rng: Rng = defaultRng()): Tensor {
 *     const u = rng.uniform(this.extendedShape(shape), this.drawDtype);
 *     return this.loc.add(this.scale.mul(log(u).sub(log1p(u.neg()))));
 *   }
 * }
 * new Logistic(0, 1).logProb(tensor([0])); // [-log 4]
 * ```
 * @category Univariate
 */
export abstract class LocationScale extends ScalarDistribution<'loc' | 'scale'> {
  /** Location, broadcast to the batch shape. */
  declare readonly loc: Tensor;
  /** Scale (> 0), broadcast to the batch shape. */
  declare readonly scale: Tensor;

  /**
   * @param name the family (for error messages); @param loc location; @param scale scale
   * (must be positive); @param options `validateArgs` (default true) checks `scale > 0`.
   */
  constructor(name: string, loc: TensorLike, scale: TensorLike, options: { validateArgs?: boolean } = {}) {
    super(name, { loc, scale }, options, ['scale']);
  }
  /** `μ`: the mean of the symmetric families (a family without one, or not symmetric about `μ`, overrides it). */
  override get mean(): Tensor {
    return this.loc;
  }
}
