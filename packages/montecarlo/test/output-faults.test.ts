// Output files under a failing file system: a simulated layer over node:fs that writes
// short, runs out of space or stops making progress, so these run on every machine
// (apps/cli/test/reliability.test.ts repeats the disk-full case on a real tmpfs).
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAF, OutputError, loadFlow, saveFlowToFile } from '@eddy/flows';
import { readNpy, writeCsv, writeNpy } from '@eddy/montecarlo';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { useTempPool } from './temp-pool.js';

type Mode = 'none' | 'short' | 'enospc' | 'stall' | 'null';
const fault = vi.hoisted(() => ({ mode: 'none' as Mode, after: 0, written: 0, calls: 0, hugeDisk: false }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  // Only the positional form (fd, bytes, offset, length, position) that output files use is faulted.
  const writeSync = ((fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null) => {
    if (fault.mode === 'none' || !(buffer instanceof Uint8Array) || typeof offset !== 'number')
      return (fs.writeSync as (...a: unknown[]) => number)(fd, buffer, offset, length, position);
    fault.calls++;
    if (fault.mode === 'null') {
      fault.written += length;
      return length;
    }
    if (fault.mode === 'short') {
      const k = Math.max(1, Math.floor(length / 3));
      const n = fs.writeSync(fd, buffer, offset, k, position);
      fault.written += n;
      return n;
    }
    const room = Math.max(0, fault.after - fault.written);
    if (room === 0) {
      if (fault.mode === 'stall') return 0;
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });
    }
    const n = fs.writeSync(fd, buffer, offset, Math.min(length, room), position);
    fault.written += n;
    return n;
  }) as typeof fs.writeSync;
  const statfsSync = ((path: string, options?: object) => {
    const s = (fs.statfsSync as (p: string, o?: object) => import('node:fs').StatsFs)(path, options);
    return fault.hugeDisk ? { ...s, bsize: 4096, bavail: 2 ** 40 } : s;
  }) as typeof fs.statfsSync;
  return { ...fs, default: { ...fs, writeSync, statfsSync }, writeSync, statfsSync };
});

const flow = new MAF({ features: 2, hiddenFeatures: [8], transforms: 1, seed: 4 });
const fx = useTempPool('eddy-faults-');
beforeEach(() => {
  Object.assign(fault, { mode: 'none', after: 0, written: 0, calls: 0, hugeDisk: false });
});

/** Temporary files left in the directory (there must be none once a job has ended). */
const leftovers = (): string[] => readdirSync(fx.dir).filter((f) => f.endsWith('.tmp'));

describe('output files on a failing file system', () => {
  it('short writes are completed: the file is whole and equal to the in-memory result', async () => {
    const expected = await fx.pool.sample(flow, 3000, { seed: 5, chunkSize: 500 });
    fault.mode = 'short';
    const out = join(fx.dir, 'short.npy');
    await fx.pool.sampleToFile(flow, 3000, out, { seed: 5, chunkSize: 500 });
    fault.mode = 'none';
    expect(fault.calls).toBeGreaterThan(6 * 3); // every write came back short at least twice
    expect(Array.from(readNpy(out).data)).toEqual(Array.from(expected.dataSync()));
    rmSync(out);
    expect(leftovers()).toEqual([]);
  });

  it('disk full mid-job: the job fails naming the file, the old file survives, no temporary file is left', async () => {
    const out = join(fx.dir, 'full.npy');
    writeNpy(out, { data: new Float32Array([1, 2, 3, 4]), shape: [2, 2] });
    const before = readFileSync(out);
    fault.mode = 'enospc';
    fault.after = 10_000; // the header and a few shards fit
    const job = fx.pool.sampleToFile(flow, 100_000, out, { seed: 5, chunkSize: 1000 });
    await expect(job).rejects.toThrow(OutputError);
    await expect(job).rejects.toThrow(
      new RegExp(`${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: write failed after \\d+ bytes \\(ENOSPC: no space left on device`),
    );
    fault.mode = 'none';
    expect(readFileSync(out)).toEqual(before);
    expect(leftovers()).toEqual([]);
  });

  it('a write that makes no progress fails instead of looping or leaving zeros', async () => {
    const out = join(fx.dir, 'stall.npy');
    fault.mode = 'stall';
    fault.after = 5000;
    await expect(fx.pool.sampleToFile(flow, 20_000, out, { seed: 5, chunkSize: 1000 })).rejects.toThrow(/write made no progress at byte \d+ \(disk full\?\)/);
    fault.mode = 'none';
    expect(existsSync(out)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('file to file (logProbFile) fails the same way and keeps the old output', async () => {
    const input = join(fx.dir, 'in.npy');
    writeNpy(input, { data: new Float32Array(40_000).map((_, i) => Math.sin(i)), shape: [20_000, 2] });
    const out = join(fx.dir, 'lp.npy');
    writeFileSync(out, 'previous');
    fault.mode = 'enospc';
    fault.after = 2000;
    await expect(fx.pool.logProbFile(flow, input, out, { chunkSize: 1000 })).rejects.toThrow(/ENOSPC/);
    fault.mode = 'none';
    expect(readFileSync(out, 'utf8')).toBe('previous');
    expect(leftovers()).toEqual([]);
    rmSync(input);
    rmSync(out);
  });

  it('whole-file writers (writeNpy, writeCsv, saveFlowToFile) are all or nothing', () => {
    const model = join(fx.dir, 'm.safetensors');
    saveFlowToFile(flow, model);
    const csv = join(fx.dir, 'x.csv');
    writeCsv(csv, { data: new Float64Array([1, 2]), shape: [2] });
    const npy = join(fx.dir, 'x.npy');
    writeNpy(npy, { data: new Float64Array([1, 2]), shape: [2] });
    const saved = [model, csv, npy].map((p) => readFileSync(p));
    fault.mode = 'enospc';
    fault.after = 100;
    const big = new Float64Array(10_000);
    expect(() => saveFlowToFile(new MAF({ features: 2, hiddenFeatures: [64], seed: 1 }), model)).toThrow(OutputError);
    expect(() => writeCsv(csv, { data: big, shape: [10_000] })).toThrow(/ENOSPC/);
    expect(() => writeNpy(npy, { data: big, shape: [10_000] })).toThrow(/ENOSPC/);
    fault.mode = 'none';
    expect([model, csv, npy].map((p) => readFileSync(p))).toEqual(saved);
    expect(loadFlow(model).parameters().length).toBe(flow.parameters().length);
    expect(leftovers()).toEqual([]);
    for (const p of [model, csv, npy]) rmSync(p);
  });

  it('an output larger than the free space is refused before any work', async () => {
    const out = join(fx.dir, 'huge.npy');
    // 10¹² rows × 2 float32: 8 TB.
    await expect(fx.pool.sampleToFile(flow, 1e12, out, { seed: 1 })).rejects.toThrow(/huge\.npy: needs 8000000000128 bytes but only \d+ are free/);
    expect(leftovers()).toEqual([]);
  });

  it('a very large job starts in bounded memory: shards are handed out as others finish', async () => {
    // A disk that is big enough and writes nowhere: only the job's own bookkeeping costs memory.
    fault.mode = 'null';
    fault.hugeDisk = true;
    const controller = new AbortController();
    const heap0 = process.memoryUsage().heapUsed;
    let heapAtFirst = 0;
    let progressCalls = 0;
    const job = fx.pool.sampleToFile(flow, 1e9, join(fx.dir, 'big.npy'), {
      seed: 1,
      chunkSize: 1000, // 10⁶ shards: queued up front, they alone would take hundreds of MB
      signal: controller.signal,
      onProgress: () => {
        progressCalls++;
        if (progressCalls === 1) heapAtFirst = process.memoryUsage().heapUsed;
        if (progressCalls === 20) controller.abort('enough');
      },
    });
    await expect(job).rejects.toThrow(/job cancelled: enough/);
    fault.mode = 'none';
    fault.hugeDisk = false;
    expect(progressCalls).toBeGreaterThanOrEqual(20);
    expect(heapAtFirst - heap0).toBeLessThan(32 * 2 ** 20);
    expect(leftovers()).toEqual([]);
  });
});
