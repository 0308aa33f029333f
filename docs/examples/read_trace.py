#!/usr/bin/env python3
"""Read a RoPEScope trace with h5py and recompute one exact attention tile with numpy.

No RoPEScope code needed: everything comes from the HDF5 file (docs/trace-format.md).

    python3 read_trace.py run.h5                       # summary
    python3 read_trace.py run.h5 --layer 1 --head 5 --rows 0:64 --cols 0:64 [--stride 2] [--logits] [--json]

Debian: apt install python3-h5py python3-numpy, then run with /usr/bin/python3.
"""
import argparse
import json
import sys

import h5py
import numpy as np

SCHEMA_VERSION = 1  # the newest trace schema this script understands


def open_trace(path):
    f = h5py.File(path, "r")
    if f.attrs.get("format") != "ropescope-trace":
        sys.exit(f"{path}: not a RoPEScope trace")
    if int(f.attrs["schema_version"]) > SCHEMA_VERSION:
        sys.exit(f"{path}: trace schema {int(f.attrs['schema_version'])} is newer than this script")
    return f


def layer_group(f, layer):
    width = max(2, len(str(int(f["meta"].attrs["layers"]) - 1)))
    return f["layers"][f"{layer:0{width}d}"]


def head_query(f, layer, head):
    """[T, d] float32 post-RoPE query of an analysis head (real, imaginary or virtual imaginary)."""
    heads, meta = f["meta/heads"], f["meta"].attrs
    q = layer_group(f, layer)["q"][heads["query_head"][head]].astype(np.float32)
    if not heads["imag"][head]:
        return q
    # Imaginary head: the real query rotated by -pi/2, i.e. -rotate_half(q) on the rotary dims,
    # with pairs (i, i + rotary_dim/2); pass-through dims (partial rotary) have no imaginary part.
    rot, half = int(meta["rotary_dim"]), int(meta["rotary_dim"]) // 2
    imag = np.zeros_like(q)
    imag[:, :half] = q[:, half:rot]
    imag[:, half:rot] = -q[:, :half]
    return imag


def tile(f, layer, head, rows, cols, stride=1, logits=False):
    """Exact tile: logit = (q . k) * logit_scale; prob = exp(logit - lse), 0 above the diagonal."""
    g = layer_group(f, layer)
    kv = f["meta/heads/kv_head"][head]
    scale = np.float32(f["meta"].attrs["logit_scale"])
    r = np.arange(rows[0], rows[1], stride)
    c = np.arange(cols[0], cols[1], stride)
    q = head_query(f, layer, head)[r]
    k = g["k"][kv].astype(np.float32)[c]
    s = (q @ k.T) * scale
    causal = c[None, :] <= r[:, None]
    if logits:
        return r, c, np.where(causal, s, -np.inf).astype(np.float32)
    lse = g["lse"][head][r]
    return r, c, np.where(causal, np.exp(s - lse[:, None]), 0.0).astype(np.float32)


def summary(f):
    m = f["meta"].attrs
    print(f"{m['variant_name']}: {int(m['tokens'])} tokens, {int(m['layers'])} layers, "
          f"{int(m['analysis_heads'])} analysis heads, Q/K {m['qk_dtype']}, mean NLL {f['loss'].attrs['mean_nll']:.4f}")
    labels = f["meta/heads/label"].asstr()[()]
    thresholds = f["stats/thresholds"][()]
    lrm = f["stats/long_range_mass"][()]
    for layer in range(int(m["layers"])):
        for head, label in enumerate(labels):
            mass = ", ".join(f"M({d})={v:.3f}" for d, v in zip(thresholds, lrm[layer, head]))
            print(f"  layer {layer} {label:18s} {mass}")


def parse_range(text):
    a, b = text.split(":")
    return int(a), int(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("trace")
    ap.add_argument("--layer", type=int)
    ap.add_argument("--head", type=int)
    ap.add_argument("--rows", type=parse_range)
    ap.add_argument("--cols", type=parse_range)
    ap.add_argument("--stride", type=int, default=1)
    ap.add_argument("--logits", action="store_true")
    ap.add_argument("--json", action="store_true", help="print the tile as JSON (null for -inf)")
    args = ap.parse_args()
    f = open_trace(args.trace)
    if args.layer is None:
        summary(f)
        return
    r, c, v = tile(f, args.layer, args.head, args.rows, args.cols, args.stride, args.logits)
    if args.json:
        values = [[None if not np.isfinite(x) else float(x) for x in row] for row in v]
        print(json.dumps({"rows": r.tolist(), "cols": c.tolist(), "values": values}))
    else:
        print("row," + ",".join(map(str, c)))
        for t, row in zip(r, v):
            print(f"{t}," + ",".join(f"{x:.9g}" for x in row))


if __name__ == "__main__":
    main()
