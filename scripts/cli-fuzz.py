#!/usr/bin/env python3
"""Mutation fuzzing of the attngen command line, as a new user's mistakes would look: catalogue
specs with numbers pushed to extremes, fields dropped, duplicated or retyped, kinds swapped,
then `validate`, `explain`, `simulate`, `emit --target ir|opencl` and (when valid) `inputs` +
`run --backend cpu --verify` (small problems only), each under a time limit. A crash (a signal, or a Swift runtime
trap on stderr) or a command past its limit is a finding; the spec is kept in fuzz-artifacts/.
Usage: scripts/cli-fuzz.py [INVOCATIONS] [SEED]   (a release build of attngen is used)"""
import copy
import json
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ATTNGEN = os.path.join(ROOT, ".build", "release", "attngen")
LIMIT_S = 20
EXTREMES = [0, 1, -1, 2, 3, 7, 64, 65, 1000, 65535, 65536, 2**31 - 1, 2**31, 2**32, 2**40, 2**62, 10**9, -2**31, 1e38, 0.5, float("nan")]


def mutate(spec, rng):
    spec = copy.deepcopy(spec)
    for _ in range(rng.randint(1, 3)):
        paths = []

        def walk(node, path):
            if isinstance(node, dict):
                for key, value in node.items():
                    paths.append(path + [key])
                    walk(value, path + [key])
            elif isinstance(node, list):
                for index, value in enumerate(node):
                    paths.append(path + [index])
                    walk(value, path + [index])

        walk(spec, [])
        if not paths:
            break
        path = rng.choice(paths)
        parent = spec
        for step in path[:-1]:
            parent = parent[step]
        key = path[-1]
        choice = rng.random()
        if choice < 0.55:
            parent[key] = rng.choice(EXTREMES)
        elif choice < 0.65 and isinstance(parent, dict):
            del parent[key]
        elif choice < 0.75:
            parent[key] = rng.choice(["", "dense", "causal", "neighborhood", "splitKV", "lean", "float16", [], {}, None, True])
        elif choice < 0.85 and isinstance(parent[key], list):
            parent[key] = parent[key] + parent[key]
        elif choice < 0.95 and isinstance(parent[key], list) and parent[key]:
            parent[key] = parent[key][:-1]
        else:
            parent[key] = [rng.choice(EXTREMES) for _ in range(rng.randint(0, 4))]
    return spec


def small(spec):
    """Whether running the spec (and its float64 reference) is cheap: a valid but large problem
    is slow, not stuck, so `run` is tried only below about 10^9 score-dimension products."""
    try:
        p = spec["problem"]
        queries, keys = 1, 1
        for n in p["queryShape"]:
            queries *= n
        for n in p.get("keyShape", p["queryShape"]):
            keys *= n
        return p.get("batch", 1) * p["heads"] * queries * keys * (p["headDim"] + p.get("valueDim", p["headDim"])) <= 1e9
    except (KeyError, TypeError):
        return False


def invoke(arguments, work):
    try:
        done = subprocess.run([ATTNGEN] + arguments, cwd=work, capture_output=True, text=True, timeout=LIMIT_S)
    except subprocess.TimeoutExpired:
        return "hang"
    trapped = any(word in done.stderr for word in ("Fatal error", "Swift runtime failure", "fatal error"))
    if done.returncode < 0 or trapped:
        return f"crash (status {done.returncode}): {done.stderr.strip()[-300:]}"
    return None


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    if not os.path.exists(ATTNGEN):
        sys.exit(f"{ATTNGEN} is missing: swift build -c release --product attngen")
    folder = os.path.join(ROOT, "Kernels", "specs")
    seeds = [json.load(open(os.path.join(folder, name))) for name in sorted(os.listdir(folder))]
    os.makedirs(os.path.join(ROOT, "fuzz-artifacts"), exist_ok=True)
    invocations, findings = 0, []
    with tempfile.TemporaryDirectory() as work:
        while invocations < count:
            spec = mutate(rng.choice(seeds), rng)
            path = os.path.join(work, "spec.json")
            with open(path, "w") as f:
                f.write(json.dumps(spec, allow_nan=True))
            commands = [["validate", path], ["explain", path], ["simulate", path], ["emit", path, "--target", "ir"],
                        ["emit", path, "--target", "opencl", "--out", os.path.join(work, "cl"), "--force"]]
            valid = subprocess.run([ATTNGEN, "validate", path], capture_output=True, timeout=LIMIT_S).returncode == 0
            if valid and small(spec):
                commands.append(["inputs", path, "--out-dir", work, "--force"])
                commands.append(["run", path, "--q", "q.npy", "--k", "k.npy", "--v", "v.npy", "--out", "o.npy", "--force",
                                 "--backend", "cpu", "--verify", "--memory-budget", str(1 << 30)])
            for command in commands:
                invocations += 1
                finding = invoke([path if a == path else a for a in command], work)
                if finding:
                    kept = os.path.join(ROOT, "fuzz-artifacts", f"cli-{len(findings)}.json")
                    with open(kept, "w") as f:
                        json.dump(spec, f, allow_nan=True)
                    findings.append(f"{command[0]}: {finding} (spec kept as {kept})")
                    print(findings[-1], flush=True)
    print(f"{invocations} invocations, {len(findings)} findings")
    sys.exit(1 if findings else 0)


if __name__ == "__main__":
    main()
