import type { TypedArray } from '@eddy/core';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * The TypeScript diagonal normal log-density: `out[r] = Σ_d −(z − μ_d)²/(2σ_d²) − log σ_d − ½ log 2π`
 * for `rows` rows of `d` features.
 *
 * @example
 * ```ts
 * normalLogProbJs(1, 1, new Float64Array([0]), new Float64Array([0]), new Float64Array([1]), out); // −½ log 2π
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
 * normalLogProbVjpJs(rows, d, z, loc, scale, g, gz);
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
