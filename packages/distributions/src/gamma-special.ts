import { type DType, type Tensor, broadcastShapes, coerce, expand, record, special, tensor } from '@eddy/core';

/**
 * The regularised incomplete gamma functions `P(a, x) = γ(a, x)/Γ(a)` and
 * `Q(a, x) = 1 - P(a, x)`, their derivative in the shape `a`, and the inverse of `P` in
 * `x`, on the host in float64. They give the Gamma distribution its CDF, its inverse-CDF
 * sampler and the implicit reparameterisation gradient of that sampler
 * (Figurnov, Mohamed & Mnih 2018, "Implicit Reparameterization Gradients"):
 * `∂x/∂a = -(∂P/∂a)(a, x) / p(x; a)` for `x = P⁻¹(a, u)`.
 *
 * Method: the power series of `P` for `x < a + 1` and the continued fraction of `Q`
 * (modified Lentz) otherwise (Numerical Recipes, 3rd ed., §6.2), each carrying its
 * derivative in `a` along (forward-mode); the inverse is a safeguarded Halley iteration
 * on the smaller tail from the Wilson–Hilferty / small-`x` starting points, bracketed so
 * that it always converges. Relative accuracy is a few ulps for moderate `a`; the
 * prefactor `xᵃe⁻ˣ/Γ(a)` loses about `a·ε` relative for very large `a` (1e-11 at 1e5).
 *
 * Not part of the public API (core has no incomplete gamma yet). @internal
 * @module
 */

const EPS = Number.EPSILON;
const FPMIN = 1e-300;
const MAX_ITER = 1_000_000;
/** Smallest positive normal float64. */
const MIN_NORMAL = 2.2250738585072014e-308;

/** `P`, `Q` and (when asked) `∂P/∂a = -∂Q/∂a`. @internal */
export interface GammaPQ {
  p: number;
  q: number;
  dpda: number;
}

/** Series `P(a, x) = xᵃe⁻ˣ/Γ(a+1) Σₙ xⁿ/((a+1)…(a+n))` with its `a`-derivative. */
function seriesP(a: number, x: number, withDa: boolean): [number, number] {
  const logPre = a * Math.log(x) - x - special.lgamma(a + 1);
  let t = 1;
  let s = 1;
  let h = 0; // Σ_{k≤n} 1/(a+k): d/da log tₙ = -h
  let ds = 0;
  for (let n = 1; n < MAX_ITER; n++) {
    t *= x / (a + n);
    s += t;
    if (withDa) {
      h += 1 / (a + n);
      ds -= t * h;
    }
    if (t <= s * EPS * 0.25 && (!withDa || t * h <= Math.abs(ds) * EPS * 0.25)) break;
  }
  const pre = Math.exp(logPre);
  const p = pre * s;
  if (!withDa) return [p, 0];
  const dLogPre = Math.log(x) - special.digamma(a + 1);
  return [p, pre * (dLogPre * s + ds)];
}

/** Continued fraction of `Q(a, x)` (modified Lentz) with its `a`-derivative. */
function fractionQ(a: number, x: number, withDa: boolean): [number, number] {
  let b = x + 1 - a;
  const db = -1;
  let c = 1 / FPMIN;
  let dc = 0;
  let d = 1 / b;
  let dd = -db / (b * b);
  let h = d;
  let dh = dd;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    const dan = i;
    b += 2;
    // d ← 1 / (an·d + b)
    let den = an * d + b;
    let dden = dan * d + an * dd + db;
    if (Math.abs(den) < FPMIN) {
      den = FPMIN;
      dden = 0;
    }
    d = 1 / den;
    dd = -dden / (den * den);
    // c ← b + an / c
    const cPrev = c;
    c = b + an / cPrev;
    dc = db + (dan * cPrev - an * dc) / (cPrev * cPrev);
    if (Math.abs(c) < FPMIN) {
      c = FPMIN;
      dc = 0;
    }
    const del = d * c;
    const ddel = dd * c + d * dc;
    dh = dh * del + h * ddel;
    h *= del;
    if (Math.abs(del - 1) <= EPS && (!withDa || Math.abs(ddel * h) <= EPS * Math.abs(dh) + FPMIN)) break;
  }
  const logPre = a * Math.log(x) - x - special.lgamma(a);
  const pre = Math.exp(logPre);
  const q = pre * h;
  if (!withDa) return [q, 0];
  const dLogPre = Math.log(x) - special.digamma(a);
  return [q, pre * (dLogPre * h + dh)];
}

/**
 * `P(a, x)`, `Q(a, x)` and, if `withDa`, `∂P/∂a` (float64, `a > 0`). `x ≤ 0` gives
 * `P = 0`, `x = ∞` gives `P = 1`; NaN or `a ≤ 0` gives NaN. @internal
 */
export function gammaPQ(a: number, x: number, withDa = false): GammaPQ {
  if (!(a > 0) || Number.isNaN(x) || a === Number.POSITIVE_INFINITY) return { p: Number.NaN, q: Number.NaN, dpda: Number.NaN };
  if (x <= 0) return { p: 0, q: 1, dpda: 0 };
  if (x === Number.POSITIVE_INFINITY) return { p: 1, q: 0, dpda: 0 };
  if (x < a + 1) {
    const [p, dp] = seriesP(a, x, withDa);
    return { p, q: 1 - p, dpda: dp };
  }
  const [q, dq] = fractionQ(a, x, withDa);
  return { p: 1 - q, q, dpda: -dq };
}

/** Density of the standard gamma distribution `x^(a-1) e^(-x) / Γ(a)` (float64). @internal */
export function gammaDensity(a: number, x: number): number {
  if (x < 0) return 0;
  if (x === 0) return a < 1 ? Number.POSITIVE_INFINITY : a === 1 ? 1 : 0;
  if (x === Number.POSITIVE_INFINITY) return 0;
  return Math.exp((a - 1) * Math.log(x) - x - special.lgamma(a));
}

/** Starting point of the inverse (Numerical Recipes' `invgammp`, tails made symmetric). */
function initialGuess(a: number, p: number, q: number): number {
  if (a > 1) {
    const z = p <= q ? special.ndtri(p) : -special.ndtri(q);
    const wh = a * (1 - 1 / (9 * a) + z / (3 * Math.sqrt(a))) ** 3;
    // Lower tail: P(a, x) ≈ xᵃ / Γ(a + 1).
    const small = Math.exp((Math.log(p) + special.lgamma(a + 1)) / a);
    if (!(wh > 0)) return small;
    return small < 0.1 * a ? small : wh;
  }
  const t = 1 - a * (0.253 + a * 0.12);
  if (p < t) return Math.exp((Math.log(p) - Math.log(t)) / a);
  return 1 - Math.log(q / (1 - t));
}

/**
 * `x` with `P(a, x) = p` (equivalently `Q(a, x) = q`, `q = 1 - p` passed separately so
 * the upper tail keeps its accuracy). Returns 0 when the answer underflows (below the
 * smallest normal float64) and ∞ for `q = 0`. @internal
 */
export function gammaPInv(a: number, p: number, q: number = 1 - p): number {
  if (!(a > 0) || Number.isNaN(p) || Number.isNaN(q) || p < 0 || q < 0) return Number.NaN;
  if (p === 0) return 0;
  if (q === 0) return Number.POSITIVE_INFINITY;
  const lowerTail = p <= q;
  // If even the small-x approximation underflows, so does the answer.
  if (lowerTail && (Math.log(p) + special.lgamma(a + 1)) / a < Math.log(MIN_NORMAL)) return 0;
  let x = initialGuess(a, p, q);
  if (!(x > 0) || !Number.isFinite(x)) x = a;
  const lgA = special.lgamma(a);
  // Newton on the log of the smaller tail: log P(a, eʸ) - log p in y = log x for the lower
  // tail, log q - log Q(a, x) in x for the upper one. Both are increasing and close to
  // linear in their variable far in the tail, so Newton converges in a few steps there;
  // the bracket [lo, hi] (in x) falls back to bisection if a step leaves it.
  const logTarget = Math.log(lowerTail ? p : q);
  let lo = 0;
  let hi = Number.POSITIVE_INFINITY;
  for (let iter = 0; iter < 400; iter++) {
    const v = gammaPQ(a, x);
    const tail = lowerTail ? v.p : v.q;
    const f = lowerTail ? Math.log(tail) - logTarget : logTarget - Math.log(tail);
    if (f === 0) return x;
    if (f < 0) lo = x;
    else hi = x;
    const dens = Math.exp((a - 1) * Math.log(x) - x - lgA);
    let next = Number.NaN;
    if (dens > 0 && Number.isFinite(dens) && tail > 0) {
      next = lowerTail ? x * Math.exp(-f / ((x * dens) / tail)) : x - f / (dens / tail);
    }
    if (!(next > lo && next < hi)) {
      // Outside the bracket: bisect (geometrically while it is unbounded or spans
      // orders of magnitude).
      if (hi === Number.POSITIVE_INFINITY) next = Math.max(2 * x, 1);
      else if (lo === 0) next = hi / 16;
      else next = hi / lo > 4 ? Math.sqrt(lo * hi) : 0.5 * (lo + hi);
      if (next < MIN_NORMAL) return lo;
    }
    if (Math.abs(next - x) <= 2 * EPS * next) return next;
    if (hi < Number.POSITIVE_INFINITY && hi - lo <= 2 * EPS * hi) return next;
    x = next;
  }
  return x;
}

function hostPair(op: string, a0: Tensor, x0: Tensor): { a: Tensor; x: Tensor; shape: number[]; av: Float64Array; xv: Float64Array } {
  const [ta, tx] = coerce(a0, x0, true);
  const shape = broadcastShapes(op, ta.shape, tx.shape);
  const a = expand(ta, shape);
  const x = expand(tx, shape);
  return { a, x, shape, av: Float64Array.from(a.dataSync()), xv: Float64Array.from(x.dataSync()) };
}

/**
 * `f(a, x)` elementwise on the host (broadcasting `a` and `x`) as a differentiable op:
 * `value(a, x, dtype)` gives each output, `partials(a, x, y, needA)` its two partial
 * derivatives at the output `y` as stored (rounded to the output dtype); `needA` is false
 * when `a` needs no gradient, so that `∂f/∂a` may be skipped.
 */
function hostBinary(
  op: string,
  a0: Tensor,
  x0: Tensor,
  value: (a: number, x: number, dtype: DType) => number,
  partials: (a: number, x: number, y: number, needA: boolean) => [number, number],
): Tensor {
  const { a, x, shape, av, xv } = hostPair(op, a0, x0);
  const out = new Float64Array(av.length);
  for (let i = 0; i < out.length; i++) out[i] = value(av[i] as number, xv[i] as number, a.dtype);
  const opts = { shape, dtype: a.dtype, backend: a.backend };
  const ys = a.dtype === 'float32' ? Float64Array.from(Float32Array.from(out)) : out;
  return record(op, tensor(out, opts), [a, x], (g) => {
    const da = new Float64Array(av.length);
    const dx = new Float64Array(av.length);
    for (let i = 0; i < da.length; i++) {
      [da[i], dx[i]] = partials(av[i] as number, xv[i] as number, ys[i] as number, a.requiresGrad);
    }
    return [g.mul(tensor(da, opts)), g.mul(tensor(dx, opts))];
  });
}

/**
 * The regularised lower incomplete gamma function `P(a, x)` elementwise (broadcasting),
 * differentiable in both arguments: `∂P/∂x = x^(a-1)e^(-x)/Γ(a)`, `∂P/∂a` from the
 * series / continued fraction. Computed on the host (a sync point on GPU backends);
 * the gradient is not itself differentiable. @internal
 */
export function gammaP(a0: Tensor, x0: Tensor): Tensor {
  return hostBinary(
    'gammaP',
    a0,
    x0,
    (a, x) => gammaPQ(a, x).p,
    (a, x, _p, needA) => [needA ? gammaPQ(a, x, true).dpda : 0, gammaDensity(a, x)],
  );
}

/**
 * The quantile function of the standard gamma distribution, `x = P⁻¹(a, u)`, elementwise
 * (broadcasting), with the implicit reparameterisation gradients
 * `∂x/∂a = -(∂P/∂a)(a, x)/p(x; a)` and `∂x/∂u = 1/p(x; a)` (zero where the density
 * is 0 or infinite). With `clampTiny` (default) results below the smallest normal number
 * of the output dtype are clamped to it, as PyTorch clamps its gamma draws. Host-side (a sync point on GPU
 * backends); the gradient is not itself differentiable. @internal
 */
export function gammaQuantile(a0: Tensor, u0: Tensor, clampTiny = true): Tensor {
  const tiny = (dtype: DType): number => (!clampTiny ? 0 : dtype === 'float32' ? 1.1754943508222875e-38 : MIN_NORMAL);
  return hostBinary(
    'gammaQuantile',
    a0,
    u0,
    (a, u, dtype) => Math.max(gammaPInv(a, u, 1 - u), tiny(dtype)),
    (a, _u, x, needA) => {
      const dens = gammaDensity(a, x);
      const ok = dens > 0 && Number.isFinite(dens);
      return [ok && needA ? -gammaPQ(a, x, true).dpda / dens : 0, ok ? 1 / dens : 0];
    },
  );
}
