/**
 * `@eddy/distributions`: probability distributions with PyTorch's semantics
 * (`batchShape`, `eventShape`, `logProb`, `sample`, `rsample`, `expand`) and zuko's
 * additions, centred on {@link NormalizingFlow}.
 *
 * @example
 * ```ts
 * import '@eddy/backend-cpu';
 * import { ones, Rng, zeros } from '@eddy/core';
 * import { DiagNormal, NormalizingFlow } from '@eddy/distributions';
 * import { ExpTransform } from '@eddy/transforms';
 * const flow = new NormalizingFlow(new ExpTransform(), new DiagNormal(zeros([2]), ones([2])));
 * flow.logProb(flow.sample([10], new Rng(0)));
 * ```
 *
 * @packageDocumentation
 */
export * from './distribution.js';
export * from './scalar-distribution.js';
export * from './location-scale.js';
export * from './normal.js';
export * from './independent.js';
export * from './diag-normal.js';
export * from './normalizing-flow.js';
export * from './uniform.js';
export * from './box-uniform.js';
export * from './exponential.js';
export * from './laplace.js';
export * from './cauchy.js';
export * from './gamma.js';
export * from './beta.js';
export * from './student-t.js';
export * from './categorical.js';
export * from './multivariate-normal.js';
export * from './generalized-normal.js';
export * from './joint.js';
export * from './mixture.js';
export * from './truncated.js';
export * from './sort.js';
export * from './top-k.js';
export * from './minimum.js';
export * from './maximum.js';
export * from './transformed-uniform.js';
