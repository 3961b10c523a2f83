import { closeSync, existsSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { type FloatDType, type Tensor, ValueError, tensor } from '@eddy/core';
import { type LazyDistribution, loadFlow } from '@eddy/flows';
import { CsvError, csvDelimiter, readCsv, readNpy } from '@eddy/montecarlo';
import { UsageError } from './command.js';

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
 *
 * @example
 * ```ts
 * import { checkDistinct } from '@eddy/cli';
 * checkDistinct({ '--in': 'x.npy' }, { '--out': 'lp.npy' });
 * ```
 */
export function checkDistinct(inputs: Record<string, string>, outputs: Record<string, string>): void {
  for (const [outName, out] of Object.entries(outputs)) {
    const o = canonical(out);
    const oStat = existsSync(out) ? statSync(out) : undefined;
    for (const [inName, input] of Object.entries(inputs)) {
      const iStat = existsSync(input) ? statSync(input) : undefined;
      const same = canonical(input) === o || (oStat !== undefined && iStat !== undefined && oStat.dev === iStat.dev && oStat.ino === iStat.ino);
      if (same)
        throw new UsageError(`${outName} ${out} is the same file as ${inName} ${input}: writing it would destroy the input; choose another output path`);
    }
  }
}

/** What a file looks like from its first bytes, for a message: `text starting "x,y"`, `a NumPy .npy file`. */
function describeStart(head: Uint8Array): string {
  if (head.length >= 6 && head[0] === 0x93 && String.fromCharCode(...head.subarray(1, 6)) === 'NUMPY') return 'it is a NumPy .npy file';
  const text = Buffer.from(head).toString('latin1');
  if (/^[\t\n\r\x20-\x7e]+$/.test(text)) return `it is text, starting ${JSON.stringify(text.split(/\r?\n/)[0]?.slice(0, 24) ?? '')}`;
  return 'it does not start with the 8-byte header length and the JSON header of the format';
}

/**
 * Throws a {@link UsageError} saying in words that `path` is not a safetensors file
 * (`not a safetensors file: <path> (it is text, starting "x,y")`) unless it starts like
 * one: an 8-byte little-endian header length that fits in the file, then `{`.
 *
 * @example
 * ```ts
 * import { checkSafetensorsFile } from '@eddy/cli';
 * checkSafetensorsFile('model.safetensors');
 * ```
 */
export function checkSafetensorsFile(path: string): void {
  const st = statSync(path);
  if (!st.isFile()) throw new UsageError(`not a safetensors file: ${path} (it is not a regular file)`);
  const head = new Uint8Array(Math.min(st.size, 64));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const not = (why: string): UsageError => new UsageError(`not a safetensors file: ${path} (${why})`);
  if (st.size === 0) throw not('the file is empty');
  if (st.size < 10) throw not(/^[\t\n\r\x20-\x7e]+$/.test(Buffer.from(head).toString('latin1')) ? describeStart(head) : `it is only ${st.size} bytes long`);
  const length = new DataView(head.buffer, 0, 8).getBigUint64(0, true);
  if (length < 2n || length > BigInt(st.size - 8) || head[8] !== 0x7b) throw not(describeStart(head));
}

/**
 * Loads the flow in a model file given on the command line; a file that is missing or is
 * not a safetensors file is a {@link UsageError} that says so in words.
 *
 * @example
 * ```ts
 * import { loadModel } from '@eddy/cli';
 * const flow = loadModel('model.safetensors');
 * ```
 */
export function loadModel(path: string): LazyDistribution {
  checkSafetensorsFile(path);
  try {
    return loadFlow(path);
  } catch (e) {
    // The loader's own check of the format (a broken header): the same words.
    if ((e as Error).name === 'SafetensorsError') throw new UsageError(`not a safetensors file: ${path} (${(e as Error).message})`);
    throw e;
  }
}

/**
 * The CSV header choice: `--header` (the first row is names), `--no-header` (it is data),
 * else `'auto'`.
 *
 * @example
 * ```ts
 * csvHeader({ header: true }); // true
 * ```
 */
export function csvHeader(v: Record<string, string | boolean | undefined>): boolean | 'auto' {
  if (v.header === true && v['no-header'] === true) throw new UsageError('--header and --no-header contradict each other');
  return v.header === true ? true : v['no-header'] === true ? false : 'auto';
}

/**
 * The `--delimiter` character (see `csvDelimiter` of `@eddy/montecarlo`), a
 * {@link UsageError} for one that cannot be.
 *
 * @example
 * ```ts
 * delimiterOf('tab'); // '\t'
 * ```
 */
export function delimiterOf(v: string | boolean | undefined): string {
  try {
    return csvDelimiter(typeof v === 'string' ? v : ',');
  } catch (e) {
    throw new UsageError(`--${(e as Error).message}`);
  }
}

/**
 * How {@link readRows} reads: the CSV header choice and delimiter, and whether non-finite
 * values are data (else the first is an error naming its row, with `advice`).
 */
export interface ReadRowsOptions {
  header?: boolean | 'auto';
  delimiter?: string;
  allowNonFinite?: boolean;
  /** Appended to the message about a non-finite value (what to do about it). */
  advice?: string;
}

/**
 * Reads `.npy` or `.csv` rows into a tensor of `dtype`. Unless `allowNonFinite`, the
 * first NaN or ±inf is an error with its place: `file.csv:12: column 2 is "nan", …` (the
 * line) for CSV, `row 11 (counted from 0), column 2` for `.npy`.
 *
 * @example
 * ```ts
 * import { readRows } from '@eddy/cli';
 * const x = await readRows('points.csv', 'float32', { header: 'auto' });
 * ```
 */
export async function readRows(path: string, dtype: FloatDType, options: ReadRowsOptions = {}): Promise<Tensor> {
  if (!existsSync(path)) throw new UsageError(`file not found: ${path}`);
  const ext = extname(path).toLowerCase();
  if (ext !== '.npy' && ext !== '.csv') throw new UsageError(`${path}: expected a .npy or .csv file`);
  const allowNonFinite = options.allowNonFinite ?? false;
  const advice = options.advice ?? 'non-finite values are refused here';
  let a: { data: Float32Array | Float64Array; shape: number[] };
  if (ext === '.npy') a = readNpy(path);
  else {
    try {
      a = await readCsv(path, { header: options.header ?? 'auto', delimiter: options.delimiter ?? ',', allowNonFinite });
    } catch (e) {
      if (e instanceof CsvError && e.nonFinite) throw new CsvError(e.path, e.line, e.column, e.problem, advice, true);
      throw e;
    }
  }
  if (a.shape.length !== 2) throw new UsageError(`${path}: expected a 2-D array [rows, features], got shape [${a.shape}]`);
  if (!allowNonFinite && ext === '.npy') {
    const cols = a.shape[1] as number;
    const i = a.data.findIndex((x) => !Number.isFinite(x));
    if (i >= 0)
      throw new ValueError(`${path}: row ${Math.floor(i / cols)} (counted from 0), column ${(i % cols) + 1} is ${a.data[i]}, not a finite number; ${advice}`);
  }
  return tensor(a.data, { shape: a.shape, dtype });
}

/**
 * The checksum of a model file: the `crc32` that `saveFlow` writes into its metadata
 * (over the class, the options and the weights), read from the file's header. Part files
 * record it, so parts of different models never merge. Call it on a file that
 * {@link loadModel} accepted (which verified the checksum).
 *
 * @example
 * ```ts
 * import { loadModel, modelChecksum } from '@eddy/cli';
 * const flow = loadModel('model.safetensors');
 * const checksum = modelChecksum('model.safetensors'); // e.g. '1a2b3c4d'
 * ```
 */
export function modelChecksum(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const prefix = new Uint8Array(8);
    readSync(fd, prefix, 0, 8, 0);
    const length = Number(new DataView(prefix.buffer).getBigUint64(0, true));
    const header = new Uint8Array(length);
    readSync(fd, header, 0, length, 8);
    const meta = (JSON.parse(Buffer.from(header).toString('utf8')) as { __metadata__?: Record<string, unknown> }).__metadata__;
    const crc = meta?.crc32;
    if (typeof crc !== 'string') throw new UsageError(`${path}: the model file has no checksum in its metadata (not saved by saveFlow?)`);
    return crc;
  } finally {
    closeSync(fd);
  }
}
