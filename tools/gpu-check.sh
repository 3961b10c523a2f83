#!/usr/bin/env bash
# Device check of @eddy/backend-gpu on an NVIDIA GPU (not run in CI: CI has no GPU, and
# @tensorflow/tfjs-node-gpu's install script downloads libtensorflow).
#
# Needs: an NVIDIA driver (nvidia-smi), CUDA 11.2 and cuDNN 8.1 libraries on the loader
# path (libcudart.so.11.0, libcublas.so.11, libcudnn.so.8; e.g. LD_LIBRARY_PATH), and a
# way for npm's install script to fetch libtensorflow 2.9.1 (GPU): the network, or a mirror
# through TFJS_NODE_CDN_STORAGE / TFJS_NODE_BASE_URI (see the package README).
#
# It installs @tensorflow/tfjs-node-gpu@4.22.0 without saving it, forces the CUDA engine
# (EDDY_TFJS_ENGINE=tfjs-node-gpu, so a failed load is an error, not a silent fallback),
# runs the backend's tests (the shared backend suite, pitfalls, CPU agreement, special
# functions, the 1,000-iteration leak test), the float32 conformance run on the gpu
# backend and a sampling benchmark, and prints the figures.
#   usage: bash tools/gpu-check.sh            (from anywhere in the repository)
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true
export EDDY_TFJS_ENGINE=tfjs-node-gpu
# TensorFloat-32 off (the backend sets this too when it is unset): float32 results must
# match the CPU up to float32 rounding.
export NVIDIA_TF32_OVERRIDE="${NVIDIA_TF32_OVERRIDE:-0}"
# libtensorflow 2.9 ships kernels up to compute capability 8.0 plus PTX: newer GPUs
# (Hopper) JIT-compile once; a large cache keeps that to the first run.
export CUDA_CACHE_MAXSIZE="${CUDA_CACHE_MAXSIZE:-4294967296}"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-0}"

section() { printf '\n=== %s ===\n' "$1"; }

section "GPU"
if ! command -v nvidia-smi >/dev/null; then
  echo "gpu-check: nvidia-smi not found: this needs a machine with an NVIDIA GPU and driver" >&2
  exit 2
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
node --version

section "install @tensorflow/tfjs-node-gpu@4.22.0 (not saved)"
if ! node -e "require.resolve('@tensorflow/tfjs-node-gpu')" 2>/dev/null; then
  npm ci --no-audit --no-fund
  npm install --no-save --no-audit --no-fund @tensorflow/tfjs-node-gpu@4.22.0
fi
node -e "console.log('tfjs-node-gpu', require('@tensorflow/tfjs-node-gpu/package.json').version)"

section "build"
npx nx run-many -t build --projects=@eddy/core,@eddy/backend-cpu,@eddy/backend-gpu,@eddy/transforms,@eddy/distributions,@eddy/flows --outputStyle=static

section "engine"
log=$(mktemp)
out=$(node --input-type=module -e "
import { engineInfo } from '@eddy/backend-gpu';
import { tensor } from '@eddy/core';
console.log(JSON.stringify(engineInfo()));
tensor([1, 2, 3], { dtype: 'float32' }).sum().item();
" 2>"$log")
echo "$out"
if [[ "$out" != *'"engine":"tfjs-node-gpu"'* ]] || ! grep -q 'device:GPU:0' "$log"; then
  echo "gpu-check: the CUDA engine did not start, or libtensorflow created no device:GPU:0 (CUDA 11.2 / cuDNN 8.1 not found?); its log:" >&2
  cat "$log" >&2
  exit 1
fi
grep -m1 'device:GPU:0' "$log"

section "backend tests on CUDA (packages/backend-gpu)"
tests_log=$(mktemp)
status=0
(cd packages/backend-gpu && npx vitest run) >"$tests_log" 2>&1 || status=$?
grep -E 'agreement over|leak test|worst|Test Files|Tests|FAIL' "$tests_log" || true
if [[ $status -ne 0 ]]; then
  echo "gpu-check: backend tests failed (full log: $tests_log)" >&2
  exit 1
fi

section "conformance, float32, gpu backend"
npm run conformance -- --backend gpu --dtype float32 ../shared/reference/cases | tail -n 20

section "sampling benchmark"
node packages/backend-gpu/bench/sampling.mjs

echo
echo "gpu-check: all steps passed"
