import type { Tensor } from '@eddy/core';
import { BoundedBernsteinTransform, ShiftedSOSPTransform } from '@eddy/transforms';
import { standardNormalBase } from './bases.js';
import { Flow } from './lazy.js';
import { type AutoregressiveFlowOptions, autoregressiveStack } from './autoregressive-stack.js';
import { withSoftclips } from './neural.js';

/**
 * Options of {@link SOSPF}.
 * @category Flows
 */
export interface SOSPFOptions extends Omit<AutoregressiveFlowOptions, 'univariate' | 'shapes'> {
  /** Degree of each polynomial (default 4). */
  degree?: number;
  /** Number of squared polynomials summed (default 3). */
  polynomials?: number;
}

/**
 * Sum-of-squares Polynomial Flow (zuko's `SOSPF`): masked autoregressive transforms whose
 * univariates integrate a sum of squared polynomials (plus a shift), with `Softclip(11)`
 * between transforms, over a standard normal base.
 *
 * References:
 * - [Sum-of-Squares Polynomial Flow (Jaini et al., 2019)](https://arxiv.org/abs/1905.02325)
 *
 * @example
 * ```ts
 * import { SOSPF } from '@eddy/flows';
 * const flow = new SOSPF({ features: 3 });
 * ```
 * @category Flows
 */
export class SOSPF extends Flow {
  /** The constructor options (saved with the model). */
  readonly options: SOSPFOptions;

  /** @param options see {@link SOSPFOptions}. */
  constructor(options: SOSPFOptions) {
    const degree = options.degree ?? 4;
    const polynomials = options.polynomials ?? 3;
    const univariate = (a: Tensor, constant: Tensor) => new ShiftedSOSPTransform(a, constant);
    super(
      withSoftclips(autoregressiveStack('SOSPF', { ...options, univariate, shapes: [[polynomials, degree + 1], []] })),
      standardNormalBase(options.features, options.dtype),
    );
    this.options = options;
  }
}

/**
 * Options of {@link BPF}.
 * @category Flows
 */
export interface BPFOptions extends Omit<AutoregressiveFlowOptions, 'univariate' | 'shapes'> {
  /** Degree of the Bernstein polynomial (default 16). */
  degree?: number;
}

/**
 * Bernstein-Polynomial Flow (zuko's `BPF`): masked autoregressive transforms whose
 * univariates are bounded Bernstein polynomials, over a standard normal base.
 *
 * The polynomials act on `[-5, 5]` and are the (shifted) identity outside it: as for
 * {@link NSF}, standardise the features ({@link Standardized.fromData}); {@link fit}
 * warns when an unstandardised BPF's training data leaves `[-5, 5]`.
 *
 * References:
 * - [Deep transformation models: Tackling complex regression problems with neural network based transformation models (Sick et al., 2020)](https://arxiv.org/abs/2004.00464)
 * - [Short-Term Density Forecasting of Low-Voltage Load using Bernstein-Polynomial Normalizing Flows (Arpogaus et al., 2022)](https://arxiv.org/abs/2204.13939)
 * - [Robust normalizing flows using Bernstein-type polynomials (Ramasinghe et al., 2021)](https://arxiv.org/abs/2102.03509)
 *
 * @example
 * ```ts
 * import { BPF } from '@eddy/flows';
 * const flow = new BPF({ features: 3 });
 * ```
 * @category Flows
 */
export class BPF extends Flow {
  /** The constructor options (saved with the model). */
  readonly options: BPFOptions;

  /** `5`: the polynomials act on `[-5, 5]` (what {@link fit} checks the training data against). */
  get dataBound(): number {
    return 5;
  }

  /** @param options see {@link BPFOptions}. */
  constructor(options: BPFOptions) {
    const degree = options.degree ?? 16;
    const univariate = (theta: Tensor) => new BoundedBernsteinTransform(theta);
    super(autoregressiveStack('BPF', { ...options, univariate, shapes: [[degree + 1]] }), standardNormalBase(options.features, options.dtype));
    this.options = options;
  }
}
