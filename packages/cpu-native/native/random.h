// Counter-based random numbers: Philox4x32-10 exactly as @eddy/core's philox.ts (same key
// and counter layout, so every uniform is bit-identical to the TypeScript one), and the
// Box–Muller normals `sqrt(-2 log(1 - u0)) · (cos, sin)(2π u1)` vectorised over blocks
// (the cosine and sine come from a reduction of u1 itself, exact, and polynomials on
// [-π/4, π/4]; results agree with the TypeScript ones to a few ulps in float64 and almost
// always exactly once rounded to float32). Included inside each ISA's namespace.
#pragma once

static inline void philox4x32(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1, uint32_t out[4]) {
  uint32_t x0 = c0, x1 = c1, x2 = c2, x3 = c3;
  for (int r = 0; r < 10; r++) {
    if (r > 0) {
      k0 += 0x9e3779b9u;
      k1 += 0xbb67ae85u;
    }
    const uint64_t p0 = (uint64_t)x0 * 0xd2511f53u;
    const uint64_t p1 = (uint64_t)x2 * 0xcd9e8d57u;
    const uint32_t y0 = (uint32_t)(p1 >> 32) ^ x1 ^ k0;
    const uint32_t y2 = (uint32_t)(p0 >> 32) ^ x3 ^ k1;
    x0 = y0;
    x1 = (uint32_t)p1;
    x2 = y2;
    x3 = (uint32_t)p0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
}

static inline double philox_uniform(uint32_t hi, uint32_t lo) {
  return ((double)(hi >> 5) * 67108864.0 + (double)(lo >> 6)) * (1.0 / 9007199254740992.0);
}

// (sin, cos)(2π u) for u in [0, 1), float64 lanes.
template <class S>
static inline void sincos2pi(typename S::V u, typename S::V& sn, typename S::V& cs) {
  using V = typename S::V;
  V t = S::mul(u, S::set1(4.0));
  V q = S::round(t);
  V f = S::sub(t, q);  // exact, in [-0.5, 0.5]
  V x = S::mul(f, S::set1(1.5707963267948966192));
  V x2 = S::mul(x, x);
  // sin x = x (1 - x²/3! + x⁴/5! - ...), cos x = 1 - x²/2! + ... (|x| ≤ π/4).
  // 1/15!, 1/13!, …, 1/3!, 1 and 1/16!, 1/14!, …, 1/2!, 1.
  V s = S::mul(x, hornerAlternating<S>(x2, 1.0 / 1307674368000.0, 1.0 / 6227020800.0, 1.0 / 39916800.0, 1.0 / 362880.0, 1.0 / 5040.0,
                                        1.0 / 120.0, 1.0 / 6.0, 1.0));
  V c = hornerAlternating<S>(x2, 1.0 / 20922789888000.0, 1.0 / 87178291200.0, 1.0 / 479001600.0, 1.0 / 3628800.0, 1.0 / 40320.0,
                             1.0 / 720.0, 1.0 / 24.0, 0.5, 1.0);
  // θ = q·π/2 + x: rotate by the quadrant q mod 4 (q in 0..4).
  V m = S::sub(q, S::mul(S::set1(4.0), S::round(S::mul(q, S::set1(0.25)))));  // q mod 4 in {-1,0,1,2} for q in 0..4
  m = S::select(S::lt(m, S::zero()), S::add(m, S::set1(4.0)), m);
  auto is = [&](double k) { return S::eq(m, S::set1(k)); };
  sn = S::select(is(0), s, S::select(is(1), c, S::select(is(2), S::neg(s), S::neg(c))));
  cs = S::select(is(0), c, S::select(is(1), S::neg(s), S::select(is(2), S::neg(c), s)));
}

// out[k] = draw number offset + k of (seed, stream): kind 0 uniform [0, 1), 1 normal.
template <class S, class T>
static void random_fill(int kind, long n, uint64_t seed, uint64_t stream, uint64_t offset, T* out) {
  using F = S;  // float64 traits
  using V = typename F::V;
  constexpr int W = F::W;
  constexpr int BATCH = 256;
  if (n <= 0) return;
  alignas(64) double u0[BATCH], u1[BATCH], a[BATCH], b[BATCH];
  const uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
  const uint32_t s0 = (uint32_t)stream, s1 = (uint32_t)(stream >> 32);
  const uint64_t firstBlock = offset / 2, lastBlock = (offset + (uint64_t)n - 1) / 2;
  const double cap = sizeof(T) == 4 ? 1.0 - 5.9604644775390625e-08 : 1.0;
  for (uint64_t b0 = firstBlock; b0 <= lastBlock; b0 += BATCH) {
    const int nb = (int)((lastBlock - b0 + 1) < (uint64_t)BATCH ? (lastBlock - b0 + 1) : (uint64_t)BATCH);
    for (int j = 0; j < nb; j++) {
      uint32_t w[4];
      const uint64_t blk = b0 + (uint64_t)j;
      philox4x32((uint32_t)blk, (uint32_t)(blk >> 32), s0, s1, k0, k1, w);
      u0[j] = philox_uniform(w[0], w[1]);
      u1[j] = philox_uniform(w[2], w[3]);
    }
    if (kind == 0) {
      for (int j = 0; j < nb; j++) {
        a[j] = u0[j] < cap ? u0[j] : cap;
        b[j] = u1[j] < cap ? u1[j] : cap;
      }
    } else {
      for (int j = 0; j < nb; j += W) {
        const int nv = nb - j < W ? nb - j : W;
        V r = F::sqrt(F::mul(F::set1(-2.0), vlog<F>(F::sub(F::set1(1.0), F::loadn(u0 + j, nv)))));
        V sn, cs;
        sincos2pi<F>(F::loadn(u1 + j, nv), sn, cs);
        F::storen(a + j, F::mul(r, cs), nv);
        F::storen(b + j, F::mul(r, sn), nv);
      }
    }
    // Block blk holds global indices 2·blk (a) and 2·blk + 1 (b).
    for (int j = 0; j < nb; j++) {
      const uint64_t i0 = 2 * (b0 + (uint64_t)j);
      if (i0 >= offset && i0 < offset + (uint64_t)n) out[i0 - offset] = (T)a[j];
      if (i0 + 1 >= offset && i0 + 1 < offset + (uint64_t)n) out[i0 + 1 - offset] = (T)b[j];
    }
  }
}
