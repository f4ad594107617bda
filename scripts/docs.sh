#!/usr/bin/env bash
# Builds the DocC documentation of the AttentionGen library — the articles of
# Sources/AttentionGen/AttentionGen.docc and the API reference of AttentionSpec, AttentionTensors,
# AttentionPlan, AttentionSimulator and AttentionRuntime — as one static website, with the
# swift-docc-plugin.
#
#   scripts/docs.sh [OUTPUT_DIR]                  default OUTPUT_DIR: .build/docs in the repository
#   SCRATCH=.build-docc scripts/docs.sh           build in another scratch folder (--scratch-path)
#   HOSTING_BASE_PATH=AttentionGen scripts/docs.sh   for a site served under /AttentionGen/
#   SWIFT=/opt/swift/usr/bin/swift scripts/docs.sh   another toolchain (default: swift on the PATH)
#
# Relative OUTPUT_DIR and SCRATCH paths are taken from the current directory.
# Any DocC warning (an unresolved link, a missing article, a bad directive) fails the build.
# Serve the result with a web server, e.g.
#   python3 -m http.server --directory .build/docs   and open /documentation/attentiongen/
set -euo pipefail

absolute() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(absolute "${1:-$root/.build/docs}")"
swift="${SWIFT:-swift}"

swiftpm_flags=()
if [[ -n "${SCRATCH:-}" ]]; then
    swiftpm_flags+=(--scratch-path "$(absolute "$SCRATCH")")
fi

# The articles live in AttentionGen (the umbrella, whose re-exports have no symbols of their own);
# the API reference comes from the modules embedders use, combined into one site.
docc_flags=(
    --target AttentionGen
    --target AttentionSpec
    --target AttentionTensors
    --target AttentionPlan
    --target AttentionSimulator
    --target AttentionRuntime
    --enable-experimental-combined-documentation
    --output-path "$out"
    --disable-indexing
    --transform-for-static-hosting
    --warnings-as-errors
)
if [[ -n "${HOSTING_BASE_PATH:-}" ]]; then
    docc_flags+=(--hosting-base-path "$HOSTING_BASE_PATH")
fi

cd "$root"
mkdir -p "$out"
start=$SECONDS
"$swift" package "${swiftpm_flags[@]}" \
    --allow-writing-to-directory "$out" \
    generate-documentation "${docc_flags[@]}"
echo "documentation: $out (built in $((SECONDS - start)) s)"
echo "serve it with: python3 -m http.server --directory '$out'   then open /documentation/attentiongen/"
