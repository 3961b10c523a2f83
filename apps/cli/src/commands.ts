import { existsSync, statSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { extname } from 'node:path';
import { type FloatDType, Module, Tensor, backendInfo } from '@eddy/core';
import { type LazyDistribution, Standardized, checkWritable, fit, registeredFlowClasses, saveFlowToFile } from '@eddy/flows';
import * as F from '@eddy/flows';
import {
  FlowPool,
  type JobOptions,
  maxThreads,
  mergeParts,
  partInfoPath,
  readNpyHeader,
  removePartInfo,
  writeCsv,
  writeNpy,
  writePartInfo,
} from '@eddy/montecarlo';
import { type Command, type Io, type OptionSpec, UsageError, flag, int, num, str } from './command.js';
import { cluster } from './cluster.js';
import { checkDistinct, csvHeader, delimiterOf, loadModel, modelChecksum, readRows } from './files.js';
import { ProgressBar, formatCount, formatSeconds } from './progress.js';
import { parseRowsOption, resolveRows } from './rows.js';
import { version } from './version.js';

/**
 * A failed training run (its loss not finite): nothing was saved.
 *
 * @example
 * ```ts
 * import { TrainingError } from '@eddy/cli';
 * function checkLoss(loss: number): void {
 *   if (!Number.isFinite(loss)) throw new TrainingError(`the loss is ${loss}: training did not converge`);
 * }
 * checkLoss(Number.NaN); // TrainingError
 * ```
 */
export class TrainingError extends Error {
  override name = 'TrainingError';
}

const dtypeOf = (v: string | boolean | undefined): FloatDType => {
  const d = str(v, 'dtype');
  if (d !== 'float32' && d !== 'float64') throw new UsageError(`--dtype must be float32 or float64, got ${d}`);
  return d;
};
const modelArg = (positionals: string[]): string => {
  const p = positionals[0];
  if (p === undefined) throw new UsageError('a model file (.safetensors) is required');
  if (!existsSync(p)) throw new UsageError(`model file not found: ${p}`);
  return p;
};

/** Registered classes that wrap another flow instead of being built from options. */
const WRAPPERS = new Set(['Standardized']);

/** The flow classes `train` builds: the registered ones, but wrappers. */
function flowNames(): string[] {
  return registeredFlowClasses().filter((n) => !WRAPPERS.has(n));
}

/** The flow class a `--flow` value names, in any case (`nsf`, `realnvp`). */
function flowName(v: string | boolean | undefined): string {
  const spelled = str(v, 'flow');
  const names = flowNames();
  const name = names.find((n) => n.toLowerCase() === spelled.toLowerCase());
  if (name === undefined) throw new UsageError(`--flow must be one of ${names.join(', ')} (in any case), got ${JSON.stringify(spelled)}`);
  return name;
}

/** `--threads`, between 1 and {@link maxThreads} (4 per core). */
function threadsOf(v: Record<string, string | boolean | undefined>): number {
  const t = int(v.threads, 'threads', 1);
  if (t > maxThreads())
    throw new UsageError(`--threads must be at most ${maxThreads()} (4 per core on this machine, which has ${availableParallelism()}), got ${t}`);
  return t;
}

/** Job options with the command's cancellation signal. */
function cancellable(io: Io): Pick<JobOptions, 'signal'> {
  return io.signal === undefined ? {} : { signal: io.signal };
}

/** A progress bar on the command's stderr (redrawn in place when that is a terminal). */
function progressBar(io: Io, label: string, total: number, unit: string): ProgressBar {
  return new ProgressBar(label, total, unit, io.err, io.tty === true, io.columns);
}

/**
 * Runs `job` with a progress bar: on success its line is ended (the final state stays in
 * view), on failure it is cleared so the error starts on a clean line.
 */
async function withBar<T>(bar: ProgressBar, job: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await job();
  } catch (e) {
    bar.clear();
    throw e;
  }
  bar.finish();
  return result;
}

/** The closing line of a pool job: how many, how long, how fast, on how many threads, where. */
function summary(count: number, unit: string, seconds: number, threads: number, out: string): string {
  return `${formatCount(count)} ${unit} in ${formatSeconds(seconds)} (${formatCount(count / seconds)}/s) on ${threads} thread${threads === 1 ? '' : 's'}, written to ${out}\n`;
}

// Options several commands share (one description each).
const THREADS: OptionSpec = {
  type: 'string',
  arg: 'N',
  description: 'worker threads, at most 4 per core; results do not depend on it',
  default: String(availableParallelism()),
  defaultText: `${availableParallelism()}, the cores here`,
};
const CHUNK: OptionSpec = { type: 'string', arg: 'N', description: 'rows per shard of the job; results do not depend on it', default: '16384' };
const HEADER: OptionSpec = {
  type: 'boolean',
  description: "a CSV input's first row is a header of names",
  defaultText: 'a header when the first row has no number',
};
const NO_HEADER: OptionSpec = { type: 'boolean', description: "a CSV input's first row is data" };
const DELIMITER: OptionSpec = { type: 'string', arg: 'CHAR', description: 'CSV field separator: one character, or tab, space, comma, semicolon', default: ',' };
const ALLOW_NON_FINITE: OptionSpec = { type: 'boolean', description: 'keep NaN/inf values instead of failing at the first one (with its row)' };

/** `--out` of a command that writes rows, and its extension: .npy or .csv (any case). */
function npyOrCsvOut(v: Record<string, string | boolean | undefined>): [string, '.npy' | '.csv'] {
  const out = str(v.out, 'out');
  const ext = extname(out).toLowerCase();
  if (ext !== '.npy' && ext !== '.csv') throw new UsageError(`--out must end in .npy or .csv, got ${out}`);
  return [out, ext];
}

/** `--out` of a part (`--rows`/`--shard`): a `.npy`, which `eddy merge` joins. */
function checkPartOut(out: string): void {
  if (extname(out).toLowerCase() !== '.npy')
    throw new UsageError(`--out must end in .npy when --rows or --shard write a part (eddy merge joins .npy parts), got ${out}`);
}

/** The kernels this process runs, as a part records them: `cpu native avx512`, `cpu typescript`. */
function kernelsId(): string {
  const b = backendInfo();
  if (b.name !== 'cpu') return String(b.name);
  return b.native === true ? `cpu native ${String(b.isa)}` : 'cpu typescript';
}

/** The closing line of a part: which rows of how many, and the sidecar that describes it. */
function partLine(out: string, [start, end]: readonly [number, number], total: number | undefined): string {
  return `part: rows [${start}, ${end}) of ${total === undefined ? 'a job of unknown size (no -n)' : `${total}`}, described in ${partInfoPath(out)} for eddy merge\n`;
}

/**
 * The last words of a pool job started at `t0` that wrote `count` `unit` to `out`: its
 * summary, and for a part of a job of `total` rows the part line, on stderr; the path on
 * stdout.
 */
function reportJob(
  io: Io,
  count: number,
  unit: string,
  t0: number,
  threads: number,
  out: string,
  part: readonly [number, number] | undefined,
  total: number | undefined,
): void {
  io.err(summary(count, unit, (performance.now() - t0) / 1000, threads, out));
  if (part !== undefined) io.err(partLine(out, part, total));
  io.out(`${out}\n`);
}

/**
 * `eddy train`: fits a flow to a data file and saves it.
 *
 * @example
 * ```ts
 * await main(['train', '--data', 'points.csv', '--flow', 'nsf', '--out', 'model.safetensors']);
 * ```
 */
export const train: Command = {
  summary: 'fit a flow to data by maximum likelihood and save it',
  args: '',
  positionals: 0,
  interruptible: false,
  options: {
    data: { type: 'string', arg: 'FILE', description: 'training data, .npy or .csv: one row per point; NaN/inf are refused with their row', required: true },
    out: { type: 'string', arg: 'FILE', description: 'where to save the trained flow (.safetensors)', required: true },
    flow: { type: 'string', arg: 'NAME', description: `flow class, in any case: ${flowNames().join(', ')}`, default: 'NSF' },
    epochs: { type: 'string', arg: 'N', description: 'passes over the training rows', default: '20' },
    'batch-size': { type: 'string', arg: 'N', description: 'rows per optimisation step', default: '256' },
    lr: { type: 'string', arg: 'X', description: "Adam's learning rate", default: '1e-3' },
    transforms: { type: 'string', arg: 'N', description: 'transforms in the flow', defaultText: "the flow's own, 3 for NSF" },
    hidden: { type: 'string', arg: 'N,N', description: 'hidden layer widths of its networks, comma-separated', defaultText: "the flow's own, 64,64 for NSF" },
    bins: { type: 'string', arg: 'N', description: 'spline bins (NSF, NCSF)', defaultText: "the flow's own, 8 for NSF" },
    passes: { type: 'string', arg: 'N', description: 'autoregressive passes (2 = coupling)', defaultText: "the flow's own, one per feature for NSF" },
    validation: { type: 'string', arg: 'X', description: 'fraction of the rows held out to report a held-out log-likelihood, in [0, 1)', default: '0.1' },
    seed: { type: 'string', arg: 'N', description: 'seed of the initial weights, the shuffling and the held-out rows', default: '0' },
    dtype: { type: 'string', arg: 'T', description: 'float32 or float64', default: 'float32' },
    standardize: {
      type: 'boolean',
      description: "standardise each feature by the data's mean and std inside the saved model (sample and logprob stay in the data's units)",
      defaultText: 'on',
    },
    'no-standardize': { type: 'boolean', description: 'train on the data as it is (spline flows act on [-5, 5]: scale the data yourself)' },
    header: HEADER,
    'no-header': NO_HEADER,
    delimiter: DELIMITER,
  },
  async run(v, _p, io) {
    if (v.standardize === true && v['no-standardize'] === true) throw new UsageError('--standardize and --no-standardize contradict each other');
    const standardize = v['no-standardize'] !== true;
    const dtype = dtypeOf(v.dtype);
    const dataPath = str(v.data, 'data');
    const out = str(v.out, 'out');
    checkDistinct({ '--data': dataPath }, { '--out': out });
    const validation = num(v.validation, 'validation');
    if (!(validation >= 0 && validation < 1)) throw new UsageError(`--validation must be a fraction in [0, 1), got ${v.validation}`);
    const name = flowName(v.flow);
    const seed = int(v.seed, 'seed');
    const epochs = int(v.epochs, 'epochs', 1);
    const batchSize = int(v['batch-size'], 'batch-size', 1);
    const lr = num(v.lr, 'lr');
    const options: Record<string, unknown> = { dtype, seed };
    if (v.transforms !== undefined) options.transforms = int(v.transforms, 'transforms', 1);
    if (v.hidden !== undefined)
      options.hiddenFeatures = str(v.hidden, 'hidden')
        .split(',')
        .map((h) => int(h, 'hidden', 1));
    if (v.bins !== undefined) options.bins = int(v.bins, 'bins', 2);
    if (v.passes !== undefined) options.passes = int(v.passes, 'passes', 1);
    const data = await readRows(dataPath, dtype, {
      header: csvHeader(v),
      delimiter: delimiterOf(v.delimiter),
      advice: 'training data must be finite (remove or fill in that row)',
    });
    const rows = data.shape[0] as number;
    const held = validation > 0 ? Math.max(1, Math.round(rows * validation)) : 0;
    if (rows - held < 2) {
      throw new UsageError(
        `${dataPath}: ${rows} row(s)${held > 0 ? `, ${held} held out for --validation ${validation},` : ''} leave ${rows - held} to train on; at least 2 are needed`,
      );
    }
    // Learn that the output cannot be written now, not after the epochs.
    checkWritable(out);
    const Cls = (F as unknown as Record<string, new (o: object) => LazyDistribution>)[name];
    if (Cls === undefined) throw new UsageError(`--flow ${name} is registered but not a class the command line can build`);
    const inner = new Cls({ ...options, features: data.shape[1] });
    // The standardisation is part of the saved model: Standardized maps data to (x - mean) / std first.
    const flow = standardize ? Standardized.fromData(inner, data) : inner;
    io.err(
      `training ${name}${standardize ? ' on standardised features' : ''} (${flow.parameters().reduce((s, p) => s + p.size, 0)} parameters) on ${rows} rows × ${data.shape[1]} features, ${epochs} epochs\n`,
    );
    const steps = epochs * Math.ceil((rows * (1 - validation)) / batchSize);
    const bar = progressBar(io, 'train', steps, 'steps');
    const t0 = performance.now();
    let history: ReturnType<typeof fit>;
    try {
      history = fit(flow, data, {
        epochs,
        batchSize,
        lr,
        validation: validation > 0 ? validation : undefined,
        seed,
        onWarning: (message) => {
          bar.clear();
          io.err(`warning: ${message}\n`);
        },
        onStep: (s) => bar.update(s.step + 1, (s.step + 1) / ((performance.now() - t0) / 1000)),
        onEpoch: (e) => {
          // The epoch's line replaces the bar; the next step draws it again below.
          bar.clear();
          io.err(
            `epoch ${e.epoch + 1}/${epochs}: train log-lik ${(-e.trainLoss).toFixed(4)}${e.validLoss === undefined ? '' : `, held-out log-lik ${(-e.validLoss).toFixed(4)}`}\n`,
          );
        },
      });
    } finally {
      bar.clear();
    }
    const last = history.trainLoss[history.trainLoss.length - 1];
    if (last === undefined || !Number.isFinite(last)) {
      throw new TrainingError(
        `training did not converge (final train log-lik ${last === undefined ? 'n/a' : -last}); ${out} was not written — try a lower --lr, more rows, or --dtype float64`,
      );
    }
    saveFlowToFile(flow, out);
    io.err(`trained in ${formatSeconds((performance.now() - t0) / 1000)}, written to ${out}\n`);
    io.out(`${out}\n`);
  },
};

/**
 * `eddy sample`: draws samples from a saved flow into a `.npy` or `.csv` file.
 *
 * @example
 * ```ts
 * await main(['sample', 'model.safetensors', '-n', '1e6', '--out', 's.npy']);
 * ```
 */
export const sample: Command = {
  summary: 'draw samples from a saved flow on the worker pool, streamed to .npy (or .csv)',
  args: '<model.safetensors>',
  positionals: 1,
  interruptible: true,
  options: {
    n: {
      type: 'string',
      short: 'n',
      arg: 'N',
      description: 'how many samples to draw (1e6 is fine); with --rows, the size of the whole job (checked, and recorded in the part)',
      requiredUnless: ['rows'],
    },
    out: { type: 'string', arg: 'FILE', description: 'output file: .npy (streamed to disk) or .csv (with a header x0,x1,…)', required: true },
    seed: { type: 'string', arg: 'N', description: 'seed: sample i is a function of (seed, i) only', default: '0' },
    rows: {
      type: 'string',
      arg: 'START:END',
      description: 'write only rows START to END-1 (from 0) of the seeded job: a part .npy for eddy merge, described in FILE.json',
    },
    shard: { type: 'string', arg: 'I/N', description: 'write shard I (from 0 to N-1) of N near-equal row ranges of -n: a part .npy for eddy merge' },
    threads: THREADS,
    'chunk-size': CHUNK,
    dtype: { type: 'string', arg: 'T', description: 'float32 or float64', default: 'float32' },
    delimiter: { ...DELIMITER, description: 'CSV output field separator: one character, or tab, space, comma, semicolon' },
    'allow-non-finite': ALLOW_NON_FINITE,
  },
  async run(v, p, io) {
    const model = modelArg(p);
    const total = v.n === undefined ? undefined : int(v.n, 'n', 1);
    const [out, ext] = npyOrCsvOut(v);
    const rowsOption = parseRowsOption(v);
    const part = rowsOption === undefined ? undefined : resolveRows(rowsOption, total, `-n ${total}`);
    if (part !== undefined) checkPartOut(out);
    const [firstRow, end] = part ?? [0, total as number];
    const n = end - firstRow;
    checkDistinct({ model }, { '--out': out });
    const seed = int(v.seed, 'seed');
    const chunkSize = int(v['chunk-size'], 'chunk-size', 1);
    const dtype = dtypeOf(v.dtype);
    const delimiter = delimiterOf(v.delimiter);
    const threads = threadsOf(v);
    const flow = loadModel(model);
    const pool = new FlowPool({ threads });
    const bar = progressBar(io, 'sample', n, 'samples');
    const options = {
      seed,
      chunkSize,
      dtype,
      firstRow,
      allowNonFinite: v['allow-non-finite'] === true,
      ...cancellable(io),
      onProgress: (pr: { done: number; rowsPerSecond: number }) => bar.update(pr.done, pr.rowsPerSecond),
    };
    const t0 = performance.now();
    // A part's old sidecar goes first: if this job fails, nothing describes its output.
    if (part !== undefined) removePartInfo(out);
    try {
      await withBar(bar, async () => {
        if (ext === '.npy') await pool.sampleToFile(flow, n, out, options);
        else {
          const x = await pool.sample(flow, n, options);
          writeCsv(out, { data: x.dataSync() as Float32Array | Float64Array, shape: [...x.shape] }, { delimiter });
        }
      });
    } finally {
      await pool.close();
    }
    if (part !== undefined) {
      writePartInfo(out, {
        kind: 'sample',
        modelChecksum: modelChecksum(model),
        seed,
        stream: 0,
        rows: part,
        ...(total === undefined ? {} : { total }),
        eddyVersion: version(),
        kernels: kernelsId(),
      });
    }
    reportJob(io, n, 'samples', t0, pool.threads, out, part, total);
  },
};

/**
 * `eddy logprob`: the log-density of every row of a `.npy` or `.csv` file.
 *
 * @example
 * ```ts
 * await main(['logprob', 'model.safetensors', '--in', 'x.csv', '--out', 'lp.csv']);
 * ```
 */
export const logprob: Command = {
  summary: 'log-densities of the rows of a .npy/.csv file under a saved flow',
  args: '<model.safetensors>',
  positionals: 1,
  interruptible: true,
  options: {
    in: { type: 'string', arg: 'FILE', description: 'the points, .npy or .csv, one per row', required: true },
    out: { type: 'string', arg: 'FILE', description: 'output file: .npy, or .csv (with a header log_prob)', required: true },
    threads: THREADS,
    'chunk-size': CHUNK,
    dtype: { type: 'string', arg: 'T', description: 'float32 or float64', defaultText: "a .npy input's own, else float32" },
    header: HEADER,
    'no-header': NO_HEADER,
    delimiter: { ...DELIMITER, description: 'CSV field separator (input and output): one character, or tab, space, comma, semicolon' },
    'allow-non-finite': ALLOW_NON_FINITE,
    rows: {
      type: 'string',
      arg: 'START:END',
      description: 'score only rows START to END-1 (from 0) of the input: a part .npy for eddy merge, described in FILE.json',
    },
    shard: { type: 'string', arg: 'I/N', description: 'score shard I (from 0 to N-1) of N near-equal row ranges of the input: a part .npy for eddy merge' },
  },
  async run(v, p, io) {
    const model = modelArg(p);
    const input = str(v.in, 'in');
    const [out, outExt] = npyOrCsvOut(v);
    const rowsOption = parseRowsOption(v);
    if (rowsOption !== undefined) checkPartOut(out);
    checkDistinct({ model, '--in': input }, { '--out': out });
    if (!existsSync(input)) throw new UsageError(`file not found: ${input}`);
    const chunkSize = int(v['chunk-size'], 'chunk-size', 1);
    const allowNonFinite = v['allow-non-finite'] === true;
    const header = csvHeader(v);
    const delimiter = delimiterOf(v.delimiter);
    const dtype = v.dtype === undefined ? undefined : dtypeOf(v.dtype);
    const threads = threadsOf(v);
    const flow = loadModel(model);
    const pool = new FlowPool({ threads });
    const t0 = performance.now();
    // The input's rows, and those scored: all of them, or the part --rows/--shard choose.
    let rows: number;
    let part: [number, number] | undefined;
    const partOf = (total: number): [number, number] | undefined => {
      const r = rowsOption === undefined ? undefined : resolveRows(rowsOption, total, `the ${total} rows of ${input}`);
      // A part's old sidecar goes first: if this job fails, nothing describes its output.
      if (r !== undefined) removePartInfo(out);
      return r;
    };
    try {
      if (extname(input).toLowerCase() === '.npy' && outExt === '.npy') {
        rows = readNpyHeader(input).shape[0] ?? 0;
        part = partOf(rows);
        const bar = progressBar(io, 'logprob', part === undefined ? rows : part[1] - part[0], 'rows');
        await withBar(bar, () =>
          pool.logProbFile(flow, input, out, {
            chunkSize,
            allowNonFinite,
            dtype,
            ...(part === undefined ? {} : { rows: part }),
            ...cancellable(io),
            onProgress: (pr) => bar.update(pr.done, pr.rowsPerSecond),
          }),
        );
      } else {
        const all = await readRows(input, dtype ?? 'float32', {
          header,
          delimiter,
          allowNonFinite,
          advice: '--allow-non-finite keeps them (their log-densities are then NaN)',
        });
        rows = all.shape[0] as number;
        part = partOf(rows);
        const x = part === undefined ? all : all.slice(0, part[0], part[1]);
        const bar = progressBar(io, 'logprob', x.shape[0] as number, 'rows');
        await withBar(bar, async () => {
          const lp = await pool.logProb(flow, x, {
            chunkSize,
            allowNonFinite,
            firstRow: part?.[0] ?? 0,
            ...cancellable(io),
            onProgress: (pr) => bar.update(pr.done, pr.rowsPerSecond),
          });
          const arr = { data: lp.dataSync() as Float32Array | Float64Array, shape: [...lp.shape] };
          if (outExt === '.csv') writeCsv(out, arr, { header: ['log_prob'], delimiter });
          else writeNpy(out, arr);
        });
      }
    } finally {
      await pool.close();
    }
    if (part !== undefined)
      writePartInfo(out, {
        kind: 'logProb',
        modelChecksum: modelChecksum(model),
        rows: part,
        total: rows,
        eddyVersion: version(),
        input,
        kernels: kernelsId(),
      });
    reportJob(io, part === undefined ? rows : part[1] - part[0], 'rows', t0, pool.threads, out, part, rows);
  },
};

/**
 * `eddy merge`: joins part files (`sample`/`logprob` with `--rows` or `--shard`) into one
 * `.npy`: checked (same job, rows tiling 0 to n-1), copied in chunks, written atomically.
 *
 * @example
 * ```ts
 * await main(['merge', 'part-2.npy', 'part-0.npy', 'part-1.npy', '--out', 'all.npy']);
 * ```
 */
export const merge: Command = {
  summary: 'join part files (sample/logprob --rows or --shard) into one .npy, the bytes of a single run',
  args: '<part.npy> [part.npy ...]',
  positionals: Number.POSITIVE_INFINITY,
  interruptible: true,
  options: {
    out: { type: 'string', arg: 'FILE', description: 'the merged .npy: the same bytes as one sample or logprob run over all the rows', required: true },
    n: {
      type: 'string',
      short: 'n',
      arg: 'N',
      description: 'rows of the whole job: the parts must cover rows 0 to N-1',
      defaultText: 'the -n the parts record, else the end of the last part',
    },
  },
  async run(v, p, io) {
    if (p.length === 0) throw new UsageError('the part files to merge are required (eddy merge part.npy ... --out all.npy)');
    const out = str(v.out, 'out');
    if (extname(out).toLowerCase() !== '.npy') throw new UsageError(`--out must end in .npy, got ${out}`);
    const total = v.n === undefined ? undefined : int(v.n, 'n', 1);
    for (const part of p) {
      if (!existsSync(part)) throw new UsageError(`file not found: ${part}`);
      checkDistinct({ 'the part': part, 'the sidecar': partInfoPath(part) }, { '--out': out });
    }
    const t0 = performance.now();
    let bar: ProgressBar | undefined;
    const result = await mergeParts(p, out, {
      ...(total === undefined ? {} : { total }),
      ...cancellable(io),
      onProgress: (pr) => {
        bar ??= progressBar(io, 'merge', pr.total, 'rows');
        bar.update(pr.done, pr.rowsPerSecond);
      },
    }).catch((e: unknown) => {
      bar?.clear();
      throw e;
    });
    bar?.finish();
    if (result.kernels.length > 1) {
      io.err(
        `warning: the parts were computed with different kernels (${result.kernels.join('; ')}): every row is a correct result, but the file may differ in the last bits from a single run on one machine\n`,
      );
    }
    const rows = result.shape[0] as number;
    const seconds = (performance.now() - t0) / 1000;
    io.err(`${formatCount(rows)} rows from ${p.length} part${p.length === 1 ? '' : 's'} in ${formatSeconds(seconds)}, written to ${out}\n`);
    io.out(`${out}\n`);
  },
};

/** The active backend and, for `cpu`, which kernels run (native with its instruction set, or TypeScript and why). */
function describeBackend(): string {
  const b = backendInfo();
  if (b.name !== 'cpu') return String(b.name);
  return b.native === true ? `cpu, native kernels (${String(b.isa)})` : `cpu, TypeScript kernels (${String(b.reason)})`;
}

/**
 * `eddy info`: what a model file holds.
 *
 * @example
 * ```ts
 * await main(['info', 'model.safetensors']);
 * ```
 */
export const info: Command = {
  summary: 'describe a saved flow: class, options, parameters, file',
  args: '<model.safetensors>',
  positionals: 1,
  interruptible: false,
  options: {},
  async run(_v, p, io) {
    const path = modelArg(p);
    const flow = loadModel(path);
    const params = flow.parameters();
    const opts = (flow as unknown as { options?: unknown }).options;
    const lines = [
      `file:       ${path} (${statSync(path).size} bytes)`,
      `class:      ${flow.constructor.name}`,
      `options:    ${describeOptions(opts)}`,
      ...(flow instanceof Standardized
        ? [
            `inner:      ${flow.flow.constructor.name} ${describeOptions((flow.flow as unknown as { options?: unknown }).options)}`,
            `scaling:    (x - loc) / scale, loc ${listValues(flow.loc.dataSync())}, scale ${listValues(flow.scale.dataSync())}`,
          ]
        : []),
      `parameters: ${params.reduce((s, q) => s + q.size, 0)} in ${params.length} tensors (${params[0]?.dtype ?? 'n/a'})`,
      `backend:    ${describeBackend()}`,
      `structure:\n${flow.toString()}`,
    ];
    io.out(`${lines.join('\n')}\n`);
  },
};

/** Options as JSON, with a module shown by its class name and a tensor by its shape and dtype. */
function describeOptions(options: unknown): string {
  return JSON.stringify(options, (_key, value: unknown) => {
    if (value instanceof Tensor) return `tensor [${value.shape.join(', ')}] ${value.dtype}`;
    if (value instanceof Module) return value.constructor.name;
    return value;
  });
}

/** At most 8 values with 4 significant digits, then how many more. */
function listValues(values: ArrayLike<number>): string {
  const shown = Array.from(values)
    .slice(0, 8)
    .map((v) => Number(v.toPrecision(4)));
  return `[${shown.join(', ')}${values.length > 8 ? `, … ${values.length - 8} more` : ''}]`;
}

/**
 * `eddy bench`: sampling and density throughput on 1, 2, 4, … threads.
 *
 * @example
 * ```ts
 * await main(['bench', '-n', '65536']);
 * ```
 */
export const bench: Command = {
  summary: 'measure sampling and density throughput of a flow with 1..N threads',
  args: '[model.safetensors]',
  positionals: 1,
  interruptible: true,
  options: {
    n: { type: 'string', short: 'n', arg: 'N', description: 'rows per measurement', default: '65536' },
    threads: { ...THREADS, description: 'the most threads to measure (1, 2, 4, … up to it)' },
  },
  async run(v, p, io) {
    const n = int(v.n, 'n', 1);
    const maxThreads = threadsOf(v);
    const flow = p[0] === undefined ? new F.NSF({ features: 8, transforms: 3, hiddenFeatures: [64, 64] }) : loadModel(modelArg(p));
    io.out(`${cpus()[0]?.model ?? 'cpu'}, ${flow.constructor.name}, n = ${n}, backend ${describeBackend()}\n`);
    for (let t = 1; t <= maxThreads; t *= 2) {
      const pool = new FlowPool({ threads: t });
      try {
        await pool.sample(flow, Math.min(n, 1024), { seed: 9 }); // warm-up: workers load the flow
        let t0 = performance.now();
        const s = await pool.sample(flow, n, { seed: 1 });
        const sampleRate = n / ((performance.now() - t0) / 1000);
        t0 = performance.now();
        await pool.logProb(flow, s);
        const lpRate = n / ((performance.now() - t0) / 1000);
        io.out(`threads ${t}: sample ${formatCount(sampleRate)}/s, logProb ${formatCount(lpRate)}/s\n`);
      } finally {
        await pool.close();
      }
      if (t * 2 > maxThreads && t !== maxThreads) t = maxThreads / 2;
    }
  },
};

/**
 * Every subcommand by name.
 *
 * @example
 * ```ts
 * import { COMMANDS } from '@eddy/cli';
 * Object.keys(COMMANDS); // ['train', 'sample', 'logprob', 'merge', 'info', 'bench', 'cluster']
 * ```
 */
export const COMMANDS: Record<string, Command> = { train, sample, logprob, merge, info, bench, cluster };

/**
 * The options of `cmd` that it must be given and was not, as they are written (`-n`, `--out`).
 *
 * @example
 * ```ts
 * missingRequired(COMMANDS.sample, { out: 's.npy' }); // ['-n (or --rows)']
 * ```
 */
export function missingRequired(cmd: Command, values: Record<string, unknown>): string[] {
  const missing: string[] = [];
  for (const [name, o] of Object.entries(cmd.options)) {
    if (values[name] !== undefined) continue;
    const unless = o.requiredUnless ?? [];
    if (o.required === true) missing.push(flag(name));
    else if (unless.length > 0 && unless.every((u) => values[u] === undefined)) missing.push(`${flag(name)} (or ${unless.map(flag).join(' or ')})`);
  }
  return missing;
}
