#!/usr/bin/env python3
"""RoPEScope with full instrumentation against what a researcher would otherwise run: the PyTorch
reference forward, plain and with every layer's attention maps kept (HF `output_attentions=True`
style: one [heads, T, T] probability tensor per layer). Every run is its own process, so wall time
and peak RSS (getrusage of the child) are per run. Prints a markdown table for bench/README.md.

  /usr/bin/python3 bench/compare_instrumented.py [--tokens 512,2048,4096] [--repeats 3]
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import bench_common

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


class ProbsOnly(dict):
    """A layer record that keeps only the attention probabilities, as HF output_attentions does."""

    def __setitem__(self, key, value):
        if key == "attn":
            super().__setitem__(key, value)


def torch_worker(ckpt, tokens, maps):
    """One PyTorch run in this process; prints load/forward seconds and peak RSS as JSON."""
    import torch
    sys.path.insert(0, os.path.join(ROOT, "tests", "reference"))
    import rope_pp_reference as ref

    torch.set_num_threads(os.cpu_count())
    t0 = time.perf_counter()
    model = ref.load_model(ckpt)
    load = time.perf_counter() - t0
    ids = torch.randint(0, model.config["vocab_size"], (tokens,), generator=torch.Generator().manual_seed(1))
    t0 = time.perf_counter()
    with torch.no_grad():
        if maps:
            cos, sin = ref.cos_sin(model.inv_freq, model.mscale, torch.arange(tokens))
            hidden = model.weights["model.embed_tokens.weight"][ids]
            kept = []
            for layer in model.layers:
                record = ProbsOnly()
                hidden = layer.forward(hidden, cos, sin, record)
                kept.append(record["attn"])
            hidden = ref.rms_norm(hidden, model.weights["model.norm.weight"], model.eps)
            logits = torch.nn.functional.linear(hidden, model.lm_head())
            ref.next_token_nll(logits, ids)
        else:
            model.forward(ids)
    forward = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"load_s": load, "forward_s": forward, "peak_rss": peak}))


def ropescope_run(cli, ckpt, tokens, out_dir):
    import random
    rng = random.Random(1)
    ids = os.path.join(out_dir, f"ids_{tokens}.txt")
    with open(ids, "w") as f:
        f.write(",".join(str(rng.randrange(128256)) for _ in range(tokens)))
    trace = os.path.join(out_dir, f"bench_{tokens}.h5")
    cmd = ["/usr/bin/time", "-f", "%M", cli, "trace", ckpt, "--ids-file", ids, "-o", trace, "--json"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"ropescope-cli trace failed: {proc.stderr[-2000:]}")
    peak = int(proc.stderr.strip().splitlines()[-1]) * 1024
    info = json.loads(proc.stdout)
    os.remove(trace)
    return {"wall": wall, "forward_s": info["forward_seconds"], "load_s": info["load_seconds"],
            "peak_rss": peak, "trace_bytes": info["bytes"]}


def torch_run(ckpt, tokens, maps):
    cmd = ["/usr/bin/time", "-f", "%M", sys.executable, os.path.abspath(__file__), "--worker", ckpt,
           "--tokens", str(tokens)] + (["--maps"] if maps else [])
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        return {"wall": wall, "error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    info["peak_rss"] = int(proc.stderr.strip().splitlines()[-1]) * 1024
    info["wall"] = wall
    return info


def median(runs, key):
    return statistics.median(r[key] for r in runs)


def spread(runs, key):
    vals = [r[key] for r in runs]
    return f"{statistics.median(vals):.2f} ({min(vals):.2f}–{max(vals):.2f})"


def main():
    ap = bench_common.comparison_args(__doc__, "512,2048,4096")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--maps", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        torch_worker(args.worker, int(args.tokens), args.maps)
        return
    ckpt = bench_common.ensure_376m_checkpoint(args.cache)
    rows = []
    with tempfile.TemporaryDirectory() as out_dir:
        for T in [int(t) for t in args.tokens.split(",")]:
            rs, plain, maps = [], [], []
            for _ in range(args.repeats):  # interleaved, so drifting load hits all three alike
                rs.append(ropescope_run(args.cli, ckpt, T, out_dir))
                plain.append(torch_run(ckpt, T, False))
                maps.append(torch_run(ckpt, T, True))
            rows.append((T, rs, plain, maps))
            print(f"T={T}: ropescope {median(rs, 'forward_s'):.2f}s, torch plain "
                  f"{median(plain, 'forward_s'):.2f}s, torch maps "
                  f"{median([m for m in maps if 'forward_s' in m] or [{'forward_s': float('nan')}], 'forward_s'):.2f}s",
                  file=sys.stderr)
    print("| tokens | RoPEScope trace: forward s (min–max) | peak RSS | PyTorch plain: forward s | peak RSS | "
          "PyTorch + maps: forward s | peak RSS | RoPEScope / plain | RoPEScope / maps | RSS RoPEScope / maps |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    gib = 1024 ** 3
    for T, rs, plain, maps in rows:
        ok = [m for m in maps if "forward_s" in m]
        maps_cell = spread(ok, "forward_s") if ok else maps[0]["error"]
        maps_rss = f"{median(ok, 'peak_rss') / gib:.2f} GiB" if ok else "–"
        r_maps = f"{median(rs, 'forward_s') / median(ok, 'forward_s'):.2f}" if ok else "–"
        rss_maps = f"{median(rs, 'peak_rss') / median(ok, 'peak_rss'):.2f}" if ok else "–"
        print(f"| {T} | {spread(rs, 'forward_s')} | {median(rs, 'peak_rss') / gib:.2f} GiB | "
              f"{spread(plain, 'forward_s')} | {median(plain, 'peak_rss') / gib:.2f} GiB | {maps_cell} | {maps_rss} | "
              f"{median(rs, 'forward_s') / median(plain, 'forward_s'):.2f} | {r_maps} | {rss_maps} |")
    # RoPEScope converts most weights inside its forward pass (one layer at a time), PyTorch before
    # it (in load_model), so the whole process is the like-for-like time at short lengths.
    print()
    print("| tokens | RoPEScope whole process s | PyTorch plain whole process s | PyTorch + maps whole process s "
          "| RoPEScope / plain | RoPEScope / maps |")
    print("|---:|---:|---:|---:|---:|---:|")
    for T, rs, plain, maps in rows:
        ok = [m for m in maps if "forward_s" in m]
        maps_cell = spread(ok, "wall") if ok else "–"
        r_maps = f"{median(rs, 'wall') / median(ok, 'wall'):.2f}" if ok else "–"
        print(f"| {T} | {spread(rs, 'wall')} | {spread(plain, 'wall')} | {maps_cell} | "
              f"{median(rs, 'wall') / median(plain, 'wall'):.2f} | {r_maps} |")


if __name__ == "__main__":
    main()
