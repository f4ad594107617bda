#!/usr/bin/env python3
"""XLA's CPU attention (jax.nn.dot_product_attention) on the shapes of a spec file, for a
side-by-side ratio with `attngen bench`. Supports 1-D dense and causal specs (XLA has no
neighborhood mask). Prints the median time and GFLOP/s over the same FLOP count attngen uses:
allowed pairs × 2·(headDim + valueDim)."""
import json
import statistics
import sys
import time

import jax
import jax.numpy as jnp


def main(path, runs=7):
    spec = json.load(open(path))
    p = spec["problem"]
    kind = spec["mask"]["kind"]
    if len(p["queryShape"]) != 1 or kind not in ("dense", "causal"):
        print(f"{path}: XLA baseline skipped (only 1-D dense/causal)")
        return
    b, h, d = p.get("batch", 1), p["heads"], p["headDim"]
    sq = p["queryShape"][0]
    sk = p.get("keyShape", [sq])[0]
    keys = jax.random.split(jax.random.PRNGKey(1), 3)
    q = jax.random.uniform(keys[0], (b, sq, h, d), jnp.float32, -1, 1)
    k = jax.random.uniform(keys[1], (b, sk, h, d), jnp.float32, -1, 1)
    v = jax.random.uniform(keys[2], (b, sk, h, d), jnp.float32, -1, 1)
    causal = kind == "causal"
    f = jax.jit(lambda q, k, v: jax.nn.dot_product_attention(q, k, v, is_causal=causal))
    f(q, k, v).block_until_ready()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f(q, k, v).block_until_ready()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    pairs = sq * sk if not causal else sum(min(sk, i + sk - sq + 1) for i in range(sq))
    gflops = pairs * 4 * d * b * h / median / 1e9
    print(f"{path}: XLA ({jax.default_backend()}) median {median * 1e3:.3f} ms, useful {gflops:.1f} GFLOP/s")


if __name__ == "__main__":
    for spec_path in sys.argv[1:]:
        main(spec_path)
