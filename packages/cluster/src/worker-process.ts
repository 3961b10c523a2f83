import { parseArgs } from 'node:util';
import { ClusterError } from './errors.js';
import { type ClusterWorker, startWorker } from './shard-worker.js';

const USAGE = `usage: eddy-cluster-worker --redis URL [--threads N] [--shared-dir DIR] [--prefix P]
                           [--name NAME] [--lock-duration MS] [--stalled-interval MS] [--max-stalled-count N]`;

const intOf = (v: string | undefined, what: string, min: number): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new ClusterError(`--${what} must be an integer ≥ ${min}, got ${v}\n${USAGE}`);
  return n;
};

/**
 * Runs a worker as a process: parses `argv` (`--redis URL [--threads N] [--shared-dir
 * DIR] [--prefix P] [--name NAME] [--lock-duration MS] [--stalled-interval MS]
 * [--max-stalled-count N]`), starts the worker, prints `ready <name>` on stdout once it is
 * connected and one line per shard on stderr, and on SIGINT/SIGTERM finishes the running
 * shard and exits (a second signal exits at once; the shard is then taken over by another
 * worker once its lock expires). The redis URL may also come from `EDDY_REDIS_URL`, which
 * keeps a password out of the process list. This is what `bin/eddy-cluster-worker.mjs`
 * (and `eddy cluster worker`) runs.
 *
 * @example
 * ```ts
 * import { runWorkerProcess } from '@eddy/cluster';
 * await runWorkerProcess(['--redis', 'redis://127.0.0.1:6379', '--threads', '2']);
 * ```
 * @category Cluster
 */
export async function runWorkerProcess(argv: readonly string[] = process.argv.slice(2)): Promise<ClusterWorker> {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        redis: { type: 'string' },
        threads: { type: 'string' },
        'shared-dir': { type: 'string' },
        prefix: { type: 'string' },
        name: { type: 'string' },
        'lock-duration': { type: 'string' },
        'stalled-interval': { type: 'string' },
        'max-stalled-count': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }) as { values: Record<string, string | undefined> });
  } catch (e) {
    throw new ClusterError(`${(e as Error).message}\n${USAGE}`);
  }
  const redis = values.redis ?? process.env.EDDY_REDIS_URL;
  if (redis === undefined) throw new ClusterError(`--redis URL is required (or EDDY_REDIS_URL)\n${USAGE}`);
  const threads = intOf(values.threads, 'threads', 1);
  const lockDuration = intOf(values['lock-duration'], 'lock-duration', 100);
  const stalledInterval = intOf(values['stalled-interval'], 'stalled-interval', 100);
  const maxStalledCount = intOf(values['max-stalled-count'], 'max-stalled-count', 0);
  const worker = await startWorker({
    redis,
    ...(threads === undefined ? {} : { threads }),
    ...(values['shared-dir'] === undefined ? {} : { sharedDir: values['shared-dir'] }),
    ...(values.prefix === undefined ? {} : { prefix: values.prefix }),
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(lockDuration === undefined ? {} : { lockDuration }),
    ...(stalledInterval === undefined ? {} : { stalledInterval }),
    ...(maxStalledCount === undefined ? {} : { maxStalledCount }),
    onEvent: (e) => {
      const rows = `rows [${e.rows[0]}, ${e.rows[1]})`;
      const secs = e.seconds === undefined ? '' : ` in ${e.seconds.toFixed(2)} s`;
      process.stderr.write(`${e.type} shard ${e.index} of job ${e.job} ${rows}${secs}${e.error === undefined ? '' : `: ${e.error}`}\n`);
    },
  });
  let signals = 0;
  const stop = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) process.exit(130);
    process.stderr.write(`${signal}: finishing the running shard, then exiting (again to exit now)\n`);
    void worker.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.stdout.write(`ready ${worker.name} (${worker.threads} thread${worker.threads === 1 ? '' : 's'})\n`);
  return worker;
}
