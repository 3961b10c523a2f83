/**
 * `@eddy/testing` (private): helpers shared by the test suites of the Eddy packages.
 *
 * @packageDocumentation
 */
export * from './gradcheck.js';
export * from './backend-suite.js';
export * from './counting-backend.js';
export * from './transform-check.js';
export * from './compare.js';
export * from './fused-suite.js';
export * from './reference.js';
export * from './describe-backends.js';
export * from './op-suite.js';
export * from './gradient-suite.js';
export * from './processes.mjs';
export * from './host-values.js';
export * from './finite-differences.js';
export * from './case-tensor.js';
