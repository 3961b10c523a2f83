// Vectorised exp and log over a traits type S (simd_*.h), for float and double. Included
// inside each ISA's namespace. Accuracy: float exp/log within 2 ulp (Cephes polynomials),
// double exp/log within 2 ulp (degree-13 Taylor after ln 2 reduction; atanh series);
// NaN, ±inf, 0 and subnormals handled like the C library.
#pragma once

// Horner's rule, highest coefficient first: (…(c0·x + c1)·x + …)·x + cn, one S::fma a step.
template <class S, class... C>
static inline typename S::V horner(typename S::V x, double c0, C... cs) {
  typename S::V p = S::set1(c0);
  ((p = S::fma(p, x, S::set1(cs))), ...);
  return p;
}

// The same with S::fnma (c − p·x) at every step: cn − (… − (c1 − c0·x)·x …)·x, for
// series with alternating signs.
template <class S, class... C>
static inline typename S::V hornerAlternating(typename S::V x, double c0, C... cs) {
  typename S::V p = S::set1(c0);
  ((p = S::fnma(p, x, S::set1(cs))), ...);
  return p;
}

template <class S>
static inline typename S::V vexp(typename S::V x) {
  using T = typename S::T;
  using V = typename S::V;
  if constexpr (sizeof(T) == 4) {
    x = S::min(S::set1(89.0f), S::max(S::set1(-104.0f), x));  // NaN passes through
    V n = S::round(S::mul(x, S::set1(1.44269504088896341f)));
    V r = S::fnma(n, S::set1(0.693359375f), x);
    r = S::fnma(n, S::set1(-2.12194440e-4f), r);
    V p = horner<S>(r, 1.9875691500E-4f, 1.3981999507E-3f, 8.3334519073E-3f, 4.1665795894E-2f, 1.6666665459E-1f, 5.0000001201E-1f);
    V r2 = S::mul(r, r);
    V y = S::fma(p, r2, S::add(r, S::set1(1.0f)));
    return S::ldexp(y, n);
  } else {
    x = S::min(S::set1(710.0), S::max(S::set1(-746.0), x));
    V n = S::round(S::mul(x, S::set1(1.4426950408889634074)));
    V r = S::fnma(n, S::set1(6.93145751953125E-1), x);
    r = S::fnma(n, S::set1(1.42860682030941723212E-6), r);
    // Taylor series to degree 13: |r| <= 0.347, remainder < 5e-18.
    V y = horner<S>(r, 1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0, 1.0 / 40320.0,
                    1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0);  // Σ r^k / k!, k = 13 … 0
    return S::ldexp(y, n);
  }
}

template <class S>
static inline typename S::V vlog(typename S::V x) {
  using T = typename S::T;
  using V = typename S::V;
  using M = typename S::M;
  const T minNormal = sizeof(T) == 4 ? (T)1.17549435e-38f : (T)2.2250738585072014e-308;
  const T upScale = sizeof(T) == 4 ? (T)33554432.0f /* 2^25 */ : (T)18014398509481984.0 /* 2^54 */;
  const T upLog2 = sizeof(T) == 4 ? (T)25 : (T)54;
  // Subnormals: scale into the normal range first.
  M tiny = S::mand(S::lt(x, S::set1(minNormal)), S::gt(x, S::zero()));
  V xs = S::select(tiny, S::mul(x, S::set1(upScale)), x);
  V m, e;
  S::frexp_sqrt2(xs, m, e);
  e = S::select(tiny, S::sub(e, S::set1(upLog2)), e);
  V res;
  if constexpr (sizeof(T) == 4) {
    V f = S::sub(m, S::set1(1.0f));
    V z = S::mul(f, f);
    V p = horner<S>(f, 7.0376836292E-2f, -1.1514610310E-1f, 1.1676998740E-1f, -1.2420140846E-1f, 1.4249322787E-1f, -1.6668057665E-1f,
                    2.0000714765E-1f, -2.4999993993E-1f, 3.3333331174E-1f);
    V y = S::mul(S::mul(p, f), z);
    y = S::fma(e, S::set1(-2.12194440e-4f), y);
    y = S::fnma(z, S::set1(0.5f), y);
    res = S::fma(e, S::set1(0.693359375f), S::add(f, y));
  } else {
    // log(m) = 2 atanh(s), s = (m - 1)/(m + 1), |s| <= 0.1716: series in w = s^2.
    V s = S::div(S::sub(m, S::set1(1.0)), S::add(m, S::set1(1.0)));
    V w = S::mul(s, s);
    V p = horner<S>(w, 1.0 / 23.0, 1.0 / 21.0, 1.0 / 19.0, 1.0 / 17.0, 1.0 / 15.0, 1.0 / 13.0, 1.0 / 11.0, 1.0 / 9.0, 1.0 / 7.0, 1.0 / 5.0, 1.0 / 3.0);
    V s2 = S::add(s, s);
    // 2s + 2s*w*p(w), then + e*ln2 (hi + lo).
    V lm = S::fma(S::mul(s2, w), p, s2);
    res = S::fma(e, S::set1(6.93145751953125E-1), S::fma(e, S::set1(1.42860682030941723212E-6), lm));
  }
  const T inf = (T)__builtin_inf();
  const T nan = (T)__builtin_nan("");
  res = S::select(S::eq(x, S::zero()), S::set1(-inf), res);
  res = S::select(S::eq(x, S::set1(inf)), S::set1(inf), res);
  res = S::select(S::mor(S::lt(x, S::zero()), S::isnan(x)), S::set1(nan), res);
  return res;
}
