/**
 * Neural-network layers of `@eddy/flows`, at parity with zuko's `nn.py`: activations,
 * (stacked) linear, masked and monotonic layers, MLPs, MADE-style masked MLPs.
 *
 * @example
 * ```ts
 * import { MLP, MaskedMLP, MonotonicMLP } from '@eddy/flows';
 * ```
 *
 * @packageDocumentation
 */
export * from './init.js';
export * from './activation-layer.js';
export * from './activations.js';
export * from './two-way-elu.js';
export * from './activation-from-name.js';
export * from './linear.js';
export * from './monotonic-linear.js';
export * from './masked-linear.js';
export * from './layer-norm.js';
export * from './residual.js';
export * from './mlp.js';
export * from './monotonic-mlp.js';
export * from './masks.js';
export * from './masked-mlp.js';
export * from './fuse.js';
