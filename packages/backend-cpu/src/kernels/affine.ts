import type { TypedArray } from '@eddy/core';

/**
 * Signature of the fused monotonic affine kernel: `phi` holds `(shift, scale)` per element.
 * @category Kernels
 */
export type AffineKernel = (e: number, x: TypedArray, phi: TypedArray, slope: number, inverse: boolean, y: TypedArray, ladj: TypedArray | null) => void;

/**
 * Signature of its vector-Jacobian product.
 * @category Kernels
 */
export type AffineVjpKernel = (
  e: number,
  x: TypedArray,
  phi: TypedArray,
  slope: number,
  inverse: boolean,
  g: TypedArray,
  gl: TypedArray | null,
  gin: TypedArray,
  gphi: TypedArray,
) => void;

/**
 * The TypeScript monotonic affine map: `l = scale/(1 + |scale/ln s|)`, `y = x·eˡ + shift`
 * (inverse `(y − shift)·e⁻ˡ`), ladj `±l`.
 *
 * @example
 * ```ts
 * import { affineJs } from '@eddy/backend-cpu';
 * const y = new Float64Array(1);
 * // x = 2, shift 1, scale 0 (so l = 0)
 * affineJs(1, new Float64Array([2]), new Float64Array([1, 0]), 1e-3, false, y, null); // y = [3]
 * ```
 * @category Kernels
 */
export const affineJs: AffineKernel = (E, x, phi, slope, inverse, y, ladj) => {
  const r = 1 / Math.log(slope);
  for (let e = 0; e < E; e++) {
    const shift = phi[2 * e] as number;
    const sc = phi[2 * e + 1] as number;
    const l = sc / (Math.abs(sc * r) + 1);
    const v = x[e] as number;
    y[e] = inverse ? (v - shift) * Math.exp(-l) : v * Math.exp(l) + shift;
    if (ladj !== null) ladj[e] = inverse ? -l : l;
  }
};

/**
 * The TypeScript vector-Jacobian product of {@link affineJs} (forward: `x` is the input;
 * inverse: `x` is the inverse's output).
 *
 * @example
 * ```ts
 * import { affineVjpJs } from '@eddy/backend-cpu';
 * const [gx, gphi] = [new Float64Array(1), new Float64Array(2)];
 * // the map of affineJs's example (x = 2, shift 1, scale 0), upstream gradient 1, none for the ladj
 * affineVjpJs(1, new Float64Array([2]), new Float64Array([1, 0]), 1e-3, false, new Float64Array([1]), null, gx, gphi); // gx = [1], gphi = [1, 2]
 * ```
 * @category Kernels
 */
export const affineVjpJs: AffineVjpKernel = (E, x, phi, slope, inverse, g, gl, gin, gphi) => {
  const r = 1 / Math.log(slope);
  for (let e = 0; e < E; e++) {
    const sc = phi[2 * e + 1] as number;
    const den = Math.abs(sc * r) + 1;
    const l = sc / den;
    const v = x[e] as number;
    const gv = g[e] as number;
    const glv = gl === null ? 0 : (gl[e] as number);
    let glog: number;
    if (!inverse) {
      const gi = gv * Math.exp(l);
      gin[e] = gi;
      gphi[2 * e] = gv;
      glog = gi * v + glv;
    } else {
      const gi = gv * Math.exp(-l);
      gin[e] = gi;
      gphi[2 * e] = -gi;
      glog = -(gv * v + glv);
    }
    gphi[2 * e + 1] = glog / (den * den);
  }
};
