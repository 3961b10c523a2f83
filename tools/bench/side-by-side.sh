#!/usr/bin/env bash
# Runs zuko and Eddy one after the other on this machine (a ratio counts only in one
# sitting): zuko's throughput/train benchmark (../shared/reference/bench_zuko.py, OpenBLAS +
# jemalloc, 1 and 2 threads, n = 2^16 and 2^20) and its two-moons recipe, then
# `npm run bench -- engine train throughput moons` with zuko's results beside Eddy's.
# Needs Debian's python3-torch, python3-numpy, libopenblas0-openmp, libjemalloc2 (installed
# here with apt-get if missing) and a git mirror of probabilists/zuko (ZUKO_MIRROR).
# Takes about an hour on 2 cores. Results land in bench-results/.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${ZUKO_MIRROR:?set ZUKO_MIRROR to a git mirror (bare repository) of github.com/probabilists/zuko}"
if ! /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null || [ ! -e /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 ]; then
  apt-get update && apt-get install -y python3-torch python3-numpy libopenblas0-openmp libjemalloc2
fi
export ZUKO_PY=/usr/bin/python3
# shellcheck disable=SC1091
. ../shared/reference/zuko_env.sh
[ -f "$ZUKO_SRC/zuko/__init__.py" ] || zuko_export_src
mkdir -p bench-results
/usr/bin/python3 ../shared/reference/bench_zuko.py --blas openblas --alloc jemalloc --sizes 16 20 --threads 1 2 --out bench-results/zuko.json
/usr/bin/python3 tools/bench/zuko_moons.py --threads 1 --out bench-results/zuko-moons.json
npm run bench -- engine train throughput moons --zuko=bench-results/zuko.json --zuko-moons=bench-results/zuko-moons.json
