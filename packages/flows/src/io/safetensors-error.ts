import { EddyError } from '@eddy/core';

/**
 * Thrown by {@link readSafetensors} for a file that is not valid safetensors (too short,
 * a header length beyond the file, invalid JSON, an unknown dtype, offsets that do not
 * tile the data buffer, ...) and by {@link writeSafetensors} for input it cannot write.
 * The message says what is wrong and where.
 *
 * @example
 * ```ts
 * import { SafetensorsError, readSafetensors } from '@eddy/flows';
 * try {
 *   readSafetensors(new Uint8Array(3));
 * } catch (e) {
 *   if (e instanceof SafetensorsError) console.error(e.message); // the file is too short
 * }
 * ```
 * @category Saving and loading
 */
export class SafetensorsError extends EddyError {
  /** Stable error name: `SafetensorsError`. */
  override name = 'SafetensorsError';
}
