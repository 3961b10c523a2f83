/**
 * `eddy cluster`: jobs bigger than one machine on `@eddy/cluster` (BullMQ + Redis). A
 * worker on each machine (`eddy cluster worker`) takes row-range shards from Redis; a
 * coordinator anywhere submits a job (`submit`), follows it with a progress bar, reads its
 * status, cancels it, and merges its parts into the bytes of one machine's run.
 */
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import {
  type ClusterProgress,
  Coordinator,
  type FollowResult,
  type JobStatus,
  type StatisticsResult,
  type SubmitOptions,
  redisOptions,
  runWorkerProcess,
} from '@eddy/cluster';
import { type Command, type Io, type OptionSpec, StoppedError, UsageError, int, str } from './command.js';
import { checkDistinct } from './files.js';
import { ProgressBar, formatCount, formatSeconds } from './progress.js';

/** Where Redis is, from `--redis` or `EDDY_REDIS_URL`: a usage error naming both when neither is set. */
export function redisUrl(v: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv = process.env): string {
  const url = typeof v.redis === 'string' ? v.redis : env.EDDY_REDIS_URL;
  if (url === undefined || url === '') throw new UsageError('--redis URL is required (or set EDDY_REDIS_URL), e.g. --redis redis://127.0.0.1:6379');
  try {
    redisOptions(url);
  } catch (e) {
    throw new UsageError(`--redis: ${(e as Error).message.replace(/^redis: /, '')}`);
  }
  return url;
}

// Options every cluster subcommand shares.
const REDIS: OptionSpec = {
  type: 'string',
  arg: 'URL',
  description: 'Redis of the cluster: redis://[user:password@]host:port[/db], or rediss:// for TLS',
  defaultText: '$EDDY_REDIS_URL; one of the two is required',
};
const PREFIX: OptionSpec = { type: 'string', arg: 'P', description: 'prefix of every Redis key; workers and coordinators must use the same', default: 'eddy' };
const MERGE: OptionSpec = {
  type: 'boolean',
  description: 'when the job is done, merge its parts into DIR/samples.npy (logprob: DIR/logprob.npy)',
  defaultText: 'off, the parts and manifest.json only',
};
const MERGE_OUT: OptionSpec = {
  type: 'string',
  arg: 'FILE',
  description: 'merge into FILE (.npy) instead; implies --merge',
  defaultText: 'DIR/samples.npy or DIR/logprob.npy',
};

/** A coordinator on the command's Redis, closed after `fn`. */
async function withCoordinator<T>(v: Record<string, string | boolean | undefined>, fn: (c: Coordinator) => Promise<T>): Promise<T> {
  const c = new Coordinator({ redis: redisUrl(v), prefix: str(v.prefix, 'prefix') });
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

/** The job id positional argument. */
function jobId(p: string[], sub: string): string {
  const id = p[0];
  if (id === undefined) throw new UsageError(`a job id is required (eddy cluster ${sub} <id>; eddy cluster submit prints it)`);
  return id;
}

/** `--merge` / `--merge-out FILE` as `Coordinator.follow`'s `merge`. */
function mergeOption(v: Record<string, string | boolean | undefined>): boolean | string | undefined {
  if (typeof v['merge-out'] === 'string') {
    const out = v['merge-out'];
    if (extname(out).toLowerCase() !== '.npy') throw new UsageError(`--merge-out must end in .npy, got ${out}`);
    return out;
  }
  return v.merge === true ? true : undefined;
}

const g = (x: number): string => (Number.isFinite(x) ? x.toPrecision(8) : String(x));

/** The result of a moments or importance job as a table. */
export function statisticsText(r: StatisticsResult): string {
  if (r.kind === 'moments') {
    const rows = [
      ['feature', 'mean', 'variance', 'std. error of mean'],
      ...r.mean.map((m, j) => [String(j), g(m), g(r.variance[j] as number), g(r.standardError[j] as number)]),
    ];
    const widths = (rows[0] as string[]).map((_, c) => Math.max(...rows.map((row) => (row[c] as string).length)));
    const table = rows.map((row) =>
      row
        .map((cell, c) => cell.padEnd(widths[c] as number))
        .join('  ')
        .trimEnd(),
    );
    return `moments of ${r.n} draws, ${r.features} feature${r.features === 1 ? '' : 's'}\n${table.join('\n')}\n`;
  }
  return [
    `importance sampling, ${r.n} draws`,
    `logZ                     ${g(r.logZ)}`,
    `std. error of logZ       ${g(r.logZStandardError)}`,
    `relative std. error of Z ${g(r.zRelativeStandardError)}`,
    `ESS                      ${g(r.ess)} (${((100 * r.ess) / r.n).toFixed(1)}% of n)`,
    `max log-weight           ${g(r.maxLogWeight)}`,
    '',
  ].join('\n');
}

/** Prints a statistics job's result on stdout: JSON with `json`, else a table. */
function printStatistics(id: string, r: StatisticsResult, json: boolean, io: Io): void {
  io.out(json ? `${JSON.stringify({ job: id, ...r }, null, 2)}\n` : statisticsText(r));
}

/**
 * Follows a job with a progress bar on stderr, then prints its summary there. On
 * SIGINT/SIGTERM it stops following (the job keeps running in the cluster) and says so.
 */
async function follow(c: Coordinator, id: string, merge: boolean | string | undefined, io: Io): Promise<FollowResult> {
  let bar: ProgressBar | undefined;
  let last: ClusterProgress | undefined;
  const t0 = performance.now();
  let result: FollowResult;
  try {
    result = await c.follow(id, {
      ...(merge === undefined ? {} : { merge }),
      ...(io.signal === undefined ? {} : { signal: io.signal }),
      onProgress: (p) => {
        last = p;
        bar ??= new ProgressBar(`job ${id}`, p.total, 'rows', io.err, io.tty === true, io.columns);
        bar.update(p.done, p.rowsPerSecond);
      },
    });
  } catch (e) {
    bar?.clear();
    if (io.signal?.aborted === true) {
      throw new StoppedError(
        `stopped following job ${id} on ${String(io.signal.reason)}; the job keeps running in the cluster (eddy cluster follow ${id} to follow it again, eddy cluster status ${id} to see it, eddy cluster cancel ${id} to stop it)`,
      );
    }
    throw e;
  }
  bar?.finish();
  const m = result.manifest;
  const seconds = (performance.now() - t0) / 1000;
  const retried = last === undefined ? '' : last.shards.retrying > 0 ? `, ${last.shards.retrying} retried` : '';
  const shards = m.shardStatistics?.length ?? m.parts.length;
  io.err(
    `job ${id}: ${formatCount(m.n)} ${m.kind === 'logprob' ? 'rows' : 'samples'} in ${shards} shard${shards === 1 ? '' : 's'}${retried}, followed for ${formatSeconds(seconds)}; manifest ${result.manifestPath}\n`,
  );
  if (result.merged !== undefined) {
    if (result.merged.kernels.length > 1)
      io.err(
        `warning: the parts were computed with different kernels (${result.merged.kernels.join('; ')}): every row is a correct result, but the file may differ in the last bits from a single run on one machine\n`,
      );
    io.err(`merged into ${result.merged.path}\n`);
  }
  return result;
}

/**
 * `eddy cluster worker`: a worker process (`runWorkerProcess` of `@eddy/cluster`, what
 * `eddy-cluster-worker` runs): takes shards from Redis until SIGINT/SIGTERM.
 */
export const worker: Command = {
  summary: 'run a worker: take shards of cluster jobs from Redis and run them on this machine, until Ctrl-C',
  args: '',
  positionals: 0,
  // The worker handles SIGINT/SIGTERM itself: it finishes the running shard, then exits.
  interruptible: false,
  options: {
    redis: REDIS,
    threads: { type: 'string', arg: 'N', description: 'threads of the local pool; results do not depend on it', defaultText: 'the cores here' },
    'shared-dir': { type: 'string', arg: 'DIR', description: 'refuse jobs whose output directory or input is outside DIR', defaultText: 'no restriction' },
    prefix: PREFIX,
    name: { type: 'string', arg: 'NAME', description: 'the name this worker reports in status and results', defaultText: 'host:pid' },
    'lock-duration': {
      type: 'string',
      arg: 'MS',
      description: 'a shard whose worker stops renewing its lock for MS is taken over by another worker',
      default: '30000',
    },
    'stalled-interval': { type: 'string', arg: 'MS', description: 'how often this worker looks for stalled shards', default: '30000' },
    'max-stalled-count': { type: 'string', arg: 'N', description: 'how many times a shard may stall (its worker lost) before it fails', default: '2' },
  },
  async run(v) {
    const redis = redisUrl(v);
    const argv: string[] = [];
    // The URL stays out of the process list when it came from EDDY_REDIS_URL.
    if (typeof v.redis === 'string') argv.push('--redis', redis);
    if (v.threads !== undefined) argv.push('--threads', String(int(v.threads, 'threads', 1)));
    if (typeof v['shared-dir'] === 'string') argv.push('--shared-dir', v['shared-dir']);
    argv.push('--prefix', str(v.prefix, 'prefix'));
    if (typeof v.name === 'string') argv.push('--name', v.name);
    argv.push('--lock-duration', String(int(v['lock-duration'], 'lock-duration', 100)));
    argv.push('--stalled-interval', String(int(v['stalled-interval'], 'stalled-interval', 100)));
    argv.push('--max-stalled-count', String(int(v['max-stalled-count'], 'max-stalled-count', 0)));
    // Prints "ready <name>" once connected; runs until SIGINT/SIGTERM (its own handlers).
    await runWorkerProcess(argv);
  },
};

/**
 * `eddy cluster submit sample|logprob <model>`: submits a job, prints its id, and follows
 * it to the end (unless `--detach`).
 */
export const submit: Command = {
  summary: 'submit a sample, logprob, moments or importance job to the cluster, print its id, and follow it with a progress bar',
  args: '<sample|logprob|moments|importance> <model.safetensors>',
  positionals: 2,
  interruptible: true,
  options: {
    n: {
      type: 'string',
      short: 'n',
      arg: 'N',
      description: 'sample, moments, importance: how many samples to draw (1e7 is fine); logprob: checked against the input',
      requiredUnless: ['in'],
    },
    target: {
      type: 'string',
      arg: 'FILE',
      description: 'importance: the target, a saved flow (.safetensors) whose log-density is the unnormalised log p̃; the model is the proposal',
      defaultText: 'none; an importance job requires it',
    },
    json: { type: 'boolean', description: 'moments, importance: print the result as JSON on stdout (the job id on stderr only)', defaultText: 'a table' },
    in: {
      type: 'string',
      arg: 'FILE',
      description: 'logprob: the points, a .npy that every worker reads at the same path',
      defaultText: 'none; a logprob job requires it',
    },
    out: {
      type: 'string',
      arg: 'DIR',
      description: 'output directory on a file system every worker mounts at the same path: parts, manifest.json, the merged file',
      required: true,
    },
    seed: { type: 'string', arg: 'N', description: 'sample: seed; sample i is a function of (seed, i) only, as for eddy sample', defaultText: '0' },
    shards: {
      type: 'string',
      arg: 'N',
      description: 'split the job into N near-equal row ranges (as eddy sample --shard I/N)',
      defaultText: 'ranges of --shard-rows',
    },
    'shard-rows': {
      type: 'string',
      arg: 'N',
      description: 'or split it into ranges of N rows (the last takes the rest)',
      defaultText: '1000000 unless --shards is given',
    },
    dtype: { type: 'string', arg: 'T', description: 'float32 or float64', defaultText: "float32; logprob: the input's" },
    'chunk-size': { type: 'string', arg: 'N', description: "rows per piece of work on each worker's pool; results do not depend on it", default: '16384' },
    attempts: { type: 'string', arg: 'N', description: 'attempts per shard before the job fails, between 1 and 100', default: '3' },
    backoff: { type: 'string', arg: 'MS', description: 'first retry delay, doubled for each further retry', default: '1000' },
    merge: MERGE,
    'merge-out': MERGE_OUT,
    detach: { type: 'boolean', description: 'print the job id and return at once (eddy cluster follow ID later)', defaultText: 'follow the job to its end' },
    redis: REDIS,
    prefix: PREFIX,
  },
  async run(v, p, io) {
    const kind = p[0];
    if (kind !== 'sample' && kind !== 'logprob' && kind !== 'moments' && kind !== 'importance')
      throw new UsageError(
        `the job kind comes first: eddy cluster submit sample|logprob|moments|importance <model.safetensors>, got ${kind === undefined ? 'nothing' : JSON.stringify(kind)}`,
      );
    const statistics = kind === 'moments' || kind === 'importance';
    const model = p[1];
    if (model === undefined) throw new UsageError(`a model file (.safetensors) is required: eddy cluster submit ${kind} <model.safetensors>`);
    if (!existsSync(model)) throw new UsageError(`model file not found: ${model}`);
    const outDir = str(v.out, 'out');
    if (v.shards !== undefined && v['shard-rows'] !== undefined) throw new UsageError('give --shards or --shard-rows, not both');
    if (v.detach === true && (v.merge === true || v['merge-out'] !== undefined))
      throw new UsageError('--detach returns before the job is done, so it cannot merge: run eddy cluster merge ID when it is');
    const merge = mergeOption(v);
    if (kind !== 'logprob' && v.in !== undefined) throw new UsageError(`a ${kind} job has no --in (it draws its rows); did you mean logprob?`);
    if (kind === 'importance' && v.target === undefined)
      throw new UsageError('an importance job needs --target FILE, a saved flow whose log-density is the target');
    if (kind !== 'importance' && v.target !== undefined) throw new UsageError(`a ${kind} job has no --target (only importance has)`);
    if (statistics && merge !== undefined) throw new UsageError(`a ${kind} job has statistics, no parts: there is nothing to --merge`);
    if (!statistics && v.json === true) throw new UsageError(`--json is for moments and importance jobs; a ${kind} job writes parts`);
    if (typeof v.target === 'string' && !existsSync(v.target)) throw new UsageError(`target file not found: ${v.target}`);
    if (kind === 'logprob' && v.in === undefined) throw new UsageError('a logprob job needs --in FILE, a .npy of the points');
    if (kind === 'logprob' && v.seed !== undefined) throw new UsageError('a logprob job has no --seed (it draws nothing)');
    if (kind !== 'logprob' && v.n === undefined) throw new UsageError(`-n is required for a ${kind} job`);
    const dtypeText = v.dtype === undefined ? undefined : str(v.dtype, 'dtype');
    if (dtypeText !== undefined && dtypeText !== 'float32' && dtypeText !== 'float64')
      throw new UsageError(`--dtype must be float32 or float64, got ${dtypeText}`);
    const dtype: 'float32' | 'float64' | undefined = dtypeText;
    const input = typeof v.in === 'string' ? v.in : undefined;
    checkDistinct(input === undefined ? { model } : { model, '--in': input }, { '--out': outDir });
    if (typeof merge === 'string') checkDistinct(input === undefined ? { model } : { model, '--in': input }, { '--merge-out': merge });
    const job: SubmitOptions = {
      kind,
      model,
      outDir,
      ...(v.n === undefined ? {} : { n: int(v.n, 'n', 1) }),
      ...(kind !== 'logprob' ? { seed: v.seed === undefined ? 0 : int(v.seed, 'seed') } : {}),
      ...(typeof v.target === 'string' ? { target: v.target } : {}),
      ...(v.shards === undefined ? {} : { shards: int(v.shards, 'shards', 1) }),
      ...(v['shard-rows'] === undefined ? {} : { shardRows: int(v['shard-rows'], 'shard-rows', 1) }),
      ...(dtype === undefined ? {} : { dtype }),
      ...(input === undefined ? {} : { input }),
      chunkSize: int(v['chunk-size'], 'chunk-size', 1),
      attempts: int(v.attempts, 'attempts', 1),
      backoff: int(v.backoff, 'backoff', 0),
    };
    await withCoordinator(v, async (c) => {
      const submitted = await c.submit(job);
      if (v.json !== true || v.detach === true) io.out(`${submitted.id}\n`);
      io.err(
        `submitted job ${submitted.id}: ${kind} of ${formatCount(submitted.n)} rows in ${submitted.shards.length} shard${submitted.shards.length === 1 ? '' : 's'}, ${statistics ? 'manifest' : 'parts'} in ${submitted.outDir}\n`,
      );
      if (v.detach === true) {
        io.err(`follow it with: eddy cluster follow ${submitted.id}\n`);
        return;
      }
      const r = await follow(c, submitted.id, merge, io);
      if (r.statistics !== undefined) printStatistics(submitted.id, r.statistics, v.json === true, io);
    });
  },
};

/** `eddy cluster follow <id>`: follows a job to its end (again, from any machine). */
export const followCommand: Command = {
  summary: 'follow a job to its end with a progress bar, write its manifest, and merge it with --merge',
  args: '<id>',
  positionals: 1,
  interruptible: true,
  options: {
    merge: MERGE,
    'merge-out': MERGE_OUT,
    json: { type: 'boolean', description: 'moments, importance: print the result as JSON', defaultText: 'a table' },
    redis: REDIS,
    prefix: PREFIX,
  },
  async run(v, p, io) {
    const id = jobId(p, 'follow');
    const merge = mergeOption(v);
    await withCoordinator(v, async (c) => {
      const r = await follow(c, id, merge, io);
      if (r.statistics !== undefined) printStatistics(id, r.statistics, v.json === true, io);
      else io.out(`${r.merged?.path ?? r.manifestPath}\n`);
    });
  },
};

/** A job's status as text: state, rows, and one line per shard. */
export function statusText(s: JobStatus): string {
  const j = s.job;
  const pct = j.n === 0 ? 100 : (100 * s.done) / j.n;
  const byState = new Map<string, number>();
  for (const x of s.shards) byState.set(x.state, (byState.get(x.state) ?? 0) + 1);
  const lines = [
    `job:     ${j.id}`,
    `state:   ${s.state}`,
    `rows:    ${s.done}/${j.n} (${pct.toFixed(1)}%)`,
    `kind:    ${j.kind}${j.seed === undefined ? '' : `, seed ${j.seed}`}, ${j.dtype}${j.input === undefined ? '' : `, input ${j.input}`}`,
    `model:   sha256 ${j.modelSha256}`,
    ...(j.targetSha256 === undefined ? [] : [`target:  sha256 ${j.targetSha256}`]),
    `output:  ${j.outDir}${s.manifest === undefined ? '' : ` (${join(j.outDir, 'manifest.json')})`}`,
    `created: ${j.createdAt}, eddy ${j.eddyVersion}, ${j.attempts} attempt${j.attempts === 1 ? '' : 's'} per shard`,
    `shards:  ${s.shards.length} (${[...byState].map(([k, n]) => `${n} ${k}`).join(', ')})`,
    ...s.shards.map((x) => {
      const size = x.rows[1] - x.rows[0];
      const extra = [
        `attempts ${x.attemptsMade}/${j.attempts}`,
        x.worker === undefined ? '' : `worker ${x.worker}`,
        x.failedReason === undefined ? '' : `error: ${x.failedReason}`,
      ].filter(Boolean);
      return `  shard ${x.index} rows [${x.rows[0]}, ${x.rows[1]}): ${x.state}, ${x.done}/${size} rows${extra.length === 0 ? '' : `, ${extra.join(', ')}`}`;
    }),
    ...(s.error === undefined ? [] : [`error:   ${s.error}`]),
  ];
  return `${lines.join('\n')}\n${s.statistics === undefined ? '' : `result:\n${statisticsText(s.statistics).replace(/^/gm, '  ')}`}`;
}

/** `eddy cluster status <id>`: where a job stands, from Redis and its manifest. */
export const status: Command = {
  summary: 'show where a job stands: state, rows done, each shard with its state, attempts and errors',
  args: '<id>',
  positionals: 1,
  interruptible: false,
  options: {
    json: { type: 'boolean', description: "print the status as JSON (@eddy/cluster's JobStatus)", defaultText: 'text' },
    redis: REDIS,
    prefix: PREFIX,
  },
  async run(v, p, io) {
    const id = jobId(p, 'status');
    const s = await withCoordinator(v, (c) => c.status(id));
    io.out(v.json === true ? `${JSON.stringify(s, null, 2)}\n` : statusText(s));
  },
};

/** `eddy cluster cancel <id>`: cancels a job. */
export const cancel: Command = {
  summary: 'cancel a job: its queued shards are removed, running ones stop within a second',
  args: '<id>',
  positionals: 1,
  interruptible: false,
  options: { redis: REDIS, prefix: PREFIX },
  async run(v, p, io) {
    const id = jobId(p, 'cancel');
    const removed = await withCoordinator(v, (c) => c.cancel(id));
    io.out(`cancelled job ${id}: ${removed} queued shard${removed === 1 ? '' : 's'} removed; running shards stop at their next progress report\n`);
  },
};

/** `eddy cluster merge <id>`: merges a completed job's parts. */
export const mergeCommand: Command = {
  summary: "merge a completed job's parts into one .npy, the bytes of a single run",
  args: '<id>',
  positionals: 1,
  interruptible: true,
  options: {
    out: { type: 'string', arg: 'FILE', description: 'the merged .npy', defaultText: "samples.npy (logprob.npy) in the job's output directory" },
    redis: REDIS,
    prefix: PREFIX,
  },
  async run(v, p, io) {
    const id = jobId(p, 'merge');
    const out = typeof v.out === 'string' ? v.out : undefined;
    if (out !== undefined && extname(out).toLowerCase() !== '.npy') throw new UsageError(`--out must end in .npy, got ${out}`);
    const t0 = performance.now();
    const r = await withCoordinator(v, (c) => c.merge(id, out, io.signal));
    if (r.kernels.length > 1)
      io.err(
        `warning: the parts were computed with different kernels (${r.kernels.join('; ')}): every row is a correct result, but the file may differ in the last bits from a single run on one machine\n`,
      );
    io.err(`${formatCount(r.shape[0] ?? 0)} rows of job ${id} in ${formatSeconds((performance.now() - t0) / 1000)}, written to ${r.path}\n`);
    io.out(`${r.path}\n`);
  },
};

/** `eddy cluster`: dispatches to its subcommands. */
export const cluster: Command = {
  summary: 'run jobs across machines on Redis: workers, submit, follow, status, cancel, merge',
  args: '<subcommand>',
  positionals: 0,
  interruptible: false,
  options: {},
  subcommands: { worker, submit, follow: followCommand, status, cancel, merge: mergeCommand },
  async run() {
    throw new UsageError(`a subcommand is required (${Object.keys(cluster.subcommands ?? {}).join(', ')})`);
  },
};
