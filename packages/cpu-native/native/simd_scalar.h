// Portable scalar "vector" traits (one lane), for CPUs without AVX2 and for non-x86
// machines. Included only by isa_generic.cc, inside namespace eddy_generic, after
// <math.h>. Uses plain a*b + c (no fused multiply-add: none is guaranteed here).
#pragma once

template <class TT>
struct Scalar {
  using T = TT;
  using V = TT;
  using M = bool;
  static constexpr int W = 1, MR = 4, FMR = 4;
  static inline V set1(T a) { return a; }
  static inline V zero() { return T(0); }
  static inline V load(const T* p) { return *p; }
  static inline V loadn(const T* p, int n) { return n > 0 ? *p : T(0); }
  static inline void store(T* p, V v) { *p = v; }
  static inline void storen(T* p, V v, int n) { if (n > 0) *p = v; }
  static inline V bcast(const T* p) { return *p; }
  static inline V add(V a, V b) { return a + b; }
  static inline V sub(V a, V b) { return a - b; }
  static inline V mul(V a, V b) { return a * b; }
  static inline V div(V a, V b) { return a / b; }
  static inline V fma(V a, V b, V c) { return a * b + c; }
  static inline V fnma(V a, V b, V c) { return c - a * b; }
  // As the SIMD instructions: the second operand when either is NaN.
  static inline V min(V a, V b) { return a < b ? a : b; }
  static inline V max(V a, V b) { return a > b ? a : b; }
  static inline V sqrt(V a) { return (T)::sqrt((double)a); }
  static inline V abs(V a) { return a < T(0) ? -a : (a == T(0) ? T(0) : a); }
  static inline V neg(V a) { return -a; }
  static inline M lt(V a, V b) { return a < b; }
  static inline M le(V a, V b) { return a <= b; }
  static inline M gt(V a, V b) { return a > b; }
  static inline M ge(V a, V b) { return a >= b; }
  static inline M eq(V a, V b) { return a == b; }
  static inline M isnan(V a) { return a != a; }
  static inline M mand(M a, M b) { return a && b; }
  static inline M mor(M a, M b) { return a || b; }
  static inline M mnot(M a) { return !a; }
  static inline V select(M m, V a, V b) { return m ? a : b; }
  static inline V round(V a) { return (T)::nearbyint((double)a); }
  static inline V ldexp(V x, V n) {
    if (n > T(4000)) n = T(4000);
    if (n < T(-4000)) n = T(-4000);
    return (T)::ldexp((double)x, (int)n);
  }
  static inline void frexp_sqrt2(V x, V& m, V& e) {
    int ex = 0;
    double f = ::frexp((double)x, &ex);  // [0.5, 1)
    if (f < 0.70710678118654752) {
      f *= 2.0;
      ex -= 1;
    }
    m = (T)f;
    e = (T)ex;
  }
  static inline V gather(const T* base, int) { return *base; }
  static inline V gathern(const T* base, int, int n) { return n > 0 ? *base : T(0); }
  static inline void scattern(T* base, int, V v, int n) { if (n > 0) *base = v; }
  static inline T hsum(V a) { return a; }
};
using F32 = Scalar<float>;
using F64 = Scalar<double>;
