// The generic kernels: the shared templates instantiated with the simd_scalar.h traits, inside a
// namespace of their own (no symbol is shared with the other instruction sets).
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include "kernels.h"

namespace eddy_generic {
#define EDDY_ISA_NAME "generic"
#include "simd_scalar.h"
#include "vmath.h"
#include "gemm.h"
#include "mlp.h"
#include "fused.h"
#include "random.h"
#include "made.h"
#include "kernel_set.inc"
}  // namespace eddy_generic

const KernelSet* eddy_kernels_generic() { return &eddy_generic::kset; }
