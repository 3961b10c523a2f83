import { existsSync, realpathSync, statSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { type FloatDType, type Tensor, backendInfo, tensor } from '@eddy/core';
import { type LazyDistribution, checkWritable, fit, loadFlow, registeredFlowClasses, saveFlowToFile } from '@eddy/flows';
import * as F from '@eddy/flows';
import { FlowPool, type JobOptions, maxThreads, readCsv, readNpy, readNpyHeader, writeCsv, writeNpy } from '@eddy/montecarlo';
import { ProgressBar, formatCount, formatSeconds } from './progress.js';

/** A bad command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Where a command writes (swappable in tests). */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /**
   * Cancels the pool jobs of `sample` and `logprob` (their output is then not written).
   * `main` without an `Io` wires SIGINT and SIGTERM to it while such a job runs.
   */
  signal?: AbortSignal;
}

/** One subcommand: its help text, options and action. */
export interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Most positional arguments it takes (more is a usage error, never ignored). */
  positionals: number;
  /**
   * Whether SIGINT/SIGTERM cancel it (its work runs on the pool's threads, so this one can
   * react); otherwise the signals keep their default and end the process.
   */
  interruptible: boolean;
  run(values: Record<string, string | boolean | undefined>, positionals: string[], io: Io): Promise<void>;
}

/** Decimal numbers only (`1e6`, `0.5`, `-3`): `Number()` alone would also take `0x10` and `0b1`. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const num = (v: string | boolean | undefined, name: string, fallback?: number): number => {
  if (v === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  if (typeof v !== 'string' || !DECIMAL.test(v.trim()) || !Number.isFinite(Number(v))) throw new UsageError(`--${name} must be a decimal number, got ${JSON.stringify(v)}`);
  return Number(v);
};
const int = (v: string | boolean | undefined, name: string, fallback?: number, min = 0): number => {
  const x = num(v, name, fallback);
  if (!Number.isSafeInteger(x) || x < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got ${v}`);
  return x;
};
const str = (v: string | boolean | undefined, name: string, fallback?: string): string => {
  if (typeof v === 'string') return v;
  if (fallback !== undefined) return fallback;
  throw new UsageError(`--${name} is required`);
};
const dtypeOf = (v: string | boolean | undefined): FloatDType => {
  const d = str(v, 'dtype', 'float32');
  if (d !== 'float32' && d !== 'float64') throw new UsageError(`--dtype must be float32 or float64, got ${d}`);
  return d;
};
const modelArg = (positionals: string[]): string => {
  const p = positionals[0];
  if (p === undefined) throw new UsageError('a model file (.safetensors) is required');
  if (!existsSync(p)) throw new UsageError(`model file not found: ${p}`);
  return p;
};

/** The file a path names, links resolved (for a file that does not exist yet: its directory's). */
function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(resolve(path))), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

/**
 * Refuses an output that is one of the inputs (after resolving links, or the same file
 * under another name): writing it would destroy the input.
 */
export function checkDistinct(inputs: Record<string, string>, outputs: Record<string, string>): void {
  for (const [outName, out] of Object.entries(outputs)) {
    const o = canonical(out);
    const oStat = existsSync(out) ? statSync(out) : undefined;
    for (const [inName, input] of Object.entries(inputs)) {
      const iStat = existsSync(input) ? statSync(input) : undefined;
      const same = canonical(input) === o || (oStat !== undefined && iStat !== undefined && oStat.dev === iStat.dev && oStat.ino === iStat.ino);
      if (same) throw new UsageError(`${outName} ${out} is the same file as ${inName} ${input}: writing it would destroy the input; choose another output path`);
    }
  }
}

/** The CSV header choice: `--header` (the first row is names), `--no-header` (it is data), else auto. */
function csvHeader(v: Record<string, string | boolean | undefined>): boolean | 'auto' {
  if (v.header === true && v['no-header'] === true) throw new UsageError('--header and --no-header contradict each other');
  return v.header === true ? true : v['no-header'] === true ? false : 'auto';
}

/** Reads `.npy` or `.csv` rows into a tensor of `dtype` (`header`: see {@link readCsv}). */
export async function readRows(path: string, dtype: FloatDType, header: boolean | 'auto' = 'auto'): Promise<Tensor> {
  if (!existsSync(path)) throw new UsageError(`file not found: ${path}`);
  const ext = extname(path).toLowerCase();
  if (ext !== '.npy' && ext !== '.csv') throw new UsageError(`${path}: expected a .npy or .csv file`);
  const a = ext === '.npy' ? readNpy(path) : await readCsv(path, { header, allowNonFinite: true });
  if (a.shape.length !== 2) throw new UsageError(`${path}: expected a 2-D array [rows, features], got shape [${a.shape}]`);
  return tensor(a.data, { shape: a.shape, dtype });
}

export const train: Command = {
  summary: 'fit a flow to data by maximum likelihood and save it',
  usage:
    'eddy train --data x.npy|x.csv --flow NSF --out model.safetensors [--epochs 20] [--batch-size 256] [--lr 1e-3] [--transforms 3] [--hidden 64,64] [--bins 8] [--passes N] [--validation 0.1] [--seed 0] [--dtype float32] [--header|--no-header]',
  positionals: 0,
  interruptible: false,
  options: {
    header: { type: 'boolean' },
    'no-header': { type: 'boolean' },
    data: { type: 'string' },
    flow: { type: 'string' },
    out: { type: 'string' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    lr: { type: 'string' },
    transforms: { type: 'string' },
    hidden: { type: 'string' },
    bins: { type: 'string' },
    passes: { type: 'string' },
    context: { type: 'string' },
    validation: { type: 'string' },
    seed: { type: 'string' },
    dtype: { type: 'string' },
  },
  async run(v, _p, io) {
    const dtype = dtypeOf(v.dtype);
    const dataPath = str(v.data, 'data');
    const out = str(v.out, 'out');
    checkDistinct({ '--data': dataPath }, { '--out': out });
    const validation = num(v.validation, 'validation', 0.1);
    if (!(validation >= 0 && validation < 1)) throw new UsageError(`--validation must be a fraction in [0, 1), got ${v.validation}`);
    const data = await readRows(dataPath, dtype, csvHeader(v));
    const rows = data.shape[0] as number;
    const held = validation > 0 ? Math.max(1, Math.round(rows * validation)) : 0;
    if (rows - held < 2) {
      throw new UsageError(`${dataPath}: ${rows} row(s)${held > 0 ? `, ${held} held out for --validation ${validation},` : ''} leave ${rows - held} to train on; at least 2 are needed`);
    }
    // Learn that the output cannot be written now, not after the epochs.
    checkWritable(out);
    const name = str(v.flow, 'flow', 'NSF');
    const Cls = (F as unknown as Record<string, new (o: object) => LazyDistribution>)[name];
    if (!registeredFlowClasses().includes(name) || Cls === undefined) {
      throw new UsageError(`--flow must be one of ${registeredFlowClasses().join(', ')}, got ${name}`);
    }
    const options: Record<string, unknown> = { features: data.shape[1], dtype, seed: int(v.seed, 'seed', 0) };
    if (v.transforms !== undefined) options.transforms = int(v.transforms, 'transforms', undefined, 1);
    if (v.hidden !== undefined) options.hiddenFeatures = str(v.hidden, 'hidden').split(',').map((h) => int(h, 'hidden', undefined, 1));
    if (v.bins !== undefined) options.bins = int(v.bins, 'bins', undefined, 2);
    if (v.passes !== undefined) options.passes = int(v.passes, 'passes', undefined, 1);
    if (v.context !== undefined) throw new UsageError('--context: conditional training from the CLI is not supported yet; use the fit() API');
    const flow = new Cls(options);
    const epochs = int(v.epochs, 'epochs', 20, 1);
    const batchSize = int(v['batch-size'], 'batch-size', 256, 1);
    io.err(`training ${name} (${flow.parameters().reduce((s, p) => s + p.size, 0)} parameters) on ${data.shape[0]} rows × ${data.shape[1]} features, ${epochs} epochs\n`);
    const steps = epochs * Math.ceil(((data.shape[0] as number) * (1 - validation)) / batchSize);
    const bar = new ProgressBar('train', steps, 'steps', io.err);
    const t0 = performance.now();
    const history = fit(flow, data, {
      epochs,
      batchSize,
      lr: num(v.lr, 'lr', 1e-3),
      validation: validation > 0 ? validation : undefined,
      seed: int(v.seed, 'seed', 0),
      onStep: (s) => bar.update(s.step + 1, (s.step + 1) / ((performance.now() - t0) / 1000)),
      onEpoch: (e) => {
        bar.finish();
        io.err(`epoch ${e.epoch + 1}/${epochs}: train log-lik ${(-e.trainLoss).toFixed(4)}${e.validLoss === undefined ? '' : `, held-out log-lik ${(-e.validLoss).toFixed(4)}`}\n`);
      },
    });
    const last = history.trainLoss[history.trainLoss.length - 1];
    if (last === undefined || !Number.isFinite(last)) {
      throw new TrainingError(`training did not converge (final train log-lik ${last === undefined ? 'n/a' : -last}); ${out} was not written — try a lower --lr, more rows, or --dtype float64`);
    }
    saveFlowToFile(flow, out);
    io.out(`${out}\n`);
  },
};

/** `--threads`, between 1 and {@link maxThreads} (4 per core). */
function threadsOf(v: Record<string, string | boolean | undefined>): number {
  const t = int(v.threads, 'threads', availableParallelism(), 1);
  if (t > maxThreads()) throw new UsageError(`--threads must be at most ${maxThreads()} (4 per core on this machine, which has ${availableParallelism()}), got ${t}`);
  return t;
}

/** A failed training run (its loss not finite): nothing was saved. */
export class TrainingError extends Error {
  override name = 'TrainingError';
}

/** Job options with the command's cancellation signal. */
function cancellable(io: Io): Pick<JobOptions, 'signal'> {
  return io.signal === undefined ? {} : { signal: io.signal };
}

export const sample: Command = {
  summary: 'draw samples from a saved flow on the worker pool, streamed to .npy (or .csv)',
  usage: 'eddy sample model.safetensors -n 1e6 --out s.npy [--threads N] [--seed 0] [--chunk-size 16384] [--dtype float32] [--allow-non-finite]',
  positionals: 1,
  interruptible: true,
  options: {
    n: { type: 'string', short: 'n' },
    out: { type: 'string' },
    threads: { type: 'string' },
    seed: { type: 'string' },
    'chunk-size': { type: 'string' },
    dtype: { type: 'string' },
    'allow-non-finite': { type: 'boolean' },
  },
  async run(v, p, io) {
    const model = modelArg(p);
    const n = int(v.n, 'n', undefined, 1);
    const out = str(v.out, 'out');
    const ext = extname(out).toLowerCase();
    if (ext !== '.npy' && ext !== '.csv') throw new UsageError(`--out must end in .npy or .csv, got ${out}`);
    checkDistinct({ model }, { '--out': out });
    const seed = int(v.seed, 'seed', 0);
    const chunkSize = int(v['chunk-size'], 'chunk-size', 16384, 1);
    const dtype = dtypeOf(v.dtype);
    const threads = threadsOf(v);
    const flow = loadFlow(model);
    const pool = new FlowPool({ threads });
    const bar = new ProgressBar('sample', n, 'samples', io.err);
    const options = { seed, chunkSize, dtype, allowNonFinite: v['allow-non-finite'] === true, ...cancellable(io), onProgress: (pr: { done: number; rowsPerSecond: number }) => bar.update(pr.done, pr.rowsPerSecond) };
    const t0 = performance.now();
    try {
      if (ext === '.npy') await pool.sampleToFile(flow, n, out, options);
      else {
        const x = await pool.sample(flow, n, options);
        writeCsv(out, { data: x.dataSync() as Float32Array, shape: [...x.shape] });
      }
    } finally {
      bar.finish();
      await pool.close();
    }
    const secs = (performance.now() - t0) / 1000;
    io.err(`${formatCount(n)} samples in ${formatSeconds(secs)} (${formatCount(n / secs)}/s) on ${pool.threads} threads\n`);
    io.out(`${out}\n`);
  },
};

export const logprob: Command = {
  summary: 'log-densities of the rows of a .npy/.csv file under a saved flow',
  usage: 'eddy logprob model.safetensors --in x.npy --out lp.npy [--threads N] [--chunk-size 16384] [--dtype float32] [--header|--no-header] [--allow-non-finite]',
  positionals: 1,
  interruptible: true,
  options: {
    in: { type: 'string' },
    out: { type: 'string' },
    threads: { type: 'string' },
    'chunk-size': { type: 'string' },
    dtype: { type: 'string' },
    header: { type: 'boolean' },
    'no-header': { type: 'boolean' },
    'allow-non-finite': { type: 'boolean' },
  },
  async run(v, p, io) {
    const model = modelArg(p);
    const input = str(v.in, 'in');
    const out = str(v.out, 'out');
    const outExt = extname(out).toLowerCase();
    if (outExt !== '.npy' && outExt !== '.csv') throw new UsageError(`--out must end in .npy or .csv, got ${out}`);
    checkDistinct({ model, '--in': input }, { '--out': out });
    if (!existsSync(input)) throw new UsageError(`file not found: ${input}`);
    const chunkSize = int(v['chunk-size'], 'chunk-size', 16384, 1);
    const allowNonFinite = v['allow-non-finite'] === true;
    const header = csvHeader(v);
    const threads = threadsOf(v);
    const flow = loadFlow(model);
    const pool = new FlowPool({ threads });
    try {
      if (extname(input).toLowerCase() === '.npy' && outExt === '.npy') {
        const rows = readNpyHeader(input).shape[0] ?? 0;
        const bar = new ProgressBar('logprob', rows, 'rows', io.err);
        try {
          await pool.logProbFile(flow, input, out, { chunkSize, allowNonFinite, dtype: v.dtype === undefined ? undefined : dtypeOf(v.dtype), ...cancellable(io), onProgress: (pr) => bar.update(pr.done, pr.rowsPerSecond) });
        } finally {
          bar.finish();
        }
      } else {
        const x = await readRows(input, dtypeOf(v.dtype), header);
        const lp = await pool.logProb(flow, x, { chunkSize, allowNonFinite, ...cancellable(io) });
        const arr = { data: lp.dataSync() as Float32Array | Float64Array, shape: [...lp.shape] };
        if (outExt === '.csv') writeCsv(out, arr, { header: ['log_prob'] });
        else writeNpy(out, arr);
      }
    } finally {
      await pool.close();
    }
    io.out(`${out}\n`);
  },
};

/** The active backend and, for `cpu`, which kernels run (native with its instruction set, or TypeScript and why). */
function describeBackend(): string {
  const b = backendInfo();
  if (b.name !== 'cpu') return String(b.name);
  return b.native === true ? `cpu, native kernels (${String(b.isa)})` : `cpu, TypeScript kernels (${String(b.reason)})`;
}

export const info: Command = {
  summary: 'describe a saved flow: class, options, parameters, file',
  usage: 'eddy info model.safetensors',
  positionals: 1,
  interruptible: false,
  options: {},
  async run(_v, p, io) {
    const path = modelArg(p);
    const flow = loadFlow(path);
    const params = flow.parameters();
    const opts = (flow as unknown as { options?: unknown }).options;
    const lines = [
      `file:       ${path} (${statSync(path).size} bytes)`,
      `class:      ${flow.constructor.name}`,
      `options:    ${JSON.stringify(opts)}`,
      `parameters: ${params.reduce((s, q) => s + q.size, 0)} in ${params.length} tensors (${params[0]?.dtype ?? 'n/a'})`,
      `backend:    ${describeBackend()}`,
      `structure:\n${flow.toString()}`,
    ];
    io.out(`${lines.join('\n')}\n`);
  },
};

export const bench: Command = {
  summary: 'measure sampling and density throughput of a flow with 1..N threads',
  usage: 'eddy bench [model.safetensors] [-n 65536] [--threads N]',
  positionals: 1,
  interruptible: true,
  options: { n: { type: 'string', short: 'n' }, threads: { type: 'string' } },
  async run(v, p, io) {
    const n = int(v.n, 'n', 65536, 1);
    const maxThreads = threadsOf(v);
    const flow = p[0] === undefined ? new F.NSF({ features: 8, transforms: 3, hiddenFeatures: [64, 64] }) : loadFlow(modelArg(p));
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

/** Every subcommand by name. */
export const COMMANDS: Record<string, Command> = { train, sample, logprob, info, bench };
