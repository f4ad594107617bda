#!/usr/bin/env bash
# The OpenCL benchmark on a GPU machine: lists the OpenCL devices, then times the benchmark
# specs on the device chosen by name (default: the first GPU). Needs Swift and an OpenCL ICD
# loader plus the vendor's driver on that machine.
# Usage: bench/gpu-opencl.sh [device-name-substring] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
device="${1:-gpu}"
runs="${2:-10}"
swift build -c release --product attngen --quiet
.build/release/attngen devices
for spec in bench/specs/*.json; do
  .build/release/attngen bench "$spec" --backend opencl --device "$device" --runs "$runs" --warmup 2
done
