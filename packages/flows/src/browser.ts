/**
 * The browser build of `@eddy/flows` (what `import '@eddy/flows'` gives a bundler for the
 * browser, through the package's `"browser"` export condition, and `@eddy/flows/browser`
 * anywhere): everything but the Node.js file writers of `@eddy/flows/node`. Nothing here
 * imports a Node.js module; flows are saved and loaded as bytes (`saveFlow`,
 * `loadFlow(bytes)`, `loadZukoFlow(flow, bytes)`), and on Node.js the same functions also
 * take a file path.
 *
 * @example
 * ```ts
 * import '@eddy/backend-cpu';
 * import { Rng } from '@eddy/core';
 * import { type NSF, loadFlow } from '@eddy/flows';
 * const bytes = new Uint8Array(await (await fetch('two-moons.safetensors')).arrayBuffer());
 * const flow = loadFlow(bytes) as NSF;
 * const x = flow.call().sample([1000], new Rng(0));
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
export * from './io/index.js';
export * from './load-zuko-flow.js';
export * from './continuous.js';
export * from './parameter-dict.js';
export * from './module-copy.js';
export * from './bayesian.js';
