import '@eddy/backend-cpu';
import { gpuBackend } from '@eddy/backend-gpu';
import { Rng, exp, keep, noGrad, setBackend, tensor, tidy } from '@eddy/core';
import { NSF } from '@eddy/flows';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelWorkout } from './helpers.js';

describe('memory: no TensorFlow.js tensor outlives its Eddy tensor', () => {
  beforeAll(() => setBackend(gpuBackend.name));
  afterAll(() => setBackend('cpu'));

  it('every kernel frees its intermediates (only the outputs remain, until disposed)', () => {
    const before = tf.memory().numTensors;
    tidy(() => kernelWorkout(gpuBackend));
    expect(tf.memory().numTensors).toBe(before);
  });

  it("core's tidy frees what it does not return; dispose frees the rest", () => {
    const before = tf.memory().numTensors;
    const x = tensor([1, 2, 3], { dtype: 'float32' });
    let kept: ReturnType<typeof tensor> | undefined;
    const y = tidy(() => {
      kept = keep(tensor([7], { dtype: 'float32' }));
      return exp(x.mul(2).add(1)).log().sum();
    });
    expect(tf.memory().numTensors).toBe(before + 3); // x, y and the kept tensor
    expect(y.item()).toBeCloseTo(15, 5);
    for (const t of [x, y, kept]) t?.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('1,000 sampling iterations (sample + logProb of an NSF) leave the engine tensor count unchanged', () => {
    const flow = new NSF({ features: 2, transforms: 1, hiddenFeatures: [8], bins: 4, dtype: 'float32', seed: 1 });
    const step = (i: number): number =>
      tidy(() =>
        noGrad(() => {
          const d = flow.call();
          const [x, lp] = d.rsampleAndLogProb([16], new Rng(i));
          return x.sum().add(lp.sum()).item();
        }),
      );
    step(0); // warm-up: anything created once and kept for good is created here
    const before = tf.memory().numTensors;
    const t0 = performance.now();
    const counts: number[] = [];
    for (let i = 1; i <= 1000; i++) {
      expect(Number.isFinite(step(i))).toBe(true);
      if (i % 250 === 0) counts.push(tf.memory().numTensors);
    }
    const ms = (performance.now() - t0) / 1000;
    console.info(
      `leak test: tf.memory().numTensors ${before} before, ${counts.join(' / ')} after 250 / 500 / 750 / 1000 iterations (${ms.toFixed(1)} ms per iteration)`,
    );
    expect(counts).toEqual([before, before, before, before]);
    // logProb on its own (the forward direction) does not leak either.
    const lp = (i: number): void => {
      tidy(() =>
        noGrad(() =>
          flow
            .call()
            .logProb(new Rng(i).normal([16, 2], 'float32'))
            .sum()
            .item(),
        ),
      );
    };
    for (let i = 0; i < 100; i++) lp(i);
    expect(tf.memory().numTensors).toBe(before);
  }, 600_000);
});
