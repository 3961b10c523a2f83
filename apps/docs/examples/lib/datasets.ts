// Toy data sets and targets shared by the guides. The guides show the regions below as
// part of their code (`{@includeCode ../examples/lib/datasets.ts#moons}`): a program that
// uses one imports, in its shown `imports` region, what the region needs.
import { Rng, type Tensor, select, tensor } from '@eddy/core';

// #region moons
/**
 * Two interleaving half circles with Gaussian noise (scikit-learn's `make_moons`):
 * `[n, 2]` float32 points, drawn from a seeded stream.
 */
export function makeMoons(n: number, noise: number, seed: number): Tensor {
  const rng = new Rng(seed);
  const u = rng.uniform([n], 'float64').dataSync();
  const e = rng.normal([n, 2], 'float64').dataSync();
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const t = Math.PI * (u[i] as number);
    const upper = i % 2 === 0;
    out[2 * i] = (upper ? Math.cos(t) : 1 - Math.cos(t)) + noise * (e[2 * i] as number);
    out[2 * i + 1] = (upper ? Math.sin(t) : 0.5 - Math.sin(t)) + noise * (e[2 * i + 1] as number);
  }
  return tensor(out, { shape: [n, 2] });
}
// #endregion moons

// #region banana
/**
 * The unnormalised log-density of a banana-shaped distribution on the plane:
 * `z₁ = x₁`, `z₂ = x₂ + (x₁² − 1) / 3`, `log p̃(x) = −(z₁² + z₂²) / 2`.
 * The map x → z has Jacobian 1, so the normaliser is known, `Z = 2π`, and
 * `E[x₁²] = 1`: the guides check their estimates against both.
 */
export function bananaLogDensity(x: Tensor): Tensor {
  const x1 = select(x, -1, 0);
  const x2 = select(x, -1, 1);
  const z2 = x2.add(x1.square().sub(1).div(3));
  return x1.square().add(z2.square()).mul(-0.5);
}

/** `log Z` of {@link bananaLogDensity}: `log 2π`. */
export const BANANA_LOG_Z = Math.log(2 * Math.PI);
// #endregion banana
