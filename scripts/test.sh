#!/usr/bin/env bash
# Sets up the machine and runs everything CI checks: the test suite, the DocC build (warnings
# are errors) and the consumer package that embeds AttentionGen through its build plugin.
# ATTNGEN_LONG_TESTS=1 adds the catalogue specs too large for CPU drivers in a debug build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
swift test --skip-build
scripts/docs.sh
scripts/consumer.sh
