import { readFileSync, writeFileSync } from 'node:fs';
import { ValueError } from '@eddy/core';
import type { NpyArray } from './npy.js';

/**
 * Reads a CSV file of numbers (an optional header row of names is skipped) into a
 * `[rows, columns]` float64 array. Every row must have the same number of fields; a
 * field that is not a number is an error naming its line and column.
 *
 * @example
 * ```ts
 * const { data, shape } = readCsv('points.csv'); // shape [n, d]
 * ```
 * @category Files
 */
export function readCsv(path: string): NpyArray {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.trim().length > 0);
  if (lines.length === 0) throw new ValueError(`${path}: empty CSV file`);
  const first = (lines[0] as string).split(',');
  const header = first.some((f) => f.trim() !== '' && Number.isNaN(Number(f)));
  const body = header ? lines.slice(1) : lines;
  const cols = first.length;
  const data = new Float64Array(body.length * cols);
  body.forEach((line, r) => {
    const fields = line.split(',');
    if (fields.length !== cols) throw new ValueError(`${path}:${r + (header ? 2 : 1)}: expected ${cols} fields, got ${fields.length}`);
    fields.forEach((f, c) => {
      const v = Number(f);
      if (f.trim() === '' || Number.isNaN(v)) throw new ValueError(`${path}:${r + (header ? 2 : 1)}: column ${c + 1} is not a number: ${JSON.stringify(f)}`);
      data[r * cols + c] = v;
    });
  });
  return { data, shape: [body.length, cols] };
}

/**
 * Writes a 1-D or 2-D array as CSV (shortest round-trip decimal for each value), with an
 * optional header row.
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
  writeFileSync(path, `${out.join('\n')}\n`);
}
