#!/usr/bin/env bash
# attngen's CPU backend against PyTorch's CPU attention (bench/torch_cpu_baseline.py) on the same
# shapes: 3 rounds per spec, each round attngen then PyTorch, so both see the same machine load.
# Specs: dense-4096, causal-4096, neighborhood-2d-128 and, when bench/specs has one, a GQA decode
# spec with at least 128k keys; then this machine's copy bandwidth once; then forward + backward
# on dense-4096 (attngen's side needs `bench --backward`; without it that side is reported missing);
# then attngen alone on float32 against float16 and bfloat16 storage, whole library calls.
# Builds nothing: .build/release/attngen must exist (swift build -c release --product attngen).
# The Python interpreter is $PYTHON (default python3); torch (and numpy) must be importable by it,
# e.g. PYTHON=/work/venv-torch/bin/python bench/cpu-vs-pytorch.sh
# Usage: bench/cpu-vs-pytorch.sh
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
attngen=.build/release/attngen
rounds=3

if [[ ! -x "$attngen" ]]; then
  echo "error: $attngen not found; build it first: swift build -c release --product attngen" >&2
  exit 1
fi
if ! "$python" -c "import torch" 2>/dev/null; then
  echo "error: $python cannot import torch; set PYTHON to an interpreter that can" >&2
  exit 1
fi

# A float32 decode spec: one query, at least 128k keys, fewer KV heads than query heads.
decode=$("$python" - <<'EOF'
import glob, json, math
for path in sorted(glob.glob("bench/specs/*.json")):
    p = json.load(open(path))["problem"]
    keys = math.prod(p.get("keyShape", p["queryShape"]))
    gqa = p.get("kvHeads", p["heads"]) < p["heads"]
    if math.prod(p["queryShape"]) == 1 and keys >= 131072 and gqa and p.get("dtype", "float32") == "float32":
        print(path)
        break
EOF
)
specs=(bench/specs/dense-4096.json bench/specs/causal-4096.json bench/specs/neighborhood-2d-128.json)
if [[ -n "$decode" ]]; then
  specs+=("$decode")
else
  echo "(no GQA decode spec with 128k keys in bench/specs: skipped)"
fi

echo "== forward, $rounds rounds per spec"
for spec in "${specs[@]}"; do
  for ((round = 1; round <= rounds; round++)); do
    echo "$spec: attngen $("$attngen" bench "$spec" --backend cpu --runs 5 | tail -n 1)"
    "$python" bench/torch_cpu_baseline.py "$spec" --runs 5
  done
done

"$python" bench/torch_cpu_baseline.py --bandwidth

echo "== forward + backward, $rounds rounds"
spec=bench/specs/dense-4096.json
ours=yes
if ! "$attngen" bench --help 2>&1 | grep -q -- '--backward'; then
  ours=no
  echo "$spec: attngen backward bench unavailable (this attngen has no bench --backward)"
fi
for ((round = 1; round <= rounds; round++)); do
  if [[ "$ours" == yes ]]; then
    if line=$("$attngen" bench "$spec" --backend cpu --backward --runs 3 2>&1); then
      echo "$spec: attngen $(tail -n 1 <<<"$line")"
    else
      ours=no
      echo "$spec: attngen backward bench unavailable ($(tail -n 1 <<<"$line"))"
    fi
  fi
  "$python" bench/torch_cpu_baseline.py "$spec" --mode backward --runs 3
done

# The neighborhood's backward against the dense backward on the same 16,384 tokens (ours only:
# PyTorch has no neighborhood backward but flex_attention's, which the forward section times).
echo "== backward: 2-D neighborhood 128x128 vs dense 16384 tokens (attngen)"
for spec in bench/specs/neighborhood-2d-128.json bench/specs/dense-16384.json; do
  echo "$spec: attngen $("$attngen" bench "$spec" --backend cpu --backward --runs 1 --warmup 0 | tail -n 1)"
done

# 16-bit storage against float32, whole library calls (`bench --end-to-end`: the inputs rounded to
# the storage type, the plan, the run, the output rounded), interleaved per round.
echo "== storage types: float32, float16, bfloat16 (attngen end to end), $rounds rounds"
for base in dense-4096 decode-gqa-128k; do
  for ((round = 1; round <= rounds; round++)); do
    for suffix in "" -f16 -bf16; do
      spec="bench/specs/$base$suffix.json"
      [[ -f "$spec" ]] || { echo "$spec: missing"; continue; }
      echo "$spec: attngen $("$attngen" bench "$spec" --backend cpu --end-to-end --runs 3 | tail -n 1)"
    done
  done
done
