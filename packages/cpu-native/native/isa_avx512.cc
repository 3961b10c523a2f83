// The avx512 kernels: the shared templates instantiated with the simd_avx512.h traits, inside a
// namespace of their own (no symbol is shared with the other instruction sets).
#include <immintrin.h>
#include <stdint.h>
#include <stdlib.h>
#include "kernels.h"

namespace eddy_avx512 {
#define EDDY_ISA_NAME "avx512"
#include "simd_avx512.h"
#include "vmath.h"
#include "gemm.h"
#include "mlp.h"
#include "fused.h"
#include "random.h"
#include "made.h"
#include "kernel_set.inc"
}  // namespace eddy_avx512

const KernelSet* eddy_kernels_avx512() { return &eddy_avx512::kset; }
