#!/usr/bin/env python3
"""Tables of docs/sample-study.md from the CSV/JSON files tools/sample-study.sh exports."""
import csv
import json
import math
import os
import statistics
import sys

VARIANTS = [("rope", "RoPE"), ("rope_pp_eh", "RoPE++_EH"), ("rope_pp_ec", "RoPE++_EC")]
BUCKETS = [(1, 512), (512, 1024), (1024, 2048), (2048, 4096)]


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def mass_table(out):
    stats = {v: rows(os.path.join(out, f"{v}-stats.csv")) for v, _ in VARIANTS}
    thresholds = [k for k in stats["rope"][0] if k.startswith("M_")]
    print("### Long-range mass M(D), mean over heads (real vs imaginary)\n")
    print("| variant | part | heads | " + " | ".join(f"M({t[2:]})" for t in thresholds) +
          " | mean distance | entropy (nats) |")
    print("|---|---|---:|" + "---:|" * len(thresholds) + "---:|---:|")
    # What a head that ignores position would show: uniform attention over the causal prefix.
    T = len(rows(os.path.join(out, "rope-nll.csv"))) + 1
    uni = [statistics.mean((t - int(k[2:]) + 1) / (t + 1) for t in range(int(k[2:]), T)) for k in thresholds]
    print(f"| uniform attention | reference | – | " + " | ".join(f"{m:.3f}" for m in uni) +
          f" | {statistics.mean(t / 2 for t in range(T)):.0f}"
          f" | {statistics.mean(math.log(t + 1) for t in range(T)):.2f} |")
    for v, name in VARIANTS:
        for part in ("real", "imag"):
            hs = [r for r in stats[v] if r["part"] == part]
            label = part + (" (virtual)" if hs and hs[0]["virtual"] == "1" else "")
            cells = [f"{statistics.mean(float(r[t]) for r in hs):.3f}" for t in thresholds]
            print(f"| {name} | {label} | {len(hs)} | " + " | ".join(cells) +
                  f" | {statistics.mean(float(r['mean_distance']) for r in hs):.0f}"
                  f" | {statistics.mean(float(r['entropy']) for r in hs):.2f} |")
    print("\n### Pairs where the imaginary head reaches further (M(256), twins compared)\n")
    print("| variant | pairs | imag > real | by layer (imag − real, mean) |")
    print("|---|---:|---:|---|")
    for v, name in VARIANTS:
        diffs = {}
        for r in stats[v]:
            if r["part"] != "imag":
                continue
            # Twins share the query head: the real head of the same layer and query_head.
            real = next(x for x in stats[v] if x["layer"] == r["layer"] and x["part"] == "real"
                        and x["query_head"] == r["query_head"])
            diffs.setdefault(r["layer"], []).append(float(r["M_256"]) - float(real["M_256"]))
        flat = [d for ds in diffs.values() for d in ds]
        per_layer = ", ".join(f"L{l}: {statistics.mean(ds):+.3f}" for l, ds in sorted(diffs.items()))
        print(f"| {name} | {len(flat)} | {sum(d > 0 for d in flat)} | {per_layer} |")


def nll_table(out):
    print("\n### Next-token NLL by position (one pass over the 3486-token sample; trained on 512)\n")
    print("| variant | " + " | ".join(f"positions {a}–{b - 1}" for a, b in BUCKETS) + " |")
    print("|---|" + "---:|" * len(BUCKETS))
    for v, name in VARIANTS:
        nll = [(int(r["position"]), float(r["nll"])) for r in rows(os.path.join(out, f"{v}-nll.csv"))]
        cells = []
        for a, b in BUCKETS:
            vals = [x for p, x in nll if a <= p < b]
            cells.append(f"{statistics.mean(vals):.3f}" if vals else "–")
        print(f"| {name} | " + " | ".join(cells) + " |")


def noise_table(out):
    print("\n### Noise experiment (first 1024 tokens, seed 0): change in mean NLL\n")
    data = {v: json.load(open(os.path.join(out, f"{v}-noise.json"))) for v, _ in VARIANTS}
    sigmas = sorted({p["sigma"] for d in data.values() for p in d["points"]})
    print("| variant | baseline NLL | target | " + " | ".join(f"σ = {s:g}" for s in sigmas) + " |")
    print("|---|---:|---|" + "---:|" * len(sigmas))
    for v, name in VARIANTS:
        d = data[v]
        for target in ("real", "imag"):
            pts = {p["sigma"]: p for p in d["points"] if p["target"] == target}
            cells = [f"{pts[s]['delta_nll']:+.3f}" if s in pts else "–" for s in sigmas]
            print(f"| {name} | {d['baseline_nll']:.3f} | {target} | " + " | ".join(cells) + " |")


def main():
    out = sys.argv[1]
    mass_table(out)
    nll_table(out)
    noise_table(out)


if __name__ == "__main__":
    main()
