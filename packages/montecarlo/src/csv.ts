import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { ValueError } from '@eddy/core';
import { CsvError as ParseError, parse } from 'csv-parse';
import type { NpyArray } from './npy.js';

/**
 * Options of {@link readCsv}.
 * @category Files
 */
export interface CsvOptions {
  /**
   * Whether the first row is a header of names: `true` skips it, `false` reads it as data,
   * `'auto'` (default) takes it as a header only when none of its fields is a number —
   * a first row that mixes numbers and text is an error, never a guess that drops a row.
   */
  header?: boolean | 'auto';
  /**
   * The field separator: one character (`','` by default, `';'`, `'|'`, …) or a name:
   * `'tab'` (also written `'\t'`, the two characters a shell passes), `'space'`,
   * `'comma'`, `'semicolon'`. See {@link csvDelimiter}.
   */
  delimiter?: string;
  /**
   * Whether `nan`, `inf` and `-inf` (NumPy's spellings; `NaN`, `Infinity`, … in any case
   * too) are read as values. By default (`false`) the first one is a {@link CsvError}
   * naming its line and column, as a job refuses non-finite results unless
   * `allowNonFinite` (see `JobOptions`).
   */
  allowNonFinite?: boolean;
}

/**
 * What {@link readCsv} returns: the values as a `[rows, columns]` float64 array, and the
 * header's names when the file has a header row.
 *
 * @example
 * ```ts
 * import { readCsv } from '@eddy/montecarlo';
 * const { data, shape, header } = await readCsv('points.csv'); // header: ['x', 'y'] or undefined
 * ```
 * @category Files
 */
export interface CsvArray extends NpyArray {
  /** Values in C order (row after row). */
  data: Float64Array;
  /** The names in the header row; absent when the first row was data. */
  header?: string[];
}

/**
 * A CSV file that cannot be read as a table of numbers: its message starts with
 * `path:line:` and says what is wrong (a field that is not a number, a row with another
 * number of fields, a non-finite value where none is allowed, broken quoting).
 *
 * @example
 * ```ts
 * import { CsvError, readCsv } from '@eddy/montecarlo';
 * try {
 *   await readCsv('x.csv');
 * } catch (e) {
 *   if (e instanceof CsvError && e.nonFinite) console.error(`${e.path}:${e.line}: ${e.problem}`);
 * }
 * ```
 * @category Files
 */
export class CsvError extends ValueError {
  /** Stable error name: `CsvError`. */
  override name = 'CsvError';
  /** The file. */
  readonly path: string;
  /** The 1-based line the problem is on (where its record ends); 0 for the whole file. */
  readonly line: number;
  /** The 1-based column (field) at fault, when there is one. */
  readonly column: number | undefined;
  /** What is wrong, without the location and without advice (the message has both). */
  readonly problem: string;
  /** Whether the problem is a non-finite value that was not allowed (see {@link CsvOptions.allowNonFinite}). */
  readonly nonFinite: boolean;

  /**
   * @param path the file; @param line its 1-based line (0: the whole file);
   * @param column the 1-based field, if one is at fault; @param problem what is wrong;
   * @param advice what to do about it (appended to the message after `; `).
   */
  constructor(path: string, line: number, column: number | undefined, problem: string, advice?: string, nonFinite = false) {
    super(`${path}${line > 0 ? `:${line}` : ''}: ${problem}${advice === undefined ? '' : `; ${advice}`}`);
    this.path = path;
    this.line = line;
    this.column = column;
    this.problem = problem;
    this.nonFinite = nonFinite;
  }
}

/** Names a delimiter may be given by, for a shell that cannot pass a tab easily. */
const DELIMITER_NAMES: Readonly<Record<string, string>> = { tab: '\t', '\\t': '\t', space: ' ', comma: ',', semicolon: ';' };

/**
 * The delimiter character a spelling names: one character as is; `tab` or `\t` (the
 * two characters backslash and t, as typed in a shell) a tab; `space`, `comma`,
 * `semicolon` those characters. A quote, a line break, or a character that can be part of
 * a number (digits, `.`, `+`, `-`, `e`) is refused with a {@link ValueError}.
 *
 * @example
 * ```ts
 * import { csvDelimiter } from '@eddy/montecarlo';
 * csvDelimiter('tab'); // '\t'
 * csvDelimiter(';');   // ';'
 * ```
 * @category Files
 */
export function csvDelimiter(spelling: string): string {
  const d = DELIMITER_NAMES[spelling.toLowerCase()] ?? spelling;
  if (d.length !== 1 || /[\d.+\-eE"\r\n]/.test(d)) {
    throw new ValueError(
      `delimiter must be one character that cannot be part of a number or a quote (or tab, space, comma, semicolon), got ${JSON.stringify(spelling)}`,
    );
  }
  return d;
}

/** Non-finite values by their (lower-case) spellings: NumPy writes `nan`, `inf`, `-inf`. */
const SPECIAL: Readonly<Record<string, number>> = {
  nan: Number.NaN,
  '+nan': Number.NaN,
  '-nan': Number.NaN,
  inf: Number.POSITIVE_INFINITY,
  '+inf': Number.POSITIVE_INFINITY,
  '-inf': Number.NEGATIVE_INFINITY,
  infinity: Number.POSITIVE_INFINITY,
  '+infinity': Number.POSITIVE_INFINITY,
  '-infinity': Number.NEGATIVE_INFINITY,
};

/** Decimal notation only: `Number()` would also take `0x10`, `0b1` and an empty string. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The number a field holds (NaN and ±inf spelled out count), or undefined for text. */
function fieldValue(field: string): number | undefined {
  const t = field.trim();
  if (DECIMAL.test(t)) return Number(t);
  return Object.hasOwn(SPECIAL, t.toLowerCase()) ? SPECIAL[t.toLowerCase()] : undefined;
}

/** Separators a CSV file commonly uses. */
const COMMON_DELIMITERS = [',', ';', '\t', '|'];

/** Advice for a field that is not a number but holds another common separator (the file's, probably). */
function delimiterHint(field: string, delimiter: string): string | undefined {
  const other = COMMON_DELIMITERS.find((d) => d !== delimiter && field.includes(d));
  return other === undefined ? undefined : `is the delimiter ${other === '\t' ? 'a tab' : JSON.stringify(other)}? (the delimiter option; eddy --delimiter)`;
}

/** Values per block of rows while reading (512 KiB of float64), before the final copy. */
const BLOCK_VALUES = 1 << 16;

/**
 * Reads a CSV file of numbers into a `[rows, columns]` float64 array, streamed: the file
 * is parsed (by `csv-parse`) as it is read, so its text is never held in memory — only
 * the numbers, 8 bytes each (plus, at the end, one copy of them into a single array).
 *
 * - Fields may be quoted (`"1.5"`, RFC 4180) and padded with blanks; blank lines are
 *   skipped; a UTF-8 byte-order mark is ignored.
 * - The first row is a header of names only when it has no number in it (or with
 *   `header: true`); a first row that mixes numbers and text is an error, so a row of
 *   data is never dropped for looking like a header.
 * - `delimiter` chooses the separator (see {@link csvDelimiter}: `;`, `tab`, …).
 * - `nan`, `inf` and `-inf` — as NumPy's `savetxt` writes them, in any case — are read
 *   only with `allowNonFinite: true`; otherwise the first is an error with its line.
 * - Every row must have as many fields as the first; a field that is not a decimal number
 *   (`0x10` is not) is an error. Errors are {@link CsvError}s naming the line and column.
 *
 * @example
 * ```ts
 * import { readCsv } from '@eddy/montecarlo';
 * const { data, shape } = await readCsv('points.csv'); // shape [n, d]
 * const t = await readCsv('table.tsv', { delimiter: 'tab', header: true, allowNonFinite: true });
 * ```
 * @category Files
 */
export async function readCsv(path: string, options: CsvOptions = {}): Promise<CsvArray> {
  const delimiter = csvDelimiter(options.delimiter ?? ',');
  const mode = options.header ?? 'auto';
  const allowNonFinite = options.allowNonFinite ?? false;
  let cols = -1;
  let header: string[] | undefined;
  let rows = 0;
  // Rows go into blocks of whole rows; one array of the exact size is made at the end.
  const blocks: Float64Array[] = [];
  let block = new Float64Array(0);
  let at = 0;
  const fail = (line: number, column: number | undefined, problem: string, advice?: string, nonFinite = false): never => {
    throw new CsvError(path, line, column, problem, advice, nonFinite);
  };

  const onRecord = (record: string[], line: number): void => {
    if (record.length === 1 && (record[0] as string).trim() === '') return; // a blank line
    if (cols === -1) {
      cols = record.length;
      let isHeader = mode === true;
      if (mode === 'auto') {
        const numeric = record.map((f) => fieldValue(f) !== undefined);
        if (numeric.every((v) => !v)) isHeader = true;
        else if (!numeric.every((v) => v)) {
          fail(
            line,
            undefined,
            `the first row mixes numbers and text (${record.map((f) => JSON.stringify(f.trim())).join(', ')})`,
            'if it is a header, say so (header: true, eddy --header)',
          );
        }
      }
      if (isHeader) {
        header = record.map((f) => f.trim());
        return;
      }
    }
    if (record.length !== cols) fail(line, undefined, `expected ${cols} fields, got ${record.length}`, 'every row must have as many fields as the first');
    if (at === block.length) {
      if (block.length > 0) blocks.push(block);
      block = new Float64Array(Math.max(1, Math.floor(BLOCK_VALUES / cols)) * cols);
      at = 0;
    }
    for (let c = 0; c < cols; c++) {
      const f = record[c] as string;
      const v = fieldValue(f);
      if (v === undefined) fail(line, c + 1, `column ${c + 1} is not a number: ${JSON.stringify(f)}`, delimiterHint(f, delimiter));
      else if (!allowNonFinite && !Number.isFinite(v)) {
        fail(
          line,
          c + 1,
          `column ${c + 1} is ${JSON.stringify(f.trim())}, not a finite number`,
          'non-finite values are refused here (allowNonFinite: true reads them)',
          true,
        );
      }
      block[at++] = v as number;
    }
    rows++;
  };

  const parser = parse({
    delimiter,
    bom: true,
    // Blanks around fields are not data (a blank delimiter keeps them: they separate).
    trim: delimiter !== ' ',
    skip_empty_lines: true,
    // Checked here, to name the line in Eddy's words.
    relax_column_count: true,
    // Each record is consumed as it is parsed: nothing is queued downstream.
    on_record: (record: string[], info: { lines: number }) => {
      onRecord(record, info.lines);
      return null;
    },
  });
  parser.resume();
  try {
    // 64 KiB at a time: each piece is parsed and dropped before the next is read.
    await pipeline(createReadStream(path, { highWaterMark: 1 << 16 }), parser);
  } catch (e) {
    if (e instanceof CsvError) throw e;
    if (e instanceof ParseError) {
      throw new CsvError(path, typeof e.lines === 'number' ? e.lines : 0, undefined, `malformed CSV: ${e.message}`);
    }
    throw e;
  }
  if (cols === -1) fail(0, undefined, 'empty CSV file (no rows)');
  if (at > 0) blocks.push(block.subarray(0, at));
  const data = blocks.length === 1 ? (blocks[0] as Float64Array).slice() : new Float64Array(rows * cols);
  if (blocks.length > 1) {
    let offset = 0;
    for (const b of blocks) {
      data.set(b, offset);
      offset += b.length;
    }
  }
  return header === undefined ? { data, shape: [rows, cols] } : { data, shape: [rows, cols], header };
}
