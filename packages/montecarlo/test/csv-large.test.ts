// A ~200 MB CSV file read in bounded memory: readCsv streams the text through csv-parse
// and keeps only the numbers (8 bytes each), never the file's text. The file is built so
// that its numbers are a twentieth of its size (long-digit fields), so reading it whole into a
// string — or keeping its rows as strings — would exceed the bound checked here.
import { createWriteStream, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readCsv } from '@eddy/montecarlo';
import { afterAll, expect, it } from 'vitest';

const path = join(tmpdir(), `eddy-csv-large-${process.pid}.csv`);
afterAll(() => rmSync(path, { force: true }));

// A full garbage collection before the baseline, so that garbage left by writing the file
// is not counted as room the read could use (the usual way to reach gc() without --expose-gc).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const COLS = 4;
const ROWS = 340_000;
/** Digits after the point: the value is fixed by the first 17 or so, the rest is text to skip. */
const TAIL =
  '314159265358979323846264338327950288419716939937510582097494459230781640628620899862803482534211706798214808651328230664709384460955058223172535940';

/** The text of field (r, c): different for every row and column, about 150 characters. */
const field = (r: number, c: number): string => `${r % 1000}.${(r * COLS + c) % 9973}${TAIL}`;

/** Writes the file by streaming rows (the text is never in memory as a whole). */
async function writeLargeCsv(): Promise<void> {
  const out = createWriteStream(path);
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  out.write('a,b,c,d\n');
  let batch = '';
  for (let r = 0; r < ROWS; r++) {
    batch += `${field(r, 0)},${field(r, 1)},${field(r, 2)},${field(r, 3)}\n`;
    if (batch.length > 1 << 20 || r === ROWS - 1) {
      if (!out.write(batch)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      batch = '';
    }
  }
  out.end();
  await done;
}

it('reads a 200 MB CSV file streamed, with memory bounded by the numbers, not the text', async () => {
  await writeLargeCsv();
  const size = statSync(path).size;
  expect(size).toBeGreaterThan(195e6);
  const numbers = ROWS * COLS * 8;
  expect(numbers).toBeLessThan(0.06 * size);

  // Peak growth of the heap and of the whole process during the read, sampled as it runs
  // (the parser yields to the event loop between chunks of the file) and at its end.
  gc();
  const base = process.memoryUsage();
  let peakHeap = 0;
  let peakRss = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed - base.heapUsed);
    peakRss = Math.max(peakRss, m.rss - base.rss);
  };
  const timer = setInterval(sample, 10);
  let samples = 0;
  const counting = setInterval(() => samples++, 10);
  let a: Awaited<ReturnType<typeof readCsv>>;
  try {
    a = await readCsv(path);
    sample();
  } finally {
    clearInterval(timer);
    clearInterval(counting);
  }
  // The read ran across many turns of the event loop: it streamed, it did not block.
  expect(samples).toBeGreaterThan(10);

  expect(a.header).toEqual(['a', 'b', 'c', 'd']);
  expect(a.shape).toEqual([ROWS, COLS]);
  for (const r of [0, 1, 4321, 333_333, ROWS - 1]) {
    for (let c = 0; c < COLS; c++) expect(a.data[r * COLS + c]).toBe(Number(field(r, c)));
  }
  // The output is ~11 MB (twice that while the blocks are joined at the end); the text
  // is 200 MB. Holding the text (a string of it, or its rows) would pass 0.6× the size.
  expect(peakHeap).toBeLessThan(0.6 * size);
  expect(peakRss).toBeLessThan(0.6 * size);
  console.log(
    `CSV of ${(size / 1e6).toFixed(0)} MB read; peak growth: heap ${(peakHeap / 1e6).toFixed(0)} MB, rss ${(peakRss / 1e6).toFixed(0)} MB (numbers: ${(numbers / 1e6).toFixed(0)} MB)`,
  );
}, 300_000);
