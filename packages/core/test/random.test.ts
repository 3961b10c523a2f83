import '@eddy/backend-cpu';
import * as E from '@eddy/core';
import { describe, expect, it } from 'vitest';

describe('tensor-level random streams', () => {
  it('rows [a, b) of a draw equal a separate draw of those rows (sharding)', () => {
    const n = 301;
    const d = 3;
    for (const dtype of ['float64', 'float32'] as const) {
      for (const draw of [E.randn, E.rand]) {
        const whole = draw([n, d], { seed: 17, stream: 2, dtype }).dataSync();
        const cuts = [0, 1, 100, 257, n];
        for (let s = 0; s + 1 < cuts.length; s++) {
          const a = cuts[s] as number;
          const b = cuts[s + 1] as number;
          const shard = draw([b - a, d], { seed: 17, stream: 2, offset: a * d, dtype }).dataSync();
          expect(Array.from(shard)).toEqual(Array.from(whole.subarray(a * d, b * d)));
        }
      }
    }
  });

  it('float32 draws are the float64 draws rounded', () => {
    const a = E.randn([50], { seed: 3, dtype: 'float64' }).dataSync();
    const b = E.randn([50], { seed: 3, dtype: 'float32' }).dataSync();
    for (let i = 0; i < 50; i++) expect(b[i]).toBe(Math.fround(a[i] as number));
  });

  it('RandomStream continues where it stopped', () => {
    const rng = new E.RandomStream(5, 1);
    const first = rng.normal([10], 0, 1, 'float64').dataSync();
    const second = rng.normal([6], 0, 1, 'float64').dataSync();
    const all = E.randn([16], { seed: 5, stream: 1, dtype: 'float64' }).dataSync();
    expect([...first, ...second]).toEqual(Array.from(all));
    const u = rng.uniform([1000], -3, 5, 'float64').dataSync();
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-3);
    expect(Math.max(...u)).toBeLessThan(5);
  });

  it('moments of randn', () => {
    const n = 100_000;
    const z = E.randn([n], { seed: 11, dtype: 'float64' });
    const mean = E.mean(z).item();
    const v = E.mean(E.square(z.sub(mean))).item();
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(v - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });

  it('seed is required and validated', () => {
    expect(() => E.randn([2], undefined as never)).toThrow(/seed/);
    expect(() => E.randn([2], { seed: -1 })).toThrow(/seed/);
  });
});

describe('Rng: row-addressed draws for sampling code', () => {
  it('rows [a, b) from an Rng at row a equal the same rows of one draw, across several calls', () => {
    const draw = (rng: E.Rng, n: number) => {
      const u = rng.uniform([n, 2], 'float64').dataSync();
      const z = rng.normal([n, 3], 'float64').dataSync();
      return { u: Array.from(u), z: Array.from(z) };
    };
    const all = draw(new E.Rng(9, { stream: 3 }), 50);
    const part = draw(new E.Rng(9, { stream: 3, row: 20 }), 30);
    expect(part.u).toEqual(all.u.slice(40));
    expect(part.z).toEqual(all.z.slice(60));
  });
  it('different calls read different sub-streams', () => {
    const rng = new E.Rng(1);
    const a = rng.normal([5], 'float64').dataSync();
    const b = rng.normal([5], 'float64').dataSync();
    expect(Array.from(a)).not.toEqual(Array.from(b));
    expect(rng.calls).toBe(2);
  });
  it('manualSeed makes the global Rng reproducible', () => {
    E.manualSeed(5);
    const a = E.defaultRng().normal([4], 'float64').dataSync();
    E.manualSeed(5);
    const b = E.defaultRng().normal([4], 'float64').dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
  });
  it('the global Rng never runs out of draw calls', () => {
    E.manualSeed(1);
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) seen.add(E.defaultRng().uniform([1], 'float64').item());
    expect(seen.size).toBe(5000);
  });
  it('rejects bad stream and row', () => {
    expect(() => new E.Rng(1, { stream: 2 ** 41 })).toThrow(/stream/);
    expect(() => new E.Rng(1, { row: -1 })).toThrow(/row/);
  });
});
