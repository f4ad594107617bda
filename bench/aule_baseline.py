#!/usr/bin/env python3
"""aule-attention (PyPI, a peer that ships Vulkan attention shaders) on this machine's Vulkan device,
on the shapes of our benchmark specs, for a side-by-side with `attngen bench --backend vulkan`.

Cases (batch 1, 8 heads, head dim 64, float32, q/k/v ~ normal(0,1) with a fixed seed):
  dense          4096 query and key tokens (1024 with --quick)
  causal         the same, causal (Sq == Sk, so bottom-right and top-left alignment agree)
  neighborhood-2d  128x128 tokens, 13x13 window: aule has no 2-D neighborhood mask, so this is
                 recorded as "not supported" without running anything
  window-1d-proxy  (only when asked for with --cases) the nearest thing aule has: its 1-D symmetric
                 sliding window (window_size=169 keeps |i-j| <= 84, 169 keys a query, as many as
                 13x13) over the 16384 flattened tokens; a different mask, not the 2-D neighborhood

Each case runs in its own child process, so that a case past --case-timeout can be stopped. A case
makes one warm-up call (buffer creation, first dispatch; reported as first_call_s), then --runs timed
calls of aule.vulkan.Aule.attention (numpy in, numpy out: it includes aule's host<->device copies),
and reports the median. GFLOP/s use 4*B*H*Sq*Sk*d for dense, half of that for causal, and
4*B*H*d*(allowed pairs) for the window proxy. The output of the warm-up call is checked against a
float64 numpy reference, softmax(q k^T / sqrt(d)) v, computed in query blocks.

aule falls back silently to a native CPU path when it finds no Vulkan device; this script checks
aule's own backend report (aule_get_backend_name) and refuses to time anything but "Vulkan". The
device name comes from the Vulkan loader's log (VK_LOADER_DEBUG=driver), because aule's own
aule_get_device_name uses GFNI instructions that raise SIGILL on CPUs without GFNI.

Usage: /work/venv-aule/bin/python bench/aule_baseline.py [--quick] [--runs N] [--case-timeout S]
       [--cases dense,causal,neighborhood-2d,window-1d-proxy]
Prints one JSON line per case.
"""
import argparse
import json
import math
import os
import queue
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HEADS, HEAD_DIM, BATCH = 8, 64, 1
GRID, WINDOW_2D = 128, 13
PROXY_WINDOW = WINDOW_2D * WINDOW_2D  # aule keeps |i-j| <= window_size // 2
DEFAULT_CASES = "dense,causal,neighborhood-2d"
MARK = "@@AULE "


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- child side

def emit(**event):
    print(MARK + json.dumps(event), flush=True)


def cpu_has(flag):
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return flag in line.split()
    except OSError:
        pass
    return False


def open_aule():
    """Imports aule and initialises it; returns (aule.vulkan module, Aule instance, info dict)."""
    import ctypes

    import aule
    from aule import vulkan as av

    inst = av.Aule()
    lib = inst._lib
    lib.aule_get_backend_name.argtypes = []
    lib.aule_get_backend_name.restype = ctypes.c_char_p
    backend = (lib.aule_get_backend_name() or b"?").decode(errors="replace")
    info = {
        "version": getattr(aule, "__version__", "?"),
        "backend": backend,
        "vendor": inst.vendor,
        "subgroup_size": inst.subgroup_size,
        "shader_variant": inst.shader_variant_name,
        "shader_variants": inst.available_shader_variants,
        "fp16": inst.fp16_supported,
    }
    # aule_get_device_name is compiled with GFNI (vgf2p8affineqb): SIGILL on CPUs without it.
    info["device_name"] = inst.device_name if cpu_has("gfni") else None
    return av, inst, info


def reference(q, k, v, causal, window, block=256):
    """float64 softmax(q k^T / sqrt(d)) v, one query block at a time (memory: block x Sk)."""
    import numpy as np

    b, h, sq, d = q.shape
    sk = k.shape[2]
    scale = 1.0 / math.sqrt(d)
    out = np.empty((b, h, sq, d), dtype=np.float64)
    cols = np.arange(sk)[None, :]
    for bi in range(b):
        for hi in range(h):
            kk = k[bi, hi].astype(np.float64)
            vv = v[bi, hi].astype(np.float64)
            for start in range(0, sq, block):
                stop = min(start + block, sq)
                s = q[bi, hi, start:stop].astype(np.float64) @ kk.T * scale
                rows = np.arange(start, stop)[:, None]
                if causal:
                    s = np.where(cols <= rows + (sk - sq), s, -np.inf)
                if window is not None:
                    s = np.where(np.abs(cols - rows) <= window // 2, s, -np.inf)
                s -= s.max(axis=1, keepdims=True)
                np.exp(s, out=s)
                s /= s.sum(axis=1, keepdims=True)
                out[bi, hi, start:stop] = s @ vv
    return out


def child_probe():
    try:
        _, _, info = open_aule()
    except Exception as e:  # ImportError, AuleError, RuntimeError (library not found)
        emit(event="fatal", msg=f"aule unavailable: {type(e).__name__}: {e}")
        return 2
    emit(event="info", **info)
    return 0


def child_case(args):
    import numpy as np

    case = args.child
    try:
        av, inst, info = open_aule()
    except Exception as e:
        emit(event="fatal", msg=f"aule unavailable: {type(e).__name__}: {e}")
        return 2
    emit(event="info", **info)
    if info["backend"] != "Vulkan":
        emit(event="fatal", msg=f"aule backend is {info['backend']!r}, not Vulkan (no usable Vulkan device); not timed")
        return 3

    causal = case == "causal"
    window = PROXY_WINDOW if case == "window-1d-proxy" else None
    s = GRID * GRID if window is not None else args.tokens
    rng = np.random.default_rng(args.seed)
    shape = (BATCH, HEADS, s, HEAD_DIM)
    q, k, v = (rng.standard_normal(shape).astype(np.float32) for _ in range(3))
    if window is None:
        flops = 4.0 * BATCH * HEADS * s * s * HEAD_DIM * (0.5 if causal else 1.0)
    else:
        i = np.arange(s)
        pairs = int((np.minimum(i + window // 2, s - 1) - np.maximum(i - window // 2, 0) + 1).sum())
        flops = 4.0 * BATCH * HEADS * pairs * HEAD_DIM
    emit(event="shape", tokens=s, flops=flops)

    t0 = time.perf_counter()
    ref = reference(q, k, v, causal, window)
    emit(event="reference", s=time.perf_counter() - t0)

    t0 = time.perf_counter()
    out = inst.attention(q, k, v, causal=causal, window_size=window if window is not None else -1)
    emit(event="warmup", s=time.perf_counter() - t0)
    emit(event="error", max_abs_error=float(np.max(np.abs(out.astype(np.float64) - ref))))
    for _ in range(args.runs):
        t0 = time.perf_counter()
        inst.attention(q, k, v, causal=causal, window_size=window if window is not None else -1)
        emit(event="run", s=time.perf_counter() - t0)
    emit(event="done")
    return 0


# ----------------------------------------------------------------------------- parent side

def run_child(argv, timeout, env=None):
    """Runs this script as a child; returns (events, returncode or None if killed, elapsed, stderr tail)."""
    events = []
    lines = queue.Queue()
    with tempfile.TemporaryFile(mode="w+") as err:
        proc = subprocess.Popen([sys.executable, os.path.abspath(__file__)] + argv, stdout=subprocess.PIPE,
                                stderr=err, text=True, env=env)

        def reader():
            for line in proc.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=reader, daemon=True).start()
        start = time.monotonic()
        killed = False
        while True:
            left = timeout - (time.monotonic() - start)
            if left <= 0:
                proc.kill()
                killed = True
                break
            try:
                line = lines.get(timeout=min(left, 5.0))
            except queue.Empty:
                continue
            if line is None:
                break
            if line.startswith(MARK):
                events.append(json.loads(line[len(MARK):]))
        proc.wait()
        elapsed = time.monotonic() - start
        err.seek(0)
        tail = err.read()
    return events, (None if killed else proc.returncode), elapsed, tail


def loader_device(stderr_text):
    m = re.search(r'Using "([^"]+)" with driver: "([^"]+)"', stderr_text)
    return (m.group(1), m.group(2)) if m else None


def describe_failure(rc, tail):
    if rc is not None and rc < 0:
        return f"child killed by signal {-rc}"
    lines = [l for l in tail.strip().splitlines() if "createTensor" not in l and "createBuffer" not in l
             and "GpuTensor.init" not in l]
    return f"child exited {rc}: " + " | ".join(lines[-3:])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="1024 tokens instead of 4096 (dense, causal)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs after the warm-up (default 3)")
    ap.add_argument("--case-timeout", type=float, default=480.0,
                    help="seconds a case may take, reference and warm-up included (default 480)")
    ap.add_argument("--cases", default=DEFAULT_CASES,
                    help=f"comma-separated, from dense,causal,neighborhood-2d,window-1d-proxy (default {DEFAULT_CASES})")
    ap.add_argument("--tokens", type=int, default=None, help="override the 1-D token count (smoke tests)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.tokens is None:
        args.tokens = 1024 if args.quick else 4096

    if args.child == "probe":
        return child_probe()
    if args.child:
        return child_case(args)

    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    known = {"dense", "causal", "neighborhood-2d", "window-1d-proxy"}
    bad = [c for c in cases if c not in known]
    if bad:
        ap.error(f"unknown case(s) {bad}; known: {sorted(known)}")

    # Probe: is aule importable, does it get a Vulkan device, which one (Vulkan loader log)?
    env = dict(os.environ, VK_LOADER_DEBUG="driver")
    events, rc, _, tail = run_child(["--child", "probe"], timeout=120, env=env)
    fatal = [e for e in events if e["event"] == "fatal"]
    info = next((e for e in events if e["event"] == "info"), None)
    if fatal or info is None:
        msg = fatal[0]["msg"] if fatal else describe_failure(rc, tail)
        log(f"aule_baseline: cannot run: {msg}")
        log("(install: python3 -m venv /work/venv-aule && /work/venv-aule/bin/pip install aule-attention==0.5.0 numpy;"
            " run with /work/venv-aule/bin/python)")
        return 2
    if info["backend"] != "Vulkan":
        log(f"aule_baseline: cannot run: aule {info['version']} reports backend {info['backend']!r}, not Vulkan: "
            "no usable Vulkan device (aule would silently use its CPU fallback)")
        return 3
    found = loader_device(tail)
    name = info["device_name"] or (found[0] if found else "unknown")
    device = (f"aule backend {info['backend']}: {name}"
              + (f" (driver {found[1]}, from the Vulkan loader log)" if found else "")
              + f"; aule vendor={info['vendor']}, subgroup={info['subgroup_size']}, "
                f"shader variant={info['shader_variant']} of {info['shader_variants']}")
    library = f"aule-attention {info['version']}"

    status = 0
    for case in cases:
        row = {"case": case, "library": library, "device": device, "first_call_s": None, "median_s": None,
               "runs": 0, "gflops": None, "max_abs_error": None, "notes": ""}
        if case == "neighborhood-2d":
            row["case"] = f"neighborhood-2d {GRID}x{GRID} window {WINDOW_2D}x{WINDOW_2D}"
            row["notes"] = ("not supported: aule's Vulkan path has dense, causal (top-left aligned) and a 1-D "
                            "sliding window (window_size) over one sequence axis, no 2-D neighborhood mask; "
                            "--cases window-1d-proxy runs the 1-D window with as many keys a query")
            print(json.dumps(row), flush=True)
            continue
        events, rc, elapsed, tail = run_child(
            ["--child", case, "--tokens", str(args.tokens), "--runs", str(args.runs), "--seed", str(args.seed)],
            timeout=args.case_timeout)
        shape = next((e for e in events if e["event"] == "shape"), {})
        tokens = shape.get("tokens", args.tokens)
        row["case"] = {"dense": f"dense b{BATCH} h{HEADS} s{tokens} d{HEAD_DIM} f32",
                       "causal": f"causal b{BATCH} h{HEADS} s{tokens} d{HEAD_DIM} f32",
                       "window-1d-proxy": f"window-1d-proxy b{BATCH} h{HEADS} s{tokens} (128x128 flattened) "
                                          f"window_size {PROXY_WINDOW} d{HEAD_DIM} f32"}[case]
        notes = []
        for e in events:
            if e["event"] == "warmup":
                row["first_call_s"] = round(e["s"], 4)
            elif e["event"] == "error":
                row["max_abs_error"] = e["max_abs_error"]
            elif e["event"] == "reference":
                notes.append(f"float64 reference {e['s']:.1f} s (not timed)")
            elif e["event"] == "fatal":
                notes.append(e["msg"])
        times = [e["s"] for e in events if e["event"] == "run"]
        row["runs"] = len(times)
        if times:
            row["median_s"] = round(statistics.median(times), 4)
            row["gflops"] = round(shape["flops"] / row["median_s"] / 1e9, 4)
        elif row["first_call_s"] and shape:
            notes.append(f"warm-up GFLOP/s {shape['flops'] / row['first_call_s'] / 1e9:.4f}")
        if case == "window-1d-proxy":
            notes.append("NOT the 2-D neighborhood: aule 1-D symmetric window |i-j|<=84 on flattened tokens; "
                         "FLOPs over its allowed pairs")
        if case == "causal":
            notes.append("aule causal is top-left aligned (j<=i); equal lengths here")
        if rc is None:
            notes.append(f"stopped after {elapsed:.0f} s (case limit {args.case_timeout:.0f} s); "
                         f"{len(times)} of {args.runs} timed runs done")
            status = 1
        elif rc != 0:
            notes.append(describe_failure(rc, tail))
            status = 1
        notes.append("timings include aule's host<->device copies (Aule.attention, numpy API)")
        row["notes"] = "; ".join(notes)
        print(json.dumps(row), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
