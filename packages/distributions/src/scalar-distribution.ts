import type { Tensor, TensorLike } from '@eddy/core';
import { Distribution } from './distribution.js';
import { namedParams } from './helpers.js';
import { checkPositive } from './params.js';

/**
 * Base of the distributions with scalar events whose parameters are a few named tensors
 * broadcast to one batch shape (Beta, Gamma, Exponential, GeneralizedNormal, StudentT,
 * Uniform, and through {@link LocationScale} Normal, Laplace and Cauchy).
 *
 * The constructor takes the family's name (for error messages) and its parameters by
 * name, in the order the family declares them; it broadcasts them (a `ShapeError` that
 * names every parameter and its shape when they do not), stores each broadcast tensor
 * under its own name on the instance, and, unless `validateArgs` is false, checks that
 * the parameters listed as `positive` are positive (in that order). Draws are
 * reparameterised and use the parameters' float dtype, or the default float dtype when
 * every parameter was a plain number ({@link ScalarDistribution.drawDtype}).
 *
 * A subclass declares its parameter fields with `declare readonly` (the base assigns
 * them; a plain field declaration would be re-initialised to `undefined` after `super`)
 * and supplies the density, the sampler and `expand`.
 *
 * @typeParam P the parameter names.
 *
 * @example
 * ```ts
 * import { log, square, Tensor, tensor, type TensorLike } from '@eddy/core';
 * import { ScalarDistribution } from '@eddy/distributions';
 * class Rayleigh extends ScalarDistribution<'scale'> {
 *   declare readonly scale: Tensor;
 *   constructor(scale: TensorLike, options: { validateArgs?: boolean } = {}) {
 *     super('Rayleigh', { scale }, options, ['scale']);
 *   }
 *   logProb(x: Tensor): Tensor {
 *     const s2 = square(this.scale);
 *     return log(x.div(s2)).sub(square(x).div(s2.mul(2)));
 *   }
 * }
 * new Rayleigh(tensor([1, 2])).batchShape; // [2]
 * ```
 * @category Univariate
 */
export abstract class ScalarDistribution<P extends string = string> extends Distribution {
  readonly #batch: number[];
  readonly #dtype: 'float32' | 'float64';

  /**
   * @param name the family (for error messages); @param params the parameters by name;
   * @param options `validateArgs` (default true) runs the checks; @param positive the
   * parameters that must be positive, checked in this order.
   */
  constructor(name: string, params: Readonly<Record<P, TensorLike>>, options: { validateArgs?: boolean } = {}, positive: readonly P[] = []) {
    super();
    const { tensors, batchShape, dtype } = namedParams(name, params);
    const self = this as unknown as Record<P, Tensor>;
    (Object.keys(params) as P[]).forEach((key, i) => {
      self[key] = tensors[i] as Tensor;
    });
    this.#batch = batchShape;
    this.#dtype = dtype;
    if (options.validateArgs ?? true) for (const key of positive) checkPositive(name, key, self[key]);
  }
  /** dtype of draws: the parameters' float dtype, or the default one for plain numbers. */
  protected get drawDtype(): 'float32' | 'float64' {
    return this.#dtype;
  }
  /** Broadcast shape of the parameters. */
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
