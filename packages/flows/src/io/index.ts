/**
 * Saving and loading of `@eddy/flows` as bytes, in any runtime (a browser included): the
 * safetensors format (reader, writer, errors) and flow files (registered class, options
 * and weights, with a checksum). Writing files is Node.js-only and lives beside it
 * (`saveFlowToFile`, `../node.ts`). The modules
 * behind it (a strict JSON parser, F16/BF16 decoding, the class registry, the checksum,
 * the options codec) each do one job; only the names below are public.
 *
 * @example
 * ```ts
 * import { loadFlow, readSafetensors, saveFlow } from '@eddy/flows';
 * ```
 *
 * @packageDocumentation
 */
export { SafetensorsError } from './safetensors-error.js';
export { type SafetensorsContents, readSafetensors } from './safetensors-read.js';
export { writeSafetensors } from './safetensors-write.js';
export { type FlowClass, isRegisteredFlow, registerFlowClass, registeredFlowClasses } from './registry.js';
export { FLOW_FORMAT, loadFlow, saveFlow } from './flow-file.js';
