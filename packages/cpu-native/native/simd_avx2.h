// AVX2 + FMA vector traits. Included only by isa_avx2.cc (compiled with -mavx2 -mfma),
// inside namespace eddy_avx2. Masks are vectors with all-ones (true) or zero lanes.
#pragma once

struct F32 {
  using T = float;
  using V = __m256;
  using M = __m256;
  static constexpr int W = 8;
  static constexpr int MR = 6;
  static constexpr int FMR = 2;  // rows per feature-major block (made.h)
  static inline __m256i tail(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static inline V set1(T a) { return _mm256_set1_ps(a); }
  static inline V zero() { return _mm256_setzero_ps(); }
  static inline V load(const T* p) { return _mm256_loadu_ps(p); }
  static inline V loadn(const T* p, int n) { return _mm256_maskload_ps(p, tail(n)); }
  static inline void store(T* p, V v) { _mm256_storeu_ps(p, v); }
  static inline void storen(T* p, V v, int n) { _mm256_maskstore_ps(p, tail(n), v); }
  static inline V bcast(const T* p) { return _mm256_broadcast_ss(p); }
  static inline V add(V a, V b) { return _mm256_add_ps(a, b); }
  static inline V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static inline V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static inline V div(V a, V b) { return _mm256_div_ps(a, b); }
  static inline V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static inline V fnma(V a, V b, V c) { return _mm256_fnmadd_ps(a, b, c); }
  static inline V min(V a, V b) { return _mm256_min_ps(a, b); }
  static inline V max(V a, V b) { return _mm256_max_ps(a, b); }
  static inline V sqrt(V a) { return _mm256_sqrt_ps(a); }
  static inline V abs(V a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
  static inline V neg(V a) { return _mm256_xor_ps(a, _mm256_set1_ps(-0.0f)); }
  static inline M lt(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static inline M le(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_LE_OQ); }
  static inline M gt(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static inline M ge(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
  static inline M eq(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
  static inline M isnan(V a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
  static inline M mand(M a, M b) { return _mm256_and_ps(a, b); }
  static inline M mor(M a, M b) { return _mm256_or_ps(a, b); }
  static inline M mnot(M a) { return _mm256_xor_ps(a, _mm256_castsi256_ps(_mm256_set1_epi32(-1))); }
  static inline V select(M m, V a, V b) { return _mm256_blendv_ps(b, a, m); }
  static inline V round(V a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
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
    M big = _mm256_cmp_ps(mant, _mm256_set1_ps(1.41421356237f), _CMP_GT_OQ);
    m = _mm256_blendv_ps(mant, _mm256_mul_ps(mant, _mm256_set1_ps(0.5f)), big);
    e = _mm256_blendv_ps(ef, _mm256_add_ps(ef, _mm256_set1_ps(1.0f)), big);
  }
  static inline __m256i idx(int stride) { return _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(stride)); }
  static inline V gather(const T* base, int stride) { return _mm256_i32gather_ps(base, idx(stride), 4); }
  static inline V gathern(const T* base, int stride, int n) {
    return _mm256_mask_i32gather_ps(_mm256_setzero_ps(), base, idx(stride), _mm256_castsi256_ps(tail(n)), 4);
  }
  static inline void scattern(T* base, int stride, V v, int n) {
    alignas(32) T tmp[8];
    _mm256_store_ps(tmp, v);
    for (int l = 0; l < n && l < 8; l++) base[l * stride] = tmp[l];
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
  static constexpr int W = 4;
  static constexpr int MR = 6;
  static constexpr int FMR = 2;  // rows per feature-major block (made.h)
  static inline __m256i tail(int n) {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3));
  }
  static inline V set1(T a) { return _mm256_set1_pd(a); }
  static inline V zero() { return _mm256_setzero_pd(); }
  static inline V load(const T* p) { return _mm256_loadu_pd(p); }
  static inline V loadn(const T* p, int n) { return _mm256_maskload_pd(p, tail(n)); }
  static inline void store(T* p, V v) { _mm256_storeu_pd(p, v); }
  static inline void storen(T* p, V v, int n) { _mm256_maskstore_pd(p, tail(n), v); }
  static inline V bcast(const T* p) { return _mm256_broadcast_sd(p); }
  static inline V add(V a, V b) { return _mm256_add_pd(a, b); }
  static inline V sub(V a, V b) { return _mm256_sub_pd(a, b); }
  static inline V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static inline V div(V a, V b) { return _mm256_div_pd(a, b); }
  static inline V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static inline V fnma(V a, V b, V c) { return _mm256_fnmadd_pd(a, b, c); }
  static inline V min(V a, V b) { return _mm256_min_pd(a, b); }
  static inline V max(V a, V b) { return _mm256_max_pd(a, b); }
  static inline V sqrt(V a) { return _mm256_sqrt_pd(a); }
  static inline V abs(V a) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), a); }
  static inline V neg(V a) { return _mm256_xor_pd(a, _mm256_set1_pd(-0.0)); }
  static inline M lt(V a, V b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }
  static inline M le(V a, V b) { return _mm256_cmp_pd(a, b, _CMP_LE_OQ); }
  static inline M gt(V a, V b) { return _mm256_cmp_pd(a, b, _CMP_GT_OQ); }
  static inline M ge(V a, V b) { return _mm256_cmp_pd(a, b, _CMP_GE_OQ); }
  static inline M eq(V a, V b) { return _mm256_cmp_pd(a, b, _CMP_EQ_OQ); }
  static inline M isnan(V a) { return _mm256_cmp_pd(a, a, _CMP_UNORD_Q); }
  static inline M mand(M a, M b) { return _mm256_and_pd(a, b); }
  static inline M mor(M a, M b) { return _mm256_or_pd(a, b); }
  static inline M mnot(M a) { return _mm256_xor_pd(a, _mm256_castsi256_pd(_mm256_set1_epi64x(-1))); }
  static inline V select(M m, V a, V b) { return _mm256_blendv_pd(b, a, m); }
  static inline V round(V a) { return _mm256_round_pd(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
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
    M big = _mm256_cmp_pd(mant, _mm256_set1_pd(1.4142135623730951), _CMP_GT_OQ);
    m = _mm256_blendv_pd(mant, _mm256_mul_pd(mant, _mm256_set1_pd(0.5)), big);
    e = _mm256_blendv_pd(ef, _mm256_add_pd(ef, _mm256_set1_pd(1.0)), big);
  }
  static inline __m128i idx(int stride) { return _mm_mullo_epi32(_mm_setr_epi32(0, 1, 2, 3), _mm_set1_epi32(stride)); }
  static inline V gather(const T* base, int stride) { return _mm256_i32gather_pd(base, idx(stride), 8); }
  static inline V gathern(const T* base, int stride, int n) {
    return _mm256_mask_i32gather_pd(_mm256_setzero_pd(), base, idx(stride), _mm256_castsi256_pd(tail(n)), 8);
  }
  static inline void scattern(T* base, int stride, V v, int n) {
    alignas(32) T tmp[4];
    _mm256_store_pd(tmp, v);
    for (int l = 0; l < n && l < 4; l++) base[l * stride] = tmp[l];
  }
  static inline T hsum(V a) {
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
    s = _mm_add_sd(s, _mm_unpackhi_pd(s, s));
    return _mm_cvtsd_f64(s);
  }
};
