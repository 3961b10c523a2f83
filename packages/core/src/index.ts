/**
 * `@eddy/core`: tensors, NumPy-style broadcasting ops, reverse-mode autodiff, modules,
 * optimizers, counter-based random streams, special functions and the backend interface.
 * Import a backend package (e.g. `@eddy/backend-cpu`) once to run anything.
 *
 * @example
 * ```ts
 * import '@eddy/backend-cpu';
 * import { tensor, grad, sum, exp } from '@eddy/core';
 * const [g] = grad((x) => sum(exp(x)))(tensor([0, 1], { dtype: 'float64' }));
 * ```
 *
 * @packageDocumentation
 */
export * from './errors.js';
export * from './dtype.js';
export * from './shape.js';
export * from './backend.js';
export * from './memory.js';
export * from './allocation-limit.js';
export * from './autodiff.js';
export * from './tensor.js';
export * from './ops/elementwise.js';
export * from './ops/reduce.js';
export * from './ops/shape.js';
export * from './ops/indexing.js';
export * from './ops/linalg.js';
export * from './fused-kernels.js';
export * from './ops/fused-linear.js';
export * from './ops/spline.js';
export * from './ops/monotonic-affine.js';
export * from './ops/normal-log-prob.js';
export * from './random.js';
export * from './module.js';
export * from './optim.js';
export * as special from './special.js';
export { checkDrawArgs, fillNormal, fillUniform, philox4x32 } from './philox.js';
export { luInPlace } from './host-lu.js';
