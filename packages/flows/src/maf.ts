import { type RandomStream, ValueError } from '@eddy/core';
import { type MaskedAutoregressiveOptions, MaskedAutoregressiveTransform, alternatingOrders } from './autoregressive.js';
import { standardNormalBase } from './bases.js';
import { Flow } from './lazy.js';
import { networkRng } from './options.js';
import type { Univariate } from './univariate.js';

/**
 * Options of {@link MAF} and the other autoregressive flows.
 *
 * @example
 * ```ts
 * const o: AutoregressiveFlowOptions = { features: 3, context: 2, transforms: 5 };
 * ```
 * @category Flows
 */
export interface AutoregressiveFlowOptions extends Omit<MaskedAutoregressiveOptions, 'order'> {
  /** Number of features `D`. */
  features: number;
  /** Number of context features `C` (default 0). */
  context?: number;
  /** Number of autoregressive transforms (default 3). */
  transforms?: number;
  /** A random order per transform instead of alternating ascending/descending (default false). */
  randperm?: boolean;
}

/** Checks the common flow options and returns them with defaults. @internal */
export function flowDefaults(name: string, o: AutoregressiveFlowOptions): { features: number; context: number; transforms: number } {
  const { features, context = 0, transforms = 3 } = o;
  if (!Number.isInteger(features) || features < 1) throw new ValueError(`${name}: features must be a positive integer, got ${features}`);
  if (!Number.isInteger(context) || context < 0) throw new ValueError(`${name}: context must be a non-negative integer, got ${context}`);
  if (!Number.isInteger(transforms) || transforms < 1) throw new ValueError(`${name}: transforms must be a positive integer, got ${transforms}`);
  return { features, context, transforms };
}

/**
 * Masked autoregressive transforms with alternating orders (or random ones), sharing one
 * weight-initialisation stream; `univariateFor` builds a fresh univariate module per
 * transform (NAF, UNAF). @internal
 */
export function autoregressiveStack(
  name: string,
  o: AutoregressiveFlowOptions,
  univariateFor?: (rng: RandomStream) => Univariate,
): MaskedAutoregressiveTransform[] {
  const { features, context, transforms } = flowDefaults(name, o);
  const rng = networkRng(o);
  const orders = alternatingOrders(features, transforms, o.randperm ? rng : undefined);
  return orders.map(
    (order) => new MaskedAutoregressiveTransform(features, context, { ...o, order, rng, ...(univariateFor === undefined ? {} : { univariate: univariateFor(rng) }) }),
  );
}

/**
 * Masked Autoregressive Flow (zuko's `MAF`): `transforms` masked autoregressive
 * transforms with monotonic affine univariates and alternating orders, over a standard
 * normal base.
 *
 * Papamakarios et al. (2017), "Masked Autoregressive Flow for Density Estimation".
 *
 * @example
 * ```ts
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
