import type { TypedArray } from '@eddy/core';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * The TypeScript diagonal normal log-density: `out[r] = Σ_d −(z − μ_d)²/(2σ_d²) − log σ_d − ½ log 2π`
 * for `rows` rows of `d` features.
 *
 * @example
 * ```ts
 * import { normalLogProbJs } from '@eddy/backend-cpu';
 * const out = new Float64Array(1);
 * normalLogProbJs(1, 1, new Float64Array([0]), new Float64Array([0]), new Float64Array([1]), out); // out = [−½ log 2π] ≈ [−0.919]
 * ```
 * @category Kernels
 */
export function normalLogProbJs(rows: number, d: number, z: TypedArray, loc: TypedArray, scale: TypedArray, out: TypedArray): void {
  for (let r = 0; r < rows; r++) {
    let acc = 0;
    for (let j = 0; j < d; j++) {
      const s = scale[j] as number;
      const diff = (z[r * d + j] as number) - (loc[j] as number);
      acc += -(diff * diff) / (s * s * 2) - Math.log(s) - HALF_LOG_2PI;
    }
    out[r] = acc;
  }
}

/**
 * Its gradient with respect to `z`: `gz = −g_r (z − μ)/σ²`.
 *
 * @example
 * ```ts
 * import { normalLogProbVjpJs } from '@eddy/backend-cpu';
 * // one row of 2 features: z = [1, 2], μ = [0, 0], σ = [1, 2], upstream gradient 1
 * const gz = new Float64Array(2);
 * normalLogProbVjpJs(1, 2, new Float64Array([1, 2]), new Float64Array([0, 0]), new Float64Array([1, 2]), new Float64Array([1]), gz); // gz = [−1, −0.5]
 * ```
 * @category Kernels
 */
export function normalLogProbVjpJs(rows: number, d: number, z: TypedArray, loc: TypedArray, scale: TypedArray, g: TypedArray, gz: TypedArray): void {
  for (let r = 0; r < rows; r++) {
    const gr = g[r] as number;
    for (let j = 0; j < d; j++) {
      const s = scale[j] as number;
      gz[r * d + j] = (-gr * ((z[r * d + j] as number) - (loc[j] as number))) / (s * s);
    }
  }
}
