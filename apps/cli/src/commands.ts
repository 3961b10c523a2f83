import { existsSync, statSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { extname } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { type FloatDType, type Tensor, backendInfo, tensor } from '@eddy/core';
import { type LazyDistribution, fit, loadFlow, registeredFlowClasses, saveFlowToFile } from '@eddy/flows';
import * as F from '@eddy/flows';
import { FlowPool, readCsv, readNpy, readNpyHeader, writeCsv, writeNpy } from '@eddy/montecarlo';
import { ProgressBar, formatCount, formatSeconds } from './progress.js';

/** A bad command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Where a command writes (swappable in tests). */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** One subcommand: its help text, options and action. */
export interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(values: Record<string, string | boolean | undefined>, positionals: string[], io: Io): Promise<void>;
}

const num = (v: string | boolean | undefined, name: string, fallback?: number): number => {
  if (v === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  const x = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(x)) throw new UsageError(`--${name} must be a number, got ${JSON.stringify(v)}`);
  return x;
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

/** Reads `.npy` or `.csv` rows into a tensor of `dtype`. */
export function readRows(path: string, dtype: FloatDType): Tensor {
  if (!existsSync(path)) throw new UsageError(`file not found: ${path}`);
  const ext = extname(path).toLowerCase();
  if (ext !== '.npy' && ext !== '.csv') throw new UsageError(`${path}: expected a .npy or .csv file`);
  const a = ext === '.npy' ? readNpy(path) : readCsv(path);
  if (a.shape.length !== 2) throw new UsageError(`${path}: expected a 2-D array [rows, features], got shape [${a.shape}]`);
  return tensor(a.data, { shape: a.shape, dtype });
}

export const train: Command = {
  summary: 'fit a flow to data by maximum likelihood and save it',
  usage: 'eddy train --data x.npy|x.csv --flow NSF --out model.safetensors [--epochs 20] [--batch-size 256] [--lr 1e-3] [--transforms 3] [--hidden 64,64] [--bins 8] [--passes N] [--validation 0.1] [--seed 0] [--dtype float32]',
  options: {
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
    const data = readRows(str(v.data, 'data'), dtype);
    const out = str(v.out, 'out');
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
    const validation = num(v.validation, 'validation', 0.1);
    io.err(`training ${name} (${flow.parameters().reduce((s, p) => s + p.size, 0)} parameters) on ${data.shape[0]} rows × ${data.shape[1]} features, ${epochs} epochs\n`);
    const steps = epochs * Math.ceil(((data.shape[0] as number) * (1 - validation)) / batchSize);
    const bar = new ProgressBar('train', steps, 'steps', io.err);
    const t0 = performance.now();
    fit(flow, data, {
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
    saveFlowToFile(flow, out);
    io.out(`${out}\n`);
  },
};

function poolFor(v: Record<string, string | boolean | undefined>): FlowPool {
  return new FlowPool({ threads: int(v.threads, 'threads', availableParallelism(), 1) });
}

export const sample: Command = {
  summary: 'draw samples from a saved flow on the worker pool, streamed to .npy (or .csv)',
  usage: 'eddy sample model.safetensors -n 1e6 --out s.npy [--threads N] [--seed 0] [--chunk-size 16384] [--dtype float32]',
  options: { n: { type: 'string', short: 'n' }, out: { type: 'string' }, threads: { type: 'string' }, seed: { type: 'string' }, 'chunk-size': { type: 'string' }, dtype: { type: 'string' } },
  async run(v, p, io) {
    const flow = loadFlow(modelArg(p));
    const n = int(v.n, 'n', undefined, 1);
    const out = str(v.out, 'out');
    const ext = extname(out).toLowerCase();
    if (ext !== '.npy' && ext !== '.csv') throw new UsageError(`--out must end in .npy or .csv, got ${out}`);
    const pool = poolFor(v);
    const bar = new ProgressBar('sample', n, 'samples', io.err);
    const options = { seed: int(v.seed, 'seed', 0), chunkSize: int(v['chunk-size'], 'chunk-size', 16384, 1), dtype: dtypeOf(v.dtype), onProgress: (pr: { done: number; rowsPerSecond: number }) => bar.update(pr.done, pr.rowsPerSecond) };
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
  usage: 'eddy logprob model.safetensors --in x.npy --out lp.npy [--threads N] [--chunk-size 16384]',
  options: { in: { type: 'string' }, out: { type: 'string' }, threads: { type: 'string' }, 'chunk-size': { type: 'string' }, dtype: { type: 'string' } },
  async run(v, p, io) {
    const flow = loadFlow(modelArg(p));
    const input = str(v.in, 'in');
    const out = str(v.out, 'out');
    const pool = poolFor(v);
    const chunkSize = int(v['chunk-size'], 'chunk-size', 16384, 1);
    try {
      if (extname(input).toLowerCase() === '.npy' && extname(out).toLowerCase() === '.npy') {
        const rows = readNpyHeader(input).shape[0] ?? 0;
        const bar = new ProgressBar('logprob', rows, 'rows', io.err);
        await pool.logProbFile(flow, input, out, { chunkSize, dtype: v.dtype === undefined ? undefined : dtypeOf(v.dtype), onProgress: (pr) => bar.update(pr.done, pr.rowsPerSecond) });
        bar.finish();
      } else {
        const x = readRows(input, dtypeOf(v.dtype));
        const lp = await pool.logProb(flow, x, { chunkSize });
        const arr = { data: lp.dataSync() as Float32Array | Float64Array, shape: [...lp.shape] };
        if (extname(out).toLowerCase() === '.csv') writeCsv(out, arr, ['log_prob']);
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
  options: { n: { type: 'string', short: 'n' }, threads: { type: 'string' } },
  async run(v, p, io) {
    const flow = p[0] === undefined ? new F.NSF({ features: 8, transforms: 3, hiddenFeatures: [64, 64] }) : loadFlow(modelArg(p));
    const n = int(v.n, 'n', 65536, 1);
    const maxThreads = int(v.threads, 'threads', availableParallelism(), 1);
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
