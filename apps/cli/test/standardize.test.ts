// `eddy train` standardises features by default (issue 14): spline flows act on [-5, 5],
// so data in other units must be scaled, and the scaling travels with the saved model.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFlow } from '@eddy/flows';
import { readNpy, writeNpy } from '@eddy/montecarlo';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli as run } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'eddy-cli-std-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small deterministic generator (mulberry32) and standard normals from it (Box–Muller). */
function normals(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/**
 * `rows` points of a 5-D two-component mixture with correlated features, about mean 0 and
 * std 1 per feature, times `scale`.
 */
function mixture(rows: number, seed: number, scale: number): Float64Array {
  const z = normals(seed);
  const out = new Float64Array(rows * 5);
  for (let i = 0; i < rows; i++) {
    const side = i % 2 === 0 ? 1 : -1;
    const u = z();
    for (let j = 0; j < 5; j++) out[i * 5 + j] = scale * (0.8 * side * (j % 2 === 0 ? 1 : -0.5) + 0.45 * u + 0.35 * z());
  }
  return out;
}

/** Mean log-density of the rows of `data` under the flow saved in `model`, by `eddy logprob`. */
async function meanLogProb(model: string, data: string): Promise<number> {
  const out = join(dir, 'lp.npy');
  const r = await run('logprob', model, '--in', data, '--out', out, '--dtype', 'float64', '--threads', '1');
  expect(r.code, r.err).toBe(0);
  const lp = readNpy(out).data;
  return Array.from(lp).reduce((s, v) => s + v, 0) / lp.length;
}

describe('eddy train --standardize', () => {
  const SCALE = 20;
  const file = (name: string, rows: number, seed: number, scale: number): string => {
    const path = join(dir, name);
    writeNpy(path, { data: mixture(rows, seed, scale), shape: [rows, 5] });
    return path;
  };
  const train = [
    '--flow',
    'nsf',
    '--epochs',
    '25',
    '--lr',
    '3e-3',
    '--batch-size',
    '128',
    '--hidden',
    '32,32',
    '--validation',
    '0',
    '--dtype',
    'float64',
    '--seed',
    '3',
  ];

  it('a 5-D data set at scale 20 trains, standardised by default, to within 0.05 nats of the same data scaled by hand', async () => {
    const trainBig = file('train-big.npy', 3000, 1, SCALE);
    const testBig = file('test-big.npy', 2000, 2, SCALE);
    const trainSmall = file('train-small.npy', 3000, 1, 1);
    const testSmall = file('test-small.npy', 2000, 2, 1);
    const std = await run('train', '--data', trainBig, '--out', join(dir, 'std.safetensors'), ...train);
    expect(std.code, std.err).toBe(0);
    expect(std.err).toMatch(/on standardised features/);
    const byHand = await run('train', '--data', trainSmall, '--out', join(dir, 'hand.safetensors'), '--no-standardize', ...train);
    expect(byHand.code, byHand.err).toBe(0);
    // The saved model works in the data's units: its log-density of the scale-20 data is
    // the hand-scaled model's minus the Jacobian of x -> x / 20 in 5 dimensions.
    const llStd = await meanLogProb(join(dir, 'std.safetensors'), testBig);
    const llHand = (await meanLogProb(join(dir, 'hand.safetensors'), testSmall)) - 5 * Math.log(SCALE);
    expect(Math.abs(llStd - llHand), `standardised ${llStd}, by hand ${llHand}`).toBeLessThan(0.05);
    // Without standardisation the spline bound costs far more than that.
    const raw = await run('train', '--data', trainBig, '--out', join(dir, 'raw.safetensors'), '--no-standardize', ...train, '--epochs', '5');
    expect(raw.code, raw.err).toBe(0);
    expect(raw.err).toMatch(/warning: .*\[-5, 5\]|warning: .*outside/);
    expect(await meanLogProb(join(dir, 'raw.safetensors'), testBig)).toBeLessThan(llStd - 1);
    // The standardisation is in the saved model: its class and per-feature location and scale.
    const saved = loadFlow(join(dir, 'std.safetensors'));
    expect(saved.constructor.name).toBe('Standardized');
  }, 300_000);

  it('--standardize and --no-standardize together are a usage error', async () => {
    const r = await run('train', '--data', join(dir, 'x.npy'), '--out', join(dir, 'y.safetensors'), '--standardize', '--no-standardize');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--standardize and --no-standardize contradict each other/);
  });
});
