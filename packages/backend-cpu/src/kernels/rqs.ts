import type { TypedArray } from '@eddy/core';

/**
 * Signature of the fused spline kernel: the monotonic rational-quadratic spline over `e`
 * elements, `phi` holding `3·bins − 1` raw parameters per element (widths, heights, inner
 * derivatives); `ladj` (per element) may be `null`.
 * @category Kernels
 */
export type RqsKernel = (
  e: number,
  bins: number,
  x: TypedArray,
  phi: TypedArray,
  bound: number,
  slope: number,
  inverse: boolean,
  y: TypedArray,
  ladj: TypedArray | null,
) => void;

/**
 * Signature of the spline's vector-Jacobian product (see `FusedKernels.rqsVjp` in core).
 * @category Kernels
 */
export type RqsVjpKernel = (
  e: number,
  bins: number,
  x: TypedArray,
  phi: TypedArray,
  bound: number,
  slope: number,
  inverse: boolean,
  g: TypedArray,
  gl: TypedArray | null,
  gin: TypedArray,
  gphi: TypedArray,
) => void;

/** Per-element working state, reused across elements. */
class Work {
  pw: Float64Array;
  ph: Float64Array;
  k = 0;
  inside = false;
  x0 = 0;
  x1 = 0;
  y0 = 0;
  y1 = 0;
  d0 = 0;
  d1 = 0;
  constructor(bins: number) {
    this.pw = new Float64Array(bins);
    this.ph = new Float64Array(bins);
  }
}

/** Softmax of the bounded raw values phi[o + i], i < K. */
function softmax(phi: TypedArray, o: number, K: number, scale: number, out: Float64Array): void {
  let mx = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < K; i++) {
    const v = phi[o + i] as number;
    const b = v / (Math.abs(v * scale) + 1);
    out[i] = b;
    if (b > mx) mx = b;
  }
  let sum = 0;
  for (let i = 0; i < K; i++) {
    const e = Math.exp((out[i] as number) - mx);
    out[i] = e;
    sum += e;
  }
  const r = 1 / sum;
  for (let i = 0; i < K; i++) out[i] = (out[i] as number) * r;
}

/** Knots, knot derivatives and the bin of v (over X, or over Y when overY). */
function findBin(phi: TypedArray, o: number, K: number, v: number, overY: boolean, bound: number, dscale: number, w: Work): void {
  let sx = 0;
  let sy = 0;
  let first = false;
  let prev = false;
  w.k = 0;
  for (let j = 0; j <= K; j++) {
    const X = (sx * 2 - 1) * bound;
    const Y = (sy * 2 - 1) * bound;
    let D = 1;
    if (j > 0 && j < K) {
      const d = phi[o + 2 * K + j - 1] as number;
      D = Math.exp(d / (Math.abs(d * dscale) + 1));
    }
    const c = (overY ? Y : X) < v;
    if (j === 0) {
      w.x0 = X;
      w.y0 = Y;
      w.d0 = D;
      first = c;
    } else if (j === 1 || prev) {
      w.x1 = X;
      w.y1 = Y;
      w.d1 = D;
    }
    if (j >= 1 && j < K && c) {
      w.x0 = X;
      w.y0 = Y;
      w.d0 = D;
      w.k = j;
    }
    if (j === K) w.inside = first && !c;
    prev = c;
    if (j < K) {
      sx += w.pw[j] as number;
      sy += w.ph[j] as number;
    }
  }
}

const works = new Map<number, Work>();
function work(bins: number): Work {
  let w = works.get(bins);
  if (w === undefined) {
    w = new Work(bins);
    works.set(bins, w);
  }
  return w;
}

/**
 * The TypeScript spline kernel: per element, the bounded softmax knots, the bin, and the
 * rational quadratic (or its analytic inverse) with its log-derivative, in float64.
 *
 * @example
 * ```ts
 * import { rqsJs } from '@eddy/backend-cpu';
 * const bins = 8;
 * const x = new Float64Array([0.5, -1]);
 * const phi = new Float64Array(x.length * (3 * bins - 1)); // all 0: equal bins, unit derivatives
 * const [y, ladj] = [new Float64Array(2), new Float64Array(2)];
 * rqsJs(x.length, bins, x, phi, 5, 1e-3, false, y, ladj); // the identity: y = [0.5, −1], ladj ≈ [0, 0]
 * ```
 * @category Kernels
 */
export const rqsJs: RqsKernel = (E, K, x, phi, bound, slope, inverse, y, ladj) => {
  const P = 3 * K - 1;
  const lnS = Math.log(slope);
  const wscale = 2 / lnS;
  const dscale = 1 / lnS;
  const w = work(K);
  for (let e = 0; e < E; e++) {
    const o = e * P;
    const v = x[e] as number;
    softmax(phi, o, K, wscale, w.pw);
    softmax(phi, o + K, K, wscale, w.ph);
    findBin(phi, o, K, v, inverse, bound, dscale, w);
    const dx = w.x1 - w.x0;
    const dy = w.y1 - w.y0;
    const s = dy / dx;
    let z: number;
    let out: number;
    if (!inverse) {
      z = ((w.inside ? v : w.x0) - w.x0) / dx;
      out = v;
    } else {
      const yr = (w.inside ? v : w.y0) - w.y0;
      const dd = w.d0 + w.d1 - 2 * s;
      const a = dy * (s - w.d0) + yr * dd;
      const b = dy * w.d0 - yr * dd;
      const c = -s * yr;
      const disc = Math.max(b * b - 4 * a * c, 0);
      z = (2 * c) / (-b - Math.sqrt(disc));
      out = w.inside ? w.x0 + z * dx : v;
    }
    const omz = 1 - z;
    const t = z * omz;
    const den = s + (w.d0 + w.d1 - 2 * s) * t;
    if (!inverse && w.inside) out = w.y0 + (dy * (s * z * z + w.d0 * t)) / den;
    y[e] = out;
    if (ladj !== null) {
      const q = 2 * s * t + w.d0 * omz * omz + w.d1 * z * z;
      const l = Math.log((s * s * q) / (den * den));
      ladj[e] = w.inside ? (inverse ? -l : l) : 0;
    }
  }
};

/**
 * The TypeScript vector-Jacobian product of the spline (forward or inverse), with the
 * hand-derived derivatives of the rational quadratic, the bin's knots, the softmax and
 * the bounding of the raw parameters.
 *
 * @example
 * ```ts
 * import { rqsVjpJs } from '@eddy/backend-cpu';
 * const bins = 8;
 * const x = new Float64Array([0.5, -1]);
 * const phi = new Float64Array(x.length * (3 * bins - 1)); // rqsJs's identity spline
 * const [gx, gphi] = [new Float64Array(2), new Float64Array(phi.length)];
 * rqsVjpJs(x.length, bins, x, phi, 5, 1e-3, false, new Float64Array([1, 1]), null, gx, gphi); // gx = [1, 1]
 * ```
 * @category Kernels
 */
export const rqsVjpJs: RqsVjpKernel = (E, K, x, phi, bound, slope, inverse, g, gl, gin, gphi) => {
  const P = 3 * K - 1;
  const lnS = Math.log(slope);
  const wscale = 2 / lnS;
  const dscale = 1 / lnS;
  const w = work(K);
  const twoB = 2 * bound;
  for (let e = 0; e < E; e++) {
    const o = e * P;
    const v = x[e] as number;
    const gv = g[e] as number;
    const glv = gl === null ? 0 : (gl[e] as number);
    softmax(phi, o, K, wscale, w.pw);
    softmax(phi, o + K, K, wscale, w.ph);
    findBin(phi, o, K, v, false, bound, dscale, w);
    if (!w.inside) {
      gin[e] = gv;
      for (let i = 0; i < P; i++) gphi[o + i] = 0;
      continue;
    }
    const { x0, y0, d0, d1 } = w;
    const dx = w.x1 - x0;
    const dy = w.y1 - y0;
    const s = dy / dx;
    const z = (v - x0) / dx;
    const omz = 1 - z;
    const t = z * omz;
    const dsum = d0 + d1 - 2 * s;
    const den = s + dsum * t;
    const R = (s * z * z + d0 * t) / den;
    const q = 2 * s * t + d0 * omz * omz + d1 * z * z;
    const oneM2z = 1 - 2 * z;
    const dnumDz = 2 * s * z + d0 * oneM2z;
    const ddenDz = dsum * oneM2z;
    const ddenDs = 1 - 2 * t;
    const dqDz = 2 * s * oneM2z + 2 * d1 * z - 2 * d0 * omz;
    const dyDz = (dy * (dnumDz - R * ddenDz)) / den;
    const dyDs = (dy * (z * z - R * ddenDs)) / den;
    const dyDd0 = (dy * (t - R * t)) / den;
    const dyDd1 = (dy * -(R * t)) / den;
    const dlDz = dqDz / q - (2 * ddenDz) / den;
    const dlDs = 2 / s + (2 * t) / q - (2 * ddenDs) / den;
    const dlDd0 = (omz * omz) / q - (2 * t) / den;
    const dlDd1 = (z * z) / q - (2 * t) / den;
    let U: number;
    let L: number;
    if (!inverse) {
      U = gv;
      L = glv;
      gin[e] = (U * dyDz + L * dlDz) / dx;
    } else {
      const fx = (s * s * q) / (den * den);
      const a = gv - glv * (dlDz / dx);
      U = -a / fx;
      L = -glv;
      gin[e] = a / fx;
    }
    const Gz = U * dyDz + L * dlDz;
    const Gs = U * dyDs + L * dlDs;
    const Gd0 = U * dyDd0 + L * dlDd0;
    const Gd1 = U * dyDd1 + L * dlDd1;
    const Gdy = U * R;
    const gx0 = (Gz * (z - 1) + Gs * s) / dx;
    const gx1 = -(Gz * z + Gs * s) / dx;
    const gy0 = U - Gdy - Gs / dx;
    const gy1 = Gdy + Gs / dx;
    for (let pass = 0; pass < 2; pass++) {
      const p = pass === 0 ? w.pw : w.ph;
      const g0 = pass === 0 ? gx0 : gy0;
      const g1 = pass === 0 ? gx1 : gy1;
      const both = (g0 + g1) * twoB;
      const only1 = g1 * twoB;
      let dot = 0;
      for (let i = 0; i < K; i++) dot += (p[i] as number) * (i < w.k ? both : i === w.k ? only1 : 0);
      for (let i = 0; i < K; i++) {
        const gi = i < w.k ? both : i === w.k ? only1 : 0;
        const raw = phi[o + pass * K + i] as number;
        const den1 = Math.abs(raw * wscale) + 1;
        gphi[o + pass * K + i] = ((p[i] as number) * (gi - dot)) / (den1 * den1);
      }
    }
    for (let j = 1; j < K; j++) {
      const gD = (j === w.k ? Gd0 : 0) + (j === w.k + 1 ? Gd1 : 0);
      const raw = phi[o + 2 * K + j - 1] as number;
      const den1 = Math.abs(raw * dscale) + 1;
      gphi[o + 2 * K + j - 1] = (gD * Math.exp(raw / den1)) / (den1 * den1);
    }
  }
};
