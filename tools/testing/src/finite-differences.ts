/**
 * Central finite differences of a scalar function of a vector: element i of the result is
 * `(f(v + h·eᵢ) − f(v − h·eᵢ)) / 2h`, where `f` gets a fresh copy of `base` with element i
 * moved (the `+h` call first, then the `−h` one).
 *
 * @example
 * ```ts
 * const g = centralDifferences([1, 2], (v) => v[0]! * v[1]!); // ≈ [2, 1]
 * ```
 */
export function centralDifferences(base: ArrayLike<number>, f: (v: Float64Array) => number, h = 1e-6): Float64Array {
  const out = new Float64Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const at = (delta: number): number => {
      const v = Float64Array.from(base);
      v[i] = (v[i] as number) + delta;
      return f(v);
    };
    out[i] = (at(h) - at(-h)) / (2 * h);
  }
  return out;
}
