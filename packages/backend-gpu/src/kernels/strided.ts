import { sizeOf, stridesOf } from '@eddy/core';
import * as tf from '@tensorflow/tfjs-core';

/** How one axis of the input is read by a strided view. */
interface AxisRead {
  /** First index read (the lowest; a flipped axis is reversed afterwards). */
  lo: number;
  /** Number of entries read. */
  count: number;
  /** Step between entries (>= 1). */
  step: number;
  /** Whether the view walks this axis backwards. */
  flip: boolean;
}

/**
 * A strided view expressed as slice → flip → transpose → broadcast of the input.
 *
 * @category Kernels
 */
export interface ViewPlan {
  /** One read per input axis. */
  reads: AxisRead[];
  /** Input axes that become output axes, in input order. */
  used: number[];
  /** For each output axis that walks an input axis (in output order), that input axis. */
  order: number[];
  /** Whether some output axis is a broadcast (stride 0, size > 1). */
  broadcast: boolean;
}

/**
 * Expresses `out[i] = x[offset + Σ_d i_d·strides[d]]` as a slice of `x` (per input axis a
 * start, a count and a step), flips, a transpose and a broadcast, when the strides are
 * multiples of `x`'s own strides that stay inside `x`'s axes (every view core makes:
 * permute, transpose, slice, flip, expand). Returns null otherwise.
 * @category Kernels
 */
export function planView(xShape: readonly number[], outShape: readonly number[], strides: readonly number[], offset: number): ViewPlan | null {
  const xst = stridesOf(xShape);
  const reads: AxisRead[] = xShape.map((n, k) => ({
    lo: Math.floor(offset / (xst[k] as number)) % n,
    count: 1,
    step: 1,
    flip: false,
  }));
  if (reads.reduce((s, r, k) => s + r.lo * (xst[k] as number), 0) !== offset) return null;
  const active = outShape
    .map((n, d) => ({ d, n, s: strides[d] as number }))
    .filter((a) => a.n > 1 && a.s !== 0)
    .sort((p, q) => Math.abs(q.s) - Math.abs(p.s));
  const axisOf = new Map<number, number>();
  for (const { d, n, s } of active) {
    let found = -1;
    for (let k = 0; k < xShape.length; k++) {
      const size = xShape[k] as number;
      if (size <= 1 || [...axisOf.values()].includes(k)) continue;
      const st = xst[k] as number;
      if (Math.abs(s) % st !== 0) continue;
      const step = Math.abs(s) / st;
      const r = reads[k] as AxisRead;
      const end = s > 0 ? r.lo + step * (n - 1) : r.lo - step * (n - 1);
      if (end < 0 || end >= size) continue;
      found = k;
      reads[k] = { lo: Math.min(r.lo, end), count: n, step, flip: s < 0 };
      break;
    }
    if (found < 0) return null;
    axisOf.set(d, found);
  }
  const order = outShape.map((_, d) => axisOf.get(d)).filter((k): k is number => k !== undefined);
  const used = [...order].sort((p, q) => p - q);
  const broadcast = outShape.some((n, d) => n > 1 && strides[d] === 0);
  return { reads, used, order, broadcast };
}

/**
 * Materialises a strided view of `x` (see `Backend.strided`).
 *
 * @category Kernels
 */
export function stridedKernel(x: tf.Tensor, outShape: readonly number[], strides: readonly number[], offset: number): tf.Tensor {
  return tf.tidy(() => {
    const shape = [...outShape];
    if (sizeOf(shape) === 0) return tf.zeros(shape, x.dtype);
    const plan = planView(x.shape, shape, strides, offset);
    if (plan === null) return gatherView(x, shape, strides, offset);
    const { reads, used, order } = plan;
    let y = x;
    const identity = reads.every((r, k) => r.lo === 0 && r.count === x.shape[k] && r.step === 1);
    if (!identity) {
      if (reads.every((r) => r.step === 1)) {
        y = tf.slice(
          y,
          reads.map((r) => r.lo),
          reads.map((r) => r.count),
        );
      } else {
        y = tf.stridedSlice(
          y,
          reads.map((r) => r.lo),
          reads.map((r) => r.lo + r.step * (r.count - 1) + 1),
          reads.map((r) => r.step),
        );
      }
    }
    const flips = reads.map((r, k) => (r.flip ? k : -1)).filter((k) => k >= 0);
    if (flips.length > 0) y = tf.reverse(y, flips);
    // Drop the axes read once, keeping the walked ones in input order, then permute them
    // into output order.
    y = tf.reshape(
      y,
      used.map((k) => (reads[k] as AxisRead).count),
    );
    const perm = order.map((k) => used.indexOf(k));
    if (perm.some((p, i) => p !== i)) y = tf.transpose(y, perm);
    // Size-1 and broadcast axes enter as 1s; a broadcast then repeats them.
    y = tf.reshape(
      y,
      shape.map((n, d) => (n > 1 && strides[d] !== 0 ? n : 1)),
    );
    return plan.broadcast ? tf.broadcastTo(y, shape) : y;
  });
}

/** Any strided view, as one flat gather with host-computed indices (the general fallback). */
function gatherView(x: tf.Tensor, shape: number[], strides: readonly number[], offset: number): tf.Tensor {
  const n = sizeOf(shape);
  const idx = new Int32Array(n);
  const nd = shape.length;
  const pos = new Array<number>(nd).fill(0);
  let p = offset;
  for (let i = 0; i < n; i++) {
    idx[i] = p;
    for (let d = nd - 1; d >= 0; d--) {
      pos[d] = (pos[d] as number) + 1;
      p += strides[d] as number;
      if ((pos[d] as number) < (shape[d] as number)) break;
      p -= (strides[d] as number) * (shape[d] as number);
      pos[d] = 0;
    }
  }
  const flat = tf.reshape(x, [-1]);
  return tf.reshape(tf.gather(flat, tf.tensor1d(idx, 'int32')), shape);
}
