// Members of the x86 vector traits (simd_avx2.h, simd_avx512.h) that AVX2 and AVX-512
// spell alike but for the intrinsic prefix P (_mm256 / _mm512) and the element suffix S
// (ps / pd). Expanded inside a traits struct, after its T, V and M types.
#pragma once

#define EDDY_SIMD_ARITH(P, S)                                              \
  static inline V set1(T a) { return P##_set1_##S(a); }                    \
  static inline V zero() { return P##_setzero_##S(); }                     \
  static inline V load(const T* p) { return P##_loadu_##S(p); }            \
  static inline void store(T* p, V v) { P##_storeu_##S(p, v); }            \
  static inline V add(V a, V b) { return P##_add_##S(a, b); }              \
  static inline V sub(V a, V b) { return P##_sub_##S(a, b); }              \
  static inline V mul(V a, V b) { return P##_mul_##S(a, b); }              \
  static inline V div(V a, V b) { return P##_div_##S(a, b); }              \
  static inline V fma(V a, V b, V c) { return P##_fmadd_##S(a, b, c); }    \
  static inline V fnma(V a, V b, V c) { return P##_fnmadd_##S(a, b, c); }  \
  static inline V min(V a, V b) { return P##_min_##S(a, b); }              \
  static inline V max(V a, V b) { return P##_max_##S(a, b); }              \
  static inline V sqrt(V a) { return P##_sqrt_##S(a); }

// Ordered comparisons (false on NaN) and isnan through CMP(a, b, predicate): a lane mask
// (_mm256_cmp_ps) or a bit mask (_mm512_cmp_ps_mask).
#define EDDY_SIMD_COMPARE(CMP)                                     \
  static inline M lt(V a, V b) { return CMP(a, b, _CMP_LT_OQ); }   \
  static inline M le(V a, V b) { return CMP(a, b, _CMP_LE_OQ); }   \
  static inline M gt(V a, V b) { return CMP(a, b, _CMP_GT_OQ); }   \
  static inline M ge(V a, V b) { return CMP(a, b, _CMP_GE_OQ); }   \
  static inline M eq(V a, V b) { return CMP(a, b, _CMP_EQ_OQ); }   \
  static inline M isnan(V a) { return CMP(a, a, _CMP_UNORD_Q); }
