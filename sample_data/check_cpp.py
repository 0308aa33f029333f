#!/usr/bin/env python3
"""Cross-checks RoPEScope's C++ tokenizer and forward pass against sample_data/validation.json.

For every sample checkpoint: `ropescope-cli tokenize` of validation.txt must give the ids the
windows of validation_ids.json were cut from, and `ropescope-cli forward --ids` on every window must
reproduce the per-window and overall mean NLL of validation.json (tolerance 1e-3; expect ~1e-7).

Usage: /usr/bin/python3 sample_data/check_cpp.py [--cli build/app/ropescope-cli] [--windows N] [variants...]
"""

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run_json(cmd):
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "app", "ropescope-cli"))
    ap.add_argument("--windows", type=int, default=None, help="only the first N windows")
    ap.add_argument("--tolerance", type=float, default=1e-3)
    ap.add_argument("variants", nargs="*", default=["rope", "rope_pp_eh", "rope_pp_ec"])
    args = ap.parse_args()
    ids_doc = json.load(open(os.path.join(HERE, "validation_ids.json")))
    expected = json.load(open(os.path.join(HERE, "validation.json")))["variants"]
    windows = ids_doc["windows"][:args.windows]
    ok = True
    for variant in args.variants:
        folder = os.path.join(HERE, variant)
        tok = run_json([args.cli, "tokenize", folder, "--text-file", os.path.join(HERE, "validation.txt"),
                        "--no-special", "--json"])["ids"]
        body = [i for w in ids_doc["windows"] for i in w[1:]]
        same_ids = tok[:len(body)] == body and all(w[0] == ids_doc["bos_id"] for w in ids_doc["windows"])
        diffs, cpp_means = [], []
        for k, w in enumerate(windows):
            out = run_json([args.cli, "forward", folder, "--ids", ",".join(map(str, w)), "--json"])
            cpp_means.append(out["mean_nll"])
            diffs.append(abs(out["mean_nll"] - expected[variant]["per_window_mean_nll"][k]))
        py_mean = sum(expected[variant]["per_window_mean_nll"][:len(windows)]) / len(windows)
        cpp_mean = sum(cpp_means) / len(cpp_means)
        good = same_ids and max(diffs) <= args.tolerance
        ok &= good
        print(f"{variant}: tokenizer {'identical' if same_ids else 'DIFFERENT'}; {len(windows)} windows: "
              f"C++ mean NLL {cpp_mean:.6f}, Python {py_mean:.6f}, |diff| {abs(cpp_mean - py_mean):.2e}, "
              f"max per-window |diff| {max(diffs):.2e} -> {'OK' if good else 'FAIL'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
