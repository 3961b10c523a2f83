// AVX-512 (F + DQ + BW + VL) vector traits. Included only by isa_avx512.cc, which is
// compiled with -mavx512f -mavx512dq -mavx512bw -mavx512vl -mfma, inside namespace
// eddy_avx512. Every function is static inline: nothing here becomes a shared symbol.
#pragma once

struct F32 {
  using T = float;
  using V = __m512;
  using M = __mmask16;
  static constexpr int W = 16;
  static constexpr int MR = 12;   // gemm micro-kernel rows
  static constexpr int FMR = 6;  // rows per feature-major block (made.h)
  static inline M tail(int n) { return (M)((n >= 16) ? 0xFFFF : ((1u << n) - 1u)); }
  static inline V set1(T a) { return _mm512_set1_ps(a); }
  static inline V zero() { return _mm512_setzero_ps(); }
  static inline V load(const T* p) { return _mm512_loadu_ps(p); }
  static inline V loadn(const T* p, int n) { return _mm512_maskz_loadu_ps(tail(n), p); }
  static inline void store(T* p, V v) { _mm512_storeu_ps(p, v); }
  static inline void storen(T* p, V v, int n) { _mm512_mask_storeu_ps(p, tail(n), v); }
  static inline V bcast(const T* p) { return _mm512_set1_ps(*p); }
  static inline V add(V a, V b) { return _mm512_add_ps(a, b); }
  static inline V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static inline V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static inline V div(V a, V b) { return _mm512_div_ps(a, b); }
  static inline V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static inline V fnma(V a, V b, V c) { return _mm512_fnmadd_ps(a, b, c); }  // c - a*b
  static inline V min(V a, V b) { return _mm512_min_ps(a, b); }
  static inline V max(V a, V b) { return _mm512_max_ps(a, b); }
  static inline V sqrt(V a) { return _mm512_sqrt_ps(a); }
  static inline V abs(V a) { return _mm512_abs_ps(a); }
  static inline V neg(V a) { return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(a), _mm512_set1_epi32((int)0x80000000u))); }
  static inline M lt(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static inline M le(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
  static inline M gt(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  static inline M ge(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
  static inline M eq(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
  static inline M isnan(V a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
  static inline M mand(M a, M b) { return (M)(a & b); }
  static inline M mor(M a, M b) { return (M)(a | b); }
  static inline M mnot(M a) { return (M)(~a); }
  static inline V select(M m, V a, V b) { return _mm512_mask_blend_ps(m, b, a); }
  static inline V round(V a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  // x * 2^n for integral-valued n (any range: overflow gives inf, underflow 0/subnormal).
  static inline V ldexp(V x, V n) { return _mm512_scalef_ps(x, n); }
  // x = m * 2^e with m in [sqrt(1/2), sqrt(2)); x > 0 finite normal.
  static inline void frexp_sqrt2(V x, V& m, V& e) {
    V mant = _mm512_getmant_ps(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_src);  // [1, 2)
    V ex = _mm512_getexp_ps(x);
    M big = _mm512_cmp_ps_mask(mant, _mm512_set1_ps(1.41421356237f), _CMP_GT_OQ);
    m = _mm512_mask_mul_ps(mant, big, mant, _mm512_set1_ps(0.5f));
    e = _mm512_mask_add_ps(ex, big, ex, _mm512_set1_ps(1.0f));
  }
  // Lanes l read base[l * stride] (stride in elements).
  static inline V gather(const T* base, int stride) {
    __m512i idx = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), _mm512_set1_epi32(stride));
    return _mm512_i32gather_ps(idx, base, 4);
  }
  static inline V gathern(const T* base, int stride, int n) {
    __m512i idx = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), _mm512_set1_epi32(stride));
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), tail(n), idx, base, 4);
  }
  static inline void scattern(T* base, int stride, V v, int n) {
    __m512i idx = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), _mm512_set1_epi32(stride));
    _mm512_mask_i32scatter_ps(base, tail(n), idx, v, 4);
  }
  static inline T hsum(V a) { return _mm512_reduce_add_ps(a); }
};

struct F64 {
  using T = double;
  using V = __m512d;
  using M = __mmask8;
  static constexpr int W = 8;
  static constexpr int MR = 12;
  static constexpr int FMR = 6;  // rows per feature-major block (made.h)
  static inline M tail(int n) { return (M)((n >= 8) ? 0xFF : ((1u << n) - 1u)); }
  static inline V set1(T a) { return _mm512_set1_pd(a); }
  static inline V zero() { return _mm512_setzero_pd(); }
  static inline V load(const T* p) { return _mm512_loadu_pd(p); }
  static inline V loadn(const T* p, int n) { return _mm512_maskz_loadu_pd(tail(n), p); }
  static inline void store(T* p, V v) { _mm512_storeu_pd(p, v); }
  static inline void storen(T* p, V v, int n) { _mm512_mask_storeu_pd(p, tail(n), v); }
  static inline V bcast(const T* p) { return _mm512_set1_pd(*p); }
  static inline V add(V a, V b) { return _mm512_add_pd(a, b); }
  static inline V sub(V a, V b) { return _mm512_sub_pd(a, b); }
  static inline V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static inline V div(V a, V b) { return _mm512_div_pd(a, b); }
  static inline V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static inline V fnma(V a, V b, V c) { return _mm512_fnmadd_pd(a, b, c); }
  static inline V min(V a, V b) { return _mm512_min_pd(a, b); }
  static inline V max(V a, V b) { return _mm512_max_pd(a, b); }
  static inline V sqrt(V a) { return _mm512_sqrt_pd(a); }
  static inline V abs(V a) { return _mm512_abs_pd(a); }
  static inline V neg(V a) { return _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(a), _mm512_set1_epi64((long long)0x8000000000000000ull))); }
  static inline M lt(V a, V b) { return _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ); }
  static inline M le(V a, V b) { return _mm512_cmp_pd_mask(a, b, _CMP_LE_OQ); }
  static inline M gt(V a, V b) { return _mm512_cmp_pd_mask(a, b, _CMP_GT_OQ); }
  static inline M ge(V a, V b) { return _mm512_cmp_pd_mask(a, b, _CMP_GE_OQ); }
  static inline M eq(V a, V b) { return _mm512_cmp_pd_mask(a, b, _CMP_EQ_OQ); }
  static inline M isnan(V a) { return _mm512_cmp_pd_mask(a, a, _CMP_UNORD_Q); }
  static inline M mand(M a, M b) { return (M)(a & b); }
  static inline M mor(M a, M b) { return (M)(a | b); }
  static inline M mnot(M a) { return (M)(~a); }
  static inline V select(M m, V a, V b) { return _mm512_mask_blend_pd(m, b, a); }
  static inline V round(V a) { return _mm512_roundscale_pd(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static inline V ldexp(V x, V n) { return _mm512_scalef_pd(x, n); }
  static inline void frexp_sqrt2(V x, V& m, V& e) {
    V mant = _mm512_getmant_pd(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_src);
    V ex = _mm512_getexp_pd(x);
    M big = _mm512_cmp_pd_mask(mant, _mm512_set1_pd(1.4142135623730951), _CMP_GT_OQ);
    m = _mm512_mask_mul_pd(mant, big, mant, _mm512_set1_pd(0.5));
    e = _mm512_mask_add_pd(ex, big, ex, _mm512_set1_pd(1.0));
  }
  static inline V gather(const T* base, int stride) {
    __m256i idx = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(stride));
    return _mm512_i32gather_pd(idx, base, 8);
  }
  static inline V gathern(const T* base, int stride, int n) {
    __m256i idx = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(stride));
    return _mm512_mask_i32gather_pd(_mm512_setzero_pd(), tail(n), idx, base, 8);
  }
  static inline void scattern(T* base, int stride, V v, int n) {
    __m256i idx = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(stride));
    _mm512_mask_i32scatter_pd(base, tail(n), idx, v, 8);
  }
  static inline T hsum(V a) { return _mm512_reduce_add_pd(a); }
};
