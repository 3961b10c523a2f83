/**
 * The Node.js file helpers of `@eddy/flows` (`@eddy/flows/node`): writing files all or
 * nothing ({@link AtomicFile}, {@link writeFileAtomic}, {@link checkFreeSpace},
 * {@link checkWritable}, {@link OutputError}) and {@link saveFlowToFile}. They use node:fs
 * and node:path, so the browser build (`@eddy/flows/browser`) leaves them out; on Node.js
 * `@eddy/flows` exports them too.
 *
 * @example
 * ```ts
 * import { NSF, saveFlowToFile } from '@eddy/flows'; // on Node.js; or saveFlowToFile from '@eddy/flows/node'
 * saveFlowToFile(new NSF({ features: 2 }), 'flow.safetensors');
 * ```
 *
 * @packageDocumentation
 */
export * from './atomic-file.js';
export { saveFlowToFile } from './io/save-flow-to-file.js';
