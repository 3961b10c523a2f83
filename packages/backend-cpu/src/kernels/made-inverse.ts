import type { TypedArray } from '@eddy/core';

/**
 * Signature of the incremental-inverse kernel (see `AutoregressiveProgram` in core and
 * `made.h` in `@eddy/cpu-native`); returns whether it ran.
 * @category Kernels
 */
export type MadeInverseKernel = (
  m: number,
  features: number,
  context: number,
  steps: number,
  dims: Int32Array,
  counts: Int32Array,
  weights: TypedArray,
  biases: TypedArray,
  acts: Int32Array,
  groupFeatures: Int32Array,
  groupCounts: Int32Array,
  kind: 0 | 1,
  bins: number,
  bound: number,
  slope: number,
  y: TypedArray,
  c: TypedArray | null,
  x: TypedArray,
  ladj: TypedArray | null,
) => boolean;

/**
 * The TypeScript entry: declines, so the schedule runs on core ops (each step one fused
 * linear call per layer and one univariate call), which is already the TypeScript form of
 * the same computation.
 *
 * @example
 * ```ts
 * import { madeInverseJs } from '@eddy/backend-cpu';
 * const [none, empty] = [new Int32Array(0), new Float64Array(0)];
 * madeInverseJs(0, 0, 0, 0, none, none, empty, empty, none, none, none, 0, 8, 5, 1e-3, empty, null, empty, null); // false: always declines
 * ```
 * @category Kernels
 */
export const madeInverseJs: MadeInverseKernel = () => false;
