import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { EddyError, type FloatDType } from '@eddy/core';
import { AtomicFile, writeFileAtomic } from '@eddy/flows';

/**
 * Thrown for a malformed or unsupported `.npy` file; the message says what is wrong.
 *
 * @example
 * ```ts
 * import { NpyError, readNpy } from '@eddy/montecarlo';
 * try { readNpy('x.npy'); } catch (e) { if (e instanceof NpyError) console.error(e.message); }
 * ```
 * @category Files
 */
export class NpyError extends EddyError {
  /** Stable error name: `NpyError`. */
  override name = 'NpyError';
}

/**
 * An array read from or written to a `.npy` file: row-major values and their shape.
 * @category Files
 */
export interface NpyArray {
  /** Values in C order. */
  data: Float32Array | Float64Array;
  /** Shape. */
  shape: number[];
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const DESCR: Record<FloatDType, string> = { float32: '<f4', float64: '<f8' };

/**
 * The complete `.npy` header (version 1.0, or 2.0 when it does not fit 65535 bytes) for a
 * little-endian float array in C order, padded with spaces to a multiple of 64 bytes.
 *
 * @example
 * ```ts
 * import { npyHeader } from '@eddy/montecarlo';
 * const header = npyHeader('float32', [1000000, 2]);
 * ```
 * @category Files
 */
export function npyHeader(dtype: FloatDType, shape: readonly number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  for (const version of [1, 2]) {
    const prefix = version === 1 ? 10 : 12;
    const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
    const len = total - prefix;
    if (version === 1 && len > 0xffff) continue;
    const out = new Uint8Array(total);
    out.set(MAGIC, 0);
    out[6] = version;
    out[7] = 0;
    const view = new DataView(out.buffer);
    if (version === 1) view.setUint16(8, len, true);
    else view.setUint32(8, len, true);
    const text = `${dict.padEnd(len - 1, ' ')}\n`;
    for (let i = 0; i < text.length; i++) out[prefix + i] = text.charCodeAt(i);
    return out;
  }
  throw new NpyError('npyHeader: header too large');
}

/**
 * A parsed `.npy` header.
 *
 * @example
 * ```ts
 * import { type NpyHeader, readNpyHeader } from '@eddy/montecarlo';
 * const h: NpyHeader = readNpyHeader('x.npy');
 * ```
 * @category Files
 */
export interface NpyHeader {
  /** Element type. */
  dtype: FloatDType;
  /** Shape. */
  shape: number[];
  /** Byte offset of the data. */
  dataOffset: number;
}

function parseHeader(bytes: Uint8Array, fileSize: number, name: string): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) throw new NpyError(`${name}: not a .npy file (bad magic string)`);
  const major = bytes[6] as number;
  if (major !== 1 && major !== 2 && major !== 3) throw new NpyError(`${name}: unsupported .npy version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prefix = major === 1 ? 10 : 12;
  if (bytes.length < prefix) throw new NpyError(`${name}: truncated header`);
  const len = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (prefix + len > bytes.length) throw new NpyError(`${name}: header length ${len} runs past the end of the file`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(prefix, prefix + len));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new NpyError(`${name}: malformed header ${JSON.stringify(text.trim())}`);
  if (fortran === 'True') throw new NpyError(`${name}: Fortran-ordered arrays are not supported (save with C order)`);
  const dtype = descr === '<f4' ? 'float32' : descr === '<f8' ? 'float64' : undefined;
  if (dtype === undefined) throw new NpyError(`${name}: dtype ${descr} is not supported (expected little-endian float32 '<f4' or float64 '<f8')`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const v = Number(s.replace(/L$/, ''));
      if (!Number.isSafeInteger(v) || v < 0) throw new NpyError(`${name}: bad shape entry ${s}`);
      return v;
    });
  const size = shape.reduce((a, b) => a * b, 1);
  const dataOffset = prefix + len;
  const expected = dataOffset + size * (dtype === 'float32' ? 4 : 8);
  if (fileSize !== expected) {
    throw new NpyError(`${name}: file has ${fileSize} bytes, the header (shape [${shape}], ${dtype}) implies ${expected}`);
  }
  return { dtype, shape, dataOffset };
}

/**
 * Reads a `.npy` file (float32 or float64, little-endian, C order) from a path or bytes.
 * The header is validated, including that the data length matches the shape.
 *
 * @example
 * ```ts
 * import { readNpy } from '@eddy/montecarlo';
 * const { data, shape } = readNpy('samples.npy');
 * ```
 * @category Files
 */
export function readNpy(source: string | Uint8Array): NpyArray {
  const bytes = typeof source === 'string' ? new Uint8Array(readFileSync(source)) : source;
  const name = typeof source === 'string' ? source : '.npy bytes';
  const h = parseHeader(bytes, bytes.length, name);
  const n = h.shape.reduce((a, b) => a * b, 1);
  const body = bytes.slice(h.dataOffset, h.dataOffset + n * (h.dtype === 'float32' ? 4 : 8));
  const data = h.dtype === 'float32' ? new Float32Array(body.buffer, 0, n) : new Float64Array(body.buffer, 0, n);
  return { data, shape: h.shape };
}

/**
 * Reads only the header of a `.npy` file: its dtype, shape and where the data starts
 * (for streaming through a file larger than memory).
 *
 * @example
 * ```ts
 * import { readNpyHeader } from '@eddy/montecarlo';
 * const { shape } = readNpyHeader('points.npy');
 * ```
 * @category Files
 */
export function readNpyHeader(path: string): NpyHeader {
  const fd = openSync(path, 'r');
  try {
    const size = statSync(path).size;
    // The fixed prefix says how long the header is; then read exactly that much.
    const prefix = new Uint8Array(12);
    const got = readSync(fd, prefix, 0, prefix.length, 0);
    let need = got;
    if (got >= 10 && MAGIC.every((m, i) => prefix[i] === m)) {
      const view = new DataView(prefix.buffer);
      need = prefix[6] === 1 ? 10 + view.getUint16(8, true) : got >= 12 ? 12 + view.getUint32(8, true) : got;
    }
    if (need > size) need = size;
    if (need > 16 * 1024 * 1024) throw new NpyError(`${path}: header of ${need} bytes is larger than any .npy header needs`);
    const buf = new Uint8Array(Math.max(need, got));
    const n = readSync(fd, buf, 0, buf.length, 0);
    return parseHeader(buf.subarray(0, n), size, path);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads rows `[start, end)` of a `.npy` file without reading the rest (every byte asked
 * for, or an {@link NpyError}).
 *
 * @example
 * ```ts
 * import { readNpyRows } from '@eddy/montecarlo';
 * const { data, shape } = readNpyRows('points.npy', 1000, 2000); // shape [1000, d]
 * ```
 * @category Files
 */
export function readNpyRows(path: string, start: number, end: number): NpyArray {
  const h = readNpyHeader(path);
  const rowSize = h.shape.slice(1).reduce((a, b) => a * b, 1);
  const bytesPer = h.dtype === 'float32' ? 4 : 8;
  const rows = (h.shape[0] as number) ?? 1;
  if (start < 0 || end > rows || start > end) throw new NpyError(`${path}: rows [${start}, ${end}) out of range [0, ${rows})`);
  const n = (end - start) * rowSize;
  const buf = new Uint8Array(n * bytesPer);
  const fd = openSync(path, 'r');
  try {
    // readSync may return fewer bytes than asked: read until all are in, or fail.
    const at = h.dataOffset + start * rowSize * bytesPer;
    for (let got = 0; got < buf.length; ) {
      const k = readSync(fd, buf, got, buf.length - got, at + got);
      if (k <= 0) throw new NpyError(`${path}: the file ended after ${at + got} bytes while reading rows [${start}, ${end}) (it changed while being read?)`);
      got += k;
    }
  } finally {
    closeSync(fd);
  }
  const data = h.dtype === 'float32' ? new Float32Array(buf.buffer, 0, n) : new Float64Array(buf.buffer, 0, n);
  return { data, shape: [end - start, ...h.shape.slice(1)] };
}

/**
 * Writes a float32 or float64 array as a `.npy` file (or returns the bytes without a path).
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { writeNpy } from '@eddy/montecarlo';
 * const x = randn([100, 2], { seed: 0 });
 * writeNpy('samples.npy', { data: x.dataSync() as Float32Array, shape: [...x.shape] });
 * ```
 * @category Files
 */
export function writeNpy(path: string | null, array: NpyArray): Uint8Array {
  const dtype: FloatDType = array.data instanceof Float32Array ? 'float32' : 'float64';
  const size = array.shape.reduce((a, b) => a * b, 1);
  if (size !== array.data.length) throw new NpyError(`writeNpy: shape [${array.shape}] needs ${size} values, got ${array.data.length}`);
  const header = npyHeader(dtype, array.shape);
  const out = new Uint8Array(header.length + array.data.byteLength);
  out.set(header, 0);
  out.set(new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength), header.length);
  if (path !== null) writeFileAtomic(path, out);
  return out;
}

/**
 * A `.npy` file of known shape filled in pieces, in any order: the header is written
 * first, then each block of rows lands at its own offset. Used to stream results larger
 * than memory to disk as shards finish. It is written under a temporary name beside the
 * target and only {@link NpyWriter.commit} (every row written, flushed) renames it into
 * place: a failed, cancelled or killed job never leaves a file that looks complete, and a
 * previous file at the target survives it. Every write is complete or throws (disk full).
 *
 * @example
 * ```ts
 * import { NpyWriter } from '@eddy/montecarlo';
 * const w = new NpyWriter('s.npy', 'float32', [1e8, 2]);
 * const chunk = new Float32Array(2 * 1000); // 1000 rows of 2
 * try {
 *   w.writeRows(0, chunk); // rows 0..chunk.length/2, then the others
 *   w.commit();
 * } catch (e) {
 *   w.abort();
 *   throw e;
 * }
 * ```
 * @category Files
 */
export class NpyWriter {
  /** Destination path (written only by {@link NpyWriter.commit}). */
  readonly path: string;
  /** Element type. */
  readonly dtype: FloatDType;
  /** Full array shape. */
  readonly shape: readonly number[];
  readonly #file: AtomicFile;
  readonly #offset: number;
  readonly #rowBytes: number;
  readonly #rows: number;
  #written = 0;

  /**
   * Starts the file under a temporary name beside `path` (after checking the free space
   * for the whole array) and writes the header.
   */
  constructor(path: string, dtype: FloatDType, shape: readonly number[]) {
    this.path = path;
    this.dtype = dtype;
    this.shape = [...shape];
    const header = npyHeader(dtype, shape);
    this.#offset = header.length;
    this.#rowBytes = shape.slice(1).reduce((a, b) => a * b, 1) * (dtype === 'float32' ? 4 : 8);
    this.#rows = shape[0] ?? 1;
    this.#file = new AtomicFile(path, this.#offset + this.#rows * this.#rowBytes);
    try {
      this.#file.writeAt(header, 0);
    } catch (e) {
      this.#file.abort();
      throw e;
    }
  }

  /** Writes rows `[start, start + rows)` (all of them, or throws an `OutputError`). */
  writeRows(start: number, data: Float32Array | Float64Array): void {
    const expected = this.dtype === 'float32' ? Float32Array : Float64Array;
    if (!(data instanceof expected)) throw new NpyError(`NpyWriter: expected ${this.dtype} rows`);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (bytes.length % this.#rowBytes !== 0) throw new NpyError('NpyWriter: data is not a whole number of rows');
    const rows = bytes.length / this.#rowBytes;
    if (start < 0 || start + rows > this.#rows) throw new NpyError(`NpyWriter: rows [${start}, ${start + rows}) out of range`);
    this.#file.writeAt(bytes, this.#offset + start * this.#rowBytes);
    this.#written += rows;
  }

  /**
   * Finishes the file: checks that every row was written, flushes it and renames it over
   * `path`. Throws (leaving `path` as it was) if rows are missing.
   */
  commit(): void {
    if (this.#written !== this.#rows) {
      this.#file.abort();
      throw new NpyError(`${this.path}: ${this.#written} of ${this.#rows} rows were written; the file was not saved`);
    }
    this.#file.commit();
  }

  /** Drops the temporary file; `path` keeps whatever it held before. */
  abort(): void {
    this.#file.abort();
  }
}
