// AVX2 + FMA vector traits. Included only by isa_avx2.cc (compiled with -mavx2 -mfma),
// inside namespace eddy_avx2. Masks are vectors with all-ones (true) or zero lanes.
#pragma once
#include "simd_x86.h"

// The members F32 and F64 share but for the element suffix S (ps / pd); each struct
// defines tail(n) (the first n lanes as a mask) and idx(stride) (lane l: l * stride).
#define EDDY_AVX2_LANEWISE(S)                                                                                        \
  EDDY_SIMD_ARITH(_mm256, S)                                                                                         \
  static inline V loadn(const T* p, int n) { return _mm256_maskload_##S(p, tail(n)); }                              \
  static inline void storen(T* p, V v, int n) { _mm256_maskstore_##S(p, tail(n), v); }                             \
  static inline V abs(V a) { return _mm256_andnot_##S(_mm256_set1_##S(-0.0), a); }                                  \
  static inline V neg(V a) { return _mm256_xor_##S(a, _mm256_set1_##S(-0.0)); }                                     \
  EDDY_SIMD_COMPARE(_mm256_cmp_##S)                                                                                  \
  static inline M mand(M a, M b) { return _mm256_and_##S(a, b); }                                                   \
  static inline M mor(M a, M b) { return _mm256_or_##S(a, b); }                                                     \
  static inline M mnot(M a) { return _mm256_xor_##S(a, _mm256_castsi256_##S(_mm256_set1_epi32(-1))); }             \
  static inline V select(M m, V a, V b) { return _mm256_blendv_##S(b, a, m); }                                      \
  static inline V round(V a) { return _mm256_round_##S(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }         \
  static inline V gather(const T* base, int stride) { return _mm256_i32gather_##S(base, idx(stride), sizeof(T)); }  \
  static inline V gathern(const T* base, int stride, int n) {                                                       \
    return _mm256_mask_i32gather_##S(_mm256_setzero_##S(), base, idx(stride), _mm256_castsi256_##S(tail(n)), sizeof(T)); \
  }                                                                                                                  \
  static inline void scattern(T* base, int stride, V v, int n) {                                                    \
    alignas(32) T tmp[W];                                                                                            \
    _mm256_store_##S(tmp, v);                                                                                        \
    for (int l = 0; l < n && l < W; l++) base[l * stride] = tmp[l];                                                  \
  }                                                                                                                  \
  /* (m, e) = (mant / 2, ef + 1) where mant > sqrt(2), else (mant, ef): frexp_sqrt2's last step. */                \
  static inline void halve_above_sqrt2(V mant, V ef, V& m, V& e) {                                                  \
    M big = _mm256_cmp_##S(mant, _mm256_set1_##S((T)1.4142135623730951), _CMP_GT_OQ);                               \
    m = _mm256_blendv_##S(mant, _mm256_mul_##S(mant, _mm256_set1_##S(0.5)), big);                                    \
    e = _mm256_blendv_##S(ef, _mm256_add_##S(ef, _mm256_set1_##S(1.0)), big);                                        \
  }

struct F32 {
  using T = float;
  using V = __m256;
  using M = __m256;
  static constexpr int W = 8, MR = 6, FMR = 2;  // FMR: rows per feature-major block (made.h)
  EDDY_AVX2_LANEWISE(ps)
  static inline __m256i tail(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static inline __m256i idx(int stride) { return _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(stride)); }
  static inline V bcast(const T* p) { return _mm256_broadcast_ss(p); }
  static inline V pow2i(__m256i n) { return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23)); }
  // x * 2^n for integral-valued n: two factors 2^(n/2) keep each in the normal range.
  static inline V ldexp(V x, V n) {
    n = _mm256_min_ps(_mm256_max_ps(n, _mm256_set1_ps(-252.0f)), _mm256_set1_ps(254.0f));
    __m256i ni = _mm256_cvtps_epi32(n);
    __m256i h = _mm256_srai_epi32(ni, 1);
    return _mm256_mul_ps(_mm256_mul_ps(x, pow2i(h)), pow2i(_mm256_sub_epi32(ni, h)));
  }
  // x = m * 2^e with m in [sqrt(1/2), sqrt(2)); x > 0 finite normal.
  static inline void frexp_sqrt2(V x, V& m, V& e) {
    __m256i b = _mm256_castps_si256(x);
    __m256i ex = _mm256_sub_epi32(_mm256_srli_epi32(b, 23), _mm256_set1_epi32(127));
    V mant = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(b, _mm256_set1_epi32(0x007fffff)), _mm256_set1_epi32(0x3f800000)));
    V ef = _mm256_cvtepi32_ps(ex);
    halve_above_sqrt2(mant, ef, m, e);
  }
  static inline T hsum(V a) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
  }
};

struct F64 {
  using T = double;
  using V = __m256d;
  using M = __m256d;
  static constexpr int W = 4, MR = 6, FMR = 2;
  EDDY_AVX2_LANEWISE(pd)
  static inline __m256i tail(int n) {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3));
  }
  static inline __m128i idx(int stride) { return _mm_mullo_epi32(_mm_setr_epi32(0, 1, 2, 3), _mm_set1_epi32(stride)); }
  static inline V bcast(const T* p) { return _mm256_broadcast_sd(p); }
  // 2^n for integral-valued n in [-1022, 1023] (as a double), via the 2^52 + 2^51 trick.
  static inline V pow2(V n) {
    const V magic = _mm256_set1_pd(6755399441055744.0);
    __m256i ni = _mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(n, magic)), _mm256_castpd_si256(magic));
    return _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_add_epi64(ni, _mm256_set1_epi64x(1023)), 52));
  }
  static inline V ldexp(V x, V n) {
    n = _mm256_min_pd(_mm256_max_pd(n, _mm256_set1_pd(-2044.0)), _mm256_set1_pd(2046.0));
    V h = _mm256_floor_pd(_mm256_mul_pd(n, _mm256_set1_pd(0.5)));
    return _mm256_mul_pd(_mm256_mul_pd(x, pow2(h)), pow2(_mm256_sub_pd(n, h)));
  }
  static inline void frexp_sqrt2(V x, V& m, V& e) {
    __m256i b = _mm256_castpd_si256(x);
    // Exponent field as a double: put it in the low mantissa bits of 2^52 and subtract 2^52.
    __m256i ebits = _mm256_srli_epi64(b, 52);
    const V two52 = _mm256_set1_pd(4503599627370496.0);
    V ef = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(ebits, _mm256_castpd_si256(two52))), two52);
    ef = _mm256_sub_pd(ef, _mm256_set1_pd(1023.0));
    V mant = _mm256_castsi256_pd(_mm256_or_si256(_mm256_and_si256(b, _mm256_set1_epi64x(0x000fffffffffffffLL)), _mm256_set1_epi64x(0x3ff0000000000000LL)));
    halve_above_sqrt2(mant, ef, m, e);
  }
  static inline T hsum(V a) {
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
    s = _mm_add_sd(s, _mm_unpackhi_pd(s, s));
    return _mm_cvtsd_f64(s);
  }
};
