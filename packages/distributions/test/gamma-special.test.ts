import '@eddy/backend-cpu';
import { special } from '@eddy/core';
import { describe, expect, it } from 'vitest';
import { gammaPInv, gammaPQ } from '../src/gamma-special.js';

// The host incomplete-gamma routines behind Gamma/Beta/StudentT/GeneralizedNormal
// sampling and Gamma.cdf (internal, not exported).

describe('regularised incomplete gamma (internal)', () => {
  it('matches closed forms: P(1, x) = 1 - e⁻ˣ, P(½, x) = erf(√x), P(3, x) = 1 - e⁻ˣ(1 + x + x²/2)', () => {
    for (const x of [1e-3, 0.2, 1, 2.5, 7, 30]) {
      expect(Math.abs(gammaPQ(1, x).p + Math.expm1(-x))).toBeLessThan(1e-15 * Math.max(1, -Math.expm1(-x)) + 1e-300);
      expect(Math.abs(gammaPQ(0.5, x).p - special.erf(Math.sqrt(x)))).toBeLessThan(4e-16);
      const q3 = Math.exp(-x) * (1 + x + (x * x) / 2);
      expect(Math.abs(gammaPQ(3, x).q - q3) / q3).toBeLessThan(1e-13);
    }
  });
  it('∂P/∂a agrees with a 4-point finite difference on the smaller tail', () => {
    let worst = 0;
    for (const a of [0.05, 0.5, 1, 2.5, 10, 100, 1000]) {
      for (const x of [1e-3, 0.1, 1, 2, 5, 10, 30, 100, 1100]) {
        const up = gammaPQ(a, x).p > 0.5;
        const F = (b: number): number => (up ? -gammaPQ(b, x).q : gammaPQ(b, x).p);
        const h = 1e-5 * a;
        const fd = (-F(a + 2 * h) + 8 * F(a + h) - 8 * F(a - h) + F(a - 2 * h)) / (12 * h);
        if (Math.abs(fd) < 1e-200) continue;
        worst = Math.max(worst, Math.abs(gammaPQ(a, x, true).dpda - fd) / Math.abs(fd));
      }
    }
    expect(worst).toBeLessThan(1e-8);
  });
  it('the inverse solves P(a, x) = u to ~1e-12 relative on the smaller tail, over 20 decades of a and u', () => {
    let worst = 0;
    for (const a of [1e-3, 0.01, 0.1, 0.5, 1, 1.5, 3.7, 10, 100, 1000]) {
      for (const u of [1e-100, 1e-20, 1e-10, 1e-5, 0.01, 0.3, 0.5, 0.7, 0.99, 1 - 1e-6, 1 - 1e-10, 1 - 2 ** -53]) {
        const q = 1 - u;
        const x = gammaPInv(a, u, q);
        if (x === 0) continue; // underflow (tiny a, tiny u): the sampler clamps to the smallest normal
        const v = gammaPQ(a, x);
        worst = Math.max(worst, u <= q ? Math.abs(v.p - u) / u : Math.abs(v.q - q) / q);
      }
    }
    expect(worst).toBeLessThan(2e-12);
    expect(gammaPInv(2, 0)).toBe(0);
    expect(gammaPInv(2, 1, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isNaN(gammaPInv(-1, 0.5))).toBe(true);
  });
});
