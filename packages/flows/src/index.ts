/**
 * `@eddy/flows`: trainable normalizing flows at zuko parity — networks, lazy modules and
 * the flow families. A flow is a module; `flow.call(c?)` returns a `NormalizingFlow`.
 *
 * Two entry points make it: `./browser.ts` (everything that runs in a web page, no
 * Node.js import; a browser bundler gets only this, through the `"browser"` export
 * condition) and `./node.ts` (the Node.js file writers, also `@eddy/flows/node`).
 *
 * @example
 * ```ts
 * import '@eddy/backend-cpu';
 * import { NSF } from '@eddy/flows';
 * import { randn } from '@eddy/core';
 * const flow = new NSF({ features: 2 });
 * const lp = flow.call().logProb(randn([8, 2], { seed: 0 }));
 * ```
 *
 * @packageDocumentation
 */
export * from './browser.js';
export * from './node.js';
