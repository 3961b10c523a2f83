import { cpuBackend } from '@eddy/backend-cpu';
import { engineName, gpuBackend } from '@eddy/backend-gpu';
import { type Tensor, Rng, getBackend, noGrad, randn, setBackend, tensor } from '@eddy/core';
import { NSF } from '@eddy/flows';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Tolerance of the CPU-vs-gpu agreement, |gpu - cpu| <= ATOL + RTOL·|cpu| elementwise:
 * float32 rounding accumulated through a 3-transform NSF (inverse and forward). The
 * measured worst ratio is printed; on the pure-JS engine it is a few percent of this.
 */
const ATOL = 1e-4;
const RTOL = 1e-4;

function worst(a: ArrayLike<number>, e: ArrayLike<number>): number {
  expect(a.length).toBe(e.length);
  let w = 0;
  for (let i = 0; i < e.length; i++) {
    const r = Math.abs((a[i] as number) - (e[i] as number)) / (ATOL + RTOL * Math.abs(e[i] as number));
    if (!(r <= w)) w = r;
  }
  return w;
}

const options = { features: 3, transforms: 3, hiddenFeatures: [32, 32], bins: 8, dtype: 'float32' as const, seed: 11 };

/** The same NSF on a backend: built there, with the CPU flow's state dict copied in. */
function onBackend(name: string, dict: Record<string, Tensor> | undefined): NSF {
  setBackend(name);
  const flow = new NSF(options);
  if (dict !== undefined) {
    const b = getBackend();
    const copy: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(dict)) copy[k] = tensor(v.dataSync(), { shape: v.shape, dtype: v.dtype, backend: b });
    flow.loadStateDict(copy);
  }
  return flow;
}

describe(`CPU and gpu backends agree (gpu engine: ${engineName()})`, () => {
  afterAll(() => setBackend('cpu'));
  const cpuFlow = onBackend(cpuBackend.name, undefined);
  const gpuFlow = onBackend(gpuBackend.name, cpuFlow.stateDict());

  it('same flow, same seed: samples and logProb within float32 tolerance', () => {
    const n = 2000;
    setBackend('cpu');
    const [xc, lpc] = noGrad(() => {
      const d = cpuFlow.call();
      const x = d.sample([n], new Rng(7));
      return [x.dataSync(), d.logProb(x).dataSync()];
    });
    setBackend('gpu');
    const [xg, lpg] = noGrad(() => {
      const d = gpuFlow.call();
      const x = d.sample([n], new Rng(7));
      expect(x.backend.name).toBe('gpu');
      return [x.dataSync(), d.logProb(x).dataSync()];
    });
    const ws = worst(xg, xc);
    const wl = worst(lpg, lpc);
    console.info(`agreement over ${n} samples: samples worst err/tol ${ws.toFixed(3)}, logProb worst err/tol ${wl.toFixed(3)} (atol ${ATOL}, rtol ${RTOL})`);
    expect(ws).toBeLessThanOrEqual(1);
    expect(wl).toBeLessThanOrEqual(1);
  });

  it('logProb of the same fixed points agrees', () => {
    const pts = randn([500, 3], { seed: 3, dtype: 'float32', backend: cpuBackend }).dataSync();
    setBackend('cpu');
    const lc = noGrad(() =>
      cpuFlow
        .call()
        .logProb(tensor(pts, { shape: [500, 3], dtype: 'float32' }))
        .dataSync(),
    );
    setBackend('gpu');
    const lg = noGrad(() =>
      gpuFlow
        .call()
        .logProb(tensor(pts, { shape: [500, 3], dtype: 'float32' }))
        .dataSync(),
    );
    expect(worst(lg, lc)).toBeLessThanOrEqual(1);
  });
});
