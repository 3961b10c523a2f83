import type { Tensor, TensorLike } from '@eddy/core';
import { ScalarDistribution } from './scalar-distribution.js';

/**
 * Base of the scalar location–scale families (Normal, Laplace, Cauchy): `loc` and a
 * positive `scale` broadcast to one batch shape, scalar events, reparameterised draws.
 * Subclasses supply the density and the sampler.
 *
 * @example
 * ```ts
 * class Logistic extends LocationScale { ... }
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
}
