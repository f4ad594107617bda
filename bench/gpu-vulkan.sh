#!/usr/bin/env bash
# The Vulkan benchmark on a GPU machine: lists the devices, then times the benchmark specs on
# the chosen Vulkan device (default: the preferred one, a discrete GPU when there is one).
# Needs Swift, the Vulkan loader and the vendor's driver on that machine.
# Usage: bench/gpu-vulkan.sh [device-name-substring] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
device="${1:-}"
runs="${2:-10}"
swift build -c release --product attngen --quiet
.build/release/attngen devices
for spec in bench/specs/*.json; do
  if [ -n "$device" ]; then
    .build/release/attngen bench "$spec" --backend vulkan --device "$device" --runs "$runs" --warmup 2
  else
    .build/release/attngen bench "$spec" --backend vulkan --runs "$runs" --warmup 2
  fi
done
