import { type Tensor, fillUniform, tensor } from '@eddy/core';

/**
 * Deterministic host values in [lo, hi): the same `n` numbers for the same `seed` on every
 * machine (Philox uniforms of stream 99).
 *
 * @example
 * ```ts
 * const x = tensor(hostValues(6, 1, 0.5, 2), { shape: [2, 3], dtype: 'float64' });
 * ```
 */
export function hostValues(n: number, seed: number, lo = -2, hi = 2): Float64Array {
  const u = new Float64Array(n);
  fillUniform(u, seed, 99, 0);
  for (let i = 0; i < n; i++) u[i] = lo + (hi - lo) * (u[i] as number);
  return u;
}

/**
 * A float64 tensor of `shape` filled with {@link hostValues}`(size, seed, lo, hi)`.
 *
 * @example
 * ```ts
 * const theta = hostTensor([4, 2, 10], 12); // values in [-2, 2)
 * const x = hostTensor([4, 2], 13, -7, 7);
 * ```
 */
export function hostTensor(shape: number[], seed: number, lo = -2, hi = 2): Tensor {
  return tensor(
    hostValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
      lo,
      hi,
    ),
    { shape, dtype: 'float64' },
  );
}
