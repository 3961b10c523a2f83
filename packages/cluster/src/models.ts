import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ClusterError } from './errors.js';

/**
 * SHA-256 of bytes, as 64 lower-case hex digits: the key of a model in the model store.
 *
 * @example
 * ```ts
 * import { sha256Hex } from '@eddy/cluster';
 * sha256Hex(new Uint8Array([1, 2, 3])).length; // 64
 * ```
 * @category Cluster
 */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The checksum `saveFlow` stores in a model file's metadata (`crc32`, 8 hex digits): what
 * parts record as `modelChecksum`, the same value `eddy sample --rows` records. Reads only
 * the safetensors header; a file without one is refused.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { flowChecksum } from '@eddy/cluster';
 * flowChecksum(readFileSync('model.safetensors')); // e.g. '1a2b3c4d'
 * ```
 * @category Cluster
 */
export function flowChecksum(bytes: Uint8Array): string {
  if (bytes.length < 8) throw new ClusterError('the model is not a safetensors file (shorter than 8 bytes)');
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (length > bytes.length - 8) throw new ClusterError('the model is not a safetensors file (its header runs past the end)');
  let meta: Record<string, unknown> | undefined;
  try {
    meta = (JSON.parse(Buffer.from(bytes.subarray(8, 8 + length)).toString('utf8')) as { __metadata__?: Record<string, unknown> }).__metadata__;
  } catch {
    throw new ClusterError('the model is not a safetensors file (its header is not JSON)');
  }
  const crc = meta?.crc32;
  if (typeof crc !== 'string' || !/^[0-9a-f]{8}$/.test(crc)) throw new ClusterError('the model file has no checksum in its metadata (not saved by saveFlow?)');
  return crc;
}

/**
 * Stores model bytes under `key` once (content-addressed: the key names the SHA-256, so
 * the same bytes are never stored twice and stored bytes never change).
 */
export async function putModel(client: Redis, key: string, bytes: Uint8Array): Promise<void> {
  await client.set(key, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'NX');
}

/** The model bytes under `key`, verified against the SHA-256 the shard names. */
export async function getModel(client: Redis, key: string, sha256: string): Promise<Uint8Array> {
  const bytes = await client.getBuffer(key);
  if (bytes === null) throw new ClusterError(`model ${sha256} is not in the model store (${key}): was it removed, or is this worker on another Redis?`);
  const actual = sha256Hex(bytes);
  if (actual !== sha256)
    throw new ClusterError(
      `model checksum mismatch: the shard names model sha256 ${sha256}, the stored bytes have ${actual} (the store was changed or corrupted); the shard is refused`,
    );
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
