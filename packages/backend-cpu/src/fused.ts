import { type FusedKernels, type TensorInfo, type TypedArray, sizeOf } from '@eddy/core';
import { allocOutput } from './alloc.js';
import { kernels } from './kernel-table.js';
import { ACT_CODES } from './kernels/linear.js';

const data = (x: TensorInfo): TypedArray => x.handle as TypedArray;
const alloc = allocOutput;

/**
 * The CPU backend's fused kernels (see `FusedKernels` in core): each is one call into the
 * kernel table, so it runs natively where `@eddy/cpu-native` is installed and in
 * TypeScript otherwise.
 *
 * @example
 * ```ts
 * import { cpuFused } from '@eddy/backend-cpu';
 * import { fusedLinear, randn } from '@eddy/core';
 * Object.keys(cpuFused); // ['linear', 'linearBackward', 'rqs', ...]: the cpu backend's fused kernels
 * fusedLinear(randn([4, 3], { seed: 0 }), randn([2, 3], { seed: 1 }), null, 'relu'); // runs cpuFused.linear
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
  mlp(xs, layers, m) {
    const last = layers[layers.length - 1] as { weight: TensorInfo };
    const n = last.weight.shape[0] as number;
    const out = alloc(last.weight.dtype, m * n);
    kernels.mlp(
      m,
      xs.map(data),
      layers.map((l) => data(l.weight)),
      layers.map((l) => (l.bias === null ? null : data(l.bias))),
      layers.map((l) => ACT_CODES[l.activation]),
      out,
    );
    return out;
  },
  linearBackward(g, y, xs, weight, activation, need) {
    const [n, K] = weight.shape as [number, number];
    const m = sizeOf(g.shape) / n;
    const dt = weight.dtype;
    const gxs = xs.map((x, b) => (need.xs[b] === true ? alloc(dt, sizeOf(x.shape)) : null));
    const gw = need.weight ? alloc(dt, n * K) : null;
    const gb = need.bias ? alloc(dt, n) : null;
    kernels.linearBackward(m, n, data(g), activation === 'relu' ? data(y) : null, xs.map(data), data(weight), gxs, gw, gb);
    return { xs: gxs, weight: gw, bias: gb };
  },
  adam(p, g, m, v, o) {
    const n = sizeOf(p.shape);
    const po = alloc(p.dtype, n);
    const mo = alloc(p.dtype, n);
    const vo = alloc(p.dtype, n);
    kernels.adam(
      n,
      data(p),
      data(g),
      m === null ? null : data(m),
      v === null ? null : data(v),
      o.lr,
      o.beta1,
      o.beta2,
      o.eps,
      o.weightDecay,
      o.decoupled,
      o.step,
      po,
      mo,
      vo,
    );
    return { p: po, m: mo, v: vo };
  },
  autoregressiveInverse(p, y, c, withLadj) {
    const m = sizeOf(y.shape) / p.features;
    const x = alloc(y.dtype, m * p.features);
    const ladj = withLadj ? alloc(y.dtype, m) : null;
    const u = p.univariate;
    const ran = kernels.madeInverse(
      m,
      p.features,
      p.context,
      p.steps,
      p.dims,
      p.counts,
      data(p.weights),
      data(p.biases),
      p.acts,
      p.groupFeatures,
      p.groupCounts,
      u.kind === 'affine' ? 0 : 1,
      u.kind === 'rqs' ? u.bins : 0,
      u.kind === 'rqs' ? u.bound : 0,
      u.slope,
      data(y),
      c === null ? null : data(c),
      x,
      ladj,
    );
    return ran ? { y: x, ladj } : null;
  },
  random(kind, n, seed, stream, offset, dtype) {
    const out = alloc(dtype, n) as Float32Array | Float64Array;
    kernels.random(kind === 'normal' ? 1 : 0, n, seed, stream, offset, out);
    return out;
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
