import type { Tensor } from '@eddy/core';
import { BoxUniform } from '@eddy/distributions';
import { CircularRQSTransform, MonotonicRQSTransform } from '@eddy/transforms';
import { boxUniformBase, standardNormalBase } from './bases.js';
import { Flow } from './lazy.js';
import { type AutoregressiveFlowOptions, autoregressiveStack } from './autoregressive-stack.js';
import { packedUnivariate } from './univariate.js';

/**
 * Options of {@link NSF} and {@link NCSF}.
 * @category Flows
 */
export interface SplineFlowOptions extends Omit<AutoregressiveFlowOptions, 'univariate' | 'shapes'> {
  /** Number of spline bins `K` (default 8). */
  bins?: number;
  /** Minimum slope of the spline (default 1e-3). */
  slope?: number;
  /** Spline interval `[-B, B]` (default 5 for NSF; NCSF always uses π). */
  bound?: number;
}

/** Per-feature parameter shapes of a K-bin spline: widths, heights, inner derivatives. */
function splineShapes(bins: number): number[][] {
  return [[bins], [bins], [bins - 1]];
}

/**
 * Neural Spline Flow (zuko's `NSF`): masked autoregressive transforms whose univariates
 * are monotonic rational-quadratic splines on `[-B, B]` (identity outside), over a
 * standard normal base.
 *
 * **Standardise the features.** The splines act on `[-B, B]` (`bound`, default 5) and are
 * the identity outside it, so features beyond it are not transformed and the flow loses
 * log-likelihood there. As zuko's documentation says: "It is recommended to standardize
 * features (zero mean, unit variance) before training." {@link Standardized.fromData}
 * does this and keeps the standardisation inside the model, so the saved flow's
 * `logProb` and `sample` stay in the data's units; {@link fit} warns (once per call) when
 * the training data of an unstandardised NSF leaves `[-B, B]`.
 *
 * References:
 * - [Neural Spline Flows (Durkan et al., 2019)](https://arxiv.org/abs/1906.04032)
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { fit, NSF, Standardized } from '@eddy/flows';
 * const c = randn([100, 2], { seed: 0 });
 * const data = randn([256, 5], { seed: 1 }).mul(100).add(1000); // far outside the spline's [-5, 5]
 * const flow = new NSF({ features: 5, context: 2 });
 * const x = flow.call(c).sample([100]);
 * // data of any scale: standardise inside the model
 * const model = Standardized.fromData(new NSF({ features: 5 }), data);
 * fit(model, data);
 * ```
 * @category Flows
 */
export class NSF extends Flow {
  /** The constructor options (saved with the model). */
  readonly options: SplineFlowOptions;

  /**
   * `B`: the splines act on `[-B, B]` and are the identity outside (what {@link fit}
   * checks the training data against).
   */
  get dataBound(): number {
    return this.options.bound ?? 5;
  }

  /** @param options see {@link SplineFlowOptions}. */
  constructor(options: SplineFlowOptions) {
    const { bins = 8, slope = 1e-3, bound = 5 } = options;
    const univariate = packedUnivariate(
      (w: Tensor, h: Tensor, d: Tensor) => new MonotonicRQSTransform(w, h, d, { bound, slope }),
      (phi: Tensor) => MonotonicRQSTransform.fromPacked(phi, { bound, slope }),
      { kind: 'rqs', bins, bound, slope },
    );
    super(autoregressiveStack('NSF', { ...options, univariate, shapes: splineShapes(bins) }), standardNormalBase(options.features, options.dtype));
    this.options = options;
  }
}

/**
 * Neural Circular Spline Flow (zuko's `NCSF`) for data on the torus $[-\pi, \pi)^D$:
 * circular shifts composed with circular rational-quadratic splines, over a box-uniform
 * base $\mathcal{U}(-\pi - 10^{-5}, \pi + 10^{-5})$.
 *
 * The features must be angles in $[-\pi, \pi)$: the circular splines act on that interval
 * (zuko's NSF advice to standardise features does not apply here, since an affine map of
 * angles breaks their periodicity; see {@link Standardized} for the other spline flows).
 *
 * References:
 * - [Normalizing Flows on Tori and Spheres (Rezende et al., 2020)](https://arxiv.org/abs/2002.02428)
 *
 * @example
 * ```ts
 * import { NCSF } from '@eddy/flows';
 * const flow = new NCSF({ features: 2 });
 * ```
 * @category Flows
 */
export class NCSF extends Flow {
  /** The constructor options (saved with the model). */
  readonly options: SplineFlowOptions;

  /** @param options see {@link SplineFlowOptions} (`bound` is ignored: always π). */
  constructor(options: SplineFlowOptions) {
    const { bins = 8, slope = 1e-3 } = options;
    const univariate = packedUnivariate(
      (w: Tensor, h: Tensor, d: Tensor) => new CircularRQSTransform(w, h, d, { slope }),
      (phi: Tensor) => CircularRQSTransform.fromPacked(phi, { slope }),
    );
    const limit = Math.PI + 1e-5;
    super(
      autoregressiveStack('NCSF', { ...options, univariate, shapes: splineShapes(bins) }),
      boxUniformBase(options.features, -limit, limit, (l, u) => new BoxUniform(l, u), options.dtype),
    );
    this.options = options;
  }
}
