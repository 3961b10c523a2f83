// CSV in and out: csv-parse underneath (quotes, delimiters, header detection), NumPy's
// spellings of non-finite values, float32 written with its shortest round-trip digits,
// and errors that name the line and column.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvError, csvDelimiter, readCsv, shortestDecimal, writeCsv } from '@eddy/montecarlo';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'eddy-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
/** A new file in the test directory holding `text`. */
function csvFile(text: string, name = `t${fileCount++}.csv`): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** A deterministic 32-bit generator (mulberry32). */
function rng32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Float32 values from random bit patterns (every exponent: subnormals, huge, tiny), plus the extremes and specials. */
function float32Values(n: number, seed: number): Float32Array {
  const next = rng32(seed);
  const out = new Float32Array(n);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    let b = next();
    if ((b & 0x7f800000) === 0x7f800000) b &= 0xbfffffff; // not NaN/inf here: those come below
    if (i % 7 === 0) b &= 0x807fffff; // plenty of subnormals
    bits[i] = b;
  }
  const special = [
    3.4028234663852886e38,
    -3.4028234663852886e38,
    1.1754943508222875e-38,
    1.401298464324817e-45,
    -1.401298464324817e-45,
    0,
    -0,
    1,
    0.1,
    16777216,
    16777217,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ];
  out.set(special, 0);
  return out;
}

/** Significant digits of a decimal string (`0.00120` → 2, `120000` → 2, `1.5e-40` → 2). */
function significantDigits(s: string): number {
  const mantissa = s.replace(/^-/, '').replace(/e.*$/, '').replace('.', '');
  return mantissa.replace(/^0+/, '').replace(/0+$/, '').length;
}

describe('readCsv', () => {
  it('is asynchronous and reads quoted fields, blanks around fields and a quoted header', async () => {
    const p = csvFile('"a,b", "c ""q"""\n"1.5",2\n  " 3 " , 4\n\n"-0.25",  +5e-1  \n');
    const read = readCsv(p);
    expect(read).toBeInstanceOf(Promise);
    const a = await read;
    expect(a.header).toEqual(['a,b', 'c "q"']);
    expect(a.shape).toEqual([3, 2]);
    expect(Array.from(a.data)).toEqual([1.5, 2, 3, 4, -0.25, 0.5]);
    expect(a.data).toBeInstanceOf(Float64Array);
  });

  it('detects a header (a first row without numbers), reads a first row of numbers as data, and refuses a mixed one', async () => {
    expect(await readCsv(csvFile('x,y\n1,2\n0.1,-3e-5\n'))).toEqual({ data: new Float64Array([1, 2, 0.1, -3e-5]), shape: [2, 2], header: ['x', 'y'] });
    const noHeader = await readCsv(csvFile('1,2\n3,4\n'));
    expect(noHeader).toEqual({ data: new Float64Array([1, 2, 3, 4]), shape: [2, 2] });
    expect(noHeader.header).toBeUndefined();
    // A quoted number is a number: the row is data, not a header.
    expect((await readCsv(csvFile('"0.1","0.2"\n0.3,0.4\n'))).shape).toEqual([2, 2]);
    const mixed = csvFile('x,0.2\n0.3,0.4\n', 'mixed.csv');
    await expect(readCsv(mixed)).rejects.toThrow(/mixed\.csv:1: the first row mixes numbers and text \("x", "0\.2"\); if it is a header, say so/);
  });

  it('takes a forced header or no header', async () => {
    const mixed = csvFile('x,0.2\n0.3,0.4\n');
    expect(await readCsv(mixed, { header: true })).toEqual({ data: new Float64Array([0.3, 0.4]), shape: [1, 2], header: ['x', '0.2'] });
    // A first row of numbers forced to be a header is dropped as asked.
    expect((await readCsv(csvFile('1,2\n3,4\n'), { header: true })).shape).toEqual([1, 2]);
    const names = csvFile('a,b\n0.3,0.4\n', 'names.csv');
    await expect(readCsv(names, { header: false })).rejects.toThrow(/names\.csv:1: column 1 is not a number: "a"/);
    // A header and nothing else: zero rows of its width.
    expect(await readCsv(csvFile('a,b,c\n'))).toEqual({ data: new Float64Array(0), shape: [0, 3], header: ['a', 'b', 'c'] });
  });

  it('reads other delimiters: ";" and tab (spelled as the character, "\\t" or "tab")', async () => {
    const semi = csvFile('x;y\n1.5;2\n"3";4\n');
    expect(await readCsv(semi, { delimiter: ';' })).toEqual({ data: new Float64Array([1.5, 2, 3, 4]), shape: [2, 2], header: ['x', 'y'] });
    // With the default comma, the same file is one column of text.
    await expect(readCsv(semi)).rejects.toThrow(/:2: column 1 is not a number: "1\.5;2"; is the delimiter ";"\?/);
    const tsv = csvFile('x\ty\n1\t2\n3\t-4\n');
    for (const spelling of ['\t', '\\t', 'tab', 'TAB']) {
      expect(await readCsv(tsv, { delimiter: spelling })).toEqual({ data: new Float64Array([1, 2, 3, -4]), shape: [2, 2], header: ['x', 'y'] });
    }
    // An empty field between two tabs is a field, not a wider separator.
    await expect(readCsv(csvFile('1\t2\t3\n4\t\t6\n'), { delimiter: 'tab' })).rejects.toThrow(/:2: column 2 is not a number: ""/);
    expect(await readCsv(csvFile('1 2\n3 4\n'), { delimiter: 'space' })).toEqual({ data: new Float64Array([1, 2, 3, 4]), shape: [2, 2] });
  });

  it('reads nan, inf and -inf as NumPy writes them (any case) only when allowed; otherwise names the line and column', async () => {
    const p = csvFile('a,b\nnan,0.2\n-inf,"inf"\nNaN,-Infinity\n', 'nonfinite.csv');
    const a = await readCsv(p, { allowNonFinite: true });
    expect(a.shape).toEqual([3, 2]);
    expect(Array.from(a.data)).toEqual([Number.NaN, 0.2, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, Number.NaN, Number.NEGATIVE_INFINITY]);
    const e = await readCsv(p).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(CsvError);
    expect((e as Error).message).toBe(
      'nonfinite.csv:2: column 1 is "nan", not a finite number; non-finite values are refused here (allowNonFinite: true reads them)'.replace(
        'nonfinite.csv',
        p,
      ),
    );
    expect(e).toMatchObject({ path: p, line: 2, column: 1, nonFinite: true, problem: 'column 1 is "nan", not a finite number' });
    // The first non-finite value counts, with its line (blank lines counted).
    const q = csvFile('0.1,0.2\n\n0.3,0.4\n0.5,-inf\n', 'late.csv');
    await expect(readCsv(q)).rejects.toThrow(/late\.csv:4: column 2 is "-inf", not a finite number/);
    // nan and inf count as numbers for the header decision: the first row is data.
    expect((await readCsv(csvFile('nan,inf\n1,2\n'), { allowNonFinite: true })).shape).toEqual([2, 2]);
  });

  it('names the line and column of every malformed input', async () => {
    const bad = csvFile('x,y\n1,2\n3,abc\n', 'bad.csv');
    await expect(readCsv(bad)).rejects.toThrow(/bad\.csv:3: column 2 is not a number: "abc"/);
    await expect(readCsv(csvFile('1,2\n0x10,3\n', 'hex.csv'))).rejects.toThrow(/hex\.csv:2: column 1 is not a number: "0x10"/);
    const short = await readCsv(csvFile('1,2\n\n3\n', 'short.csv')).catch((e: unknown) => e);
    expect(short).toBeInstanceOf(CsvError);
    expect((short as Error).message).toMatch(/short\.csv:3: expected 2 fields, got 1; every row must have as many fields as the first/);
    await expect(readCsv(csvFile('1,2\n3,4,5\n', 'long.csv'))).rejects.toThrow(/long\.csv:2: expected 2 fields, got 3/);
    await expect(readCsv(csvFile('1,2\n3,"4\n', 'open.csv'))).rejects.toThrow(/open\.csv:2: malformed CSV: Quote Not Closed/);
    await expect(readCsv(csvFile('1,2\n3,x"4"\n', 'quote.csv'))).rejects.toThrow(/quote\.csv:2: malformed CSV: Invalid Opening Quote/);
    await expect(readCsv(csvFile('', 'empty.csv'))).rejects.toThrow(/empty\.csv: empty CSV file/);
    await expect(readCsv(csvFile('\n  \n', 'blank.csv'))).rejects.toThrow(/blank\.csv: empty CSV file/);
    await expect(readCsv(join(dir, 'missing.csv'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses delimiters that cannot separate numbers', () => {
    expect(csvDelimiter('tab')).toBe('\t');
    expect(csvDelimiter('\\t')).toBe('\t');
    expect(csvDelimiter('semicolon')).toBe(';');
    expect(csvDelimiter('|')).toBe('|');
    for (const d of ['.', '-', '1', 'e', '"', '\n', ';;', '']) expect(() => csvDelimiter(d)).toThrow(/delimiter must be one character/);
  });
});

describe('writeCsv', () => {
  it('writes a header on every file: x0,x1,… by default, the given names (quoted when needed), or none when asked', async () => {
    const p = join(dir, 'h.csv');
    writeCsv(p, { data: new Float64Array([1, 2, 3, 4]), shape: [2, 2] });
    expect(readFileSync(p, 'utf8')).toBe('x0,x1\n1,2\n3,4\n');
    writeCsv(p, { data: new Float32Array([0.5, -1]), shape: [2] });
    expect(readFileSync(p, 'utf8')).toBe('x0\n0.5\n-1\n');
    writeCsv(p, { data: new Float32Array([0.5, -1]), shape: [2] }, { header: ['log_prob'] });
    expect(readFileSync(p, 'utf8')).toBe('log_prob\n0.5\n-1\n');
    writeCsv(p, { data: new Float64Array([1, 2]), shape: [1, 2] }, { header: ['a,b', 'say "hi"'] });
    expect(readFileSync(p, 'utf8')).toBe('"a,b","say ""hi"""\n1,2\n');
    expect((await readCsv(p)).header).toEqual(['a,b', 'say "hi"']);
    writeCsv(p, { data: new Float64Array([1, 2]), shape: [1, 2] }, { header: false });
    expect(readFileSync(p, 'utf8')).toBe('1,2\n');
    writeCsv(p, { data: new Float64Array([1, 2]), shape: [1, 2] }, { delimiter: 'tab' });
    expect(readFileSync(p, 'utf8')).toBe('x0\tx1\n1\t2\n');
    expect(() => writeCsv(p, { data: new Float64Array([1, 2]), shape: [1, 2] }, { header: ['only'] })).toThrow(/1 names for 2 columns/);
    expect(() => writeCsv(p, { data: new Float64Array([1, 2]), shape: [3] })).toThrow(/needs 3 values, the data has 2/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writes nan, inf, -inf as NumPy does and reads them back', async () => {
    const p = join(dir, 'nf.csv');
    for (const data of [
      new Float64Array([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0]),
      new Float32Array([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0]),
    ]) {
      writeCsv(p, { data, shape: [2, 2] });
      expect(readFileSync(p, 'utf8')).toBe('x0,x1\nnan,inf\n-inf,-0\n');
      const back = await readCsv(p, { allowNonFinite: true });
      expect(back.header).toEqual(['x0', 'x1']);
      expect(Array.from(back.data)).toEqual([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0]);
      expect(Object.is(back.data[3], -0)).toBe(true);
    }
  });

  it('writes float32 values with the fewest digits that give back the same float32', () => {
    expect(shortestDecimal(Math.fround(0.1), 'float32')).toBe('0.1');
    expect(shortestDecimal(Math.fround(0.1))).toBe('0.10000000149011612');
    expect(shortestDecimal(Math.fround(1 / 3), 'float32')).toBe('0.33333334');
    expect(shortestDecimal(16777216, 'float32')).toBe('16777216');
    expect(shortestDecimal(3.4028234663852886e38, 'float32')).toBe('3.4028235e+38');
    expect(shortestDecimal(1.401298464324817e-45, 'float32')).toBe('1e-45');
    expect(shortestDecimal(1.1754943508222875e-38, 'float32')).toBe('1.1754944e-38');
    // Against a plain search over 1..9 digits: round trip, and no shorter digits exist.
    const values = float32Values(40_000, 7);
    for (const v of values) {
      if (!Number.isFinite(v) || v === 0) continue;
      const s = shortestDecimal(v, 'float32');
      expect(Math.fround(Number(s))).toBe(v);
      let fewest = 9;
      for (let p = 1; p <= 9; p++) {
        if (Math.fround(Number(v.toPrecision(p))) === v) {
          fewest = p;
          break;
        }
      }
      if (significantDigits(s) !== fewest) expect(`${v}: ${s}`).toBe(`${fewest} digits`);
    }
  });

  it('round-trips many random float32 values (subnormals, extremes, ±0, nan, ±inf) exactly through a file', async () => {
    const values = float32Values(200_000, 11); // about 2 MB of text: written in several pieces
    const p = join(dir, 'f32.csv');
    writeCsv(p, { data: values, shape: [100_000, 2] });
    const text = readFileSync(p, 'utf8');
    expect(text.length).toBeGreaterThan(2 ** 20);
    expect(text.startsWith('x0,x1\n3.4028235e+38,-3.4028235e+38\n')).toBe(true);
    const back = await readCsv(p, { allowNonFinite: true });
    expect(back.shape).toEqual([100_000, 2]);
    let mismatches = 0;
    for (let i = 0; i < values.length; i++) if (!Object.is(Math.fround(back.data[i] as number), values[i])) mismatches++;
    expect(mismatches).toBe(0);
  });

  it('round-trips random float64 values exactly', async () => {
    const next = rng32(5);
    const values = new Float64Array(50_000);
    const words = new Uint32Array(values.buffer);
    for (let i = 0; i < words.length; i++) words[i] = next();
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) values[i] = i % 3 === 0 ? Number.NaN : (i % 2) - 0.5;
    values.set([Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072014e-308, 0, -0, 1e21, 1e-7, 123456789012345680000], 0);
    const p = join(dir, 'f64.csv');
    writeCsv(p, { data: values, shape: [25_000, 2] }, { delimiter: ';' });
    const back = await readCsv(p, { allowNonFinite: true, delimiter: ';' });
    expect(back.shape).toEqual([25_000, 2]);
    let mismatches = 0;
    for (let i = 0; i < values.length; i++) if (!Object.is(back.data[i], values[i])) mismatches++;
    expect(mismatches).toBe(0);
  });
});
