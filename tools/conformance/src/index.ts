/**
 * `@eddy/conformance` (private): runs zuko's reference cases against Eddy's public API.
 *
 * @packageDocumentation
 */
import '@eddy/backend-cpu';

export * from './case.js';
export * from './build.js';
export * from './run.js';
export * from './flows.js';
