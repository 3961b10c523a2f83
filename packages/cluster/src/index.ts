/**
 * `@eddy/cluster`: Eddy jobs across machines on BullMQ + Redis. A coordinator splits a
 * sampling or density job into row ranges, stores the model once in Redis (by its
 * SHA-256) and enqueues one shard per range; workers on each machine run shards on their
 * local `FlowPool` and write part files to a shared directory; the coordinator follows
 * the job through BullMQ's events, writes a manifest and merges the parts into the bytes
 * of a single-machine run. Retries and the recovery of shards whose worker died are
 * BullMQ's.
 *
 * @example
 * ```ts
 * import { Coordinator, startWorker } from '@eddy/cluster';
 * const worker = await startWorker({ redis: 'redis://127.0.0.1:6379', threads: 2 });
 * const coordinator = new Coordinator({ redis: 'redis://127.0.0.1:6379' });
 * const { id } = await coordinator.submit({ kind: 'sample', model: 'model.safetensors', n: 1e7, seed: 1, shards: 10, outDir: '/shared/run' });
 * await coordinator.follow(id, { merge: true });
 * ```
 *
 * @packageDocumentation
 */
export * from './errors.js';
export { type RedisConnection, redisOptions } from './connection.js';
export * from './shard-data.js';
export * from './statistics.js';
export * from './storage.js';
export { flowChecksum, sha256Hex } from './models.js';
export * from './coordinator.js';
export * from './shard-worker.js';
export * from './worker-process.js';
export * from './version.js';
