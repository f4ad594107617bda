#!/usr/bin/env bash
# Builds the package and its tests with AddressSanitizer (in .build/asan, linked with lld: gold
# fails on the instrumented objects) and runs the test suite under it. Not part of CI: it takes
# several times the normal suite. Usage: scripts/asan.sh [swift test arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
flags=(--build-path .build/asan -Xswiftc -sanitize=address -Xswiftc -use-ld=lld -Xcc -fsanitize=address)
swift build --build-tests "${flags[@]}"
ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}" swift test --skip-build "${flags[@]}" "$@"
