#!/usr/bin/env bash
# Sets up the machine, then runs the main job on an example spec: validate it, make random
# inputs, run the generated program on `auto` (the GPU the machine has, else the SIMD CPU
# interpreter; the summary names the backend that ran) and verify it against the float64
# reference. ATTNGEN_BACKEND=opencl (or vulkan, cpu) forces a backend. Usage: scripts/demo.sh [SPEC.json]
set -euo pipefail
cd "$(dirname "$0")/.."
spec="${1:-Kernels/specs/neighborhood-2d-dilated.json}"
scripts/setup.sh
swift build -c release --product attngen --quiet
attngen=.build/release/attngen
work="$(mktemp -d)"
$attngen validate "$spec"
$attngen inputs "$spec" --out-dir "$work" --seed 1
$attngen run "$spec" --q "$work/q.npy" --k "$work/k.npy" --v "$work/v.npy" \
  --out "$work/out.npy" --lse "$work/lse.npy" --backend auto --verify
