#!/usr/bin/env bash
# Runs the benchmark specs on the CPU interpreter and, when JAX is installed, XLA's CPU
# attention on the same shapes, alternating so both see the same machine load.
# Usage: Benchmarks/run.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-7}"
swift build -c release --product attngen >/dev/null
for spec in Benchmarks/specs/*.json; do
  .build/release/attngen bench "$spec" --backend cpu --runs "$runs"
  if python3 -c "import jax" 2>/dev/null; then
    python3 Benchmarks/xla_baseline.py "$spec"
  fi
done
