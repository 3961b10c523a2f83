// AVX-512 (F + DQ + BW + VL) vector traits. Included only by isa_avx512.cc, which is
// compiled with -mavx512f -mavx512dq -mavx512bw -mavx512vl -mfma, inside namespace
// eddy_avx512. Every function is static inline: nothing here becomes a shared symbol.
#pragma once
#include "simd_x86.h"

// The members F32 and F64 share but for the element suffix S (ps / pd); masks are bit
// masks. Each struct defines tail(n) (the first n lanes) and idx(stride) (lane l: l * stride).
#define EDDY_AVX512_LANEWISE(S)                                                                                   \
  EDDY_SIMD_ARITH(_mm512, S)                                                                                      \
  static inline V loadn(const T* p, int n) { return _mm512_maskz_loadu_##S(tail(n), p); }                        \
  static inline void storen(T* p, V v, int n) { _mm512_mask_storeu_##S(p, tail(n), v); }                        \
  static inline V bcast(const T* p) { return _mm512_set1_##S(*p); }                                             \
  static inline V abs(V a) { return _mm512_abs_##S(a); }                                                        \
  EDDY_SIMD_COMPARE(_mm512_cmp_##S##_mask)                                                                        \
  static inline M mand(M a, M b) { return (M)(a & b); }                                                         \
  static inline M mor(M a, M b) { return (M)(a | b); }                                                          \
  static inline M mnot(M a) { return (M)(~a); }                                                                 \
  static inline V select(M m, V a, V b) { return _mm512_mask_blend_##S(m, b, a); }                              \
  static inline V round(V a) { return _mm512_roundscale_##S(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); } \
  /* x * 2^n for integral-valued n (any range: overflow gives inf, underflow 0/subnormal). */                   \
  static inline V ldexp(V x, V n) { return _mm512_scalef_##S(x, n); }                                           \
  /* x = m * 2^e with m in [sqrt(1/2), sqrt(2)); x > 0 finite normal. */                                         \
  static inline void frexp_sqrt2(V x, V& m, V& e) {                                                             \
    V mant = _mm512_getmant_##S(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_src); /* [1, 2) */                          \
    V ex = _mm512_getexp_##S(x);                                                                                \
    M big = _mm512_cmp_##S##_mask(mant, _mm512_set1_##S((T)1.4142135623730951), _CMP_GT_OQ);                     \
    m = _mm512_mask_mul_##S(mant, big, mant, _mm512_set1_##S(0.5));                                             \
    e = _mm512_mask_add_##S(ex, big, ex, _mm512_set1_##S(1.0));                                                 \
  }                                                                                                             \
  /* Lanes l read base[l * stride] (stride in elements). */                                                     \
  static inline V gather(const T* base, int stride) { return _mm512_i32gather_##S(idx(stride), base, sizeof(T)); } \
  static inline V gathern(const T* base, int stride, int n) {                                                   \
    return _mm512_mask_i32gather_##S(_mm512_setzero_##S(), tail(n), idx(stride), base, sizeof(T));             \
  }                                                                                                             \
  static inline void scattern(T* base, int stride, V v, int n) {                                                \
    _mm512_mask_i32scatter_##S(base, tail(n), idx(stride), v, sizeof(T));                                       \
  }                                                                                                             \
  static inline T hsum(V a) { return _mm512_reduce_add_##S(a); }

struct F32 {
  using T = float;
  using V = __m512;
  using M = __mmask16;
  static constexpr int W = 16, MR = 12, FMR = 6;  // MR: gemm micro-kernel rows; FMR: rows per feature-major block (made.h)
  static inline M tail(int n) { return (M)((n >= 16) ? 0xFFFF : ((1u << n) - 1u)); }
  static inline __m512i idx(int stride) {
    return _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), _mm512_set1_epi32(stride));
  }
  static inline V neg(V a) { return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(a), _mm512_set1_epi32((int)0x80000000u))); }
  EDDY_AVX512_LANEWISE(ps)
};

struct F64 {
  using T = double;
  using V = __m512d;
  using M = __mmask8;
  static constexpr int W = 8, MR = 12, FMR = 6;
  static inline M tail(int n) { return (M)((n >= 8) ? 0xFF : ((1u << n) - 1u)); }
  static inline __m256i idx(int stride) { return _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(stride)); }
  static inline V neg(V a) { return _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(a), _mm512_set1_epi64((long long)0x8000000000000000ull))); }
  EDDY_AVX512_LANEWISE(pd)
};
