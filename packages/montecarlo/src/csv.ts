import { readFileSync } from 'node:fs';
import { ValueError } from '@eddy/core';
import { writeFileAtomic } from '@eddy/flows';
import type { NpyArray } from './npy.js';

/**
 * Options of {@link readCsv}.
 *
 * @example
 * ```ts
 * const o: CsvOptions = { header: true };
 * ```
 * @category Files
 */
export interface CsvOptions {
  /**
   * Whether the first row is a header of names: `true` skips it, `false` reads it as data,
   * `'auto'` (default) takes it as a header only when none of its fields is a number —
   * a first row that mixes numbers and text is an error, never a guess that drops a row.
   */
  header?: boolean | 'auto';
}

/** A field without surrounding quotes and blanks. */
function unquote(f: string): string {
  const t = f.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
}

const SPECIAL: Record<string, number> = { nan: Number.NaN, inf: Number.POSITIVE_INFINITY, '+inf': Number.POSITIVE_INFINITY, '-inf': Number.NEGATIVE_INFINITY, infinity: Number.POSITIVE_INFINITY, '+infinity': Number.POSITIVE_INFINITY, '-infinity': Number.NEGATIVE_INFINITY };

/** The number a field holds (NaN and ±Inf spelled out count), or undefined for text. */
function fieldValue(f: string): number | undefined {
  const t = unquote(f);
  if (t === '') return undefined;
  const special = SPECIAL[t.toLowerCase()];
  if (special !== undefined) return special;
  // Decimal notation only: Number() would also take '0x10', '0b1' and '1_0'.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

/**
 * Reads a CSV file of numbers into a `[rows, columns]` float64 array. Fields may be
 * quoted; `NaN`, `inf` and `-inf` are read as such. The first row is a header of names only
 * when it has no number in it (or with `header: true`); a first row that mixes numbers
 * and text is an error, so a row of data is never dropped for looking like a header.
 * Every row must have the same number of fields; a field that is not a number is an
 * error naming its line and column.
 *
 * @example
 * ```ts
 * const { data, shape } = readCsv('points.csv'); // shape [n, d]
 * ```
 * @category Files
 */
export function readCsv(path: string, options: CsvOptions = {}): NpyArray {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.trim().length > 0);
  if (lines.length === 0) throw new ValueError(`${path}: empty CSV file`);
  const first = (lines[0] as string).split(',');
  const mode = options.header ?? 'auto';
  let header: boolean;
  if (mode === 'auto') {
    const numeric = first.map((f) => fieldValue(f) !== undefined);
    if (numeric.every((v) => !v)) header = true;
    else if (numeric.every((v) => v)) header = false;
    else {
      throw new ValueError(
        `${path}:1: the first row mixes numbers and text (${first.map((f) => JSON.stringify(f.trim())).join(', ')}); if it is a header, say so (header: true, eddy --header)`,
      );
    }
  } else header = mode;
  const body = header ? lines.slice(1) : lines;
  const cols = first.length;
  const data = new Float64Array(body.length * cols);
  body.forEach((line, r) => {
    const fields = line.split(',');
    if (fields.length !== cols) throw new ValueError(`${path}:${r + (header ? 2 : 1)}: expected ${cols} fields, got ${fields.length}`);
    fields.forEach((f, c) => {
      const v = fieldValue(f);
      if (v === undefined) throw new ValueError(`${path}:${r + (header ? 2 : 1)}: column ${c + 1} is not a number: ${JSON.stringify(f)}`);
      data[r * cols + c] = v;
    });
  });
  return { data, shape: [body.length, cols] };
}

/**
 * Writes a 1-D or 2-D array as CSV (shortest round-trip decimal for each value), with an
 * optional header row, all at once under a temporary name renamed into place.
 *
 * @example
 * ```ts
 * writeCsv('lp.csv', { data: lp.dataSync() as Float64Array, shape: [n] }, ['log_prob']);
 * ```
 * @category Files
 */
export function writeCsv(path: string, array: NpyArray, header?: readonly string[]): void {
  const cols = array.shape.length === 1 ? 1 : (array.shape[1] as number);
  const rows = array.shape[0] as number;
  const out: string[] = header === undefined ? [] : [header.join(',')];
  for (let r = 0; r < rows; r++) {
    const fields: string[] = [];
    for (let c = 0; c < cols; c++) fields.push(String(array.data[r * cols + c]));
    out.push(fields.join(','));
  }
  writeFileAtomic(path, `${out.join('\n')}\n`);
}
