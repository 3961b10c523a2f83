// The CLI as a hostile user and a broken machine would drive it: outputs that are inputs,
// ambiguous CSV headers, bad flags, interrupted and killed jobs, a full disk.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '@eddy/cli';
import { AtomicFile, MAF, NSF, OutputError, saveFlowToFile } from '@eddy/flows';
import { readNpy, writeNpy } from '@eddy/montecarlo';
import { runCli as run } from './run-cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../bin/eddy.mjs');
const dir = mkdtempSync(join(tmpdir(), 'eddy-cli-rel-'));
const model = join(dir, 'm.safetensors');
const big = join(dir, 'big.safetensors');
beforeAll(() => {
  saveFlowToFile(new MAF({ features: 2, hiddenFeatures: [8], transforms: 1, seed: 1 }), model);
  // Slow enough to sample that a job of a few million rows runs for many seconds.
  saveFlowToFile(new NSF({ features: 2, transforms: 4, hiddenFeatures: [256, 256], seed: 1 }), big);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Temporary files left in `where` by an output writer. */
const temps = (where = dir): string[] => readdirSync(where).filter((f) => f.endsWith('.tmp'));

describe('an output never overwrites an input', () => {
  it('logprob --in x.npy --out x.npy (also through a symlink or a hard link) is refused; the input is intact', async () => {
    const x = join(dir, 'x.npy');
    writeNpy(x, { data: new Float32Array([0.1, 0.2, 0.3, 0.4]), shape: [2, 2] });
    const before = readFileSync(x);
    const link = join(dir, 'link.npy');
    symlinkSync(x, link);
    const hard = join(dir, 'hard.npy');
    linkSync(x, hard);
    for (const out of [x, link, hard, join(dir, '.', 'x.npy')]) {
      const r = await run('logprob', model, '--in', x, '--out', out);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--out .* is the same file as --in .*: writing it would destroy the input/);
    }
    expect(readFileSync(x)).toEqual(before);
  });

  it('train --data d.npy --out d.npy and an output that is the model are refused', async () => {
    const d = join(dir, 'd.npy');
    writeNpy(d, { data: new Float32Array(64).map((_, i) => Math.sin(i)), shape: [32, 2] });
    const t = await run('train', '--data', d, '--out', d, '--epochs', '1');
    expect(t.code).toBe(2);
    expect(t.err).toMatch(/--out .*d\.npy is the same file as --data/);
    const npyModel = join(dir, 'model.npy');
    writeFileSync(npyModel, readFileSync(model));
    const s = await run('sample', npyModel, '-n', '10', '--out', npyModel);
    expect(s.code).toBe(2);
    expect(s.err).toMatch(/is the same file as model/);
    expect(readFileSync(npyModel)).toEqual(readFileSync(model));
  });
});

describe('CSV headers are never guessed at the cost of a row', () => {
  it('a first row of NaN or quoted numbers is data; a mixed first row is an error unless --header', async () => {
    const quoted = join(dir, 'quoted.csv');
    writeFileSync(quoted, '"0.1","0.2"\n0.1,0.2\n0.3,0.4\n');
    const q = await run('logprob', model, '--in', quoted, '--out', join(dir, 'quoted.npy'), '--threads', '1');
    expect(q.code).toBe(0);
    const lq = Array.from(readNpy(join(dir, 'quoted.npy')).data);
    expect(lq).toHaveLength(3); // 3 rows in, 3 values out
    expect(lq[0]).toBe(lq[1]); // the quoted first row is the same point as the second
    const nan = join(dir, 'nan.csv');
    writeFileSync(nan, 'NaN,0.2\n0.1,0.2\n0.3,0.4\n');
    // Row 0 is data: its NaN is refused as it is read, with its line and what to do…
    const n1 = await run('logprob', model, '--in', nan, '--out', join(dir, 'nan.npy'), '--threads', '1');
    expect(n1.code).toBe(1);
    expect(n1.err).toMatch(/nan\.csv:1: column 1 is "NaN", not a finite number; --allow-non-finite keeps them/);
    expect(existsSync(join(dir, 'nan.npy'))).toBe(false);
    // …unless asked to keep them.
    const n2 = await run('logprob', model, '--in', nan, '--out', join(dir, 'nan.npy'), '--threads', '1', '--allow-non-finite');
    expect(n2.code).toBe(0);
    const ln = Array.from(readNpy(join(dir, 'nan.npy')).data);
    expect(ln).toHaveLength(3);
    expect(Number.isNaN(ln[0])).toBe(true);
    expect(ln.slice(1).every(Number.isFinite)).toBe(true);
    const mixed = join(dir, 'mixed.csv');
    writeFileSync(mixed, 'x,0.2\n0.1,0.2\n0.3,0.4\n');
    const bad = await run('logprob', model, '--in', mixed, '--out', join(dir, 'mixed.npy'));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/mixed\.csv:1: the first row mixes numbers and text \("x", "0\.2"\); if it is a header, say so/);
    expect(existsSync(join(dir, 'mixed.npy'))).toBe(false);
    const ok = await run('logprob', model, '--in', mixed, '--out', join(dir, 'mixed.npy'), '--header', '--threads', '1');
    expect(ok.code).toBe(0);
    expect(readNpy(join(dir, 'mixed.npy')).shape).toEqual([2]);
    // --no-header: a row of names is then an error naming it, not a dropped row.
    const names = join(dir, 'names.csv');
    writeFileSync(names, 'a,b\n0.1,0.2\n');
    const nh = await run('logprob', model, '--in', names, '--out', join(dir, 'names.npy'), '--no-header');
    expect(nh.code).toBe(1);
    expect(nh.err).toMatch(/names\.csv:1: column 1 is not a number: "a"/);
  });
});

describe('flags', () => {
  it('negative, hexadecimal and out-of-range values, extra arguments and too many threads are usage errors', async () => {
    // The sample count is -n in every message (never --n).
    const neg = await run('sample', model, '-n', '-5', '--out', join(dir, 'n.npy'));
    expect(neg.code).toBe(2);
    expect(neg.err).toBe('eddy sample: -n needs a value, and the next argument looks like an option; a value that starts with a dash is written -n-5\n');
    const negShort = await run('sample', model, '-n-5', '--out', join(dir, 'n.npy'));
    expect(negShort.code).toBe(2);
    expect(negShort.err).toBe('eddy sample: -n must be an integer ≥ 1, got -5\n');
    const hex = await run('sample', model, '-n', '0x10', '--out', join(dir, 'n.npy'));
    expect(hex.code).toBe(2);
    expect(hex.err).toBe('eddy sample: -n must be a decimal number, got "0x10"\n');
    for (const r of [neg, negShort, hex]) expect(r.err).not.toMatch(/--n\b/);
    const extra = await run('sample', model, 'extra.npy', '-n', '10', '--out', join(dir, 'n.npy'));
    expect(extra.code).toBe(2);
    expect(extra.err).toMatch(/unexpected argument "extra\.npy" \(sample takes at most 1\)/);
    const threads = await run('sample', model, '-n', '10', '--out', join(dir, 'n.npy'), '--threads', '1000');
    expect(threads.code).toBe(2);
    expect(threads.err).toBe(
      `eddy sample: --threads must be at most ${4 * availableParallelism()} (4 per core on this machine, which has ${availableParallelism()}), got 1000\n`,
    );
    expect(existsSync(join(dir, 'n.npy'))).toBe(false);
    const data = join(dir, 'few.csv');
    writeFileSync(data, '0.1,0.2\n0.3,0.5\n0.2,0.1\n');
    for (const v of ['-0.5', '1', '1.5', 'NaN']) {
      const r = await run('train', '--data', data, '--out', join(dir, 'v.safetensors'), `--validation=${v}`);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--validation must be/);
    }
  });

  it('a one-row CSV is refused before training; an unwritable --out fails before the first epoch', async () => {
    const one = join(dir, 'one.csv');
    writeFileSync(one, '0.1,0.2\n');
    const r = await run('train', '--data', one, '--out', join(dir, 'one.safetensors'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/1 row\(s\), 1 held out for --validation 0\.1, leave 0 to train on; at least 2 are needed/);
    expect(existsSync(join(dir, 'one.safetensors'))).toBe(false);
    const data = join(dir, 'ok.csv');
    writeFileSync(data, `${Array.from({ length: 50 }, (_, i) => `${Math.sin(i)},${Math.cos(i)}`).join('\n')}\n`);
    const nowhere = await run('train', '--data', data, '--out', join(dir, 'no', 'such', 'dir', 'm.safetensors'), '--epochs', '50');
    expect(nowhere.code).toBe(1);
    expect(nowhere.err).toMatch(/OutputError: .*m\.safetensors: cannot write there/);
    expect(nowhere.err).not.toMatch(/epoch/);
  });
});

describe('interrupted and killed jobs', () => {
  it('a cancelled sample job exits 130, keeps the previous file and leaves no temporary file', async () => {
    const out = join(dir, 'keep.npy');
    writeNpy(out, { data: new Float32Array([1, 2, 3, 4]), shape: [2, 2] });
    const before = readFileSync(out);
    const controller = new AbortController();
    let err = '';
    const code = await main(['sample', model, '-n', '2000000', '--out', out, '--threads', '1', '--chunk-size', '1000'], {
      out: () => {},
      err: (s) => {
        err += s;
        if (s.includes('sample [')) controller.abort('SIGINT'); // the first progress bar
      },
      signal: controller.signal,
    });
    expect(code).toBe(130);
    expect(err).toMatch(/eddy sample: stopped by SIGINT; nothing was written/);
    expect(readFileSync(out)).toEqual(before);
    expect(temps()).toEqual([]);
  });

  /** Starts `eddy` in a child process; resolves once its stderr shows a progress bar. */
  function startEddy(args: string[]): { child: ChildProcess; progressed: Promise<void>; exited: Promise<number | string> } {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    const progressed = new Promise<void>((res, rej) => {
      child.stderr?.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('sample [')) res();
      });
      child.on('exit', () => rej(new Error(`eddy exited before any progress: ${err}`)));
    });
    const exited = new Promise<number | string>((res) => child.on('exit', (code, signal) => res(code ?? signal ?? 'unknown')));
    return { child, progressed, exited };
  }

  /**
   * Writes a one-row file `name` (the previous output), starts a long `eddy sample` to it
   * and sends `signal` once it shows progress.
   */
  async function interruptSample(name: string, previous: number[], signal: NodeJS.Signals) {
    const out = join(dir, name);
    writeNpy(out, { data: new Float32Array(previous), shape: [1, previous.length] });
    const before = readFileSync(out);
    const job = startEddy(['sample', big, '-n', '20000000', '--out', out, '--threads', '1', '--chunk-size', '4096']);
    await job.progressed;
    job.child.kill(signal);
    return { out, before, job };
  }

  it('SIGTERM mid-job (a real process): exit 143, the previous file kept, no temporary file', async () => {
    const { out, before, job } = await interruptSample('term.npy', [5, 6], 'SIGTERM');
    expect(await job.exited).toBe(143);
    expect(readFileSync(out)).toEqual(before);
    expect(temps()).toEqual([]);
  }, 120_000);

  it('SIGKILL mid-job: the previous file kept; the next job to that path clears the dead temporary file', async () => {
    const { out, before, job } = await interruptSample('kill.npy', [7, 8], 'SIGKILL');
    expect(await job.exited).toBe('SIGKILL');
    expect(readFileSync(out)).toEqual(before);
    // A killed process cannot clean up after itself: its partial file is hidden, never the output.
    expect(temps()).toEqual([`.kill.npy.eddy-${job.child.pid}-0.tmp`]);
    const again = await run('sample', model, '-n', '100', '--out', out, '--threads', '1');
    expect(again.code).toBe(0);
    expect(readNpy(out).shape).toEqual([100, 2]);
    expect(temps()).toEqual([]);
  }, 120_000);
});

describe('disk full on a real 5 MB tmpfs', () => {
  const mnt = join(dir, 'tmpfs');
  let mounted = false;
  let why = '';
  beforeAll(() => {
    mkdirSync(mnt);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=5m', 'tmpfs', mnt], { stdio: 'pipe' });
      mounted = true;
    } catch (e) {
      why = String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim();
    }
  });
  afterAll(() => {
    if (mounted) execFileSync('umount', [mnt]);
  });

  it('sample -n 1e6 (8 MB) is refused before any work; a write past the end fails and leaves nothing', async () => {
    if (!mounted) {
      // The simulated file-system tests (montecarlo/test/output-faults.test.ts) still ran.
      console.log(`SKIPPED (printed on purpose): cannot mount a tmpfs here (${why}); run as root to include it`);
      return;
    }
    const out = join(mnt, 's.npy');
    const r = await run('sample', model, '-n', '1e6', '--out', out, '--threads', '1');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/OutputError: .*s\.npy: needs 8000128 bytes but only \d+ are free/);
    expect(readdirSync(mnt)).toEqual([]);
    // Past the free-space check (none asked for): the kernel's ENOSPC becomes an OutputError.
    const f = new AtomicFile(join(mnt, 'raw.bin'));
    let error: unknown;
    try {
      f.writeAt(new Uint8Array(6 * 2 ** 20).fill(1), 0);
    } catch (e) {
      error = e;
    }
    f.abort();
    expect(error).toBeInstanceOf(OutputError);
    expect((error as Error).message).toMatch(/raw\.bin: write (failed after \d+ bytes \(ENOSPC|made no progress)/);
    expect(readdirSync(mnt)).toEqual([]);
  });
});
