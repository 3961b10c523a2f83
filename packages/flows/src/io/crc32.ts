import { nodeBuiltin } from './node-builtin.js';

// CRC-32 (IEEE 802.3, zlib's: reflected polynomial 0xEDB88320, initial and final XOR
// 0xFFFFFFFF). On Node.js node:zlib's native one; elsewhere (a browser) a table-driven one
// in TypeScript. Both give the same value for the same bytes (tested on known values).

/** The 256-entry table of the byte-at-a-time CRC-32. */
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * CRC-32 of `bytes` in TypeScript, continuing from the CRC `value` of the bytes before
 * them (0 to start), as an unsigned 32-bit integer: `crc32Portable(b, crc32Portable(a))`
 * is the CRC of `a` followed by `b`, as with node:zlib's `crc32(data, value)`.
 * @internal
 */
export function crc32Portable(bytes: Uint8Array, value = 0): number {
  let c = ~value >>> 0;
  for (let i = 0; i < bytes.length; i++) c = (TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

type Crc32 = (bytes: Uint8Array, value?: number) => number;

/** node:zlib's CRC-32 (native) on Node.js, else {@link crc32Portable}. @internal */
export const crc32: Crc32 = nodeBuiltin<{ crc32?: Crc32 }>('node:zlib')?.crc32 ?? crc32Portable;
