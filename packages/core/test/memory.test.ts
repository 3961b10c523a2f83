import { cpuBackend } from '@eddy/backend-cpu';
import * as E from '@eddy/core';
import { countingBackend } from '@eddy/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const counting = countingBackend(cpuBackend);

describe('tidy on a manual-memory backend', () => {
  beforeAll(() => {
    E.registerBackend(counting);
    E.setBackend(counting.name);
  });
  afterAll(() => {
    E.setBackend('cpu');
  });

  it('frees every intermediate but the returned tensor', () => {
    const x = E.tensor([1, 2, 3], { dtype: 'float64' });
    const before = counting.live;
    const y = E.tidy(() => E.log(E.exp(x).add(1)).mul(2).sum());
    expect(counting.live).toBe(before + 1);
    expect(y.isDisposed).toBe(false);
    expect(y.item()).toBeCloseTo(2 * [1, 2, 3].reduce((s, v) => s + Math.log(Math.exp(v) + 1), 0), 12);
  });

  it('keeps tensors marked with keep() and those returned in an object', () => {
    const before = counting.live;
    let kept: E.Tensor | undefined;
    const r = E.tidy(() => {
      kept = E.keep(E.ones([2]));
      return { a: E.zeros([2]), b: E.ones([3]) };
    });
    expect(counting.live).toBe(before + 3);
    expect(kept?.isDisposed).toBe(false);
    expect(r.a.isDisposed).toBe(false);
  });

  it('a long loop inside tidy does not grow the live count', () => {
    const w = E.keep(E.randn([8, 8], { seed: 1, dtype: 'float64' }));
    const start = counting.live;
    for (let i = 0; i < 50; i++) {
      E.tidy(() => {
        const z = E.randn([16, 8], { seed: 2, offset: i * 128, dtype: 'float64' });
        E.tanh(E.matmul(z, w)).sum().item();
      });
    }
    expect(counting.live).toBe(start);
  });

  it('a disposed tensor cannot be read', () => {
    const t = E.ones([2]);
    t.dispose();
    expect(() => t.dataSync()).toThrow(/disposed/);
  });
});

describe('training on a manual-memory backend', () => {
  it('Adam and SGD steps do not grow the live tensor count and keep their state', () => {
    E.setBackend(counting.name);
    try {
      for (const make of [(p: E.Parameter[]) => new E.Adam(p, { lr: 0.01 }), (p: E.Parameter[]) => new E.SGD(p, { lr: 0.01, momentum: 0.9 })]) {
        const w = new E.Parameter(E.tensor([[0.5], [-0.5]], { dtype: 'float64' }));
        const x = E.keep(E.randn([32, 2], { seed: 1, dtype: 'float64' }));
        const y = E.keep(E.matmul(x, E.tensor([[2], [1]], { dtype: 'float64' })));
        const opt = make([w]);
        const step = () => E.tidy(() => opt.step(E.gradients(E.mean(E.square(E.matmul(x, w).sub(y))), [w])));
        step();
        const after1 = counting.live;
        for (let i = 0; i < 30; i++) step();
        expect(counting.live).toBe(after1);
        // The optimizer state (moments, momentum) survived every tidy: the weights follow
        // the update rule step for step, computed here in plain arithmetic.
        const expected = reference(opt instanceof E.Adam ? 'adam' : 'sgd', Array.from(x.dataSync()), Array.from(y.dataSync()), [0.5, -0.5], 31);
        const got = Array.from(w.dataSync());
        for (let j = 0; j < 2; j++) expect(Math.abs((got[j] as number) - (expected[j] as number))).toBeLessThan(1e-12);
        expect(got[0]).toBeGreaterThan(0.5 + 0.2); // and it moved towards the solution [2, 1]
      }
    } finally {
      E.setBackend('cpu');
    }
  });
});

/** `steps` updates of w (2 weights) on mean((xw - y)²), Adam (lr 0.01) or SGD (lr 0.01, momentum 0.9), as PyTorch defines them. */
function reference(kind: 'adam' | 'sgd', x: number[], y: number[], w0: number[], steps: number): number[] {
  const w = [...w0];
  const n = y.length;
  const m = [0, 0];
  const v = [0, 0];
  const buf = [0, 0];
  for (let t = 1; t <= steps; t++) {
    const g = [0, 0];
    for (let i = 0; i < n; i++) {
      const r = (x[2 * i] as number) * (w[0] as number) + (x[2 * i + 1] as number) * (w[1] as number) - (y[i] as number);
      for (let j = 0; j < 2; j++) g[j] = (g[j] as number) + (2 / n) * r * (x[2 * i + j] as number);
    }
    for (let j = 0; j < 2; j++) {
      const gj = g[j] as number;
      if (kind === 'adam') {
        m[j] = 0.9 * (m[j] as number) + 0.1 * gj;
        v[j] = 0.999 * (v[j] as number) + 0.001 * gj * gj;
        const mh = (m[j] as number) / (1 - 0.9 ** t);
        const vh = (v[j] as number) / (1 - 0.999 ** t);
        w[j] = (w[j] as number) - (0.01 * mh) / (Math.sqrt(vh) + 1e-8);
      } else {
        buf[j] = t === 1 ? gj : 0.9 * (buf[j] as number) + gj;
        w[j] = (w[j] as number) - 0.01 * (buf[j] as number);
      }
    }
  }
  return w;
}
