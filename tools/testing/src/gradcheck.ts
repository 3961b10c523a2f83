import { type Tensor, gradients, mul, noGrad, randn, sum, tensor } from '@eddy/core';

/** Result of {@link gradcheck}: the worst normwise relative error over all inputs. */
export interface GradcheckResult {
  /** max over inputs of ‖analytic − numeric‖ / max(‖numeric‖, 1e-12). */
  maxRelError: number;
  /** Per-input relative errors. */
  relErrors: number[];
}

/**
 * Compares reverse-mode gradients of `L = Σ f(x…) · w` (w a fixed random weight) with
 * central finite differences, in float64. Inputs must be float64.
 */
export function gradcheck(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], h = 1e-6, seed = 1234): GradcheckResult {
  for (const x of inputs) if (x.dtype !== 'float64') throw new Error('gradcheck needs float64 inputs');
  const out0 = noGrad(() => f(...inputs));
  const w = randn(out0.shape, { seed, dtype: 'float64' });
  const loss = (xs: Tensor[]): Tensor => sum(mul(f(...xs), w));
  const leaves = inputs.map((x) => x.requireGrad());
  const analytic = gradients(loss(leaves), leaves).map((g) => Float64Array.from(g.dataSync()));
  const relErrors = inputs.map((x, k) => {
    const base = Float64Array.from(x.dataSync());
    const num = new Float64Array(base.length);
    for (let i = 0; i < base.length; i++) {
      const eval1 = (delta: number): number => {
        const v = Float64Array.from(base);
        v[i] = (v[i] as number) + delta;
        const xs = inputs.map((y, j) => (j === k ? tensor(v, { shape: x.shape }) : y));
        return noGrad(() => loss(xs).item());
      };
      num[i] = (eval1(h) - eval1(-h)) / (2 * h);
    }
    const a = analytic[k] as Float64Array;
    let diff = 0;
    let norm = 0;
    for (let i = 0; i < num.length; i++) {
      diff += ((a[i] as number) - (num[i] as number)) ** 2;
      norm += (num[i] as number) ** 2;
    }
    return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12);
  });
  return { maxRelError: Math.max(0, ...relErrors), relErrors };
}
