import { cpuBackend } from '@eddy/backend-cpu';
import { gpuBackend } from '@eddy/backend-gpu';
import { type Backend, type Tensor, expand, flip, permute, sizeOf, slice, stridesOf, tensor } from '@eddy/core';
import type * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { planView } from '../src/kernels/strided.js';
import { recordKernels } from './helpers.js';

/** A tiny deterministic generator (xorshift32). */
function gen(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

const iota = (shape: number[], b: Backend): Tensor =>
  tensor(
    Float32Array.from({ length: sizeOf(shape) }, (_, i) => i),
    { shape, backend: b },
  );

/** Host reference of a strided view. */
function refView(x: ArrayLike<number>, outShape: number[], strides: number[], offset: number): number[] {
  const out: number[] = [];
  const st = stridesOf(outShape);
  for (let i = 0; i < sizeOf(outShape); i++) {
    let p = offset;
    for (let d = 0; d < outShape.length; d++) p += (Math.floor(i / (st[d] as number)) % (outShape[d] as number)) * (strides[d] as number);
    out.push(x[p] as number);
  }
  return out;
}

describe('strided views', () => {
  it('random compositions of permute / flip / slice / expand agree with the CPU backend', () => {
    const r = gen(12345);
    for (let trial = 0; trial < 150; trial++) {
      const rank = 1 + r(4);
      const shape = Array.from({ length: rank }, () => 1 + r(4));
      const ops: Array<(t: Tensor) => Tensor> = [];
      for (let k = 0; k < 3; k++) {
        const kind = r(4);
        if (kind === 0) {
          const perm = [...Array(rank).keys()].sort(() => r(3) - 1);
          ops.push((t) => permute(t, perm));
        } else if (kind === 1) {
          const a = r(rank);
          ops.push((t) => flip(t, a));
        } else if (kind === 2) {
          const a = r(rank);
          const start = r(2);
          const step = 1 + r(2);
          ops.push((t) => ((t.shape[a] as number) > start ? slice(t, a, start, undefined, step) : t));
        } else {
          ops.push((t) =>
            expand(t.unsqueeze(0), [2, ...t.shape])
              .slice(0, 1, 2)
              .squeeze(0),
          );
        }
      }
      const run = (b: Backend): { shape: readonly number[]; values: number[] } => {
        let t = iota(shape, b);
        for (const op of ops) t = op(t);
        return { shape: t.shape, values: Array.from(t.dataSync()) };
      };
      expect(run(gpuBackend), `trial ${trial}, shape ${shape}`).toEqual(run(cpuBackend));
    }
  });

  it('any in-bounds strides, including ones no slice can express (a flat-gather fallback)', () => {
    const x = iota([4, 5, 6], gpuBackend);
    const cases: Array<[number[], number[], number]> = [
      [[4], [31], 0], // the diagonal of [4, 5] slabs: no slice/transpose can express it
      [[3, 4], [2, 3], 1], // overlapping windows
      [[6, 4], [1, 30], 0], // a transpose through a merged axis
      [[2, 3, 2], [-60, 6, -1], 65],
      [[5, 3], [0, 7], 2], // a broadcast row
      [[0, 3], [1, 1], 0], // empty
    ];
    for (const [outShape, strides, offset] of cases) {
      const h = gpuBackend.strided(x, outShape, strides, offset) as tf.Tensor;
      expect(h.shape).toEqual(outShape);
      expect(Array.from(h.dataSync()), `${outShape} ${strides} ${offset}`).toEqual(refView(x.dataSync(), outShape, strides, offset));
      h.dispose();
    }
  });

  it('the views core makes (and stepped slices) become slice / reverse / transpose / broadcast, never a gather', () => {
    const x = iota([3, 4, 5], gpuBackend);
    const { calls } = recordKernels(() => [
      permute(x, [2, 0, 1]).dataSync(),
      flip(x, 1).dataSync(),
      slice(x, 2, 1, 4).dataSync(),
      (gpuBackend.strided(x, [3, 4, 2], [20, 5, 2], 1) as tf.Tensor).dataSync(), // a step-2 slice
      expand(x.unsqueeze(1), [3, 2, 4, 5]).dataSync(),
      x.transpose().dataSync(),
    ]);
    expect(calls.map((c) => c.name)).not.toContain('GatherV2');
    expect(planView([4, 5], [4], [6], 0)).toBeNull(); // the diagonal
    expect(planView([3, 4, 5], [5, 3, 4], [1, 20, 5], 0)).toMatchObject({ used: [0, 1, 2], order: [2, 0, 1], broadcast: false });
  });
});
