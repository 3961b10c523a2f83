import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy } from '@eddy/montecarlo';
import { runCli as run } from './run-cli.js';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'eddy-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('eddy CLI', () => {
  it('--help everywhere; bad arguments give one line and exit code 2', async () => {
    expect((await run('--help')).out).toMatch(/commands:[\s\S]*train[\s\S]*sample[\s\S]*logprob[\s\S]*info[\s\S]*bench/);
    for (const c of ['train', 'sample', 'logprob', 'info', 'bench']) {
      const r = await run(c, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`usage: eddy ${c}`));
    }
    const bad = await run('sample', 'nope.safetensors', '-n', '10', '--out', 'x.npy');
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('eddy sample: model file not found: nope.safetensors\n');
    const unknown = await run('frobnicate');
    expect(unknown.code).toBe(2);
    expect((await run('train', '--epochs', 'ten')).code).toBe(2);
    const opt = await run('info', '--bogus');
    expect(opt.code).toBe(2);
    expect(opt.err.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('train → info → sample (.npy) → logprob, end to end', async () => {
    // A tiny dataset: two Gaussian blobs.
    const rows: string[] = ['x,y'];
    for (let i = 0; i < 400; i++) {
      const s = i % 2 === 0 ? 1 : -1;
      rows.push(`${s + Math.sin(i) * 0.3},${s + Math.cos(i * 1.7) * 0.3}`);
    }
    const data = join(dir, 'd.csv');
    writeFileSync(data, `${rows.join('\n')}\n`);
    const model = join(dir, 'm.safetensors');
    const t = await run('train', '--data', data, '--flow', 'MAF', '--epochs', '2', '--hidden', '8', '--out', model);
    expect(t.code).toBe(0);
    expect(t.err).toMatch(/epoch 2\/2: train log-lik -?\d+\.\d+, held-out log-lik -?\d+\.\d+/);
    const i = await run('info', model);
    expect(i.code).toBe(0);
    // train standardises the features by default: a Standardized model around the MAF.
    expect(i.out).toMatch(/class: +Standardized\n/);
    expect(i.out).toMatch(/\(flow\): MAF\(/);
    // Readable options: the inner flow by its class and options, the scaling by its values,
    // never the internals of a tensor or module.
    expect(i.out).toMatch(/options: +\{"flow":"MAF","features":2\}\n/);
    expect(i.out).toMatch(/inner: +MAF \{.*"hiddenFeatures":\[8\].*\}\n/);
    expect(i.out).toMatch(/scaling: +\(x - loc\) \/ scale, loc \[-?\d[^\]]*\], scale \[\d[^\]]*\]\n/);
    expect(i.out).not.toMatch(/backend":|"shape":/);
    // Which kernels run is visible: native (with the instruction set) or TypeScript (with why).
    expect(i.out).toMatch(/backend: +cpu, (native kernels \((avx512|avx2|generic)\)|TypeScript kernels \(.+\))/);
    const s = await run('sample', model, '-n', '5000', '--out', join(dir, 's.npy'), '--threads', '2', '--seed', '3', '--chunk-size', '1024');
    expect(s.code).toBe(0);
    expect(s.err).toMatch(/sample \[#+\] 100\.0%/);
    const npy = readNpy(join(dir, 's.npy'));
    expect(npy.shape).toEqual([5000, 2]);
    expect(npy.data).toBeInstanceOf(Float32Array);
    expect(Array.from(npy.data).every(Number.isFinite)).toBe(true);
    // The header is what NumPy writes.
    const head = readFileSync(join(dir, 's.npy')).subarray(0, 128);
    expect(Array.from(head.subarray(0, 8))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    expect(head.subarray(10).toString('latin1')).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(5000, 2\), \}/);
    const l = await run('logprob', model, '--in', join(dir, 's.npy'), '--out', join(dir, 'lp.npy'), '--threads', '1');
    expect(l.code).toBe(0);
    const lp = readNpy(join(dir, 'lp.npy'));
    expect(lp.shape).toEqual([5000]);
    // The same seed on a different thread count gives the same file.
    await run('sample', model, '-n', '5000', '--out', join(dir, 's1.npy'), '--threads', '1', '--seed', '3');
    expect(Array.from(readNpy(join(dir, 's1.npy')).data)).toEqual(Array.from(npy.data));
  }, 120_000);
});
