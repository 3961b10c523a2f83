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
        const loss = E.tidy(() => E.mean(E.square(E.matmul(x, w).sub(y))).item());
        expect(loss).toBeLessThan(4.5);
      }
    } finally {
      E.setBackend('cpu');
    }
  });
});
