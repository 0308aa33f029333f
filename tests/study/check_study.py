#!/usr/bin/env python3
"""Study files and h5py: schema as documented, read_study.py == `study show`, aggregates == numpy,
and the Slurm / parallel scripts of docs/examples run locally (their merge == one run)."""
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

CLI, ROOT = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(ROOT, "docs", "examples"))
import read_study  # noqa: E402

FIX = os.path.join(ROOT, "tests", "fixtures")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(args, env=None):
    r = subprocess.run(args, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit(f"{args}: exit {r.returncode}\n{r.stderr}")
    return r.stdout


def write_corpus(path, windows=6, length=40):
    ws = [[(t * 37 + w * 11 + 5) % 97 for t in range(length)] for w in range(windows)]
    with open(path, "w") as f:
        json.dump({"description": "test windows", "window_length": length, "windows": ws}, f)


def study_options(corpus):
    return ["--checkpoint", os.path.join(FIX, "rope_f32"), "--checkpoint", os.path.join(FIX, "rope_pp_eh_f32"),
            "--corpus", corpus, "--setting", "none", "--setting", "pi_factor=4", "--bootstrap", "400",
            "--seed", "11"]


def numeric(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.__setitem__(n, o[()].tobytes())
                     if isinstance(o, h5py.Dataset) and o.dtype.kind in "iuf" else None)
    return out


def check_schema(f):
    C, S, X = len(f["checkpoints"]), len(f["settings"]), len(f["texts"])
    K = len(f["statistics"])
    check(f.attrs["format"] == "ropescope-study" and int(f.attrs["schema_version"]) == 1, "root attributes")
    check(int(f.attrs["units_total"]) == C * S * X == int(f.attrs["units_done"]), "unit counts")
    check(int(f.attrs["complete"]) == 1, "complete")
    check(read_study.strings(f["columns"]) == read_study.strings(f["statistics"]) + ["nll"], "columns")
    names = read_study.strings(f["statistics"])
    D = len(f["thresholds"])
    check(names[:D] == [f"M_{d}" for d in f["thresholds"][()]] and names[D:D + 2] == ["mean_distance", "entropy"],
          "M(D) columns first, then mean distance and entropy")
    check([n for n in names if n.startswith("beyond_")] == ["beyond_" + n for n in names[:D + 1]] +
          ["beyond_" + n for n in names[D + 2:] if not n.startswith(("inside_", "beyond_"))],
          "beyond_ columns repeat the whole-run ones but entropy")
    for c in range(C):
        g = f[f"checkpoints/c{c:02d}"]
        L, H = int(g.attrs["layers"]), int(g.attrs["heads"])
        for a in ("path", "variant", "variant_source", "config_json", "rope_sources", "tokenizer"):
            check(a in g.attrs, f"c{c:02d} attribute {a}")
        check(g["heads/values"].shape == (S, X, L, H, K), "heads shape")
        check(g["heads/mean"].shape == (S, L, H, K), "heads mean shape")
        check(g["nll/values"].shape == (S, X), "nll shape")
        check(g["twin_difference/values"].shape == (S, X, K), "twin shape")
        check(g["twin_difference_by_layer/values"].shape == (S, X, L, K), "twin by layer shape")
        check(g["tokens"].shape == (X,) and g["done"].shape == (S, X), "tokens and done")
        for d in ("imag", "virtual", "query_head", "kv_head", "twin"):
            check(g[d].shape == (H,), f"head {d}")
        # Twin differences are imaginary minus real twin, averaged over the pairs.
        v = g["heads/values"][()]
        imag = np.flatnonzero(g["imag"][()])
        twins = g["twin"][()][imag]
        check(np.allclose(g["twin_difference/values"][()], np.nanmean(
            v[:, :, :, imag, :] - v[:, :, :, twins, :], axis=(2, 3)), rtol=1e-12, atol=1e-12, equal_nan=True), "twin values")
        # Summary: mean over each part's heads; the NLL column is the text's NLL.
        for p in (0, 1):
            sel = np.flatnonzero(g["imag"][()] == p)
            mean = np.nanmean(v[:, :, :, sel, :], axis=(2, 3))
            check(np.allclose(f["summary/values"][c, :, p, :, :K], mean, rtol=1e-12, atol=1e-12, equal_nan=True), "summary values")
            check(np.array_equal(f["summary/values"][c, :, p, :, K], g["nll/values"][()]), "summary nll")
    check(f["summary/values"].shape == (C, S, 2, X, K + 1), "summary shape")
    pairs = f["differences/checkpoints/pairs"][()]
    check(pairs.shape == (C * (C - 1) // 2, 2), "pairs")
    d = f["differences/checkpoints/values"][()]
    check(np.array_equal(d[0], f["summary/values"][pairs[0][0]] - f["summary/values"][pairs[0][1]], equal_nan=True),
          "A - B")
    s = f["differences/settings/values"][()]
    check(np.isnan(s[:, 0]).all(), "none - none is empty")
    check(np.array_equal(s[:, 1], f["summary/values"][:, 1] - f["summary/values"][:, 0], equal_nan=True), "X - none")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "windows.json")
        write_corpus(corpus)
        single = os.path.join(tmp, "single.h5")
        run([CLI, "study", "-o", single, "--quiet"] + study_options(corpus))
        with h5py.File(single, "r") as f:
            check_schema(f)
            worst = read_study.recompute(f)
            print(f"aggregates vs numpy: largest relative difference {worst:.3g}")
            check(worst < 1e-12, "aggregates equal numpy's")
            low, mean = f["summary/ci_low"][()], f["summary/mean"][()]
            check(((low <= mean + 1e-15) | np.isnan(mean)).all(), "interval below mean")
        # The example script's rows are the CLI's.
        ours = json.loads(run(["/usr/bin/python3", os.path.join(ROOT, "docs/examples/read_study.py"), single, "--json"]))
        cli = json.loads(run([CLI, "study", "show", single, "--json"]))["rows"]
        check(len(ours) == len(cli) > 0, "row count")
        for a, b in zip(ours, cli):
            for k in a:
                same = a[k] == b[k] or (isinstance(a[k], float) and abs(a[k] - b[k]) <= 1e-12 * max(1, abs(b[k])))
                check(same, f"row {a} vs {b}: {k}")
        # Slurm job array, run locally: 3 tasks, then the merge job.
        env = dict(os.environ, CLI=CLI, OUT=os.path.join(tmp, "slurm.h5"), SHARDS="3",
                   STUDY_OPTIONS=" ".join(study_options(corpus)))
        slurm = os.path.join(ROOT, "docs/examples/study-slurm.sh")
        for i in range(3):
            run(["bash", slurm, "shard"], env=dict(env, SLURM_ARRAY_TASK_ID=str(i)))
        run(["bash", slurm, "merge"], env=env)
        check(numeric(single) == numeric(env["OUT"]), "slurm shards merged == single run")
        # GNU parallel (or its xargs fallback when parallel is not installed).
        env = dict(env, OUT=os.path.join(tmp, "parallel.h5"), SHARDS="4", JOBS="2")
        run(["bash", os.path.join(ROOT, "docs/examples/study-parallel.sh")], env=env)
        check(numeric(single) == numeric(env["OUT"]), "parallel shards merged == single run")
    if failures:
        sys.exit(f"{len(failures)} failures")
    print("ok")


if __name__ == "__main__":
    main()
