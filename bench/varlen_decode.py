#!/usr/bin/env python3
"""Mixed-length decode: one query for each of 32 sequences whose caches run from 1k to 128k
keys (geometric), GQA 8/2 heads, d128, float32, on `attngen bench` (CPU interpreter by
default). Times, interleaved over rounds so all see the same machine load:
  lean      one varlen call, LeanAttention over the true work (a grid of --workgroups)
  split-KV  one varlen call, each sequence's key tiles cut into --splits parts
  per-seq   32 calls, one per sequence (dense decode of its own cache, lean), times summed
With --page-size N every call reads K and V from a paged cache: a pool of N-token pages in a
shuffled order (plus 1% spare pages), one page-table row per sequence.
Usage: bench/varlen_decode.py [--attngen .build/release/attngen] [--backend cpu] [--rounds 3] [--page-size 256]
"""
import argparse, json, os, random, subprocess, sys, tempfile

def pages(key_lengths, page_size, seed):
    """A shuffled pool with every sequence's pages and 1% spare ones."""
    needed = [(k + page_size - 1) // page_size for k in key_lengths]
    count = sum(needed) + max(1, sum(needed) // 100)
    pool = list(range(count))
    random.Random(seed).shuffle(pool)
    table, start = [], 0
    for n in needed:
        table.append(pool[start:start + n])
        start += n
    return {"pageSize": page_size, "pageCount": count, "pageTable": table}

def spec(query_lengths, key_lengths, schedule, heads, kv_heads, head_dim, key_tile, page_size=None):
    varlen = len(key_lengths) > 1
    mask = ({"kind": "varlen", "queryLengths": query_lengths, "keyLengths": key_lengths, "causal": True}
            if varlen else {"kind": "causal"})
    problem = {"batch": 1, "heads": heads, "kvHeads": kv_heads, "headDim": head_dim,
               "queryShape": [sum(query_lengths)], "keyShape": [sum(key_lengths)]}
    if page_size:
        problem["pages"] = pages(key_lengths, page_size, seed=sum(key_lengths))
    return {"problem": problem, "mask": mask, "tiling": {"queryTile": [1], "keyTile": [key_tile]}, "schedule": schedule}

def median_seconds(attngen, path, backend, runs):
    out = subprocess.run([attngen, "bench", path, "--backend", backend, "--runs", str(runs), "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["medianSeconds"]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--attngen", default=".build/release/attngen")
    ap.add_argument("--backend", default="cpu")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sequences", type=int, default=32)
    ap.add_argument("--shortest", type=int, default=1024)
    ap.add_argument("--longest", type=int, default=131072)
    ap.add_argument("--workgroups", type=int, default=64)
    ap.add_argument("--splits", type=int, default=8)
    ap.add_argument("--page-size", type=int, default=0, help="read K/V from a paged cache of this page size (0: dense)")
    a = ap.parse_args()
    n = a.sequences
    ratio = (a.longest / a.shortest) ** (1 / (n - 1))
    keys = [round(a.shortest * ratio ** i) for i in range(n)]
    heads, kv_heads, head_dim, key_tile = 8, 2, 128, 128
    total = sum(keys)
    kv_bytes = total * kv_heads * head_dim * 4 * 2
    print(f"{n} sequences, keys {keys[0]}..{keys[-1]} (total {total}), heads {heads}/{kv_heads}, d{head_dim}, "
          f"float32: {kv_bytes / 1e9:.2f} GB of K/V; "
          f"{f'paged, {a.page_size}-token pages' if a.page_size else 'dense cache'}; backend {a.backend}")
    tmp = tempfile.mkdtemp()
    def write(name, s):
        path = os.path.join(tmp, name)
        with open(path, "w") as f:
            json.dump(s, f)
        return path
    ones = [1] * n
    lean = write("lean.json", spec(ones, keys, {"kind": "lean", "workgroups": a.workgroups}, heads, kv_heads, head_dim, key_tile, a.page_size))
    split = write("splitkv.json", spec(ones, keys, {"kind": "splitKV", "splits": a.splits}, heads, kv_heads, head_dim, key_tile, a.page_size))
    singles = [write(f"seq-{i:02}.json", spec([1], [k], {"kind": "lean", "workgroups": a.workgroups}, heads, kv_heads, head_dim, key_tile, a.page_size))
               for i, k in enumerate(keys)]
    rows = {"lean": [], "split-KV": [], "per-sequence": []}
    for r in range(a.rounds):
        rows["lean"].append(median_seconds(a.attngen, lean, a.backend, a.runs))
        rows["split-KV"].append(median_seconds(a.attngen, split, a.backend, a.runs))
        rows["per-sequence"].append(sum(median_seconds(a.attngen, p, a.backend, a.runs) for p in singles))
        print(f"round {r + 1}: " + ", ".join(f"{k} {v[-1] * 1e3:.1f} ms" for k, v in rows.items()), flush=True)
    med = {k: sorted(v)[len(v) // 2] for k, v in rows.items()}
    print("median over rounds: " + ", ".join(f"{k} {v * 1e3:.1f} ms ({kv_bytes / v / 1e9:.1f} GB/s of K/V)" for k, v in med.items()))
    print(f"lean vs split-KV {med['split-KV'] / med['lean']:.2f}x, lean vs one call per sequence {med['per-sequence'] / med['lean']:.2f}x")

if __name__ == "__main__":
    sys.exit(main())
