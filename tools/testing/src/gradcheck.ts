import { type Tensor, gradients, mul, noGrad, randn, sum, tensor } from '@eddy/core';
import { normwiseRelError } from './compare.js';
import { centralDifferences } from './finite-differences.js';

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
    const numeric = centralDifferences(
      x.dataSync(),
      (v) => {
        const xs = inputs.map((y, j) => (j === k ? tensor(v, { shape: x.shape }) : y));
        return noGrad(() => loss(xs).item());
      },
      h,
    );
    return normwiseRelError(analytic[k] as Float64Array, numeric);
  });
  return { maxRelError: Math.max(0, ...relErrors), relErrors };
}
