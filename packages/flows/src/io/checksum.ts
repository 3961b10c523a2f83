import { EddyError } from '@eddy/core';
import { crc32 } from './crc32.js';

// Integrity of a flow file: CRC-32 (IEEE, as zlib) of the class, the options and the data bytes.

/** CRC-32 of the chunks in order (continued from chunk to chunk), as 8 hex digits. */
function crc32Hex(chunks: readonly Uint8Array[]): string {
  let c = 0;
  for (const bytes of chunks) c = crc32(bytes, c);
  return (c >>> 0).toString(16).padStart(8, '0');
}

/** The checksum of a flow file: class, options and the data section after the header. */
function flowChecksum(cls: string, options: string, data: Uint8Array): string {
  return crc32Hex([new TextEncoder().encode(`${cls}\n${options}\n`), data]);
}

/** The `crc32` metadata value a file is written with before its checksum is filled in. @internal */
export const CRC_PLACEHOLDER = '00000000';

/** First index of `needle` in `haystack` (the placeholder is always in the header). */
function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new EddyError('saveFlow: checksum placeholder not found');
}

/** The data section of a safetensors file (after the 8-byte length and the header). */
function dataSection(bytes: Uint8Array): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  return bytes.subarray(8 + n);
}

/**
 * The checksum of a flow file's bytes (safetensors) for its class and options JSON, as
 * 8 hex digits. @internal
 */
export function fileChecksum(cls: string, options: string, bytes: Uint8Array): string {
  return flowChecksum(cls, options, dataSection(bytes));
}

/**
 * Writes the checksum of `bytes` over the `crc32` placeholder ({@link CRC_PLACEHOLDER})
 * in their header, in place (the header is the same length before and after). @internal
 */
export function fillChecksum(bytes: Uint8Array, cls: string, options: string): void {
  const at = indexOf(bytes, new TextEncoder().encode(`"crc32":"${CRC_PLACEHOLDER}"`)) + '"crc32":"'.length;
  bytes.set(new TextEncoder().encode(fileChecksum(cls, options, bytes)), at);
}
