#!/usr/bin/env bash
# Fuzzes the spec reader and validation, the .npy reader, the kernel-package reader, and spec -> plan -> CPU interpreter
# (checked against the float64 reference) with libFuzzer, each for SECONDS (default 20), from
# the seed corpus (Kernels/specs, Tests/FuzzCorpus) into a scratch corpus. A crash is kept as
# fuzz-artifacts/TARGET-crash-*; copy it into Tests/FuzzCorpus/TARGET/ so the replay in
# scripts/test.sh keeps it as a regression; the script fails on a finding. ATTNGEN_FUZZ_SEED
# fixes libFuzzer's seed (CI). Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
shift || true
targets=("${@:-spec npy package run}")
# A separate build folder: the instrumented modules never mix with the normal build.
swift build -c release --product attngen-fuzz --build-path .build/fuzz \
  -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING -Xswiftc -use-ld=lld --quiet
fuzzer=.build/fuzz/release/attngen-fuzz
mkdir -p fuzz-artifacts
for target in ${targets[@]}; do
  corpus="$(mktemp -d)"
  seeds=("Tests/FuzzCorpus/$target")
  case "$target" in spec | run) seeds+=(Kernels/specs) ;; esac
  echo "== $target: ${seconds}s"
  ATTNGEN_FUZZ_TARGET="$target" "$fuzzer" "$corpus" "${seeds[@]}" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 ${ATTNGEN_FUZZ_SEED:+-seed=$ATTNGEN_FUZZ_SEED} -artifact_prefix="fuzz-artifacts/$target-" 2>&1 | grep -E "^(#|==|stat::number_of_executed_units|INFO: -max_total_time|SUMMARY|Done)" | tail -n 4
  rm -rf "$corpus"
done
