import { type AutoregressiveFlowOptions, autoregressiveStack } from './autoregressive-stack.js';
import { standardNormalBase } from './bases.js';
import { Flow } from './lazy.js';

/**
 * Masked Autoregressive Flow (zuko's `MAF`): `transforms` masked autoregressive
 * transforms with monotonic affine univariates and alternating orders, over a standard
 * normal base.
 *
 * References:
 * - [Masked Autoregressive Flow for Density Estimation (Papamakarios et al., 2017)](https://arxiv.org/abs/1705.07057)
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { MAF } from '@eddy/flows';
 * const [x, c] = [randn([8, 3], { seed: 0 }), randn([8, 2], { seed: 1 })];
 * const flow = new MAF({ features: 3, context: 2 });
 * const lp = flow.call(c).logProb(x);
 * ```
 * @category Flows
 */
export class MAF extends Flow {
  /** The constructor options (saved with the model). */
  readonly options: AutoregressiveFlowOptions;

  /** @param options see {@link AutoregressiveFlowOptions}. */
  constructor(options: AutoregressiveFlowOptions) {
    super(autoregressiveStack('MAF', options), standardNormalBase(options.features, options.dtype));
    this.options = options;
  }
}
