import { writeFileAtomic } from '../atomic-file.js';
import type { LazyDistribution } from '../lazy.js';
import { saveFlow } from './flow-file.js';

/**
 * {@link saveFlow} to a file (written to a temporary file first and then renamed, so an
 * interrupted save never leaves a truncated file under `path`). Node.js only: it is
 * exported by `@eddy/flows` on Node.js and by `@eddy/flows/node`, not by the browser
 * build (there, save the bytes of {@link saveFlow}).
 *
 * @example
 * ```ts
 * import { NSF, loadFlow, saveFlowToFile } from '@eddy/flows';
 * saveFlowToFile(new NSF({ features: 2 }), 'flow.safetensors');
 * const copy = loadFlow('flow.safetensors');
 * ```
 * @category Saving and loading
 */
export function saveFlowToFile(flow: LazyDistribution, path: string): void {
  writeFileAtomic(path, saveFlow(flow));
}
