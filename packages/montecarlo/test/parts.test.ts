import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Tensor, tensor } from '@eddy/core';
import { NSF } from '@eddy/flows';
import {
  PART_FORMAT,
  PartError,
  type PartInfo,
  ShardError,
  mergeParts,
  partInfoPath,
  readNpy,
  readPartInfo,
  removePartInfo,
  shardRows,
  writeNpy,
  writePartInfo,
} from '@eddy/montecarlo';
import { describe, expect, it } from 'vitest';
import { useTempPool } from './temp-pool.js';

const flow = new NSF({ features: 2, transforms: 2, hiddenFeatures: [16, 16], seed: 1 });
const arr = (t: Tensor): number[] => Array.from(t.dataSync());
const N = 1000;
// Uneven parts whose boundaries fall inside shards of both the parts and the whole job.
const RANGES: Array<[number, number]> = [
  [0, 333],
  [333, 334],
  [334, N],
];
const fx = useTempPool('eddy-parts-');

const sampleDescription = (rows: [number, number], over: Partial<PartInfo> = {}) => ({
  kind: 'sample' as const,
  modelChecksum: 'abcdef01',
  seed: 7,
  stream: 0,
  rows,
  total: N,
  eddyVersion: '0.1.0',
  ...over,
});

/** Writes the sample part `rows` of the seed-7 job of N rows as `name`. */
async function samplePart(name: string, rows: [number, number], over: Partial<PartInfo> = {}, dtype: 'float32' | 'float64' = 'float32'): Promise<string> {
  const path = join(fx.dir, name);
  removePartInfo(path);
  await fx.pool.sampleToFile(flow, rows[1] - rows[0], path, { seed: over.seed ?? 7, firstRow: rows[0], chunkSize: 97, dtype });
  writePartInfo(path, sampleDescription(rows, over));
  return path;
}

describe('JobOptions.firstRow', () => {
  it('a job from firstRow gives exactly those rows of the job from 0, for any chunk size', async () => {
    const whole = arr(await fx.pool.sample(flow, N, { seed: 7, chunkSize: 256 }));
    const pieces: number[] = [];
    for (const [s, e] of RANGES) pieces.push(...arr(await fx.pool.sample(flow, e - s, { seed: 7, firstRow: s, chunkSize: 61 })));
    expect(pieces).toEqual(whole);
    const [x, lp] = await fx.pool.sampleAndLogProb(flow, 100, { seed: 7, firstRow: 900, dtype: 'float64' });
    const [xAll, lpAll] = await fx.pool.sampleAndLogProb(flow, N, { seed: 7, dtype: 'float64' });
    expect(arr(x)).toEqual(arr(xAll).slice(1800));
    expect(arr(lp)).toEqual(arr(lpAll).slice(900));
  });

  it('is validated, and a failing shard names its global rows', async () => {
    await expect(fx.pool.sample(flow, 10, { firstRow: -1 })).rejects.toThrow(/firstRow must be a non-negative integer, got -1/);
    await expect(fx.pool.sample(flow, 10, { firstRow: 1.5 })).rejects.toThrow(/firstRow must be a non-negative integer/);
    const x = tensor([
      [0, 0],
      [Number.NaN, 0],
    ]);
    const err = await fx.pool.logProb(flow, x, { firstRow: 5000, chunkSize: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShardError);
    expect((err as ShardError).start).toBe(5001);
    expect((err as Error).message).toMatch(/^shard rows \[5001, 5002\): .*at row 5001/);
  });

  it('logProbFile scores rows [start, end) of its input, and checks them', async () => {
    const input = join(fx.dir, 'points.npy');
    await fx.pool.sampleToFile(flow, N, input, { seed: 3 });
    const all = readNpy((await fx.pool.logProbFile(flow, input, join(fx.dir, 'lp-all.npy'))).path).data;
    const part = await fx.pool.logProbFile(flow, input, join(fx.dir, 'lp-part.npy'), { rows: [334, 800], chunkSize: 50 });
    expect(part.shape).toEqual([466]);
    expect(Array.from(readNpy(part.path).data)).toEqual(Array.from(all.subarray(334, 800)));
    await expect(fx.pool.logProbFile(flow, input, join(fx.dir, 'x.npy'), { rows: [10, 1001] })).rejects.toThrow(
      /rows \[10, 1001\) is not a range of the 1000 rows of .*points\.npy/,
    );
    await expect(fx.pool.logProbFile(flow, input, join(fx.dir, 'x.npy'), { rows: [10, 5] })).rejects.toThrow(/rows \[10, 5\) is not a range/);
    await expect(fx.pool.logProbFile(flow, input, join(fx.dir, 'x.npy'), { firstRow: 3 })).rejects.toThrow(/firstRow is not an option here/);
  });
});

describe('shardRows', () => {
  it('tiles [0, n) in order with near-equal ranges', () => {
    for (const [n, k] of [
      [10, 3],
      [1000, 7],
      [5, 5],
      [0, 2],
      [1e15 + 3, 4],
    ] as const) {
      let end = 0;
      for (let i = 0; i < k; i++) {
        const [s, e] = shardRows(i, k, n);
        expect(s).toBe(end);
        expect(e - s === Math.floor(n / k) || e - s === Math.ceil(n / k)).toBe(true);
        end = e;
      }
      expect(end).toBe(n);
    }
    expect(shardRows(0, 3, 10)).toEqual([0, 4]);
    expect(shardRows(2, 3, 10)).toEqual([7, 10]);
    expect(() => shardRows(3, 3, 10)).toThrow(/index must be an integer in \[0, 3\), got 3/);
  });
});

describe('part files and mergeParts', () => {
  it('merge of 3 uneven sample parts, given in shuffled order, is byte-identical to one job', async () => {
    const single = join(fx.dir, 'single.npy');
    await fx.pool.sampleToFile(flow, N, single, { seed: 7, chunkSize: 256 });
    const paths = [];
    for (const [i, r] of RANGES.entries()) paths.push(await samplePart(`s-${i}.npy`, r));
    const info = readPartInfo(paths[0] as string);
    expect(info).toMatchObject({ format: PART_FORMAT, kind: 'sample', seed: 7, stream: 0, dtype: 'float32', rows: [0, 333], total: N, shape: [333, 2] });
    expect(info.dataCrc32).toMatch(/^[0-9a-f]{8}$/);
    // The part itself is a plain .npy.
    expect(readNpy(paths[0] as string).shape).toEqual([333, 2]);
    const out = join(fx.dir, 'merged.npy');
    let last = 0;
    const r = await mergeParts([paths[2], paths[0], paths[1]] as string[], out, { onProgress: (p) => (last = p.done) });
    expect(r.shape).toEqual([N, 2]);
    expect(r.parts.map((p) => p.rows)).toEqual(RANGES);
    expect(last).toBe(N);
    expect(readFileSync(out).equals(readFileSync(single))).toBe(true);
    expect(existsSync(partInfoPath(out))).toBe(false);
  });

  it('merge of logProb parts is byte-identical to one logProbFile job', async () => {
    const input = join(fx.dir, 'points64.npy');
    await fx.pool.sampleToFile(flow, N, input, { seed: 5, dtype: 'float64' });
    const single = join(fx.dir, 'lp-single.npy');
    await fx.pool.logProbFile(flow, input, single);
    const paths = [];
    for (const [i, rows] of RANGES.entries()) {
      const path = join(fx.dir, `lp-${i}.npy`);
      await fx.pool.logProbFile(flow, input, path, { rows, chunkSize: 89 });
      writePartInfo(path, { kind: 'logProb', modelChecksum: 'abcdef01', rows, total: N, eddyVersion: '0.1.0', input });
      paths.push(path);
    }
    expect(readPartInfo(paths[1] as string)).toMatchObject({ kind: 'logProb', dtype: 'float64', rows: [333, 334], shape: [1] });
    const out = join(fx.dir, 'lp-merged.npy');
    await mergeParts([paths[1], paths[2], paths[0]] as string[], out);
    expect(readFileSync(out).equals(readFileSync(single))).toBe(true);
  });

  it('refuses gaps and overlaps, naming the rows and the parts', async () => {
    const a = await samplePart('g-a.npy', [0, 300]);
    const b = await samplePart('g-b.npy', [400, 900]);
    const c = await samplePart('g-c.npy', [250, 420]);
    const out = join(fx.dir, 'g.npy');
    await expect(mergeParts([a, b], out)).rejects.toThrow(
      /do not tile rows \[0, 1000\) exactly: rows \[300, 400\) are missing \(between .*g-a\.npy \[0, 300\) and .*g-b\.npy \[400, 900\)\); rows \[900, 1000\) are missing \(after .*g-b\.npy \[400, 900\)\)/,
    );
    await expect(mergeParts([b, c, a], out)).rejects.toThrow(
      /rows \[250, 300\) are in both .*g-a\.npy \[0, 300\) and .*g-c\.npy \[250, 420\); rows \[400, 420\) are in both .*g-c\.npy \[250, 420\) and .*g-b\.npy \[400, 900\)/,
    );
    await expect(mergeParts([a, a], out)).rejects.toThrow(/rows \[0, 300\) are in both/);
    await expect(mergeParts([b], out)).rejects.toThrow(/rows \[0, 400\) are missing \(before the first part .*g-b\.npy/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(fx.dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('refuses parts of different jobs: seed, model, dtype, kind, total, version', async () => {
    const a = await samplePart('m-a.npy', [0, 500]);
    const out = join(fx.dir, 'm.npy');
    const cases: Array<[Partial<PartInfo>, RegExp, ('float32' | 'float64')?]> = [
      [{ seed: 8 }, /different jobs: .*m-a\.npy has seed 7, .*m-b\.npy has 8/],
      [{ modelChecksum: '12345678' }, /different jobs: .*m-a\.npy has modelChecksum "abcdef01", .*m-b\.npy has "12345678"/],
      [{}, /different jobs: .*m-a\.npy has dtype "float32", .*m-b\.npy has "float64"/, 'float64'],
      [{ total: 2000 }, /different jobs: .*m-a\.npy is a part of 1000 rows, .*m-b\.npy of 2000/],
      [{ eddyVersion: '0.2.0' }, /different jobs: .*m-a\.npy has eddyVersion "0\.1\.0", .*m-b\.npy has "0\.2\.0"/],
    ];
    for (const [over, message, dtype] of cases) {
      const b = await samplePart('m-b.npy', [500, N], over, dtype);
      await expect(mergeParts([a, b], out)).rejects.toThrow(message);
    }
    const lp = join(fx.dir, 'm-lp.npy');
    writeNpy(lp, { data: new Float32Array(500), shape: [500] });
    writePartInfo(lp, { kind: 'logProb', modelChecksum: 'abcdef01', rows: [500, N], total: N, eddyVersion: '0.1.0' });
    await expect(mergeParts([a, lp], out)).rejects.toThrow(/different jobs: .*m-a\.npy has kind "sample", .*m-lp\.npy has "logProb"/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses what is not a part file, a sidecar that does not match, changed data, and the output as a part', async () => {
    const a = await samplePart('n-a.npy', [0, 500]);
    const plain = join(fx.dir, 'plain.npy');
    writeNpy(plain, { data: new Float32Array(1000), shape: [500, 2] });
    const out = join(fx.dir, 'n.npy');
    await expect(mergeParts([a, plain], out)).rejects.toThrow(/plain\.npy is not a part file: there is no .*plain\.npy\.json beside it/);
    await expect(mergeParts([a, join(fx.dir, 'nope.npy')], out)).rejects.toThrow(PartError);
    writeFileSync(partInfoPath(plain), '{"format": "eddy-part/1", ');
    await expect(mergeParts([a, plain], out)).rejects.toThrow(/plain\.npy\.json is not valid JSON/);
    writeFileSync(partInfoPath(plain), JSON.stringify({ format: 'something-else' }));
    await expect(mergeParts([a, plain], out)).rejects.toThrow(/format "something-else" is not "eddy-part\/1"/);
    const text = join(fx.dir, 'text.npy');
    writeFileSync(text, 'x,y\n1,2\n');
    writeFileSync(partInfoPath(text), readFileSync(partInfoPath(a)));
    await expect(mergeParts([text], out)).rejects.toThrow(/text\.npy is not a part file: .*not a \.npy file/);
    // A part replaced after its sidecar was written: another shape, or other data.
    const b = await samplePart('n-b.npy', [500, N]);
    const info = readFileSync(partInfoPath(b));
    writeNpy(b, { data: new Float32Array(998), shape: [499, 2] });
    writeFileSync(partInfoPath(b), info);
    await expect(mergeParts([a, b], out)).rejects.toThrow(/n-b\.npy does not match its sidecar: the file holds float32 \[499,2\], .* says float32 \[500,2\]/);
    writeNpy(b, { data: new Float32Array(1000), shape: [500, 2] });
    await expect(mergeParts([a, b], out)).rejects.toThrow(/n-b\.npy: its data do not match the checksum in .*n-b\.npy\.json/);
    expect(existsSync(out)).toBe(false);
    await expect(mergeParts([a, b], a)).rejects.toThrow(/the output .*n-a\.npy is the part/);
    await expect(mergeParts([], out)).rejects.toThrow(/no parts to merge/);
  });

  it('without a recorded total, the job ends with the last part (or at the total asked for)', async () => {
    const a = await samplePart('t-a.npy', [0, 400], { total: undefined });
    const b = await samplePart('t-b.npy', [400, 600], { total: undefined });
    expect(readPartInfo(a).total).toBeUndefined();
    const out = join(fx.dir, 't.npy');
    expect((await mergeParts([b, a], out)).shape).toEqual([600, 2]);
    expect(Array.from(readNpy(out).data)).toEqual(arr(await fx.pool.sample(flow, 600, { seed: 7 })));
    await expect(mergeParts([b, a], out, { total: 700 })).rejects.toThrow(/rows \[600, 700\) are missing/);
  });

  it('reports the kernels the parts were computed with, without refusing a mix', async () => {
    const a = await samplePart('k-a.npy', [0, 500], { kernels: 'cpu native avx512' });
    const b = await samplePart('k-b.npy', [500, N], { kernels: 'cpu typescript' });
    expect(readPartInfo(a).kernels).toBe('cpu native avx512');
    expect((await mergeParts([b, a], join(fx.dir, 'k.npy'))).kernels).toEqual(['cpu native avx512', 'cpu typescript']);
    const c = await samplePart('k-c.npy', [500, N], { kernels: 'cpu native avx512' });
    expect((await mergeParts([c, a], join(fx.dir, 'k.npy'))).kernels).toEqual(['cpu native avx512']);
  });

  it('a cancelled merge writes nothing', async () => {
    const a = await samplePart('c-a.npy', [0, 500]);
    const b = await samplePart('c-b.npy', [500, N]);
    const out = join(fx.dir, 'c.npy');
    const ctl = new AbortController();
    ctl.abort('test');
    await expect(mergeParts([a, b], out, { signal: ctl.signal })).rejects.toThrow(/merge cancelled: test/);
    expect(existsSync(out)).toBe(false);
  });

  it('writePartInfo checks what it is told against the file', async () => {
    const a = await samplePart('w-a.npy', [0, 500]);
    expect(() => writePartInfo(a, sampleDescription([0, 400]))).toThrow(/has shape \[500,2\], but rows \[0, 400\) are 400 rows/);
    expect(() => writePartInfo(a, sampleDescription([0, 500], { seed: undefined }))).toThrow(/a sample part needs seed/);
    expect(() => writePartInfo(a, sampleDescription([0, 500], { total: 10 }))).toThrow(/total must be an integer ≥ the end of rows \(500\)/);
  });
});
