/**
 * `@eddy/montecarlo`: bulk sampling and density evaluation of flows on a pool of worker
 * threads (piscina), reproducible for any thread count, streamed to `.npy` files when
 * larger than memory, plus Monte Carlo and importance-sampling estimators, and part files
 * (one row range of a job, from any machine) with their byte-exact merge.
 *
 * @example
 * ```ts
 * import { NSF } from '@eddy/flows';
 * import { FlowPool } from '@eddy/montecarlo';
 * const flow = new NSF({ features: 2 });
 * const pool = new FlowPool({ threads: 2 });
 * await pool.sampleToFile(flow, 100_000_000, 'samples.npy', { seed: 1, onProgress: (p) => console.log(p.done) });
 * await pool.close();
 * ```
 *
 * @packageDocumentation
 */
import '@eddy/backend-cpu';

export * from './npy.js';
export * from './csv.js';
export * from './csv-write.js';
export * from './pool.js';
export * from './estimators.js';
export * from './parts.js';
