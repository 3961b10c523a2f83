import type { Module, ProgramUnivariate, Tensor } from '@eddy/core';
import type { Transform } from '@eddy/transforms';
import { unpack } from './unpack.js';

/**
 * How a hypernetwork's outputs become an elementwise transform: a function of the
 * unpacked parameter tensors, or a module with such a `call` (e.g. NAF's monotonic
 * network, whose own weights then appear in the state dict as `univariate.…`).
 *
 * @example
 * ```ts
 * import { type Univariate } from '@eddy/flows';
 * import { MonotonicAffineTransform } from '@eddy/transforms';
 * const u: Univariate = (shift, scale) => new MonotonicAffineTransform(shift, scale);
 * ```
 * @category Lazy modules
 */
export type Univariate = UnivariateFunction | UnivariateModule;

/**
 * A function building an elementwise transform from its parameter tensors, optionally
 * with a faster constructor from the parameters still packed along one last axis (in
 * unpack order), which skips splitting a hypernetwork's output.
 *
 * @example
 * ```ts
 * import { packedUnivariate, type UnivariateFunction } from '@eddy/flows';
 * import { MonotonicAffineTransform } from '@eddy/transforms';
 * const u: UnivariateFunction = packedUnivariate(
 *   (shift, scale) => new MonotonicAffineTransform(shift, scale),
 *   (phi) => MonotonicAffineTransform.fromPacked(phi),
 * );
 * ```
 * @category Lazy modules
 */
export interface UnivariateFunction {
  (...phi: Tensor[]): Transform;
  /** The same transform from the parameters packed along the last axis. */
  fromPacked?: (phi: Tensor) => Transform;
  /**
   * What it is, for backend kernels that implement it themselves (the native incremental
   * inverse knows the affine map and the spline); absent for anything else.
   */
  program?: ProgramUnivariate;
}

/**
 * Attaches a packed constructor to a univariate function (see {@link UnivariateFunction}).
 *
 * @example
 * ```ts
 * import { packedUnivariate } from '@eddy/flows';
 * import { MonotonicRQSTransform } from '@eddy/transforms';
 * const u = packedUnivariate((w, h, d) => new MonotonicRQSTransform(w, h, d), (phi) => MonotonicRQSTransform.fromPacked(phi));
 * ```
 * @category Lazy modules
 */
export function packedUnivariate(fn: (...phi: Tensor[]) => Transform, fromPacked: (phi: Tensor) => Transform, program?: ProgramUnivariate): UnivariateFunction {
  const u = ((...phi: Tensor[]) => fn(...phi)) as UnivariateFunction;
  u.fromPacked = fromPacked;
  if (program !== undefined) u.program = program;
  return u;
}

/**
 * A module that builds an elementwise transform from parameter tensors (its own weights
 * are trained with the flow).
 *
 * @example
 * ```ts
 * import { MNN, type UnivariateModule } from '@eddy/flows';
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
 * import { randn } from '@eddy/core';
 * import { applyUnivariate, type Univariate } from '@eddy/flows';
 * import { MonotonicAffineTransform } from '@eddy/transforms';
 * const u: Univariate = (shift, scale) => new MonotonicAffineTransform(shift!, scale!);
 * const t = applyUnivariate(u, [randn([3], { seed: 0 }), randn([3], { seed: 1 })]);
 * ```
 * @category Lazy modules
 */
export function applyUnivariate(u: Univariate, phi: readonly Tensor[]): Transform {
  return typeof u === 'function' ? u(...phi) : u.call(...phi);
}

/**
 * Builds the elementwise transform of a {@link Univariate} from parameters packed along
 * the last axis of `phi` (`[..., Σ ∏ shapes]`): through its packed constructor when it
 * has one, else split with {@link unpack}.
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { applyPacked, type Univariate } from '@eddy/flows';
 * import { MonotonicAffineTransform } from '@eddy/transforms';
 * const u: Univariate = (shift, scale) => new MonotonicAffineTransform(shift!, scale!);
 * const t = applyPacked(u, randn([3, 2], { seed: 0 }), [[], []]); // shift and scale packed last
 * ```
 * @category Lazy modules
 */
export function applyPacked(u: Univariate, phi: Tensor, shapes: ReadonlyArray<readonly number[]>): Transform {
  if (typeof u === 'function' && u.fromPacked !== undefined) return u.fromPacked(phi);
  return applyUnivariate(u, unpack(phi, shapes));
}
