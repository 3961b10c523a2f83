// Node-API glue of @eddy/cpu-native: picks the kernel set for this CPU (AVX-512, AVX2+FMA
// or portable; EDDY_NATIVE_ISA can ask for a lower one), checks every argument coming
// from JavaScript (array types, and that every index the kernel will touch is inside its
// array), and calls the kernel on the caller's thread. No state is shared between calls
// except the read-only kernel table, so it loads and runs in any worker thread.
#define NAPI_VERSION 8
#include <node_api.h>

#include <cmath>
#include <cstdint>
#include <chrono>
#include <mutex>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "kernels.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace {

const KernelSet* g_kernels = nullptr;
std::string g_reason;

bool has(const char* feature) {
#if defined(__x86_64__) || defined(__i386__)
  if (strcmp(feature, "avx512") == 0)
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl");
  if (strcmp(feature, "avx2") == 0) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  (void)feature;
  return false;
}

void choose() {
  if (g_kernels != nullptr) return;
#if defined(__x86_64__)
  __builtin_cpu_init();
#endif
  const char* want = getenv("EDDY_NATIVE_ISA");
  std::string w = want == nullptr ? "" : want;
#if defined(__x86_64__)
  if ((w.empty() || w == "avx512") && has("avx512")) {
    g_kernels = eddy_kernels_avx512();
    return;
  }
  if ((w.empty() || w == "avx512" || w == "avx2") && has("avx2")) {
    g_kernels = eddy_kernels_avx2();
    if (w == "avx512") g_reason = "EDDY_NATIVE_ISA=avx512 but the CPU lacks AVX-512; using avx2";
    return;
  }
  if (!w.empty() && w != "generic") g_reason = "EDDY_NATIVE_ISA=" + w + " is not supported by this CPU; using generic";
#else
  if (!w.empty() && w != "generic") g_reason = "EDDY_NATIVE_ISA=" + w + ": only the generic kernels exist on this architecture";
#endif
  g_kernels = eddy_kernels_generic();
}

// Bulk jobs allocate and free the same large arrays over and over. glibc hands blocks
// over 128 KiB (adaptively up to 32 MiB) to mmap and returns them on free, so every
// fresh array is page-faulted and zeroed by the kernel again (measured: a fifth of a MAF
// training step). Keep freed memory for reuse instead, as zuko's benchmark does with
// jemalloc. Process-wide, once; EDDY_MALLOC_TUNE=0 leaves malloc alone.
bool g_mallocTuned = false;
std::once_flag g_mallocOnce;
void tuneMalloc() {
#if defined(__GLIBC__)
  std::call_once(g_mallocOnce, [] {
    const char* env = getenv("EDDY_MALLOC_TUNE");
    if (env != nullptr && strcmp(env, "0") == 0) return;
    g_mallocTuned = mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024) == 1 && mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024) == 1 &&
                    mallopt(M_TOP_PAD, 64 * 1024 * 1024) == 1;
  });
#endif
}

// ---- argument helpers ---------------------------------------------------------------

struct Arr {
  void* data = nullptr;
  size_t length = 0;  // elements
  napi_typedarray_type type = napi_float64_array;
};

bool throwErr(napi_env env, const std::string& msg) {
  napi_throw_type_error(env, "EDDY_NATIVE_ARGUMENT", msg.c_str());
  return false;
}

// Throws (see throwErr) and gives the binding's return value: `return fail(env, "...")`.
napi_value fail(napi_env env, const std::string& msg) {
  throwErr(env, msg);
  return nullptr;
}

bool getArr(napi_env env, napi_value v, Arr& out, const char* name) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  if (!is) return throwErr(env, std::string(name) + ": expected a Float32Array or Float64Array");
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &out.type, &out.length, &out.data, &ab, &off) != napi_ok)
    return throwErr(env, std::string(name) + ": cannot read the typed array");
  if (out.type != napi_float32_array && out.type != napi_float64_array)
    return throwErr(env, std::string(name) + ": expected a Float32Array or Float64Array");
  return true;
}

bool getI32(napi_env env, napi_value v, const int32_t*& data, size_t& length, const char* name) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  napi_typedarray_type t;
  void* d = nullptr;
  napi_value ab;
  size_t off;
  if (!is || napi_get_typedarray_info(env, v, &t, &length, &d, &ab, &off) != napi_ok || t != napi_int32_array)
    return throwErr(env, std::string(name) + ": expected an Int32Array");
  data = static_cast<const int32_t*>(d);
  return true;
}

bool isNull(napi_env env, napi_value v) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  return t == napi_null || t == napi_undefined;
}

bool getOptArr(napi_env env, napi_value v, Arr& out, bool& present, const char* name) {
  present = !isNull(env, v);
  return present ? getArr(env, v, out, name) : true;
}

bool getInt(napi_env env, napi_value v, int64_t& out, const char* name) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d == std::floor(d)) || std::fabs(d) > 9007199254740991.0)
    return throwErr(env, std::string(name) + ": expected an integer");
  out = (int64_t)d;
  return true;
}

bool getNum(napi_env env, napi_value v, double& out, const char* name) {
  if (napi_get_value_double(env, v, &out) != napi_ok) return throwErr(env, std::string(name) + ": expected a number");
  return true;
}

bool sameType(napi_env env, const Arr& a, const Arr& b, const char* name) {
  if (a.type != b.type) return throwErr(env, std::string(name) + ": all arrays must have the same float type");
  return true;
}

// Every array of `others` (null: an optional one left out) has the float type of `a`.
bool sameTypes(napi_env env, const Arr& a, std::initializer_list<const Arr*> others, const char* name) {
  for (const Arr* o : others)
    if (o != nullptr && !sameType(env, a, *o, name)) return false;
  return true;
}

// Every index base + i*rs + j*cs for i < rows, j < cols (non-negative strides) is inside.
bool fits(napi_env env, const Arr& a, int64_t base, int64_t rows, int64_t cols, int64_t rs, int64_t cs, const char* name) {
  if (rows <= 0 || cols <= 0) return true;
  if (base < 0 || rs < 0 || cs < 0) return throwErr(env, std::string(name) + ": negative offset or stride");
  int64_t last = base + (rows - 1) * rs + (cols - 1) * cs;
  if (last >= (int64_t)a.length)
    return throwErr(env, std::string(name) + ": needs index " + std::to_string(last) + " but has " + std::to_string(a.length) + " elements");
  return true;
}

template <int N>
bool args(napi_env env, napi_callback_info info, napi_value (&argv)[N], const char* fn) {
  size_t argc = N;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != N) return throwErr(env, std::string(fn) + ": expected " + std::to_string(N) + " arguments, got " + std::to_string(argc));
  return true;
}

#define F32P(a) (static_cast<float*>((a).data))
#define F64P(a) (static_cast<double*>((a).data))

// An array's elements as T (float or double: the caller has checked its type).
template <class T>
T* ptr(const Arr& a) {
  return static_cast<T*>(a.data);
}

// Calls the kernel table's NAME_f32 (a Float32Array `arr`) or NAME_f64, with the arguments
// written once in terms of T, the element type: `ptr<T>(X)`, `(T)bound`.
#define EDDY_BY_TYPE(arr, NAME, ...)   \
  if ((arr).type == napi_float32_array) { \
    using T = float;                   \
    g_kernels->NAME##_f32(__VA_ARGS__); \
  } else {                             \
    using T = double;                  \
    g_kernels->NAME##_f64(__VA_ARGS__); \
  }
// The same, keeping the kernel's result in `out`.
#define EDDY_BY_TYPE_INTO(out, arr, NAME, ...) \
  if ((arr).type == napi_float32_array) {       \
    using T = float;                            \
    out = g_kernels->NAME##_f32(__VA_ARGS__);   \
  } else {                                      \
    using T = double;                           \
    out = g_kernels->NAME##_f64(__VA_ARGS__);   \
  }

// gemm(transA, transB, m, n, k, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, beta)
//   C = op(A)·op(B) (+ C when beta = 1), row-major with leading dimensions.
napi_value Gemm(napi_env env, napi_callback_info info) {
  napi_value a[15];
  if (!args(env, info, a, "gemm")) return nullptr;
  bool ta, tb;
  napi_get_value_bool(env, a[0], &ta);
  napi_get_value_bool(env, a[1], &tb);
  int64_t m, n, k, aOff, lda, bOff, ldb, cOff, ldc, beta;
  Arr A, B, C;
  if (!getInt(env, a[2], m, "m") || !getInt(env, a[3], n, "n") || !getInt(env, a[4], k, "k") || !getArr(env, a[5], A, "A") ||
      !getInt(env, a[6], aOff, "aOff") || !getInt(env, a[7], lda, "lda") || !getArr(env, a[8], B, "B") || !getInt(env, a[9], bOff, "bOff") ||
      !getInt(env, a[10], ldb, "ldb") || !getArr(env, a[11], C, "C") || !getInt(env, a[12], cOff, "cOff") || !getInt(env, a[13], ldc, "ldc") ||
      !getInt(env, a[14], beta, "beta"))
    return nullptr;
  if (!sameTypes(env, A, {&B, &C}, "gemm")) return nullptr;
  if (m < 0 || n < 0 || k < 0 || m > INT32_MAX || n > INT32_MAX || k > INT32_MAX) return fail(env, "gemm: m, n, k must be non-negative 32-bit sizes");
  // op(A)(i, kk): ta ? A[kk*lda + i] : A[i*lda + kk]
  int64_t ars = ta ? 1 : lda, acs = ta ? lda : 1;
  int64_t brs = tb ? 1 : ldb, bcs = tb ? ldb : 1;  // op(B)(kk, j)
  if (!fits(env, A, aOff, m, k, ars, acs, "gemm A") || !fits(env, B, bOff, k, n, brs, bcs, "gemm B") ||
      !fits(env, C, cOff, m, n, ldc, 1, "gemm C"))
    return nullptr;
  if (A.type == napi_float32_array) {
    SegF32 s{F32P(A) + aOff, (long)ars, (long)acs, (int)k, nullptr};
    g_kernels->gemm_f32((int)m, (int)n, &s, 1, F32P(B) + bOff, (long)brs, (long)bcs, nullptr, 0, (int)beta, F32P(C) + cOff, (long)ldc);
  } else {
    SegF64 s{F64P(A) + aOff, (long)ars, (long)acs, (int)k, nullptr};
    g_kernels->gemm_f64((int)m, (int)n, &s, 1, F64P(B) + bOff, (long)brs, (long)bcs, nullptr, 0, (int)beta, F64P(C) + cOff, (long)ldc);
  }
  return nullptr;
}

// linear(m, n, xs[], W, bias|null, act, Y)
//   Y[m×n] = act(Σ_b X_b · W[:, c_b : c_b + k_b]ᵀ + bias): each X_b is [m × k_b] row-major
//   (k_b = X_b.length / m), W is [n × Σ k_b] row-major, bias [n].
napi_value Linear(napi_env env, napi_callback_info info) {
  napi_value a[7];
  if (!args(env, info, a, "linear")) return nullptr;
  int64_t m, n, act;
  Arr Wt, Bias, Y;
  bool hasBias;
  if (!getInt(env, a[0], m, "m") || !getInt(env, a[1], n, "n") || !getArr(env, a[3], Wt, "W") ||
      !getOptArr(env, a[4], Bias, hasBias, "bias") || !getInt(env, a[5], act, "act") || !getArr(env, a[6], Y, "Y"))
    return nullptr;
  if (m < 0 || n <= 0 || m > INT32_MAX || n > INT32_MAX) return fail(env, "linear: bad m or n");
  bool isArray = false;
  napi_is_array(env, a[2], &isArray);
  if (!isArray) return fail(env, "linear: xs must be an array of typed arrays");
  uint32_t nb = 0;
  napi_get_array_length(env, a[2], &nb);
  if (!sameTypes(env, Wt, {&Y, hasBias ? &Bias : nullptr}, "linear")) return nullptr;
  SegF32 s32[256];
  SegF64 s64[256];
  SegF32* seg32 = nb <= 256 ? s32 : (SegF32*)malloc(sizeof(SegF32) * nb);
  SegF64* seg64 = nb <= 256 ? s64 : (SegF64*)malloc(sizeof(SegF64) * nb);
  int64_t K = 0;
  bool ok = seg32 != nullptr && seg64 != nullptr;
  for (uint32_t i = 0; ok && i < nb; i++) {
    napi_value el;
    napi_get_element(env, a[2], i, &el);
    Arr X;
    if (!getArr(env, el, X, "linear xs[i]") || !sameType(env, Wt, X, "linear")) {
      ok = false;
      break;
    }
    if (m == 0 || X.length % m != 0) {
      if (m != 0) throwErr(env, "linear: xs[" + std::to_string(i) + "] length is not a multiple of m");
      ok = m == 0;
      if (!ok) break;
    }
    int64_t kb = m == 0 ? 0 : (int64_t)X.length / m;
    seg32[i] = SegF32{F32P(X), (long)kb, 1, (int)kb, nullptr};
    seg64[i] = SegF64{F64P(X), (long)kb, 1, (int)kb, nullptr};
    K += kb;
  }
  if (ok && (int64_t)Wt.length != n * K) {
    throwErr(env, "linear: W has " + std::to_string(Wt.length) + " elements, expected n × K = " + std::to_string(n * K));
    ok = false;
  }
  if (ok && hasBias && (int64_t)Bias.length != n) {
    throwErr(env, "linear: bias has " + std::to_string(Bias.length) + " elements, expected " + std::to_string(n));
    ok = false;
  }
  if (ok && (int64_t)Y.length != m * n) {
    throwErr(env, "linear: Y has " + std::to_string(Y.length) + " elements, expected " + std::to_string(m * n));
    ok = false;
  }
  if (ok && m > 0) {
    if (Wt.type == napi_float32_array)
      g_kernels->gemm_f32((int)m, (int)n, seg32, (int)nb, F32P(Wt), 1, (long)K, hasBias ? F32P(Bias) : nullptr, (int)act, 0, F32P(Y), (long)n);
    else
      g_kernels->gemm_f64((int)m, (int)n, seg64, (int)nb, F64P(Wt), 1, (long)K, hasBias ? F64P(Bias) : nullptr, (int)act, 0, F64P(Y), (long)n);
  }
  if (seg32 != s32) free(seg32);
  if (seg64 != s64) free(seg64);
  return nullptr;
}

// The elementwise transforms rqs and affine, forward and VJP. Their arguments start with
// (E, K, x, phi, bound, slope, inverse) for the spline (3K − 1 parameters an element) and
// (E, x, phi, slope, inverse) for the affine map (2 parameters an element), and end with
// the forward pass's (y, ladj|null) or the VJP's (g, gl|null, gin, gphi).
struct Elementwise {
  int64_t E = 0, K = 0;
  Arr X, Phi;
  double bound = 0, slope = 0;
  bool inverse = false;
};

// Reads the leading arguments into `e`; returns the index of the next one, or -1 (thrown).
int getElementwise(napi_env env, const napi_value* a, bool spline, Elementwise& e) {
  int k = 0;
  if (!getInt(env, a[k++], e.E, "E") || (spline && !getInt(env, a[k++], e.K, "K")) || !getArr(env, a[k++], e.X, "x") ||
      !getArr(env, a[k++], e.Phi, "phi") || (spline && !getNum(env, a[k++], e.bound, "bound")) || !getNum(env, a[k++], e.slope, "slope"))
    return -1;
  napi_get_value_bool(env, a[k++], &e.inverse);
  return k;
}

// The checks after reading: K (spline), one float type (`others` after x), and every array
// long enough for E elements (`perElement`) or E·P parameters (`perParameter`).
bool checkElementwise(napi_env env, const Elementwise& e, bool spline, std::initializer_list<const Arr*> others,
                      std::initializer_list<const Arr*> perElement, std::initializer_list<const Arr*> perParameter, const char* fn) {
  if (spline && (e.K < 1 || e.K > 64)) return throwErr(env, std::string(fn) + ": K must be in [1, 64]");
  if (!sameTypes(env, e.X, others, fn)) return false;
  const int64_t P = spline ? 3 * e.K - 1 : 2;
  bool ok = e.E >= 0;
  for (const Arr* x : perElement) ok = ok && (x == nullptr || (int64_t)x->length >= e.E);
  for (const Arr* x : perParameter) ok = ok && (int64_t)x->length >= e.E * P;
  return ok || throwErr(env, std::string(fn) + ": arrays too short for E elements");
}

// rqs(E, K, x, phi, bound, slope, inverse, y, ladj|null), affine(E, x, phi, slope, inverse, y, ladj|null)
template <bool Spline>
napi_value ElementwiseForward(napi_env env, napi_callback_info info) {
  const char* fn = Spline ? "rqs" : "affine";
  napi_value a[Spline ? 9 : 7];
  Elementwise e;
  Arr Y, L;
  bool hasL;
  int k;
  if (!args(env, info, a, fn) || (k = getElementwise(env, a, Spline, e)) < 0 || !getArr(env, a[k], Y, "y") || !getOptArr(env, a[k + 1], L, hasL, "ladj") ||
      !checkElementwise(env, e, Spline, {&e.Phi, &Y, hasL ? &L : nullptr}, {&e.X, &Y, hasL ? &L : nullptr}, {&e.Phi}, fn))
    return nullptr;
  const double lnS = std::log(e.slope);
  if constexpr (Spline) {
    EDDY_BY_TYPE(e.X, rqs, (long)e.E, (int)e.K, ptr<T>(e.X), ptr<T>(e.Phi), (T)e.bound, (T)lnS, e.inverse, ptr<T>(Y), hasL ? ptr<T>(L) : nullptr);
  } else {
    EDDY_BY_TYPE(e.X, affine, (long)e.E, ptr<T>(e.X), ptr<T>(e.Phi), (T)lnS, e.inverse, ptr<T>(Y), hasL ? ptr<T>(L) : nullptr);
  }
  return nullptr;
}

// rqsVjp(E, K, x, phi, bound, slope, inverse, g, gl|null, gin, gphi), affineVjp(E, x, phi, slope, inverse, g, gl|null, gin, gphi)
template <bool Spline>
napi_value ElementwiseVjp(napi_env env, napi_callback_info info) {
  const char* fn = Spline ? "rqsVjp" : "affineVjp";
  napi_value a[Spline ? 11 : 9];
  Elementwise e;
  Arr G, Gl, Gin, Gphi;
  bool hasGl;
  int k;
  if (!args(env, info, a, fn) || (k = getElementwise(env, a, Spline, e)) < 0 || !getArr(env, a[k], G, "g") || !getOptArr(env, a[k + 1], Gl, hasGl, "gl") ||
      !getArr(env, a[k + 2], Gin, "gin") || !getArr(env, a[k + 3], Gphi, "gphi") ||
      !checkElementwise(env, e, Spline, {&e.Phi, &G, &Gin, &Gphi, hasGl ? &Gl : nullptr}, {&e.X, &G, &Gin, hasGl ? &Gl : nullptr}, {&e.Phi, &Gphi}, fn))
    return nullptr;
  const double lnS = std::log(e.slope);
  if constexpr (Spline) {
    EDDY_BY_TYPE(e.X, rqs_vjp, (long)e.E, (int)e.K, ptr<T>(e.X), ptr<T>(e.Phi), (T)e.bound, (T)lnS, e.inverse, ptr<T>(G), hasGl ? ptr<T>(Gl) : nullptr,
                 ptr<T>(Gin), ptr<T>(Gphi));
  } else {
    EDDY_BY_TYPE(e.X, affine_vjp, (long)e.E, ptr<T>(e.X), ptr<T>(e.Phi), (T)lnS, e.inverse, ptr<T>(G), hasGl ? ptr<T>(Gl) : nullptr, ptr<T>(Gin),
                 ptr<T>(Gphi));
  }
  return nullptr;
}

// normalLogProb(rows, D, z, loc, scale, out) / normalLogProbVjp(rows, D, z, loc, scale, g, gz)
napi_value NormalLogProb(napi_env env, napi_callback_info info) {
  napi_value a[6];
  if (!args(env, info, a, "normalLogProb")) return nullptr;
  int64_t rows, D;
  Arr Z, Loc, Scale, Out;
  if (!getInt(env, a[0], rows, "rows") || !getInt(env, a[1], D, "D") || !getArr(env, a[2], Z, "z") || !getArr(env, a[3], Loc, "loc") ||
      !getArr(env, a[4], Scale, "scale") || !getArr(env, a[5], Out, "out"))
    return nullptr;
  if (!sameTypes(env, Z, {&Loc, &Scale, &Out}, "normalLogProb")) return nullptr;
  if (rows < 0 || D < 1 || D > INT32_MAX || (int64_t)Z.length < rows * D || (int64_t)Loc.length < D || (int64_t)Scale.length < D ||
      (int64_t)Out.length < rows) return fail(env, "normalLogProb: bad sizes");
  EDDY_BY_TYPE(Z, normal_logprob, (long)rows, (int)D, ptr<T>(Z), ptr<T>(Loc), ptr<T>(Scale), ptr<T>(Out));
  return nullptr;
}

napi_value NormalLogProbVjp(napi_env env, napi_callback_info info) {
  napi_value a[7];
  if (!args(env, info, a, "normalLogProbVjp")) return nullptr;
  int64_t rows, D;
  Arr Z, Loc, Scale, G, Gz;
  if (!getInt(env, a[0], rows, "rows") || !getInt(env, a[1], D, "D") || !getArr(env, a[2], Z, "z") || !getArr(env, a[3], Loc, "loc") ||
      !getArr(env, a[4], Scale, "scale") || !getArr(env, a[5], G, "g") || !getArr(env, a[6], Gz, "gz"))
    return nullptr;
  if (!sameTypes(env, Z, {&Loc, &Scale, &G, &Gz}, "normalLogProbVjp")) return nullptr;
  if (rows < 0 || D < 1 || D > INT32_MAX || (int64_t)Z.length < rows * D || (int64_t)Loc.length < D || (int64_t)Scale.length < D ||
      (int64_t)G.length < rows || (int64_t)Gz.length < rows * D) return fail(env, "normalLogProbVjp: bad sizes");
  EDDY_BY_TYPE(Z, normal_logprob_vjp, (long)rows, (int)D, ptr<T>(Z), ptr<T>(Loc), ptr<T>(Scale), ptr<T>(G), ptr<T>(Gz));
  return nullptr;
}

// actVjp(n, act, g, y, out)
napi_value ActVjp(napi_env env, napi_callback_info info) {
  napi_value a[5];
  if (!args(env, info, a, "actVjp")) return nullptr;
  int64_t n, act;
  Arr G, Y, Out;
  if (!getInt(env, a[0], n, "n") || !getInt(env, a[1], act, "act") || !getArr(env, a[2], G, "g") || !getArr(env, a[3], Y, "y") ||
      !getArr(env, a[4], Out, "out"))
    return nullptr;
  if (!sameTypes(env, G, {&Y, &Out}, "actVjp")) return nullptr;
  if (n < 0 || (int64_t)G.length < n || (int64_t)Y.length < n || (int64_t)Out.length < n) return fail(env, "actVjp: arrays too short");
  EDDY_BY_TYPE(G, act_vjp, (long)n, (int)act, ptr<T>(G), ptr<T>(Y), ptr<T>(Out));
  return nullptr;
}

// colsum(m, n, A, out): out[j] = Σ_i A[i*n + j]
napi_value Colsum(napi_env env, napi_callback_info info) {
  napi_value a[4];
  if (!args(env, info, a, "colsum")) return nullptr;
  int64_t m, n;
  Arr A, Out;
  if (!getInt(env, a[0], m, "m") || !getInt(env, a[1], n, "n") || !getArr(env, a[2], A, "A") || !getArr(env, a[3], Out, "out")) return nullptr;
  if (!sameType(env, A, Out, "colsum")) return nullptr;
  if (m < 0 || n < 0 || (int64_t)A.length < m * n || (int64_t)Out.length < n) return fail(env, "colsum: arrays too short");
  EDDY_BY_TYPE(A, colsum, (long)m, (long)n, ptr<T>(A), (long)n, nullptr, ptr<T>(Out));
  return nullptr;
}

// linearBackward(m, n, g, y|null, xs[], W, gxs[], gW|null, gb|null)
//   Gradients of Y = act(Σ_b X_b W_bᵀ + bias) given G = ∂L/∂Y: with y (the output Y) the
//   ReLU derivative masks G while it is packed (no temporary), else the identity.
//   gxs[b] (or null) = G'·W[:, c_b:c_b+k_b]; gW[:, c_b:c_b+k_b] = G'ᵀ·X_b; gb = Σ_rows G'.
napi_value LinearBackward(napi_env env, napi_callback_info info) {
  napi_value a[9];
  if (!args(env, info, a, "linearBackward")) return nullptr;
  int64_t m, n;
  Arr G, Y, Wt, GW, GB;
  bool hasY, hasGW, hasGB;
  if (!getInt(env, a[0], m, "m") || !getInt(env, a[1], n, "n") || !getArr(env, a[2], G, "g") || !getOptArr(env, a[3], Y, hasY, "y") ||
      !getArr(env, a[5], Wt, "W") || !getOptArr(env, a[7], GW, hasGW, "gW") || !getOptArr(env, a[8], GB, hasGB, "gb"))
    return nullptr;
  if (m < 0 || n <= 0 || m > INT32_MAX || n > INT32_MAX) return fail(env, "linearBackward: bad m or n");
  if (!sameTypes(env, G, {&Wt, hasY ? &Y : nullptr, hasGW ? &GW : nullptr, hasGB ? &GB : nullptr}, "linearBackward")) return nullptr;
  if ((int64_t)G.length != m * n || (hasY && (int64_t)Y.length != m * n)) return fail(env, "linearBackward: g and y must have m × n elements");
  bool isArr1 = false, isArr2 = false;
  napi_is_array(env, a[4], &isArr1);
  napi_is_array(env, a[6], &isArr2);
  uint32_t nb = 0, nb2 = 0;
  if (isArr1) napi_get_array_length(env, a[4], &nb);
  if (isArr2) napi_get_array_length(env, a[6], &nb2);
  if (!isArr1 || !isArr2 || nb != nb2 || nb == 0) return fail(env, "linearBackward: xs and gxs must be arrays of the same length");
  Arr xs[64], gxs[64];
  bool hasGx[64];
  if (nb > 64) return fail(env, "linearBackward: at most 64 input blocks");
  int64_t K = 0;
  int64_t kb[64];
  for (uint32_t i = 0; i < nb; i++) {
    napi_value el, gel;
    napi_get_element(env, a[4], i, &el);
    napi_get_element(env, a[6], i, &gel);
    if (!getArr(env, el, xs[i], "linearBackward xs[i]") || !sameType(env, G, xs[i], "linearBackward") ||
        !getOptArr(env, gel, gxs[i], hasGx[i], "linearBackward gxs[i]") || (hasGx[i] && !sameType(env, G, gxs[i], "linearBackward")))
      return nullptr;
    if (m == 0 || xs[i].length % m != 0) return fail(env, "linearBackward: xs[i] length is not a multiple of m");
    kb[i] = (int64_t)xs[i].length / m;
    if (hasGx[i] && gxs[i].length != xs[i].length) return fail(env, "linearBackward: gxs[i] must have the size of xs[i]");
    K += kb[i];
  }
  if ((int64_t)Wt.length != n * K || (hasGW && (int64_t)GW.length != n * K) || (hasGB && (int64_t)GB.length != n)) return fail(env, "linearBackward: W and gW must be [n, K], gb [n]");
  const bool f32 = G.type == napi_float32_array;
  int64_t col = 0;
  for (uint32_t b = 0; b < nb; b++) {
    const int64_t k = kb[b];
    if (hasGx[b]) {
      // gx = G'[m×n] · W[:, col:col+k]: B(kk, j) = W[kk*K + col + j].
      if (f32) {
        SegF32 sa{F32P(G), (long)n, 1, (int)n, hasY ? F32P(Y) : nullptr};
        g_kernels->gemm_f32((int)m, (int)k, &sa, 1, F32P(Wt) + col, (long)K, 1, nullptr, 0, 0, F32P(gxs[b]), (long)k);
      } else {
        SegF64 sa{F64P(G), (long)n, 1, (int)n, hasY ? F64P(Y) : nullptr};
        g_kernels->gemm_f64((int)m, (int)k, &sa, 1, F64P(Wt) + col, (long)K, 1, nullptr, 0, 0, F64P(gxs[b]), (long)k);
      }
    }
    if (hasGW) {
      // gW[:, col:col+k] = G'ᵀ[n×m] · X_b[m×k]: op(A)(i, kk) = G[kk*n + i].
      if (f32) {
        SegF32 sa{F32P(G), 1, (long)n, (int)m, hasY ? F32P(Y) : nullptr};
        g_kernels->gemm_f32((int)n, (int)k, &sa, 1, F32P(xs[b]), (long)k, 1, nullptr, 0, 0, F32P(GW) + col, (long)K);
      } else {
        SegF64 sa{F64P(G), 1, (long)n, (int)m, hasY ? F64P(Y) : nullptr};
        g_kernels->gemm_f64((int)n, (int)k, &sa, 1, F64P(xs[b]), (long)k, 1, nullptr, 0, 0, F64P(GW) + col, (long)K);
      }
    }
    col += k;
  }
  if (hasGB) {
    if (f32)
      g_kernels->colsum_f32((long)m, (long)n, F32P(G), (long)n, hasY ? F32P(Y) : nullptr, F32P(GB));
    else
      g_kernels->colsum_f64((long)m, (long)n, F64P(G), (long)n, hasY ? F64P(Y) : nullptr, F64P(GB));
  }
  return nullptr;
}

// mlp(m, xs[], ws[], bs[], acts[], out) -> boolean
//   out[m × n_L] = act_L(... act_1([X_b] W_1ᵀ + b_1) ... W_Lᵀ + b_L): W_l row-major
//   [n_l × n_{l−1}] (n_0 = Σ k_b), b_l [n_l] or null, acts 0/1. false: not supported here
//   (a layer wider than the kernel's K block); the caller runs the layers one by one.
napi_value Mlp(napi_env env, napi_callback_info info) {
  napi_value a[6];
  if (!args(env, info, a, "mlp")) return nullptr;
  int64_t m;
  Arr Out;
  if (!getInt(env, a[0], m, "m") || !getArr(env, a[5], Out, "out")) return nullptr;
  uint32_t nx = 0, nl = 0, nb = 0, na = 0;
  bool ok1 = false, ok2 = false, ok3 = false, ok4 = false;
  napi_is_array(env, a[1], &ok1);
  napi_is_array(env, a[2], &ok2);
  napi_is_array(env, a[3], &ok3);
  napi_is_array(env, a[4], &ok4);
  if (ok1) napi_get_array_length(env, a[1], &nx);
  if (ok2) napi_get_array_length(env, a[2], &nl);
  if (ok3) napi_get_array_length(env, a[3], &nb);
  if (ok4) napi_get_array_length(env, a[4], &na);
  if (!ok1 || !ok2 || !ok3 || !ok4 || nx == 0 || nx > 64 || nl == 0 || nl > 64 || nb != nl || na != nl || m < 1 || m > INT32_MAX) return fail(env, "mlp: expected m >= 1 and arrays xs (1..64), ws, bs, acts (1..64 layers, same length)");
  Arr xs[64], ws[64], bs[64];
  bool hasB[64];
  int acts[64], dims[65];
  int64_t K = 0;
  for (uint32_t i = 0; i < nx; i++) {
    napi_value el;
    napi_get_element(env, a[1], i, &el);
    if (!getArr(env, el, xs[i], "mlp xs[i]") || !sameType(env, Out, xs[i], "mlp")) return nullptr;
    if (xs[i].length % m != 0) return fail(env, "mlp: xs[i] length is not a multiple of m");
    K += (int64_t)xs[i].length / m;
  }
  if (K > INT32_MAX) return nullptr;
  dims[0] = (int)K;
  for (uint32_t l = 0; l < nl; l++) {
    napi_value w, b, ac;
    napi_get_element(env, a[2], l, &w);
    napi_get_element(env, a[3], l, &b);
    napi_get_element(env, a[4], l, &ac);
    int64_t act;
    if (!getArr(env, w, ws[l], "mlp ws[l]") || !sameType(env, Out, ws[l], "mlp") || !getOptArr(env, b, bs[l], hasB[l], "mlp bs[l]") ||
        (hasB[l] && !sameType(env, Out, bs[l], "mlp")) || !getInt(env, ac, act, "mlp acts[l]"))
      return nullptr;
    if (ws[l].length % (size_t)dims[l] != 0 || ws[l].length == 0 || (act != 0 && act != 1)) return fail(env, "mlp: layer " + std::to_string(l) + " weight size is not a multiple of its input width " + std::to_string(dims[l]));
    dims[l + 1] = (int)(ws[l].length / (size_t)dims[l]);
    if (hasB[l] && (int64_t)bs[l].length != dims[l + 1]) return fail(env, "mlp: bias " + std::to_string(l) + " must have " + std::to_string(dims[l + 1]) + " elements");
    acts[l] = (int)act;
  }
  if ((int64_t)Out.length != m * dims[nl]) return fail(env, "mlp: out must have m × n_L elements");
  // The inputs as T pointers (the xs as segments, weights, biases), then the kernel of T.
  auto run = [&](auto zero, auto* segs, auto kernel) {
    using T = decltype(zero);
    const T* w[64];
    const T* b[64];
    for (uint32_t i = 0; i < nx; i++) segs[i] = {ptr<T>(xs[i]), (long)(xs[i].length / m), 1, (int)(xs[i].length / m), nullptr};
    for (uint32_t l = 0; l < nl; l++) {
      w[l] = ptr<T>(ws[l]);
      b[l] = hasB[l] ? ptr<T>(bs[l]) : nullptr;
    }
    return kernel((int)m, segs, (int)nx, (int)nl, dims, w, b, acts, ptr<T>(Out));
  };
  SegF32 segs32[64];
  SegF64 segs64[64];
  const int done = Out.type == napi_float32_array ? run(0.0f, segs32, g_kernels->mlp_f32) : run(0.0, segs64, g_kernels->mlp_f64);
  napi_value r;
  napi_get_boolean(env, done != 0, &r);
  return r;
}

// madeInverse(m, D, C, P, dims, counts, W, B, acts, groupFeatures, groupCounts, kind, bins,
//             bound, slope, y, c|null, x, ladj|null) -> boolean (see made.h for the layout).
napi_value MadeInverse(napi_env env, napi_callback_info info) {
  napi_value a[19];
  if (!args(env, info, a, "madeInverse")) return nullptr;
  int64_t m, D, C, P, kind, bins;
  double bound, slope;
  const int32_t *dims, *counts, *acts, *gf, *gc;
  size_t nDims, nCounts, nActs, nGf, nGc;
  Arr Wt, Bt, Y, Cc, X, Ld;
  bool hasC, hasL;
  if (!getInt(env, a[0], m, "m") || !getInt(env, a[1], D, "D") || !getInt(env, a[2], C, "C") || !getInt(env, a[3], P, "P") ||
      !getI32(env, a[4], dims, nDims, "dims") || !getI32(env, a[5], counts, nCounts, "counts") || !getArr(env, a[6], Wt, "W") ||
      !getArr(env, a[7], Bt, "B") || !getI32(env, a[8], acts, nActs, "acts") || !getI32(env, a[9], gf, nGf, "groupFeatures") ||
      !getI32(env, a[10], gc, nGc, "groupCounts") || !getInt(env, a[11], kind, "kind") || !getInt(env, a[12], bins, "bins") ||
      !getNum(env, a[13], bound, "bound") || !getNum(env, a[14], slope, "slope") || !getArr(env, a[15], Y, "y") ||
      !getOptArr(env, a[16], Cc, hasC, "c") || !getArr(env, a[17], X, "x") || !getOptArr(env, a[18], Ld, hasL, "ladj"))
    return nullptr;
  auto bad = [&](const std::string& why) {
    throwErr(env, "madeInverse: " + why);
    return nullptr;
  };
  if (!sameTypes(env, Wt, {&Bt, &Y, &X, hasC ? &Cc : nullptr, hasL ? &Ld : nullptr}, "madeInverse")) return nullptr;
  if (m < 0 || D < 1 || C < 0 || P < 1 || P > D || m > INT32_MAX * 64LL) return bad("bad m, D, C or P");
  const int64_t L = (int64_t)nActs;
  if (L < 1 || L > 32 || (int64_t)nDims != L + 1 || (int64_t)nCounts != (L + 1) * P || (int64_t)nGf != D || (int64_t)nGc != P)
    return bad("dims (L+1), counts ((L+1)·P), acts (L), groupFeatures (D), groupCounts (P) sizes disagree");
  if ((kind != 0 && kind != 1) || (kind == 1 && (bins < 1 || bins > 64 || !(bound > 0))) || !(slope > 0 && slope < 1)) return bad("bad univariate");
  const int64_t T = kind == 0 ? 2 : 3 * bins - 1;
  // groups: a partition of the features.
  std::string seen((size_t)D, '\0');
  int64_t sumG = 0;
  for (int64_t s = 0; s < P; s++) {
    if (gc[s] < 1) return bad("every group needs a feature");
    sumG += gc[s];
  }
  if (sumG != D) return bad("group counts must add up to D");
  for (int64_t f = 0; f < D; f++) {
    if (gf[f] < 0 || gf[f] >= D || seen[(size_t)gf[f]] != 0) return bad("groupFeatures must be a permutation of 0..D-1");
    seen[(size_t)gf[f]] = 1;
  }
  // counts and dims, block sizes.
  std::vector<int64_t> prefix((size_t)((L + 1) * (P + 1)), 0);
  for (int64_t l = 0; l <= L; l++)
    for (int64_t s = 0; s < P; s++) {
      const int32_t c = counts[l * P + s];
      if (c < 0) return bad("negative count");
      prefix[(size_t)(l * (P + 1) + s + 1)] = prefix[(size_t)(l * (P + 1) + s)] + c;
    }
  for (int64_t l = 0; l < L; l++)
    if (dims[l] != prefix[(size_t)(l * (P + 1) + P)]) return bad("dims[l] must be the number of units computed in value l");
  if (counts[0] != C) return bad("the input's step-0 units must be the context");
  for (int64_t s = 0; s + 1 < P; s++)
    if (counts[s + 1] != gc[s]) return bad("the input's step-(s+1) units must be group s");
  for (int64_t s = 0; s < P; s++)
    if (counts[L * P + s] != gc[s] * T) return bad("output rows of step s must be the parameters of group s");
  int64_t wsize = 0, bsize = 0;
  for (int64_t l = 1; l <= L; l++)
    for (int64_t s = 0; s < P; s++) {
      wsize += (int64_t)counts[l * P + s] * prefix[(size_t)((l - 1) * (P + 1) + s + 1)];
      bsize += counts[l * P + s];
    }
  if ((int64_t)Wt.length != wsize || (int64_t)Bt.length != bsize) return bad("W or B has the wrong number of elements");
  if ((int64_t)Y.length < m * D || (int64_t)X.length < m * D || (hasL && (int64_t)Ld.length < m) || (C > 0 && (!hasC || (int64_t)Cc.length < m * C)))
    return bad("y, x, c or ladj too short");
  const double lnS = std::log(slope);
  int done;
  EDDY_BY_TYPE_INTO(done, Wt, made_inverse, (long)m, (int)D, (int)C, (int)P, (int)L, dims, counts, ptr<T>(Wt), ptr<T>(Bt), acts, gf, gc, (int)kind, (int)bins, (T)bound, (T)lnS, (T)slope, ptr<T>(Y), hasC ? ptr<T>(Cc) : nullptr, ptr<T>(X), hasL ? ptr<T>(Ld) : nullptr);
  napi_value r;
  napi_get_boolean(env, done != 0, &r);
  return r;
}

// adam(n, p, g, m|null, v|null, lr, b1, b2, eps, wd, decoupled, step, po, mo, vo)
napi_value Adam(napi_env env, napi_callback_info info) {
  napi_value a[15];
  if (!args(env, info, a, "adam")) return nullptr;
  int64_t n, step;
  double lr, b1, b2, eps, wd;
  bool decoupled, hasM, hasV;
  Arr P, G, M, V, PO, MO, VO;
  if (!getInt(env, a[0], n, "n") || !getArr(env, a[1], P, "p") || !getArr(env, a[2], G, "g") || !getOptArr(env, a[3], M, hasM, "m") ||
      !getOptArr(env, a[4], V, hasV, "v") || !getNum(env, a[5], lr, "lr") || !getNum(env, a[6], b1, "b1") || !getNum(env, a[7], b2, "b2") ||
      !getNum(env, a[8], eps, "eps") || !getNum(env, a[9], wd, "weightDecay") || !getInt(env, a[11], step, "step") ||
      !getArr(env, a[12], PO, "pOut") || !getArr(env, a[13], MO, "mOut") || !getArr(env, a[14], VO, "vOut"))
    return nullptr;
  napi_get_value_bool(env, a[10], &decoupled);
  if (!sameTypes(env, P, {&G, hasM ? &M : nullptr, hasV ? &V : nullptr, &PO, &MO, &VO}, "adam")) return nullptr;
  const size_t un = (size_t)n;
  if (n < 0 || P.length < un || G.length < un || (hasM && M.length < un) || (hasV && V.length < un) || PO.length < un || MO.length < un ||
      VO.length < un || step < 1) return fail(env, "adam: arrays too short or step < 1");
  const double c1 = 1.0 - std::pow(b1, (double)step), c2 = 1.0 - std::pow(b2, (double)step);
  EDDY_BY_TYPE(P, adam, (long)n, ptr<T>(P), ptr<T>(G), hasM ? ptr<T>(M) : nullptr, hasV ? ptr<T>(V) : nullptr, (T)lr, (T)b1, (T)b2, (T)eps, (T)wd, decoupled, (T)c1, (T)c2, ptr<T>(PO), ptr<T>(MO), ptr<T>(VO));
  return nullptr;
}

// random(kind, n, seed, stream, offset, out): kind 0 uniform, 1 normal (Philox4x32-10).
napi_value Random(napi_env env, napi_callback_info info) {
  napi_value a[6];
  if (!args(env, info, a, "random")) return nullptr;
  int64_t kind, n, seed, stream, offset;
  Arr Out;
  if (!getInt(env, a[0], kind, "kind") || !getInt(env, a[1], n, "n") || !getInt(env, a[2], seed, "seed") || !getInt(env, a[3], stream, "stream") ||
      !getInt(env, a[4], offset, "offset") || !getArr(env, a[5], Out, "out"))
    return nullptr;
  if ((kind != 0 && kind != 1) || n < 0 || seed < 0 || stream < 0 || offset < 0 || (int64_t)Out.length < n || offset + n - 1 > 9007199254740991LL) return fail(env, "random: bad kind, sizes, seed, stream or offset");
  EDDY_BY_TYPE(Out, random, (int)kind, (long)n, (unsigned long long)seed, (unsigned long long)stream, (unsigned long long)offset, ptr<T>(Out));
  return nullptr;
}

// peakGflops(seconds) -> { float32, float64 }: measured fused multiply-add throughput of
// this core on the active code path (12 independent vector FMA chains), in GFLOP/s.
napi_value PeakGflops(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (!args(env, info, a, "peakGflops")) return nullptr;
  double seconds;
  if (!getNum(env, a[0], seconds, "seconds") || !(seconds > 0 && seconds <= 10)) return fail(env, "peakGflops: seconds must be in (0, 10]");
  napi_value obj, v;
  napi_create_object(env, &obj);
  volatile double sink = 0;
  for (int t = 0; t < 2; t++) {
    long iters = 1 << 20;
    double best = 0;
    auto start = std::chrono::steady_clock::now();
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < seconds) {
      auto t0 = std::chrono::steady_clock::now();
      sink = sink + (t == 0 ? (double)g_kernels->fma_probe_f32(iters) : g_kernels->fma_probe_f64(iters));
      double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const int lanes = t == 0 ? g_kernels->lanes_f32 : g_kernels->lanes_f64;
      double gf = (double)iters * 12.0 * 2.0 * lanes / dt / 1e9;
      if (gf > best) best = gf;
    }
    napi_create_double(env, best, &v);
    napi_set_named_property(env, obj, t == 0 ? "float32" : "float64", v);
  }
  return obj;
}

// adviseHugePages(typedArray) -> bytes advised. Large arrays (a job's result, a big
// product) come from fresh mmap'd memory whose every 4 KiB page is faulted in on first
// write (measured ~12 µs a page on this project's VMs); asking for transparent huge pages
// on the 2 MiB-aligned interior makes that one fault per 2 MiB. Contents are unchanged;
// a no-op where the kernel or the platform does not offer it.
napi_value AdviseHugePages(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (!args(env, info, a, "adviseHugePages")) return nullptr;
  bool is = false;
  napi_is_typedarray(env, a[0], &is);
  if (!is) return fail(env, "adviseHugePages: expected a typed array");
  napi_typedarray_type t;
  size_t len, off;
  void* data;
  napi_value ab;
  napi_get_typedarray_info(env, a[0], &t, &len, &data, &ab, &off);
  size_t bytes = 0;
  const size_t elem = (t == napi_float64_array || t == napi_bigint64_array || t == napi_biguint64_array) ? 8
                      : (t == napi_float32_array || t == napi_int32_array || t == napi_uint32_array) ? 4
                      : (t == napi_int16_array || t == napi_uint16_array) ? 2 : 1;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  const uintptr_t huge = 2u << 20;
  const uintptr_t begin = ((uintptr_t)data + huge - 1) & ~(huge - 1);
  const uintptr_t end = ((uintptr_t)data + len * elem) & ~(huge - 1);
  if (end > begin && madvise((void*)begin, end - begin, MADV_HUGEPAGE) == 0) bytes = end - begin;
#else
  (void)elem;
#endif
  napi_value r;
  napi_create_double(env, (double)bytes, &r);
  return r;
}

// info() -> { isa, lanesF32, lanesF64, cpu: { avx2, avx512 }, note }
napi_value Info(napi_env env, napi_callback_info) {
  napi_value obj, v;
  napi_create_object(env, &obj);
  napi_create_string_utf8(env, g_kernels->name, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, "isa", v);
  napi_create_int32(env, g_kernels->lanes_f32, &v);
  napi_set_named_property(env, obj, "lanesF32", v);
  napi_create_int32(env, g_kernels->lanes_f64, &v);
  napi_set_named_property(env, obj, "lanesF64", v);
  napi_value cpu;
  napi_create_object(env, &cpu);
  napi_get_boolean(env, has("avx2"), &v);
  napi_set_named_property(env, cpu, "avx2", v);
  napi_get_boolean(env, has("avx512"), &v);
  napi_set_named_property(env, cpu, "avx512", v);
  napi_set_named_property(env, obj, "cpu", cpu);
  napi_create_string_utf8(env, g_reason.c_str(), NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, "note", v);
  napi_get_boolean(env, g_mallocTuned, &v);
  napi_set_named_property(env, obj, "mallocTuned", v);
  return obj;
}

napi_value Init(napi_env env, napi_value exports) {
  choose();
  tuneMalloc();
  napi_property_descriptor props[] = {
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"linear", nullptr, Linear, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"rqs", nullptr, ElementwiseForward<true>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"rqsVjp", nullptr, ElementwiseVjp<true>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"affine", nullptr, ElementwiseForward<false>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"affineVjp", nullptr, ElementwiseVjp<false>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"normalLogProb", nullptr, NormalLogProb, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"normalLogProbVjp", nullptr, NormalLogProbVjp, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"actVjp", nullptr, ActVjp, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"colsum", nullptr, Colsum, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"linearBackward", nullptr, LinearBackward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"adam", nullptr, Adam, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"mlp", nullptr, Mlp, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"madeInverse", nullptr, MadeInverse, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"random", nullptr, Random, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"peakGflops", nullptr, PeakGflops, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"adviseHugePages", nullptr, AdviseHugePages, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(eddy_native, Init)
