/**
 * `@eddy/flows`: trainable normalizing flows at zuko parity — networks, lazy modules and
 * the flow families. A flow is a module; `flow.call(c?)` returns a `NormalizingFlow`.
 *
 * @example
 * ```ts
 * import '@eddy/backend-cpu';
 * import { NSF } from '@eddy/flows';
 * const flow = new NSF({ features: 2 });
 * const lp = flow.call().logProb(x);
 * ```
 *
 * @packageDocumentation
 */
export * from './nn/index.js';
export * from './options.js';
export * from './unpack.js';
export * from './univariate.js';
export * from './lazy.js';
export * from './bases.js';
export * from './incremental-inverse.js';
export * from './autoregressive.js';
export * from './flow-defaults.js';
export * from './autoregressive-stack.js';
export * from './maf.js';
export * from './nsf.js';
export * from './coupling.js';
export * from './elementwise.js';
export * from './neural.js';
export * from './polynomial.js';
export * from './gmm.js';
export * from './zuko.js';
export * from './training.js';
export * from './standardized.js';
export * from './variational.js';
export * from './atomic-file.js';
export * from './io/index.js';
export * from './load-zuko-flow.js';
export * from './continuous.js';
export * from './parameter-dict.js';
export * from './module-copy.js';
export * from './bayesian.js';
