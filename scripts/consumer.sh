#!/usr/bin/env bash
# Builds and runs the consumer package in Examples/AttentionConsumer: it depends on AttentionGen
# by path, its spec files become kernel packages through the AttentionKernels build plugin, and
# it runs one attention on `auto` and checks it against the float64 reference (exit 1 if not).
set -euo pipefail
cd "$(dirname "$0")/../Examples/AttentionConsumer"
swift build
output="$(swift run --skip-build AttentionConsumer)"
printf '%s\n' "$output"
grep -q "^auto: backend " <<<"$output"
grep -q "bundled kernel packages: causal-gqa" <<<"$output"
