import { closeSync, existsSync, openSync, readFileSync, readSync, realpathSync, unlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import { EddyError, type FloatDType, ValueError } from '@eddy/core';
import { AtomicFile, writeFileAtomic } from '@eddy/flows';
import { type NpyHeader, npyHeader, readNpyHeader } from './npy.js';
import type { Progress } from './pool.js';

// Part files: one row range of a larger job, written by one process (one machine, one
// task of a scheduler), and the merge that puts the ranges back together. A part is a
// plain `.npy` of its rows (NumPy reads it); what it is a part of lives in a JSON sidecar
// beside it, `<part>.npy.json`. Not in the `.npy` header: NumPy's header parser requires
// exactly the keys descr, fortran_order and shape ("Header does not contain the correct
// keys"), so extra keys would make the part unreadable by NumPy.

/**
 * The `format` of a part file's sidecar (bumped if its meaning ever changes).
 *
 * @example
 * ```ts
 * import { PART_FORMAT, readPartInfo } from '@eddy/montecarlo';
 * readPartInfo('part-0.npy').format === PART_FORMAT; // 'eddy-part/1'
 * ```
 * @category Parts
 */
export const PART_FORMAT = 'eddy-part/1';

/**
 * What a part holds: `sample` — draws (rows of `[n, ...eventShape]`); `logProb` —
 * log-densities of rows of an input file (rows of `[n]`).
 * @category Parts
 */
export type PartKind = 'sample' | 'logProb';

/**
 * A part file's sidecar (`<part>.npy.json`): what the part is a part of. Parts merge only
 * when they agree on everything but `rows`, `shape` (first entry), `dataCrc32` and `input`.
 *
 * @example
 * ```ts
 * import { type PartInfo } from '@eddy/montecarlo';
 * const info: PartInfo = {
 *   format: 'eddy-part/1', kind: 'sample', modelChecksum: '1a2b3c4d', seed: 1, stream: 0,
 *   dtype: 'float32', rows: [0, 500], total: 1000, shape: [500, 2], dataCrc32: '0badf00d', eddyVersion: '0.1.0',
 * };
 * ```
 * @category Parts
 */
export interface PartInfo {
  /** Always {@link PART_FORMAT}. */
  format: typeof PART_FORMAT;
  /** What the rows are. */
  kind: PartKind;
  /** The model's checksum: the `crc32` that `saveFlow` puts in the model file's metadata. */
  modelChecksum: string;
  /** Seed of the draws (`sample` parts only). */
  seed?: number;
  /** Sub-stream of the draws (`sample` parts only). */
  stream?: number;
  /** Element type of the part's array. */
  dtype: FloatDType;
  /** The rows `[start, end)` of the whole job that the part holds. */
  rows: [start: number, end: number];
  /** Rows of the whole job, when the writer knew it (`-n`, or the input file's rows). */
  total?: number;
  /** Shape of the part's array: `[end - start, ...featureShape]`. */
  shape: number[];
  /** CRC-32 (8 hex digits) of the part's data bytes (after the `.npy` header), checked by {@link mergeParts}. */
  dataCrc32: string;
  /** Version of Eddy that wrote it: parts of different versions do not merge. */
  eddyVersion: string;
  /** `logProb` parts: the input file as it was named (informative; not compared). */
  input?: string;
  /**
   * Which kernels computed the rows, e.g. `cpu native avx512` or `cpu typescript`
   * (informative). Kernels may round differently in the last bits, so parts from machines
   * running different kernels merge into correct draws but not into the bytes of a single
   * run: {@link mergeParts} reports the kernels it saw ({@link MergeResult.kernels})
   * instead of refusing them.
   */
  kernels?: string;
}

/**
 * What the writer of a part says about it; {@link writePartInfo} reads the rest (`dtype`,
 * `shape`, the data checksum) from the `.npy` file itself.
 * @category Parts
 */
export type PartDescription = Omit<PartInfo, 'format' | 'dtype' | 'shape' | 'dataCrc32'>;

/**
 * A part file that is missing, is not a part, does not match its sidecar, or does not fit
 * with the others of a merge; the message names the file(s) and row ranges.
 *
 * @example
 * ```ts
 * import { mergeParts, PartError } from '@eddy/montecarlo';
 * try { await mergeParts(['a.npy', 'b.npy'], 'all.npy'); } catch (e) { if (e instanceof PartError) console.error(e.message); }
 * ```
 * @category Parts
 */
export class PartError extends EddyError {
  /** Stable error name: `PartError`. */
  override name = 'PartError';
}

/**
 * The sidecar path of a part: `<part>.json` (`part-3.npy` → `part-3.npy.json`).
 *
 * @example
 * ```ts
 * import { partInfoPath } from '@eddy/montecarlo';
 * partInfoPath('out/part-3.npy'); // 'out/part-3.npy.json'
 * ```
 * @category Parts
 */
export function partInfoPath(partPath: string): string {
  return `${partPath}.json`;
}

/**
 * Removes a part's sidecar if there is one. A job that writes a part calls this before it
 * starts, so a part it fails to finish is never described by an older sidecar.
 *
 * @example
 * ```ts
 * import { NSF } from '@eddy/flows';
 * import { FlowPool, removePartInfo } from '@eddy/montecarlo';
 * const [pool, flow] = [new FlowPool({ threads: 2 }), new NSF({ features: 2 })];
 * removePartInfo('part-3.npy');
 * await pool.sampleToFile(flow, 1000, 'part-3.npy', { seed: 1, firstRow: 3000 });
 * ```
 * @category Parts
 */
export function removePartInfo(partPath: string): void {
  try {
    unlinkSync(partInfoPath(partPath));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/**
 * Rows `[start, end)` of shard `index` (counted from 0) of `shards` near-equal contiguous
 * ranges of `n` rows: the first `n % shards` shards have one row more than the others, and
 * together the shards tile `[0, n)` in order.
 *
 * @example
 * ```ts
 * import { shardRows } from '@eddy/montecarlo';
 * shardRows(0, 3, 10); // [0, 4]
 * shardRows(2, 3, 10); // [7, 10]
 * ```
 * @category Parts
 */
export function shardRows(index: number, shards: number, n: number): [start: number, end: number] {
  if (!Number.isSafeInteger(n) || n < 0) throw new ValueError(`shardRows: n must be a non-negative integer, got ${n}`);
  if (!Number.isSafeInteger(shards) || shards < 1) throw new ValueError(`shardRows: shards must be a positive integer, got ${shards}`);
  if (!Number.isSafeInteger(index) || index < 0 || index >= shards) throw new ValueError(`shardRows: index must be an integer in [0, ${shards}), got ${index}`);
  // Without index·n, which could pass 2^53 for a large job.
  const base = Math.floor(n / shards);
  const extra = n % shards;
  const start = index * base + Math.min(index, extra);
  return [start, start + base + (index < extra ? 1 : 0)];
}

const CHUNK_BYTES = 8 * 1024 * 1024;
const bytesOf = (dtype: FloatDType): number => (dtype === 'float32' ? 4 : 8);
const hex = (c: number): string => (c >>> 0).toString(16).padStart(8, '0');
const range = ([a, b]: readonly [number, number]): string => `[${a}, ${b})`;

/** Reads `length` bytes from `fd` at `position` into `buf` (all of them, or a PartError). */
function readFully(fd: number, buf: Uint8Array, length: number, position: number, path: string): void {
  for (let got = 0; got < length; ) {
    const k = readSync(fd, buf, got, length - got, position + got);
    if (k <= 0) throw new PartError(`${path}: the file ended after ${position + got} bytes (it changed while being read?)`);
    got += k;
  }
}

/** Streams the data section of a `.npy` file through `each(chunk)`, in order. */
function forEachDataChunk(path: string, h: NpyHeader, each: (chunk: Uint8Array) => void): void {
  const size = h.shape.reduce((a, b) => a * b, 1) * bytesOf(h.dtype);
  const buf = new Uint8Array(Math.min(CHUNK_BYTES, Math.max(size, 1)));
  const fd = openSync(path, 'r');
  try {
    for (let done = 0; done < size; ) {
      const k = Math.min(buf.length, size - done);
      readFully(fd, buf, k, h.dataOffset + done, path);
      each(buf.subarray(0, k));
      done += k;
    }
  } finally {
    closeSync(fd);
  }
}

/** CRC-32 of the data section of a `.npy` file (read in chunks). */
function dataChecksum(path: string, h: NpyHeader): string {
  let c = 0;
  forEachDataChunk(path, h, (chunk) => {
    c = crc32(chunk, c);
  });
  return hex(c);
}

const isInt = (v: unknown, min = 0): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

/** Checks what a writer says about its part (the same rules {@link readPartInfo} applies). */
function checkDescription(d: Partial<PartInfo>, where: string): void {
  const bad = (what: string): never => {
    throw new PartError(`${where}: ${what}`);
  };
  if (d.kind !== 'sample' && d.kind !== 'logProb') bad(`kind must be "sample" or "logProb", got ${JSON.stringify(d.kind)}`);
  if (typeof d.modelChecksum !== 'string' || d.modelChecksum.length === 0) bad('modelChecksum must be a non-empty string');
  if (d.kind === 'sample') {
    if (!isInt(d.seed)) bad(`a sample part needs seed, a non-negative integer, got ${JSON.stringify(d.seed)}`);
    if (!isInt(d.stream)) bad(`a sample part needs stream, a non-negative integer, got ${JSON.stringify(d.stream)}`);
  } else if (d.seed !== undefined || d.stream !== undefined) bad('a logProb part has no seed or stream (it draws nothing)');
  const rows = d.rows as unknown;
  if (!Array.isArray(rows) || rows.length !== 2 || !isInt(rows[0]) || !isInt(rows[1]) || rows[0] > rows[1]) {
    bad(`rows must be [start, end] with integers 0 ≤ start ≤ end, got ${JSON.stringify(rows)}`);
  }
  const [, end] = rows as [number, number];
  if (d.total !== undefined && (!isInt(d.total) || d.total < end)) bad(`total must be an integer ≥ the end of rows (${end}), got ${JSON.stringify(d.total)}`);
  if (typeof d.eddyVersion !== 'string' || d.eddyVersion.length === 0) bad('eddyVersion must be a non-empty string');
  if (d.input !== undefined && typeof d.input !== 'string') bad('input must be a string');
  if (d.kernels !== undefined && typeof d.kernels !== 'string') bad('kernels must be a string');
}

/**
 * Makes `partPath` (a `.npy` file just written by a job over rows `description.rows`) a
 * part file: reads its header and the checksum of its data, and writes the sidecar
 * `<part>.json` atomically. Call it after the `.npy` is complete; a part without its
 * sidecar is not a part ({@link mergeParts} refuses it), so a job killed in between leaves
 * nothing that looks finished.
 *
 * @example
 * ```ts
 * import { NSF } from '@eddy/flows';
 * import { FlowPool, removePartInfo, writePartInfo } from '@eddy/montecarlo';
 * const [pool, flow] = [new FlowPool({ threads: 2 }), new NSF({ features: 2 })];
 * const modelChecksum = '1a2b3c4d'; // of the model file
 * removePartInfo('part-1.npy');
 * await pool.sampleToFile(flow, 500, 'part-1.npy', { seed: 1, firstRow: 500 });
 * writePartInfo('part-1.npy', { kind: 'sample', modelChecksum, seed: 1, stream: 0, rows: [500, 1000], total: 1000, eddyVersion: '0.1.0' });
 * ```
 * @category Parts
 */
export function writePartInfo(partPath: string, description: PartDescription): PartInfo {
  checkDescription(description, `writePartInfo(${partPath})`);
  const h = readNpyHeader(partPath);
  const [start, end] = description.rows;
  if (h.shape.length === 0 || h.shape[0] !== end - start) {
    throw new PartError(`writePartInfo: ${partPath} has shape [${h.shape}], but rows ${range(description.rows)} are ${end - start} rows`);
  }
  const { kind, modelChecksum, seed, stream, rows, total, eddyVersion, input, kernels } = description;
  // Keys in a fixed order, absent ones left out: the same part gives the same sidecar.
  const info: PartInfo = {
    format: PART_FORMAT,
    kind,
    modelChecksum,
    ...(seed === undefined ? {} : { seed }),
    ...(stream === undefined ? {} : { stream }),
    dtype: h.dtype,
    rows: [rows[0], rows[1]],
    ...(total === undefined ? {} : { total }),
    shape: [...h.shape],
    dataCrc32: dataChecksum(partPath, h),
    eddyVersion,
    ...(input === undefined ? {} : { input }),
    ...(kernels === undefined ? {} : { kernels }),
  };
  writeFileAtomic(partInfoPath(partPath), `${JSON.stringify(info, null, 2)}\n`);
  return info;
}

/**
 * Reads and checks a part file's sidecar, and that the `.npy` beside it is the array it
 * describes (dtype and shape; the data checksum is checked by {@link mergeParts}, which
 * reads the data anyway). Throws a {@link PartError} naming the file for a missing or
 * malformed sidecar, or one that does not match its `.npy`.
 *
 * @example
 * ```ts
 * import { readPartInfo } from '@eddy/montecarlo';
 * const { rows, total, seed } = readPartInfo('part-1.npy');
 * ```
 * @category Parts
 */
export function readPartInfo(partPath: string): PartInfo {
  if (!existsSync(partPath)) throw new PartError(`${partPath}: file not found`);
  const sidecar = partInfoPath(partPath);
  if (!existsSync(sidecar)) {
    throw new PartError(
      `${partPath} is not a part file: there is no ${sidecar} beside it (parts are written by eddy sample/logprob with --rows or --shard, or writePartInfo)`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(sidecar, 'utf8'));
  } catch (e) {
    throw new PartError(`${sidecar} is not valid JSON (${(e as Error).message}): ${partPath} is not a part file`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new PartError(`${sidecar} is not a JSON object: ${partPath} is not a part file`);
  const info = raw as Partial<PartInfo>;
  if (info.format !== PART_FORMAT)
    throw new PartError(
      `${sidecar}: format ${JSON.stringify(info.format)} is not ${JSON.stringify(PART_FORMAT)}: ${partPath} is not a part file this version reads`,
    );
  checkDescription(info, sidecar);
  if (info.dtype !== 'float32' && info.dtype !== 'float64')
    throw new PartError(`${sidecar}: dtype must be float32 or float64, got ${JSON.stringify(info.dtype)}`);
  const shape = info.shape as unknown;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => isInt(d)))
    throw new PartError(`${sidecar}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  if (typeof info.dataCrc32 !== 'string' || !/^[0-9a-f]{8}$/.test(info.dataCrc32))
    throw new PartError(`${sidecar}: dataCrc32 must be 8 hex digits, got ${JSON.stringify(info.dataCrc32)}`);
  const [start, end] = info.rows as [number, number];
  if (shape[0] !== end - start) throw new PartError(`${sidecar}: shape [${shape}] does not have the ${end - start} rows of ${range([start, end])}`);
  let h: NpyHeader;
  try {
    h = readNpyHeader(partPath);
  } catch (e) {
    throw new PartError(`${partPath} is not a part file: ${(e as Error).message}`);
  }
  if (h.dtype !== info.dtype || h.shape.length !== shape.length || h.shape.some((d, i) => d !== shape[i])) {
    throw new PartError(
      `${partPath} does not match its sidecar: the file holds ${h.dtype} [${h.shape}], ${sidecar} says ${info.dtype} [${shape}] (the file was replaced after the part was written?)`,
    );
  }
  return info as PartInfo;
}

/**
 * Options of {@link mergeParts}.
 * @category Parts
 */
export interface MergeOptions {
  /**
   * Rows of the whole job: the parts must cover `[0, total)`. Default: the `total` the
   * parts record (a part written without one records none), else the end of the last part.
   */
  total?: number;
  /** Stops the merge between chunks (the output is then not written). */
  signal?: AbortSignal;
  /** Called as rows are copied. */
  onProgress?: (p: Progress) => void;
}

/**
 * The file written by {@link mergeParts}, and the parts in row order.
 *
 * @example
 * ```ts
 * import { mergeParts } from '@eddy/montecarlo';
 * const { path, shape, parts } = await mergeParts(['p1.npy', 'p0.npy'], 'all.npy');
 * ```
 * @category Parts
 */
export interface MergeResult {
  /** The merged `.npy`. */
  path: string;
  /** Its shape: `[total, ...featureShape]`. */
  shape: number[];
  /** The parts' sidecars, sorted by their rows. */
  parts: PartInfo[];
  /**
   * The different `kernels` the parts record, sorted. More than one: the rows are correct
   * draws, but may differ in the last bits from a single run on one machine.
   */
  kernels: string[];
}

/** The file a path names, links resolved (the path itself for a file that does not exist). */
function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

const FIELDS = ['kind', 'modelChecksum', 'seed', 'stream', 'dtype', 'eddyVersion'] as const;

/**
 * Concatenates part files into one plain `.npy` (no sidecar): the same bytes one job over
 * all the rows writes (on machines that run the same kernels: see {@link PartInfo.kernels}). First every part is checked — a part file with its sidecar, the
 * same kind, model checksum, seed and stream, dtype, feature shape and Eddy version as the
 * others, the same `total` where recorded — and the parts, in any order, must tile
 * `[0, total)` with no gap and no overlap (a {@link PartError} names every gap and overlap
 * with the parts around it). Then they are copied in order, 8 MiB at a time (memory does
 * not grow with the parts), each part's data checked against its sidecar's checksum, into
 * an atomic file: the output appears only when complete, and a failed or cancelled merge
 * leaves a previous file at `outPath` as it was.
 *
 * @example
 * ```ts
 * import { mergeParts } from '@eddy/montecarlo';
 * const { shape } = await mergeParts(['part-2.npy', 'part-0.npy', 'part-1.npy'], 'all.npy');
 * ```
 * @category Parts
 */
export async function mergeParts(partPaths: readonly string[], outPath: string, options: MergeOptions = {}): Promise<MergeResult> {
  if (partPaths.length === 0) throw new PartError('mergeParts: no parts to merge');
  const out = canonical(outPath);
  for (const p of partPaths) {
    if (canonical(p) === out || canonical(partInfoPath(p)) === out)
      throw new PartError(`mergeParts: the output ${outPath} is the part ${p} (or its sidecar): writing it would destroy the part`);
  }
  const parts = partPaths.map((path) => ({ path, info: readPartInfo(path) }));
  parts.sort((a, b) => a.info.rows[0] - b.info.rows[0] || a.info.rows[1] - b.info.rows[1]);
  const first = parts[0] as (typeof parts)[number];
  const features = first.info.shape.slice(1);
  for (const p of parts.slice(1)) {
    for (const f of FIELDS) {
      if (p.info[f] !== first.info[f]) {
        throw new PartError(
          `the parts are of different jobs: ${first.path} has ${f} ${JSON.stringify(first.info[f])}, ${p.path} has ${JSON.stringify(p.info[f])}`,
        );
      }
    }
    const pf = p.info.shape.slice(1);
    if (pf.length !== features.length || pf.some((d, i) => d !== features[i])) {
      throw new PartError(`the parts are of different jobs: ${first.path} has rows of shape [${features}], ${p.path} of shape [${pf}]`);
    }
  }
  // The whole job's size: given, or recorded (all the same), or where the last part ends.
  let total: number | undefined;
  let totalFrom = '';
  for (const p of parts) {
    if (p.info.total === undefined) continue;
    if (total !== undefined && p.info.total !== total)
      throw new PartError(`the parts are of different jobs: ${totalFrom} is a part of ${total} rows, ${p.path} of ${p.info.total}`);
    total = p.info.total;
    totalFrom = p.path;
  }
  if (options.total !== undefined) {
    if (!isInt(options.total)) throw new ValueError(`mergeParts: total must be a non-negative integer, got ${options.total}`);
    if (total !== undefined && total !== options.total) throw new PartError(`the parts are of a job of ${total} rows (${totalFrom}), not ${options.total}`);
    total = options.total;
  }
  const nonEmpty = parts.filter((p) => p.info.rows[1] > p.info.rows[0]);
  total ??= nonEmpty.reduce((m, p) => Math.max(m, p.info.rows[1]), 0);
  // Every gap and overlap, in row order, each with the parts around it.
  const problems: string[] = [];
  let end = 0;
  let prev: (typeof parts)[number] | undefined;
  for (const p of nonEmpty) {
    const [s, e] = p.info.rows;
    const before = prev === undefined ? 'before the first part' : `between ${prev.path} ${range(prev.info.rows)} and`;
    if (s > end) problems.push(`rows ${range([end, s])} are missing (${before} ${p.path} ${range(p.info.rows)})`);
    else if (s < end && prev !== undefined)
      problems.push(`rows ${range([s, Math.min(end, e)])} are in both ${prev.path} ${range(prev.info.rows)} and ${p.path} ${range(p.info.rows)}`);
    if (e > end) {
      end = e;
      prev = p;
    }
  }
  if (end < total) problems.push(`rows ${range([end, total])} are missing (after ${prev === undefined ? 'no part' : `${prev.path} ${range(prev.info.rows)}`})`);
  if (end > total && prev !== undefined) problems.push(`${prev.path} ${range(prev.info.rows)} ends past the ${total} rows of the job`);
  if (problems.length > 0) throw new PartError(`the parts do not tile rows [0, ${total}) exactly: ${problems.join('; ')}`);

  const dtype = first.info.dtype;
  const rowBytes = features.reduce((a, b) => a * b, 1) * bytesOf(dtype);
  const shape = [total, ...features];
  const header = npyHeader(dtype, shape);
  const file = new AtomicFile(outPath, header.length + total * rowBytes);
  const t0 = performance.now();
  const yieldNow = (): Promise<void> => new Promise((r) => setImmediate(r));
  try {
    file.writeAt(header, 0);
    let at = header.length;
    for (const p of nonEmpty) {
      const h = readNpyHeader(p.path);
      let c = 0;
      // Read synchronously in chunks, yielding between them so a signal can stop the merge.
      const size = h.shape.reduce((a, b) => a * b, 1) * bytesOf(h.dtype);
      const fd = openSync(p.path, 'r');
      try {
        const buf = new Uint8Array(Math.min(CHUNK_BYTES, Math.max(size, 1)));
        for (let off = 0; off < size; ) {
          if (options.signal?.aborted === true) throw new EddyError(`merge cancelled: ${String(options.signal.reason ?? 'aborted')}`);
          const k = Math.min(buf.length, size - off);
          readFully(fd, buf, k, h.dataOffset + off, p.path);
          const chunk = buf.subarray(0, k);
          c = crc32(chunk, c);
          file.writeAt(chunk, at);
          at += k;
          off += k;
          const done = rowBytes > 0 ? Math.floor((at - header.length) / rowBytes) : total;
          const secs = (performance.now() - t0) / 1000;
          const rate = done / Math.max(secs, 1e-9);
          options.onProgress?.({ done, total, rowsPerSecond: rate, etaSeconds: (total - done) / Math.max(rate, 1e-9) });
          await yieldNow();
        }
      } finally {
        closeSync(fd);
      }
      if (hex(c) !== p.info.dataCrc32) {
        throw new PartError(
          `${p.path}: its data do not match the checksum in ${partInfoPath(p.path)} (${hex(c)}, recorded ${p.info.dataCrc32}): the part is corrupt or was changed after it was written`,
        );
      }
    }
    if (options.signal?.aborted === true) throw new EddyError(`merge cancelled: ${String(options.signal.reason ?? 'aborted')}`);
    file.commit();
  } catch (e) {
    file.abort();
    throw e;
  }
  const kernels = [...new Set(parts.flatMap((p) => (p.info.kernels === undefined ? [] : [p.info.kernels])))].sort();
  return { path: outPath, shape, parts: parts.map((p) => p.info), kernels };
}
