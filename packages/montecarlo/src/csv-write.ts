import type { FloatDType } from '@eddy/core';
import { ValueError } from '@eddy/core';
import { AtomicFile } from '@eddy/flows';
import { csvDelimiter } from './csv.js';
import type { NpyArray } from './npy.js';

/** Bit view of one float32 (its significand bits tell a power of two). */
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/**
 * The shortest decimal text that reads back as exactly `v` in `dtype`, spelled so that
 * NumPy's `loadtxt` and {@link readCsv} read it: `nan`, `inf` and `-inf` for the
 * non-finite values (NumPy's `savetxt` spellings), `-0` for negative zero. A float64
 * gets JavaScript's shortest round-trip form (`String(v)`); a float32 the fewest
 * significant digits (at most 9) whose nearest float32 is `v` — `0.1` rather than the
 * float64 expansion `0.10000000149011612` — so float32 output is short and exact.
 * (A float32 `dtype` with a `v` that is not a float32 writes `Math.fround(v)`.)
 *
 * @example
 * ```ts
 * import { shortestDecimal } from '@eddy/montecarlo';
 * shortestDecimal(Math.fround(0.1), 'float32'); // '0.1'
 * shortestDecimal(Math.fround(0.1));            // '0.10000000149011612'
 * shortestDecimal(Number.NEGATIVE_INFINITY);   // '-inf'
 * ```
 * @category Files
 */
export function shortestDecimal(v: number, dtype: FloatDType = 'float64'): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Number.POSITIVE_INFINITY) return 'inf';
  if (v === Number.NEGATIVE_INFINITY) return '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  if (dtype === 'float64') return String(v);
  const f = Math.fround(v);
  if (!Number.isFinite(f)) return f > 0 ? 'inf' : '-inf';
  // 9 significant digits always identify a float32; fewer often do. A float32 whose
  // significand bits are all zero (a power of two) has a narrower gap below it than above,
  // so which digit counts work is not monotonic there: try them all, from 1. Otherwise,
  // if p digits identify it so do p + 1 (the nearest (p+1)-digit decimal is no farther
  // than the p-digit one), so count down from 8 while they do. String(Number(s)) keeps
  // the digits of toPrecision's s and drops its trailing zeros and exponent padding.
  F32[0] = f;
  if (((U32[0] as number) & 0x7fffff) === 0) {
    for (let p = 1; p < 9; p++) {
      const n = Number(f.toPrecision(p));
      if (Math.fround(n) === f) return String(n);
    }
  } else {
    let best = Number(f.toPrecision(8));
    if (Math.fround(best) === f) {
      for (let p = 7; p >= 1; p--) {
        const n = Number(f.toPrecision(p));
        if (Math.fround(n) !== f) break;
        best = n;
      }
      return String(best);
    }
  }
  return String(Number(f.toPrecision(9)));
}

/**
 * Options of {@link writeCsv}.
 * @category Files
 */
export interface CsvWriteOptions {
  /**
   * The names on the first line, one per column. Default: `x0,x1,…` (one per column;
   * `x0` for a 1-D array), so every file has a header that {@link readCsv} recognises;
   * `false` writes none.
   */
  header?: readonly string[] | false;
  /** The field separator (spellings as in {@link csvDelimiter}); `','` by default. */
  delimiter?: string;
}

/** A header name as a CSV field: quoted when it holds a quote, the delimiter, a line break or edge blanks. */
function headerField(name: string, delimiter: string): string {
  const needsQuotes = name.includes('"') || name.includes(delimiter) || /[\r\n]/.test(name) || name.trim() !== name || name === '';
  return needsQuotes ? `"${name.replaceAll('"', '""')}"` : name;
}

/** Bytes of text collected before they are written (the file is written in pieces of about this size). */
const PIECE = 1 << 20;

/**
 * Writes a 1-D or 2-D array as CSV: a header line (see {@link CsvWriteOptions.header}),
 * then one line per row, each value as its {@link shortestDecimal} for the array's dtype
 * (a `Float32Array` gets float32's shortest digits), non-finite values as `nan`, `inf`,
 * `-inf`. The file is written piece by piece (about 1 MiB of text at a time, never the
 * whole text at once) into an `AtomicFile`: under a temporary name, renamed into place
 * only when complete, so a failed write (disk full) leaves the previous file as it was.
 *
 * @example
 * ```ts
 * import { Rng } from '@eddy/core';
 * import { NSF } from '@eddy/flows';
 * import { writeCsv } from '@eddy/montecarlo';
 * const n = 100;
 * const flow = new NSF({ features: 2 }).call();
 * const x = flow.sample([n], new Rng(0));
 * const lp = flow.logProb(x);
 * writeCsv('lp.csv', { data: lp.dataSync() as Float32Array, shape: [n] }, { header: ['log_prob'] });
 * writeCsv('s.csv', { data: x.dataSync() as Float32Array, shape: [n, 2] }); // header x0,x1
 * ```
 * @category Files
 */
export function writeCsv(path: string, array: NpyArray, options: CsvWriteOptions = {}): void {
  const { data, shape } = array;
  if (shape.length !== 1 && shape.length !== 2) throw new ValueError(`writeCsv: expected a 1-D or 2-D array, got shape [${shape}]`);
  const rows = shape[0] as number;
  const cols = shape.length === 1 ? 1 : (shape[1] as number);
  if (rows * cols !== data.length) throw new ValueError(`writeCsv: shape [${shape}] needs ${rows * cols} values, the data has ${data.length}`);
  const delimiter = csvDelimiter(options.delimiter ?? ',');
  const names = options.header ?? Array.from({ length: cols }, (_, c) => `x${c}`);
  if (names !== false && names.length !== cols) throw new ValueError(`writeCsv: the header has ${names.length} names for ${cols} columns`);
  const dtype: FloatDType = data instanceof Float32Array ? 'float32' : 'float64';
  const encoder = new TextEncoder();
  // Each value takes at least one character and a separator: the least the file needs.
  const file = new AtomicFile(path, rows * cols * 2);
  try {
    let position = 0;
    let text = names === false ? '' : `${names.map((n) => headerField(n, delimiter)).join(delimiter)}\n`;
    for (let r = 0; r < rows; r++) {
      let line = shortestDecimal(data[r * cols] as number, dtype);
      for (let c = 1; c < cols; c++) line += delimiter + shortestDecimal(data[r * cols + c] as number, dtype);
      text += `${line}\n`;
      if (text.length >= PIECE) {
        const bytes = encoder.encode(text);
        file.writeAt(bytes, position);
        position += bytes.length;
        text = '';
      }
    }
    if (text.length > 0) file.writeAt(encoder.encode(text), position);
    file.commit();
  } catch (e) {
    file.abort();
    throw e;
  }
}
