import { EddyError } from '@eddy/core';

/**
 * A cluster job that cannot be submitted, followed or finished: bad arguments, an unknown
 * job, parts that do not match the job. The message says what and where.
 *
 * @example
 * ```ts
 * import { ClusterError, Coordinator } from '@eddy/cluster';
 * const coordinator = new Coordinator({ redis: 'redis://127.0.0.1:6379' });
 * const { id } = await coordinator.submit({ kind: 'sample', model: 'model.safetensors', n: 1e6, seed: 1, shards: 10, outDir: '/shared/run' });
 * try { await coordinator.status('nope'); } catch (e) { if (e instanceof ClusterError) console.error(e.message); }
 * ```
 * @category Cluster
 */
export class ClusterError extends EddyError {
  /** Stable error name: `ClusterError`. */
  override name = 'ClusterError';
}

/**
 * One shard that failed for good (after its attempts): which one, its rows and why.
 * @category Cluster
 */
export interface FailedShard {
  /** Shard index, from 0. */
  index: number;
  /** Its rows `[start, end)` of the job. */
  rows: [start: number, end: number];
  /** Attempts made (BullMQ's `attemptsMade`). */
  attemptsMade: number;
  /** The last attempt's error message. */
  reason: string;
}

/**
 * A cluster job that failed because shards failed after their configured attempts (or
 * was cancelled): `shards` lists each failed shard with its row range and reason.
 *
 * @example
 * ```ts
 * import { ClusterJobError, Coordinator } from '@eddy/cluster';
 * const coordinator = new Coordinator({ redis: 'redis://127.0.0.1:6379' });
 * const { id } = await coordinator.submit({ kind: 'sample', model: 'model.safetensors', n: 1e6, seed: 1, shards: 10, outDir: '/shared/run' });
 * try { await coordinator.follow(id); } catch (e) { if (e instanceof ClusterJobError) console.error(e.shards); }
 * ```
 * @category Cluster
 */
export class ClusterJobError extends EddyError {
  /** Stable error name: `ClusterJobError`. */
  override name = 'ClusterJobError';
  /** The cluster job. */
  readonly jobId: string;
  /** The shards that failed (empty for a cancelled job). */
  readonly shards: FailedShard[];
  constructor(jobId: string, shards: FailedShard[], message: string) {
    super(message);
    this.jobId = jobId;
    this.shards = shards;
  }
}
