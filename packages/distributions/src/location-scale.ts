import type { Tensor, TensorLike } from '@eddy/core';
import { Distribution } from './distribution.js';
import { namedParams } from './helpers.js';
import { checkPositive } from './params.js';

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
export abstract class LocationScale extends Distribution {
  /** Location, broadcast to the batch shape. */
  readonly loc: Tensor;
  /** Scale (> 0), broadcast to the batch shape. */
  readonly scale: Tensor;
  readonly #batch: number[];
  /** dtype of draws: the parameters' float dtype, or the default one for plain numbers. */
  protected readonly drawDtype: 'float32' | 'float64';

  /**
   * @param name the family (for error messages); @param loc location; @param scale scale
   * (must be positive); @param options `validateArgs` (default true) checks `scale > 0`.
   */
  constructor(name: string, loc: TensorLike, scale: TensorLike, options: { validateArgs?: boolean } = {}) {
    super();
    const { tensors, batchShape, dtype } = namedParams(name, { loc, scale });
    [this.loc, this.scale] = tensors as [Tensor, Tensor];
    this.#batch = batchShape;
    this.drawDtype = dtype;
    if (options.validateArgs ?? true) checkPositive(name, 'scale', this.scale);
  }
  /** Broadcast shape of `loc` and `scale`. */
  get batchShape(): number[] {
    return [...this.#batch];
  }
  /** Scalar events. */
  get eventShape(): number[] {
    return [];
  }
  /** Reparameterised. */
  override get hasRsample(): boolean {
    return true;
  }
}
