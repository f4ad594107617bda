#!/usr/bin/env python3
"""PyTorch's attention on a CUDA GPU on the shapes of spec files, for a side-by-side ratio with
`attngen bench` on the same machine: scaled_dot_product_attention for dense and causal 1-D specs
(fp32 and the spec's own dtype). Prints the median time and GFLOP/s over the FLOP count attngen
uses for useful work: allowed pairs × 2·(headDim + valueDim).
Usage: bench/torch_baseline.py SPEC.json [SPEC.json ...]"""
import json
import statistics
import sys

import torch
import torch.nn.functional as F

DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


def median_ms(fn, runs=20, warmup=3):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(runs):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def main(paths):
    for path in paths:
        spec = json.load(open(path))
        p, kind = spec["problem"], spec["mask"]["kind"]
        if len(p["queryShape"]) != 1 or kind not in ("dense", "causal"):
            print(f"{path}: torch baseline skipped (only 1-D dense/causal)")
            continue
        b, h, d = p.get("batch", 1), p["heads"], p["headDim"]
        hk, dv = p.get("kvHeads", h), p.get("valueDim", d)
        sq = p["queryShape"][0]
        sk = p.get("keyShape", [sq])[0]
        pairs = sq * sk if kind == "dense" else sum(min(i + 1 + (sk - sq), sk) for i in range(sq))
        flops = b * h * pairs * 2 * (d + dv)
        for name in sorted({"float32", p.get("dtype", "float32")}):
            dtype = DTYPES[name]
            q = torch.rand(b, h, sq, d, device="cuda", dtype=dtype) * 2 - 1
            k = torch.rand(b, hk, sk, d, device="cuda", dtype=dtype) * 2 - 1
            v = torch.rand(b, hk, sk, dv, device="cuda", dtype=dtype) * 2 - 1
            fn = lambda: F.scaled_dot_product_attention(q, k, v, is_causal=kind == "causal", enable_gqa=hk != h)
            ms = median_ms(fn)
            print(f"{path}: torch {torch.__version__} SDPA {name} on {torch.cuda.get_device_name()}: "
                  f"median {ms:.3f} ms, {flops / ms / 1e6:.1f} GFLOP/s useful")


if __name__ == "__main__":
    main(sys.argv[1:])
