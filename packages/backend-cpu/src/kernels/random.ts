import { fillNormal, fillUniform } from '@eddy/core';

/**
 * Signature of the random-number kernel: draws `offset .. offset + n − 1` of the Philox
 * sequence `(seed, stream)` into `out`; kind 0 uniforms in `[0, 1)`, 1 standard normals.
 * @category Kernels
 */
export type RandomKernel = (kind: 0 | 1, n: number, seed: number, stream: number, offset: number, out: Float32Array | Float64Array) => void;

/**
 * The TypeScript draws: core's `fillUniform` / `fillNormal` (Philox4x32-10, Box–Muller).
 *
 * @example
 * ```ts
 * import { randomJs } from '@eddy/backend-cpu';
 * const out = new Float64Array(4);
 * randomJs(1, 4, 42, 0, 0, out); // four standard normals: draws 0–3 of the stream (seed 42, stream 0)
 * ```
 * @category Kernels
 */
export const randomJs: RandomKernel = (kind, n, seed, stream, offset, out) => {
  (kind === 1 ? fillNormal : fillUniform)(n === out.length ? out : out.subarray(0, n), seed, stream, offset);
};
