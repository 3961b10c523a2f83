// The table of kernels one instruction set provides. Each isa_*.cc fills one; addon.cc
// picks the best the CPU supports at load time. Plain function pointers and PODs only, so
// nothing compiled with wide-vector flags is shared between translation units.
#pragma once
#include <stddef.h>

// One K-segment of op(A): element (i, kk) at p[i*rs + kk*cs].
struct SegF32 {
  const float* p;
  long rs;
  long cs;
  int k;
  const float* relu;  // optional ReLU-derivative mask source (see gemm.h)
};
struct SegF64 {
  const double* p;
  long rs;
  long cs;
  int k;
  const double* relu;
};

#define EDDY_KERNEL_FIELDS(T, Seg, sfx)                                                                                     \
  void (*gemm_##sfx)(int m, int n, const Seg* segs, int nseg, const T* b, long rsb, long csb, const T* bias, int act, int beta, T* c, \
                     long ldc);                                                                                             \
  void (*rqs_##sfx)(long E, int K, const T* x, const T* phi, T bound, T lnSlope, int inverse, T* y, T* ladj);              \
  void (*rqs_vjp_##sfx)(long E, int K, const T* x, const T* phi, T bound, T lnSlope, int inverse, const T* g, const T* gl, T* gin,  \
                        T* gphi);                                                                                           \
  void (*affine_##sfx)(long E, const T* x, const T* phi, T lnSlope, int inverse, T* y, T* ladj);                            \
  void (*affine_vjp_##sfx)(long E, const T* x, const T* phi, T lnSlope, int inverse, const T* g, const T* gl, T* gin, T* gphi); \
  void (*normal_logprob_##sfx)(long rows, int D, const T* z, const T* loc, const T* scale, T* out);                         \
  void (*normal_logprob_vjp_##sfx)(long rows, int D, const T* z, const T* loc, const T* scale, const T* g, T* gz);          \
  void (*act_vjp_##sfx)(long n, int act, const T* g, const T* y, T* out);                                                   \
  void (*colsum_##sfx)(long m, long n, const T* a, long lda, const T* relu, T* out);                                      \
  int (*mlp_##sfx)(int m, const Seg* xsegs, int nseg, int nlayers, const int* dims, const T* const* w, const T* const* b, const int* acts, T* out); \
  int (*made_inverse_##sfx)(long m, int D, int C, int P, int L, const int* dims, const int* counts, const T* W, const T* B, const int* acts,    \
                            const int* groupFeatures, const int* groupCounts, int kind, int bins, T bound, T lnS, T slope, const T* y,      \
                            const T* c, T* x, T* ladj);                                      \
  void (*adam_##sfx)(long n, const T* p, const T* g, const T* m, const T* v, T lr, T b1, T b2, T eps, T wd, int decoupled, T c1, T c2, \
                     T* po, T* mo, T* vo);

struct KernelSet {
  const char* name;
  int lanes_f32;
  int lanes_f64;
  // kind 0: uniforms in [0, 1), 1: standard normals; draw numbers offset .. offset + n − 1.
  void (*random_f32)(int kind, long n, unsigned long long seed, unsigned long long stream, unsigned long long offset, float* out);
  void (*random_f64)(int kind, long n, unsigned long long seed, unsigned long long stream, unsigned long long offset, double* out);
  float (*fma_probe_f32)(long iters);
  double (*fma_probe_f64)(long iters);
  EDDY_KERNEL_FIELDS(float, SegF32, f32)
  EDDY_KERNEL_FIELDS(double, SegF64, f64)
};

const KernelSet* eddy_kernels_avx512();
const KernelSet* eddy_kernels_avx2();
const KernelSet* eddy_kernels_generic();
