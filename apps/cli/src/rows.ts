import { shardRows } from '@eddy/montecarlo';
import { UsageError, int } from './command.js';

/**
 * Which rows of a job a command writes, as given on its command line: `--rows START:END`
 * (rows START to END-1, counted from 0) or `--shard I/N` (the I-th, counted from 0, of N
 * near-equal contiguous ranges of the whole job).
 *
 * @example
 * ```ts
 * import { type RowsOption } from '@eddy/cli';
 * const a: RowsOption = { kind: 'rows', start: 0, end: 500, text: '0:500' };
 * const b: RowsOption = { kind: 'shard', index: 2, shards: 8, text: '2/8' };
 * ```
 */
export type RowsOption = { kind: 'rows'; start: number; end: number; text: string } | { kind: 'shard'; index: number; shards: number; text: string };

/** An integer written in a `--rows`/`--shard` value, or undefined when it is not one. */
function integer(text: string): number | undefined {
  try {
    return int(text, 'rows', 0);
  } catch {
    return undefined;
  }
}

/**
 * Parses `--rows` and `--shard` (undefined when neither is given): their syntax and what
 * can be checked without the job's size. A usage error names the option: a malformed
 * value, `START ≥ END`, `I ≥ N`, or both options at once.
 *
 * @example
 * ```ts
 * import { parseRowsOption } from '@eddy/cli';
 * parseRowsOption({ rows: '1000:2000' }); // { kind: 'rows', start: 1000, end: 2000, text: '1000:2000' }
 * parseRowsOption({ shard: '0/4' });      // { kind: 'shard', index: 0, shards: 4, text: '0/4' }
 * ```
 */
export function parseRowsOption(v: Record<string, string | boolean | undefined>): RowsOption | undefined {
  if (v.rows !== undefined && v.shard !== undefined) throw new UsageError('--rows and --shard both say which rows to write; give one of them');
  if (typeof v.rows === 'string') {
    const text = v.rows;
    const m = /^([^:]+):([^:]+)$/.exec(text.trim());
    const start = m === null ? undefined : integer(m[1] as string);
    const end = m === null ? undefined : integer(m[2] as string);
    if (start === undefined || end === undefined) {
      throw new UsageError(
        `--rows must be START:END, two integers with 0 ≤ START < END (rows START to END-1 are written, counted from 0), got ${JSON.stringify(text)}`,
      );
    }
    if (start >= end) throw new UsageError(`--rows ${text}: START must be less than END (rows START to END-1 are written), got ${start} ≥ ${end}`);
    return { kind: 'rows', start, end, text };
  }
  if (typeof v.shard === 'string') {
    const text = v.shard;
    const m = /^([^/]+)\/([^/]+)$/.exec(text.trim());
    const index = m === null ? undefined : integer(m[1] as string);
    const shards = m === null ? undefined : integer(m[2] as string);
    if (index === undefined || shards === undefined || shards < 1) {
      throw new UsageError(`--shard must be I/N, shard I (counted from 0) of N ≥ 1 near-equal row ranges, got ${JSON.stringify(text)}`);
    }
    if (index >= shards) throw new UsageError(`--shard ${text}: I must be between 0 and N-1 = ${shards - 1} (shards are counted from 0)`);
    return { kind: 'shard', index, shards, text };
  }
  return undefined;
}

/**
 * The rows `[start, end)` that `--rows`/`--shard` choose from a job of `total` rows
 * (`undefined` where the size is not known: `sample --rows` without `-n`). `of` says what
 * the size is in messages (`-n 1000`, `the 500 rows of x.npy`). A usage error names the
 * option: END past the job, `--shard` without a size, or more shards than rows.
 *
 * @example
 * ```ts
 * import { parseRowsOption, resolveRows } from '@eddy/cli';
 * resolveRows(parseRowsOption({ shard: '1/3' })!, 10, '-n 10'); // [4, 7]
 * ```
 */
export function resolveRows(r: RowsOption, total: number | undefined, of: string): [start: number, end: number] {
  if (r.kind === 'rows') {
    if (total !== undefined && r.end > total) throw new UsageError(`--rows ${r.text}: END ${r.end} is past the end of the job (${of})`);
    return [r.start, r.end];
  }
  if (total === undefined) throw new UsageError(`--shard needs -n, the size of the whole job that it splits into ${r.shards} ranges`);
  if (r.shards > total)
    throw new UsageError(`--shard ${r.text}: ${r.shards} shards of a job of ${total} rows (${of}) would leave some empty; use at most ${total}`);
  return shardRows(r.index, r.shards, total);
}
