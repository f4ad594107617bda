#!/usr/bin/env python3
"""PyTorch's CPU attention on the shapes of spec files, for a side-by-side ratio with
`attngen bench --backend cpu` on the same machine. float32 inputs uniform in [-1, 1], laid out
[B, tokens, H, D] and transposed to PyTorch's [B, H, S, D].

--mode forward (default): scaled_dot_product_attention for dense and causal specs (causal with
Sq != Sk through an explicit bottom-right-aligned mask: key j visible iff j <= i + Sk - Sq), and
flex_attention compiled with torch.compile, with a block mask of NATTEN's neighborhood rule, for
neighborhood specs. --mode backward: SDPA forward + backward (out.backward(dout)) per call, and the
forward alone in the same process. --bandwidth: a 1 GiB float32 copy, read + write bytes per second.

Warm-up once, then the median of --runs runs. Useful FLOPs as attngen counts them: allowed
(query, key) pairs × 2·(headDim + valueDim) × batch × heads; forward + backward counts 3.5× that
(FlashAttention's convention: backward = 2.5× forward).
Usage: bench/torch_cpu_baseline.py [--mode forward|backward] [--runs N] [--bandwidth] SPEC.json ..."""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn.functional as F


def median_s(fn, runs, before=None):
    """Median wall time of fn() over `runs` calls after one warm-up; `before` runs untimed first."""
    if before:
        before()
    fn()
    times = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def uniform(*shape):
    return torch.rand(*shape, dtype=torch.float32) * 2 - 1


def gqa_supported():
    q = torch.zeros(1, 2, 1, 4)
    kv = torch.zeros(1, 1, 1, 4)
    try:
        F.scaled_dot_product_attention(q, kv, kv, enable_gqa=True)
        return True
    except TypeError:
        return False


def neighborhood_axes(mask, rank):
    n = len(mask["window"])
    if n != rank:
        raise ValueError(f"mask.window has {n} axes, queryShape {rank}")
    return [dict(window=mask["window"][a],
                 stride=mask.get("stride", [1] * n)[a],
                 dilation=mask.get("dilation", [1] * n)[a],
                 causal=mask.get("causal", [False] * n)[a]) for a in range(n)]


def axis_window(i, length, window, stride, dilation, causal):
    """NATTEN's rule on one axis, the keys query i sees: every dilation-th token from first to
    last (global coordinates). Non-causal windows shift inward at the borders, never clipped."""
    group, local = i % dilation, i // dilation
    n = (length - group + dilation - 1) // dilation
    if causal:
        leader = min((local // stride) * stride + stride - 1, n - 1)
        lo, hi = max(leader - window + 1, 0), local
    else:
        wl = window // 2
        wr = window - 1 - wl
        leader = min((local // stride) * stride + stride // 2, n - 1)
        centre = min(max(leader, wl), n - 1 - wr)
        lo, hi = centre - wl, centre + wr
    return lo * dilation + group, hi * dilation + group


def neighborhood_pairs(shape, axes):
    """Allowed pairs of the AND of per-axis masks: the product over axes of each axis's pairs."""
    pairs = 1
    for length, ax in zip(shape, axes):
        pairs *= sum((last - first) // ax["dilation"] + 1
                     for first, last in (axis_window(i, length, **ax) for i in range(length)))
    return pairs


def neighborhood_mask_mod(shape, axes):
    """mask_mod for flex_attention: the same rule as axis_window, on row-major flat indices."""
    def allows(i, j, length, window, stride, dilation, causal):
        group, local, key = i % dilation, i // dilation, j // dilation
        n = (length - group + dilation - 1) // dilation
        if causal:
            leader = torch.minimum((local // stride) * stride + stride - 1, n - 1)
            lo = torch.clamp(leader - window + 1, min=0)
            hi = local
        else:
            wl = window // 2
            wr = window - 1 - wl
            leader = torch.minimum((local // stride) * stride + stride // 2, n - 1)
            centre = torch.minimum(torch.clamp(leader, min=wl), n - 1 - wr)
            lo, hi = centre - wl, centre + wr
        return (j % dilation == group) & (key >= lo) & (key <= hi)

    def mask_mod(b, h, q_idx, kv_idx):
        ok = None
        qi, kj = q_idx, kv_idx
        for length, ax in reversed(list(zip(shape, axes))):
            axis_ok = allows(qi % length, kj % length, length, **ax)
            ok = axis_ok if ok is None else ok & axis_ok
            qi, kj = qi // length, kj // length
        return ok

    return mask_mod


class Problem:
    def __init__(self, path):
        spec = json.load(open(path))
        p, self.mask = spec["problem"], spec["mask"]
        self.kind = self.mask["kind"]
        self.b, self.h, self.d = p.get("batch", 1), p["heads"], p["headDim"]
        self.hk, self.dv = p.get("kvHeads", self.h), p.get("valueDim", self.d)
        self.qshape = p["queryShape"]
        self.kshape = p.get("keyShape", self.qshape)
        self.sq, self.sk = math.prod(self.qshape), math.prod(self.kshape)
        self.scale = p.get("scale")
        self.dtype = p.get("dtype", "float32")

    def pairs(self):
        if self.kind == "dense":
            return self.sq * self.sk
        if self.kind == "causal":
            return sum(min(max(i + 1 + self.sk - self.sq, 0), self.sk) for i in range(self.sq))
        return neighborhood_pairs(self.qshape, neighborhood_axes(self.mask, len(self.qshape)))

    def flops(self, pairs):
        return pairs * 2 * (self.d + self.dv) * self.b * self.h

    def tensors(self):
        """q, k, v in [B, H, S, D] (generated as [B, tokens, H, D], then transposed)."""
        q = uniform(self.b, self.sq, self.h, self.d).transpose(1, 2)
        k = uniform(self.b, self.sk, self.hk, self.d).transpose(1, 2)
        v = uniform(self.b, self.sk, self.hk, self.dv).transpose(1, 2)
        return q, k, v


def sdpa_call(pr, notes):
    """A function (q, k, v) -> out computing the spec's dense or causal attention with SDPA."""
    kwargs = {"scale": pr.scale}
    if pr.kind == "causal" and pr.sq == pr.sk:
        kwargs["is_causal"] = True
    elif pr.kind == "causal":
        i = torch.arange(pr.sq).unsqueeze(1)
        j = torch.arange(pr.sk).unsqueeze(0)
        kwargs["attn_mask"] = j <= i + pr.sk - pr.sq
        notes.append("explicit bottom-right causal mask")
    repeat = 1
    if pr.hk != pr.h:
        if gqa_supported():
            kwargs["enable_gqa"] = True
            notes.append("GQA via enable_gqa")
        else:
            repeat = pr.h // pr.hk
            notes.append("GQA via repeat_interleave of K/V (no enable_gqa in this torch)")

    def call(q, k, v):
        if repeat > 1:
            k, v = k.repeat_interleave(repeat, dim=1), v.repeat_interleave(repeat, dim=1)
        return F.scaled_dot_product_attention(q, k, v, **kwargs)

    return call


def flex_call(pr, notes):
    """A compiled flex_attention call with the spec's neighborhood block mask, or a reason why not."""
    from torch.nn.attention.flex_attention import create_block_mask, flex_attention
    if pr.qshape != pr.kshape:
        raise ValueError("neighborhood spec with queryShape != keyShape")
    axes = neighborhood_axes(pr.mask, len(pr.qshape))
    block_mask = create_block_mask(neighborhood_mask_mod(pr.qshape, axes), None, None, pr.sq, pr.sk, device="cpu")
    compiled = torch.compile(flex_attention)
    kwargs = {"block_mask": block_mask, "scale": pr.scale}
    if pr.hk != pr.h:
        kwargs["enable_gqa"] = True
        notes.append("GQA via enable_gqa")
    notes.append(f"block mask {block_mask.BLOCK_SIZE[0]}x{block_mask.BLOCK_SIZE[1]}, "
                 f"{100 - block_mask.sparsity():.1f}% of blocks visited")
    return lambda q, k, v: compiled(q, k, v, **kwargs)


def describe(pr, notes):
    extra = [f"float32{'' if pr.dtype == 'float32' else f' (spec dtype {pr.dtype})'}",
             f"{torch.get_num_threads()} threads"] + notes
    return ", ".join(extra)


def forward(path, pr, runs):
    notes = []
    q, k, v = pr.tensors()
    if pr.kind in ("dense", "causal"):
        name, call = "sdpa", sdpa_call(pr, notes)
    elif pr.kind == "neighborhood":
        name = "flex_attention (torch.compile)"
        try:
            call = flex_call(pr, notes)
            with torch.no_grad():
                call(q, k, v)
        except Exception as error:  # a missing compiler, an unsupported CPU path: report, go on
            first = (str(error).strip().splitlines() or [""])[0][:300]
            print(f"{path}: PyTorch {torch.__version__} CPU flex_attention skipped: torch.compile / "
                  f"flex_attention failed ({type(error).__name__}: {first})")
            return
    else:
        print(f"{path}: PyTorch CPU baseline skipped (mask kind {pr.kind!r} not supported here)")
        return
    with torch.no_grad():
        seconds = median_s(lambda: call(q, k, v), runs)
    gflops = pr.flops(pr.pairs()) / seconds / 1e9
    print(f"{path}: PyTorch {torch.__version__} CPU {name} forward median {seconds * 1e3:.3f} ms, "
          f"useful {gflops:.1f} GFLOP/s ({describe(pr, notes)})")


def backward(path, pr, runs):
    if pr.kind not in ("dense", "causal"):
        print(f"{path}: PyTorch CPU backward skipped (SDPA backward covers dense and causal only)")
        return
    notes = []
    call = sdpa_call(pr, notes)
    q, k, v = (t.detach().requires_grad_() for t in pr.tensors())
    dout = torch.Generator().manual_seed(7)
    dout = (torch.rand(pr.b, pr.h, pr.sq, pr.dv, generator=dout) * 2 - 1)

    def clear():
        q.grad = k.grad = v.grad = None

    both = median_s(lambda: call(q, k, v).backward(dout), runs, before=clear)
    with torch.no_grad():
        fwd = median_s(lambda: call(q, k, v), runs)
    flops = pr.flops(pr.pairs())
    print(f"{path}: PyTorch {torch.__version__} CPU sdpa forward+backward median {both * 1e3:.3f} ms, "
          f"useful {3.5 * flops / both / 1e9:.1f} GFLOP/s (FLOPs 3.5x forward, FlashAttention's convention "
          f"backward = 2.5x forward); forward alone (no grad) median {fwd * 1e3:.3f} ms, "
          f"useful {flops / fwd / 1e9:.1f} GFLOP/s ({describe(pr, notes)})")


def bandwidth(runs=5):
    n = (1 << 30) // 4
    src = uniform(n)
    dst = torch.empty_like(src)
    seconds = median_s(lambda: dst.copy_(src), runs)
    print(f"memory bandwidth: PyTorch {torch.__version__} copy_ of a 1 GiB float32 tensor, median "
          f"{seconds * 1e3:.3f} ms over {runs}, {2 * n * 4 / seconds / 1e9:.1f} GB/s (read + write bytes, "
          f"{torch.get_num_threads()} threads)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="*", help="spec JSON files")
    parser.add_argument("--mode", choices=("forward", "backward"), default="forward")
    parser.add_argument("--runs", type=int, default=5, help="timed runs after one warm-up (default 5)")
    parser.add_argument("--bandwidth", action="store_true", help="also measure a 1 GiB copy's bandwidth")
    args = parser.parse_args()
    torch.manual_seed(1)
    for path in args.specs:
        pr = Problem(path)
        (forward if args.mode == "forward" else backward)(path, pr, args.runs)
    if args.bandwidth:
        bandwidth()


if __name__ == "__main__":
    main()
