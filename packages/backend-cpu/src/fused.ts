import { type DType, type FusedKernels, type TensorInfo, type TypedArray, arrayType, sizeOf } from '@eddy/core';
import { kernels } from './kernel-table.js';
import { ACT_CODES } from './kernels/linear.js';

const data = (x: TensorInfo): TypedArray => x.handle as TypedArray;
const alloc = (dtype: DType, n: number): TypedArray => new (arrayType(dtype))(n);

/**
 * The CPU backend's fused kernels (see `FusedKernels` in core): each is one call into the
 * kernel table, so it runs natively where `@eddy/cpu-native` is installed and in
 * TypeScript otherwise.
 *
 * @example
 * ```ts
 * cpuFused.linear?.([x], w, b, 'relu', m); // a Float32Array or Float64Array [m, n]
 * ```
 * @category Backend
 */
export const cpuFused: FusedKernels = {
  linear(xs, weight, bias, activation, m) {
    const n = weight.shape[0] as number;
    const out = alloc(weight.dtype, m * n);
    kernels.linear(m, n, xs.map(data), data(weight), bias === null ? null : data(bias), ACT_CODES[activation], out);
    return out;
  },
  linearBackward(g, y, xs, weight, activation, need) {
    const [n, K] = weight.shape as [number, number];
    const m = sizeOf(g.shape) / n;
    const dt = weight.dtype;
    let gz = data(g);
    if (activation !== 'none') {
      const t = alloc(dt, m * n);
      kernels.actVjp(m * n, ACT_CODES[activation], gz, data(y), t);
      gz = t;
    }
    const w = data(weight);
    const gw = need.weight ? alloc(dt, n * K) : null;
    const gxs: Array<TypedArray | null> = [];
    let col = 0;
    for (const [b, x] of xs.entries()) {
      const kb = x.shape[x.shape.length - 1] as number;
      if (need.xs[b] === true) {
        const gx = alloc(dt, m * kb);
        kernels.gemm(false, false, m, kb, n, gz, 0, n, w, col, K, gx, 0, kb, 0);
        gxs.push(gx);
      } else gxs.push(null);
      if (gw !== null) kernels.gemm(true, false, n, kb, m, gz, 0, n, data(x), 0, kb, gw, col, K, 0);
      col += kb;
    }
    let gb: TypedArray | null = null;
    if (need.bias) {
      gb = alloc(dt, n);
      kernels.colsum(m, n, gz, gb);
    }
    return { xs: gxs, weight: gw, bias: gb };
  },
  rqs(x, phi, bins, bound, slope, inverse, withLadj) {
    const e = sizeOf(x.shape);
    const y = alloc(x.dtype, e);
    const ladj = withLadj ? alloc(x.dtype, e) : null;
    kernels.rqs(e, bins, data(x), data(phi), bound, slope, inverse, y, ladj);
    return { y, ladj };
  },
  rqsVjp(x, phi, bins, bound, slope, inverse, g, gl) {
    const e = sizeOf(x.shape);
    const gin = alloc(x.dtype, e);
    const gphi = alloc(x.dtype, sizeOf(phi.shape));
    kernels.rqsVjp(e, bins, data(x), data(phi), bound, slope, inverse, data(g), gl === null ? null : data(gl), gin, gphi);
    return { input: gin, phi: gphi };
  },
  affine(x, phi, slope, inverse, withLadj) {
    const e = sizeOf(x.shape);
    const y = alloc(x.dtype, e);
    const ladj = withLadj ? alloc(x.dtype, e) : null;
    kernels.affine(e, data(x), data(phi), slope, inverse, y, ladj);
    return { y, ladj };
  },
  affineVjp(x, phi, slope, inverse, g, gl) {
    const e = sizeOf(x.shape);
    const gin = alloc(x.dtype, e);
    const gphi = alloc(x.dtype, 2 * e);
    kernels.affineVjp(e, data(x), data(phi), slope, inverse, data(g), gl === null ? null : data(gl), gin, gphi);
    return { input: gin, phi: gphi };
  },
  normalLogProb(z, loc, scale) {
    const d = z.shape[z.shape.length - 1] as number;
    const rows = sizeOf(z.shape) / d;
    const out = alloc(z.dtype, rows);
    kernels.normalLogProb(rows, d, data(z), data(loc), data(scale), out);
    return out;
  },
  normalLogProbVjp(z, loc, scale, g) {
    const d = z.shape[z.shape.length - 1] as number;
    const rows = sizeOf(z.shape) / d;
    const gz = alloc(z.dtype, rows * d);
    kernels.normalLogProbVjp(rows, d, data(z), data(loc), data(scale), data(g), gz);
    return gz;
  },
};
