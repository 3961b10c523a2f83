import { type TypedArray, ValueError } from '@eddy/core';

/**
 * `out[o, j, i] = x[o, idx[o, j, i], i]` with `x` as `[outer, k, inner]`, `idx` as `[outer, j, inner]`.
 *
 * @category Kernels
 */
export function gatherMiddle(x: TypedArray, idx: Int32Array, outer: number, k: number, j: number, inner: number, out: TypedArray): void {
  for (let o = 0; o < outer; o++) {
    for (let t = 0; t < j; t++) {
      const row = (o * j + t) * inner;
      for (let i = 0; i < inner; i++) {
        const q = idx[row + i] as number;
        if (q < 0 || q >= k) throw new ValueError(`gather: index ${q} is out of range [0, ${k})`);
        out[row + i] = x[(o * k + q) * inner + i] as number;
      }
    }
  }
}

/**
 * `out[o, idx[o, j, i], i] += src[o, j, i]` into zeroed `out` (`[outer, k, inner]`).
 *
 * @category Kernels
 */
export function scatterAddMiddle(src: TypedArray, idx: Int32Array, outer: number, k: number, j: number, inner: number, out: TypedArray): void {
  for (let o = 0; o < outer; o++) {
    for (let t = 0; t < j; t++) {
      const row = (o * j + t) * inner;
      for (let i = 0; i < inner; i++) {
        const q = idx[row + i] as number;
        if (q < 0 || q >= k) throw new ValueError(`scatterAdd: index ${q} is out of range [0, ${k})`);
        const p = (o * k + q) * inner + i;
        out[p] = (out[p] as number) + (src[row + i] as number);
      }
    }
  }
}

/**
 * Binary search per row: `sorted` `[rows, k]`, `values` `[rows, n]` → int32 `[rows, n]`.
 *
 * @category Kernels
 */
export function searchsortedRows(sorted: TypedArray, values: TypedArray, rows: number, k: number, n: number, right: boolean, out: Int32Array): void {
  for (let r = 0; r < rows; r++) {
    const s0 = r * k;
    for (let t = 0; t < n; t++) {
      const v = values[r * n + t] as number;
      let lo = 0;
      let hi = k;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const s = sorted[s0 + mid] as number;
        if (right ? s <= v : s < v) lo = mid + 1;
        else hi = mid;
      }
      out[r * n + t] = lo;
    }
  }
}
