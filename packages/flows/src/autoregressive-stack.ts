import type { RandomStream } from '@eddy/core';
import { type MaskedAutoregressiveOptions, MaskedAutoregressiveTransform, alternatingOrders } from './autoregressive.js';
import { flowDefaults } from './flow-defaults.js';
import { networkRng } from './options.js';
import type { Univariate } from './univariate.js';

/**
 * Options of {@link MAF} and the other autoregressive flows.
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
    (order) =>
      new MaskedAutoregressiveTransform(features, context, { ...o, order, rng, ...(univariateFor === undefined ? {} : { univariate: univariateFor(rng) }) }),
  );
}
