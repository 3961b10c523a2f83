import type { Module, Tensor } from '@eddy/core';
import type { Transform } from '@eddy/transforms';

/**
 * How a hypernetwork's outputs become an elementwise transform: a function of the
 * unpacked parameter tensors, or a module with such a `call` (e.g. NAF's monotonic
 * network, whose own weights then appear in the state dict as `univariate.…`).
 *
 * @example
 * ```ts
 * const u: Univariate = (shift, scale) => new MonotonicAffineTransform(shift, scale);
 * ```
 * @category Lazy modules
 */
export type Univariate = ((...phi: Tensor[]) => Transform) | UnivariateModule;

/**
 * A module that builds an elementwise transform from parameter tensors (its own weights
 * are trained with the flow).
 *
 * @example
 * ```ts
 * const u: UnivariateModule = new MNN(16, 3);
 * ```
 * @category Lazy modules
 */
export interface UnivariateModule extends Module {
  /** The elementwise transform for the parameters `phi`. */
  call(...phi: Tensor[]): Transform;
}

/**
 * Builds the elementwise transform of a {@link Univariate} from its parameters.
 *
 * @example
 * ```ts
 * const t = applyUnivariate(u, [shift, scale]);
 * ```
 * @category Lazy modules
 */
export function applyUnivariate(u: Univariate, phi: readonly Tensor[]): Transform {
  return typeof u === 'function' ? u(...phi) : u.call(...phi);
}
