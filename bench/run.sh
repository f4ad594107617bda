#!/usr/bin/env bash
# Runs the benchmark specs on the CPU interpreter, on OpenCL (PoCL here, or whatever OpenCL
# driver the machine has) and on Vulkan (lavapipe here) and, when JAX is installed, XLA's CPU attention on the same shapes —
# one spec at a time so all of them see the same machine load.
# Usage: bench/run.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-7}"
swift build -c release --product attngen --quiet
for spec in bench/specs/dense-4096.json bench/specs/causal-4096.json bench/specs/neighborhood-2d-128.json; do
  .build/release/attngen bench "$spec" --backend cpu --runs "$runs"
  .build/release/attngen bench "$spec" --backend opencl --runs "$runs" | tail -n 1
  .build/release/attngen bench "$spec" --backend vulkan --runs "$runs" | tail -n 1
  if python3 -c "import jax" 2>/dev/null; then
    python3 bench/xla_baseline.py "$spec"
  fi
done
