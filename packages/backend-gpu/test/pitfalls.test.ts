// One test per TensorFlow.js pitfall measured for this backend (see the README): each
// shows the backend is immune, on whatever engine the tests run (the pure-JS engine in CI).
import { cpuBackend } from '@eddy/backend-cpu';
import { engineName, gpuBackend } from '@eddy/backend-gpu';
import {
  type Backend,
  type Tensor,
  cumsum,
  exp,
  gather,
  gradients,
  log,
  matmul,
  mean,
  prod,
  randn,
  relu,
  setBackend,
  sum,
  tensor,
  transpose,
} from '@eddy/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worstToleranceRatio } from '@eddy/testing';
import { TFJS_NODE_KERNELS, kernelWorkout, onBackend, recordKernels } from './helpers.js';

const f32 = (shape: number[], seed: number, backend: Backend): Tensor => onBackend(randn(shape, { seed, dtype: 'float32', backend: cpuBackend }), backend);
const idxOn = (data: number[], shape: number[], backend: Backend): Tensor => tensor(Int32Array.from(data), { shape, dtype: 'int32', backend });

describe('TensorFlow.js pitfalls', () => {
  beforeAll(() => setBackend(gpuBackend.name));
  afterAll(() => setBackend(cpuBackend.name));

  it('gather: batched take-along-axis is one flat gather, never batchDims (wrong values on wasm)', () => {
    // x [2, 5, 3] gathered along the middle axis: outer 2, inner 3.
    const idx = [4, 0, 2, 1, 1, 3, 0, 4, 4, 2, 2, 0, 3, 3, 1, 0, 1, 2];
    const run = (b: Backend): Float32Array | Float64Array | Int32Array | Uint8Array => gather(f32([2, 5, 3], 1, b), idxOn(idx, [2, 3, 3], b), 1).dataSync();
    const expected = run(cpuBackend);
    const { result, calls } = recordKernels(() => run(gpuBackend));
    expect(Array.from(result)).toEqual(Array.from(expected));
    const gathers = calls.filter((c) => c.name === 'GatherV2');
    expect(gathers.length).toBeGreaterThan(0);
    for (const g of gathers) expect(g.attrs.batchDims ?? 0).toBe(0);
  });

  it("gather's gradient is Eddy's own (the wasm engine has no GatherV2 gradient)", () => {
    const grad = (b: Backend): number[] => {
      const x = f32([3, 4], 2, b).requireGrad();
      const y = gather(x, idxOn([3, 3, 0, 1, 2, 2, 0, 0, 1], [3, 3], b), 1);
      const [g] = gradients(sum(y.mul(y)), [x]);
      return Array.from((g as Tensor).dataSync());
    };
    const { result, calls } = recordKernels(() => grad(gpuBackend));
    expect(worstToleranceRatio(result, grad(cpuBackend), 1e-6, 1e-6)).toBeLessThanOrEqual(1);
    expect(calls.some((c) => c.name.endsWith('Grad'))).toBe(false);
  });

  it("prod's gradient is Eddy's own (TensorFlow.js's throws)", () => {
    const grad = (b: Backend): number[] => {
      const x = onBackend(
        tensor(
          [
            [0.5, -2, 3],
            [1.5, 0.25, -1],
          ],
          { dtype: 'float32', backend: cpuBackend },
        ),
        b,
      ).requireGrad();
      const [g] = gradients(sum(prod(x, 1)), [x]);
      return Array.from((g as Tensor).dataSync());
    };
    const got = grad(gpuBackend);
    expect(worstToleranceRatio(got, grad(cpuBackend), 1e-6, 1e-6)).toBeLessThanOrEqual(1);
    // ∂/∂x_i Π_j x_j = Π_{j≠i} x_j
    expect(worstToleranceRatio(got, [-6, 1.5, -1, -0.25, -1.5, 0.375], 1e-6, 1e-6)).toBeLessThanOrEqual(1);
  });

  it('cumsum along axis -1 (empty on the pure-JS engine, memory corruption on wasm) gets a non-negative axis', () => {
    const x = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { dtype: 'float32' },
    );
    if (engineName() === 'tfjs-cpu') {
      // The pitfall itself, as measured on @tensorflow/tfjs-backend-cpu 4.22.0.
      const raw = tf.tidy(
        () =>
          tf
            .cumsum(
              tf.tensor2d([
                [1, 2, 3],
                [4, 5, 6],
              ]),
              -1,
            )
            .dataSync().length,
      );
      expect(raw).toBe(0);
    }
    expect(cumsum(x, -1).toArray()).toEqual([
      [1, 3, 6],
      [4, 9, 15],
    ]);
    // Straight to the kernel with a negative axis, forwards and from the end.
    const fwd = gpuBackend.cumsum(x, -1, false) as tf.Tensor;
    const rev = gpuBackend.cumsum(x, -1, true) as tf.Tensor;
    expect(Array.from(fwd.dataSync())).toEqual([1, 3, 6, 4, 9, 15]);
    expect(Array.from(rev.dataSync())).toEqual([6, 5, 3, 15, 11, 6]);
    fwd.dispose();
    rev.dispose();
    const { calls } = recordKernels(() => cumsum(x, -1).dataSync());
    for (const c of calls.filter((k) => k.name === 'Cumsum')) expect(c.attrs.axis).toBeGreaterThanOrEqual(0);
  });

  it("tfjs-core's Node build registers no gradients: every gradient is Eddy's autodiff", () => {
    expect(tf.getGradient('BatchMatMul')).toBeUndefined(); // as measured: nothing to rely on
    const loss = (b: Backend): number[] => {
      const x = f32([16, 3], 3, b);
      const w1 = f32([3, 8], 4, b).requireGrad();
      const w2 = f32([8, 1], 5, b).requireGrad();
      const h = relu(matmul(x, w1));
      const l = mean(log(exp(matmul(h, w2)).add(1)));
      return gradients(l, [w1, w2]).flatMap((g) => Array.from((g as Tensor).dataSync()));
    };
    expect(worstToleranceRatio(loss(gpuBackend), loss(cpuBackend), 1e-6, 1e-5)).toBeLessThanOrEqual(1);
  });

  it('matmul never passes a transposed operand (wasm uses its fast kernel only without transposes)', () => {
    const run = (b: Backend): number[] => {
      const a = f32([5, 4], 6, b).requireGrad();
      const w = f32([3, 4], 7, b).requireGrad();
      const y = matmul(a, transpose(w)); // x·Wᵀ, as a Linear layer does
      const [ga, gw] = gradients(sum(y.mul(y)), [a, w]);
      return [...y.dataSync(), ...(ga as Tensor).dataSync(), ...(gw as Tensor).dataSync()];
    };
    const { result, calls } = recordKernels(() => run(gpuBackend));
    expect(worstToleranceRatio(result, run(cpuBackend), 1e-6, 1e-5)).toBeLessThanOrEqual(1);
    const mm = calls.filter((c) => c.name === 'BatchMatMul');
    expect(mm.length).toBe(3);
    for (const c of mm) {
      expect(c.attrs.transposeA).toBe(false);
      expect(c.attrs.transposeB).toBe(false);
    }
  });

  it('every TensorFlow.js kernel the backend runs exists on the CUDA engine (tfjs-node-gpu 4.22.0)', () => {
    const { calls } = recordKernels(() => kernelWorkout(gpuBackend));
    const missing = [...new Set(calls.map((c) => c.name))].filter((n) => !TFJS_NODE_KERNELS.has(n));
    expect(missing).toEqual([]);
  });
});
