// Row ranges for any scheduler: `sample`/`logprob` with --rows or --shard write part files,
// and `merge` joins them into the bytes of one run (or says exactly why it cannot).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { version } from '@eddy/cli';
import { NSF, readSafetensors, saveFlowToFile } from '@eddy/flows';
import { readNpy, writeNpy } from '@eddy/montecarlo';
import { runCli as run } from './run-cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'eddy-cli-parts-'));
const model = join(dir, 'm.safetensors');
const other = join(dir, 'other.safetensors');
const N = 1000;
const p = (name: string): string => join(dir, name);
const bytes = (path: string): Buffer => readFileSync(path);

beforeAll(async () => {
  saveFlowToFile(new NSF({ features: 2, transforms: 2, hiddenFeatures: [16, 16], seed: 1 }), model);
  saveFlowToFile(new NSF({ features: 2, transforms: 2, hiddenFeatures: [16, 16], seed: 2 }), other);
  // The single-run references, with the defaults (16384-row shards: one shard here).
  expect((await run('sample', model, '-n', String(N), '--seed', '5', '--out', p('single.npy'), '--threads', '2')).code).toBe(0);
  expect((await run('logprob', model, '--in', p('single.npy'), '--out', p('lp-single.npy'), '--threads', '2')).code).toBe(0);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `eddy ...argv` and expects it to succeed. */
async function ok(...argv: string[]): Promise<{ out: string; err: string }> {
  const r = await run(...argv);
  expect(r.code, r.err).toBe(0);
  return r;
}

describe('eddy sample --rows / --shard, then eddy merge', () => {
  it('3 uneven --rows parts (other thread counts and shard sizes), merged in shuffled order: the bytes of one run', async () => {
    const ranges = ['334:1000', '0:333', '333:334'];
    for (const [i, r] of ranges.entries()) {
      const s = await ok(
        'sample',
        model,
        '--rows',
        r,
        '-n',
        String(N),
        '--seed',
        '5',
        '--out',
        p(`r${i}.npy`),
        '--threads',
        String(1 + (i % 2)),
        '--chunk-size',
        '97',
      );
      expect(s.err).toMatch(new RegExp(`part: rows \\[${r.replace(':', ', ')}\\) of 1000, described in .*r${i}\\.npy\\.json for eddy merge`));
    }
    const m = await ok('merge', p('r0.npy'), p('r2.npy'), p('r1.npy'), '--out', p('merged-rows.npy'));
    expect(m.out).toBe(`${p('merged-rows.npy')}\n`);
    expect(m.err).toMatch(/^1\.00k rows from 3 parts in .*, written to /m);
    expect(bytes(p('merged-rows.npy')).equals(bytes(p('single.npy')))).toBe(true);
    expect(m.err).not.toMatch(/warning/);
    // The merged file is a plain .npy: no sidecar.
    expect(existsSync(p('merged-rows.npy.json'))).toBe(false);
    // Parts from machines with other kernels (their last bits may differ) merge, with a warning.
    const info = JSON.parse(readFileSync(p('r2.npy.json'), 'utf8'));
    writeFileSync(p('r2.npy.json'), JSON.stringify({ ...info, kernels: 'cpu typescript (another machine)' }));
    const mixed = await ok('merge', p('r0.npy'), p('r2.npy'), p('r1.npy'), '--out', p('merged-mixed.npy'));
    expect(mixed.err).toMatch(
      /^warning: the parts were computed with different kernels \(.*cpu typescript \(another machine\).*\): every row is a correct result, but the file may differ in the last bits from a single run on one machine$/m,
    );
  }, 60_000);

  it('--shard 0/3, 1/3, 2/3 of -n: near-equal ranges, merged: the bytes of one run', async () => {
    for (const i of [2, 0, 1]) await ok('sample', model, '--shard', `${i}/3`, '-n', String(N), '--seed', '5', '--out', p(`s${i}.npy`), '--threads', '1');
    expect(readNpy(p('s0.npy')).shape).toEqual([334, 2]);
    expect(readNpy(p('s1.npy')).shape).toEqual([333, 2]);
    expect(JSON.parse(readFileSync(p('s2.npy.json'), 'utf8')).rows).toEqual([667, 1000]);
    await ok('merge', p('s1.npy'), p('s2.npy'), p('s0.npy'), '--out', p('merged-shards.npy'));
    expect(bytes(p('merged-shards.npy')).equals(bytes(p('single.npy')))).toBe(true);
  }, 60_000);

  it('the sidecar records the model checksum, seed, dtype, rows, n, kind and Eddy version', async () => {
    await ok('sample', model, '--rows', '10:20', '-n', '100', '--seed', '9', '--dtype', 'float64', '--out', p('meta.npy'), '--threads', '1');
    const info = JSON.parse(readFileSync(p('meta.npy.json'), 'utf8'));
    const crc = readSafetensors(readFileSync(model)).metadata.crc32;
    expect(info).toEqual({
      format: 'eddy-part/1',
      kind: 'sample',
      modelChecksum: crc,
      seed: 9,
      stream: 0,
      dtype: 'float64',
      rows: [10, 20],
      total: 100,
      shape: [10, 2],
      dataCrc32: expect.stringMatching(/^[0-9a-f]{8}$/),
      eddyVersion: version(),
      kernels: expect.stringMatching(/^cpu (native (avx512|avx2|generic)|typescript)$/),
    });
    // Without -n the size of the job is not known: not recorded; merge ends at the last part.
    await ok('sample', model, '--rows', '0:10', '--seed', '9', '--dtype', 'float64', '--out', p('meta0.npy'), '--threads', '1');
    expect(JSON.parse(readFileSync(p('meta0.npy.json'), 'utf8')).total).toBeUndefined();
    await ok('sample', model, '--rows', '20:100', '--seed', '9', '--dtype', 'float64', '--out', p('meta2.npy'), '--threads', '1');
    await ok('merge', p('meta2.npy'), p('meta.npy'), p('meta0.npy'), '--out', p('meta-all.npy'));
    await ok('sample', model, '-n', '100', '--seed', '9', '--dtype', 'float64', '--out', p('meta-single.npy'), '--threads', '1');
    expect(bytes(p('meta-all.npy')).equals(bytes(p('meta-single.npy')))).toBe(true);
    // -n of merge checks the size: against the one recorded, or where no part records one.
    const other = await run('merge', p('meta2.npy'), p('meta.npy'), p('meta0.npy'), '-n', '120', '--out', p('meta-all.npy'));
    expect(other).toMatchObject({ code: 1, err: `eddy merge: PartError: the parts are of a job of 100 rows (${p('meta.npy')}), not 120\n` });
    await ok('sample', model, '--rows', '10:20', '--seed', '9', '--dtype', 'float64', '--out', p('meta1.npy'), '--threads', '1');
    const short = await run('merge', p('meta2.npy'), p('meta1.npy'), p('meta0.npy'), '-n', '120', '--out', p('meta-all.npy'));
    expect(short.code).toBe(1);
    expect(short.err).toMatch(/rows \[100, 120\) are missing \(after .*meta2\.npy \[20, 100\)\)/);
    expect(bytes(p('meta-all.npy')).equals(bytes(p('meta-single.npy')))).toBe(true);
  }, 60_000);
});

describe('eddy logprob --rows / --shard, then eddy merge', () => {
  it('3 uneven --rows parts of a .npy input, merged in shuffled order: the bytes of one run', async () => {
    const ranges = ['0:333', '333:334', '334:1000'];
    for (const [i, r] of ranges.entries())
      await ok('logprob', model, '--in', p('single.npy'), '--rows', r, '--out', p(`lr${i}.npy`), '--threads', '1', '--chunk-size', '89');
    const info = JSON.parse(readFileSync(p('lr1.npy.json'), 'utf8'));
    expect(info).toMatchObject({ kind: 'logProb', rows: [333, 334], total: N, dtype: 'float32', shape: [1], input: p('single.npy') });
    expect(info.seed).toBeUndefined();
    await ok('merge', p('lr2.npy'), p('lr0.npy'), p('lr1.npy'), '--out', p('lp-merged.npy'));
    expect(bytes(p('lp-merged.npy')).equals(bytes(p('lp-single.npy')))).toBe(true);
  }, 60_000);

  it('--shard I/4 of the input rows (no -n: the file says), and a CSV input: the bytes of one run', async () => {
    for (const i of [3, 1, 0, 2]) await ok('logprob', model, '--in', p('single.npy'), '--shard', `${i}/4`, '--out', p(`ls${i}.npy`), '--threads', '2');
    await ok('merge', p('ls1.npy'), p('ls3.npy'), p('ls0.npy'), p('ls2.npy'), '--out', p('lp-merged-shards.npy'));
    expect(bytes(p('lp-merged-shards.npy')).equals(bytes(p('lp-single.npy')))).toBe(true);
    // A CSV input: the parts score the same rows as one run over the whole file.
    const x = readNpy(p('single.npy')).data;
    const lines = ['x0,x1'];
    for (let i = 0; i < 300; i++) lines.push(`${x[2 * i]},${x[2 * i + 1]}`);
    writeFileSync(p('in.csv'), `${lines.join('\n')}\n`);
    await ok('logprob', model, '--in', p('in.csv'), '--out', p('csv-single.npy'), '--threads', '1');
    await ok('logprob', model, '--in', p('in.csv'), '--rows', '0:101', '--out', p('c0.npy'), '--threads', '1');
    await ok('logprob', model, '--in', p('in.csv'), '--rows', '101:300', '--out', p('c1.npy'), '--threads', '1');
    await ok('merge', p('c1.npy'), p('c0.npy'), '--out', p('csv-merged.npy'));
    expect(bytes(p('csv-merged.npy')).equals(bytes(p('csv-single.npy')))).toBe(true);
  }, 60_000);
});

describe('eddy merge refuses parts that do not make one job', () => {
  const part = async (name: string, rows: string, ...extra: string[]): Promise<string> => {
    await ok(
      'sample',
      ...(extra.includes('--model-other') ? [other] : [model]),
      '--rows',
      rows,
      '-n',
      '100',
      '--out',
      p(name),
      '--threads',
      '1',
      ...extra.filter((e) => e !== '--model-other'),
    );
    return p(name);
  };

  it('a gap, an overlap: the message names the rows and the parts; nothing is written', async () => {
    const a = await part('g-a.npy', '0:40');
    const b = await part('g-b.npy', '50:100');
    const c = await part('g-c.npy', '30:60');
    const gap = await run('merge', b, a, '--out', p('g.npy'));
    expect(gap.code).toBe(1);
    expect(gap.err).toMatch(
      /^eddy merge: PartError: the parts do not tile rows \[0, 100\) exactly: rows \[40, 50\) are missing \(between .*g-a\.npy \[0, 40\) and .*g-b\.npy \[50, 100\)\)\n$/,
    );
    const overlap = await run('merge', a, b, c, '--out', p('g.npy'));
    expect(overlap.code).toBe(1);
    expect(overlap.err).toMatch(
      /rows \[30, 40\) are in both .*g-a\.npy \[0, 40\) and .*g-c\.npy \[30, 60\); rows \[50, 60\) are in both .*g-c\.npy \[30, 60\) and .*g-b\.npy \[50, 100\)/,
    );
    expect(existsSync(p('g.npy'))).toBe(false);
  }, 60_000);

  it('another seed, another model, another dtype, or a file that is not a part', async () => {
    const a = await part('x-a.npy', '0:50');
    const cases: Array<[string[], RegExp]> = [
      [['--seed', '1'], /the parts are of different jobs: .*x-a\.npy has seed 0, .*x-b\.npy has 1/],
      [['--model-other'], /the parts are of different jobs: .*x-a\.npy has modelChecksum "[0-9a-f]{8}", .*x-b\.npy has "[0-9a-f]{8}"/],
      [['--dtype', 'float64'], /the parts are of different jobs: .*x-a\.npy has dtype "float32", .*x-b\.npy has "float64"/],
    ];
    for (const [extra, message] of cases) {
      const b = await part('x-b.npy', '50:100', ...extra);
      const r = await run('merge', a, b, '--out', p('x.npy'));
      expect(r.code).toBe(1);
      expect(r.err).toMatch(message);
    }
    // A plain .npy (a single run's output) has no sidecar: not a part.
    const plain = await run('merge', a, p('single.npy'), '--out', p('x.npy'));
    expect(plain.code).toBe(1);
    expect(plain.err).toMatch(/single\.npy is not a part file: there is no .*single\.npy\.json beside it/);
    writeNpy(p('fake.npy'), { data: new Float32Array(100), shape: [50, 2] });
    writeFileSync(p('fake.npy.json'), '{"hello": "world"}');
    expect((await run('merge', a, p('fake.npy'), '--out', p('x.npy'))).err).toMatch(
      /fake\.npy\.json: format undefined is not "eddy-part\/1": .*fake\.npy is not a part file/,
    );
    expect(existsSync(p('x.npy'))).toBe(false);
    // Usage errors: no parts, a missing part, a part as the output.
    expect(await run('merge', '--out', p('x.npy'))).toMatchObject({
      code: 2,
      err: 'eddy merge: the part files to merge are required (eddy merge part.npy ... --out all.npy)\n',
    });
    expect(await run('merge', p('nope.npy'), '--out', p('x.npy'))).toMatchObject({ code: 2, err: `eddy merge: file not found: ${p('nope.npy')}\n` });
    expect((await run('merge', a, '--out', a)).err).toMatch(/--out .*x-a\.npy is the same file as the part .*x-a\.npy/);
    expect((await run('merge', a, '--out', p('x.csv'))).err).toMatch(/--out must end in \.npy, got/);
  }, 60_000);
});

describe('--rows and --shard are checked, with messages that name the option', () => {
  const sample = (...argv: string[]) => run('sample', model, '--out', p('v.npy'), ...argv);
  const logprob = (...argv: string[]) => run('logprob', model, '--in', p('single.npy'), '--out', p('v.npy'), ...argv);

  it('malformed values, START ≥ END, END past the job, both options at once', async () => {
    const usage = async (r: Promise<{ code: number; err: string }>, message: string | RegExp): Promise<void> => {
      const got = await r;
      expect(got.code, got.err).toBe(2);
      if (typeof message === 'string') expect(got.err).toBe(message);
      else expect(got.err).toMatch(message);
    };
    for (const bad of ['abc', '5', '1:2:3', '-1:5', '1.5:3', ':4', '0x10:20']) {
      await usage(
        sample(`--rows=${bad}`),
        `eddy sample: --rows must be START:END, two integers with 0 ≤ START < END (rows START to END-1 are written, counted from 0), got ${JSON.stringify(bad)}\n`,
      );
    }
    await usage(sample('--rows', '10:10'), 'eddy sample: --rows 10:10: START must be less than END (rows START to END-1 are written), got 10 ≥ 10\n');
    await usage(sample('--rows', '20:10', '-n', '100'), /--rows 20:10: START must be less than END/);
    await usage(sample('--rows', '0:200', '-n', '100'), 'eddy sample: --rows 0:200: END 200 is past the end of the job (-n 100)\n');
    await usage(logprob('--rows', '900:1001'), `eddy logprob: --rows 900:1001: END 1001 is past the end of the job (the 1000 rows of ${p('single.npy')})\n`);
    await usage(logprob('--rows', '5:1'), /^eddy logprob: --rows 5:1: START must be less than END/);
    await usage(sample('--rows', '0:10', '--shard', '0/2', '-n', '100'), 'eddy sample: --rows and --shard both say which rows to write; give one of them\n');
    await usage(sample('--rows', '0:10', '--out', p('v.csv')), /^eddy sample: --out must end in \.npy when --rows or --shard write a part/);
    await usage(logprob('--rows', '0:10', '--out', p('v.csv')), /^eddy logprob: --out must end in \.npy when --rows or --shard write a part/);
    expect(existsSync(p('v.npy'))).toBe(false);
  });

  it('--shard: I/N from 0, needs -n for sample, at most as many shards as rows', async () => {
    for (const bad of ['1', '1/0', 'a/b', '1/2/3', '-1/2'])
      expect((await sample(`--shard=${bad}`, '-n', '100')).err).toMatch(
        /^eddy sample: --shard must be I\/N, shard I \(counted from 0\) of N ≥ 1 near-equal row ranges, got /,
      );
    expect((await sample('--shard', '3/3', '-n', '100')).err).toBe('eddy sample: --shard 3/3: I must be between 0 and N-1 = 2 (shards are counted from 0)\n');
    // --shard splits -n, which it needs (--rows alone does not).
    expect((await sample('--shard', '0/3')).err).toBe('eddy sample: -n (or --rows) is required (see eddy sample --help)\n');
    expect((await sample('--shard', '0/200', '-n', '100')).err).toBe(
      'eddy sample: --shard 0/200: 200 shards of a job of 100 rows (-n 100) would leave some empty; use at most 100\n',
    );
    expect((await logprob('--shard', '0/2000')).err).toMatch(
      /--shard 0\/2000: 2000 shards of a job of 1000 rows \(the 1000 rows of .*single\.npy\) would leave some empty/,
    );
  });

  it('sample needs -n or --rows, and --help says so', async () => {
    expect(await sample()).toMatchObject({ code: 2, err: 'eddy sample: -n (or --rows) is required (see eddy sample --help)\n' });
    const help = (await run('sample', '--help')).out;
    expect(help).toMatch(/^ {2}-n N +how many samples to draw .*\(required unless --rows is given\)$/m);
    expect(help).toMatch(/^ {2}--rows START:END +write only rows START to END-1/m);
    expect(help).toMatch(/^ {2}--shard I\/N +write shard I \(from 0 to N-1\)/m);
    expect((await run('merge', '--help')).out).toMatch(/^usage: eddy merge <part\.npy> \[part\.npy \.\.\.\] --out FILE \[options\]$/m);
  });
});
