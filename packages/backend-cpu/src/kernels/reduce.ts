import type { ReduceOp, TypedArray } from '@eddy/core';

/**
 * Reduces `x` viewed as `[outer, r, inner]` over the middle axis into `out`
 * (`[outer, inner]`). Callers bring the reduced axes together first. Accumulates in
 * float64 for both float dtypes.
 * @category Kernels
 */
export function reduceMiddle(op: ReduceOp, x: TypedArray, outer: number, r: number, inner: number, out: TypedArray): void {
  const init = op === 'sum' ? 0 : op === 'prod' ? 1 : op === 'max' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (inner === 1) {
    // Reducing the last axis: one scalar accumulator per row (no per-row buffers).
    for (let o = 0; o < outer; o++) {
      let a = init;
      const base = o * r;
      for (let k = 0; k < r; k++) {
        const v = x[base + k] as number;
        if (op === 'sum') a += v;
        else if (op === 'prod') a *= v;
        else if (op === 'max') {
          if (v > a || Number.isNaN(v)) a = v;
        } else if (v < a || Number.isNaN(v)) a = v;
      }
      out[o] = a;
    }
    return;
  }
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(init);
    const base = o * r * inner;
    for (let k = 0; k < r; k++) {
      const row = base + k * inner;
      switch (op) {
        case 'sum':
          for (let i = 0; i < inner; i++) acc[i] = (acc[i] as number) + (x[row + i] as number);
          break;
        case 'prod':
          for (let i = 0; i < inner; i++) acc[i] = (acc[i] as number) * (x[row + i] as number);
          break;
        case 'max':
          for (let i = 0; i < inner; i++) {
            const v = x[row + i] as number;
            // NaN wins, as in NumPy/PyTorch.
            if (v > (acc[i] as number) || Number.isNaN(v)) acc[i] = v;
          }
          break;
        case 'min':
          for (let i = 0; i < inner; i++) {
            const v = x[row + i] as number;
            if (v < (acc[i] as number) || Number.isNaN(v)) acc[i] = v;
          }
          break;
      }
    }
    out.set(acc, o * inner);
  }
}

/**
 * Inclusive cumulative sum of `x` viewed as `[outer, n, inner]` along the middle axis.
 *
 * @category Kernels
 */
export function cumsumMiddle(x: TypedArray, outer: number, n: number, inner: number, reverse: boolean, out: TypedArray): void {
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      let a = 0;
      const base = o * n;
      for (let t = 0; t < n; t++) {
        const i = base + (reverse ? n - 1 - t : t);
        a += x[i] as number;
        out[i] = a;
      }
    }
    return;
  }
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    const base = o * n * inner;
    for (let t = 0; t < n; t++) {
      const row = base + (reverse ? n - 1 - t : t) * inner;
      for (let i = 0; i < inner; i++) {
        acc[i] = (acc[i] as number) + (x[row + i] as number);
        out[row + i] = acc[i] as number;
      }
    }
  }
}
