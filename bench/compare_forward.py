#!/usr/bin/env python3
"""Forward-pass throughput: RoPEScope (ropescope-cli forward) vs the PyTorch reference, same machine,
same checkpoint, same tokens, one run. Prints a markdown table for bench/README.md.

  /usr/bin/python3 bench/compare_forward.py [--tokens 512,2048] [--repeats 3] [--checkpoint DIR]

Without --checkpoint, the random 376M RoPE++_EC checkpoint (written on first use).
"""
import json
import os
import statistics
import subprocess
import sys
import time

import bench_common

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "reference"))
import rope_pp_reference  # noqa: E402


def forward_flops(cfg, T):
    """Multiply-adds x2 of one forward pass: linear layers, causal attention (QK^T and PV), lm_head."""
    D, L, H, Hkv = cfg["hidden_size"], cfg["num_hidden_layers"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    d, inter, V = cfg.get("head_dim", D // H), cfg["intermediate_size"], cfg["vocab_size"]
    rc = cfg.get("rope_config", {})
    q, kv, attn = H, Hkv, H
    if rc.get("imag") and rc.get("imag_mode") == "imag2":
        attn = 2 * H
    elif rc.get("imag"):
        q, kv = H // 2, Hkv // 2
    linear = 2 * T * D * (q * d + 2 * kv * d + attn * d) + 2 * T * 3 * D * inter
    attention = attn * 2 * 2 * d * T * (T + 1) / 2
    return L * (linear + attention) + 2 * T * D * V, L * linear + 2 * T * D * V


def time_ropescope(cli, ckpt, ids, repeats):
    secs, walls = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = subprocess.run([cli, "forward", ckpt, "--ids", ",".join(map(str, ids)), "--json"],
                             check=True, capture_output=True, text=True).stdout
        walls.append(time.perf_counter() - t0)
        secs.append(json.loads(out)["seconds"])
    return secs, walls


def time_torch(model, ids, repeats):
    secs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        model.forward(torch.tensor(ids))
        secs.append(time.perf_counter() - t0)
    return secs


def main():
    ap = bench_common.comparison_args(__doc__, "512,2048")
    ap.add_argument("--checkpoint", help="another checkpoint folder (e.g. make_random_checkpoint.py --shape qwen3_1_7b)")
    args = ap.parse_args()
    threads = os.cpu_count()
    torch.set_num_threads(threads)
    ckpt = args.checkpoint or bench_common.ensure_376m_checkpoint(args.cache)
    cfg = rope_pp_reference.load_config(ckpt)
    t0 = time.perf_counter()
    ref = rope_pp_reference.load_model(ckpt)
    print(f"torch {torch.__version__}, {threads} threads; reference load {time.perf_counter() - t0:.1f} s",
          file=sys.stderr)
    gen = torch.Generator().manual_seed(1)
    rows = []
    for T in [int(t) for t in args.tokens.split(",")]:
        ids = torch.randint(0, cfg["vocab_size"], (T,), generator=gen).tolist()
        rs, rs_wall = time_ropescope(args.cli, ckpt, ids, args.repeats)
        pt = time_torch(ref, ids, args.repeats)
        flops, _ = forward_flops(cfg, T)
        r, p = statistics.median(rs), statistics.median(pt)
        rows.append((T, r, min(rs), max(rs), statistics.median(rs_wall), p, min(pt), max(pt), flops))
        print(f"T={T}: ropescope {r:.2f}s torch {p:.2f}s", file=sys.stderr)
    print("| tokens | RoPEScope forward s (min–max) | tok/s | GFLOP/s | whole process s | PyTorch s (min–max) | tok/s | GFLOP/s | PyTorch / RoPEScope |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for T, r, rmin, rmax, wall, p, pmin, pmax, flops in rows:
        print(f"| {T} | {r:.2f} ({rmin:.2f}–{rmax:.2f}) | {T / r:.0f} | {flops / r / 1e9:.0f} | {wall:.2f} | "
              f"{p:.2f} ({pmin:.2f}–{pmax:.2f}) | {T / p:.0f} | {flops / p / 1e9:.0f} | {p / r:.2f}x |")


if __name__ == "__main__":
    main()
