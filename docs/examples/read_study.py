#!/usr/bin/env python3
"""Read a RoPEScope study file with h5py and recompute its aggregates with numpy.

No RoPEScope code needed: everything comes from the HDF5 file (docs/study-format.md).

    python3 read_study.py study.h5              # the aggregate table (summary, twin, differences)
    python3 read_study.py study.h5 --json       # the same rows as JSON
    python3 read_study.py study.h5 --recompute  # recompute every aggregate from the per-text values

Debian: apt install python3-h5py python3-numpy, then run with /usr/bin/python3.
"""
import argparse
import json
import os
import sys

import h5py
import numpy as np

SCHEMA_VERSION = 1  # the study schema this script understands
MASK64 = (1 << 64) - 1


def open_study(path):
    f = h5py.File(path, "r")
    if f.attrs.get("format") != "ropescope-study":
        sys.exit(f"{path}: not a RoPEScope study file")
    if int(f.attrs["schema_version"]) != SCHEMA_VERSION:
        sys.exit(f"{path}: study schema {int(f.attrs['schema_version'])}, this script reads {SCHEMA_VERSION}")
    return f


def strings(ds):
    return [s.decode() if isinstance(s, bytes) else s for s in ds[()]]


def splitmix64(seed, count):
    """The first `count` outputs of SplitMix64(seed), as Python ints."""
    out, state = [], seed & MASK64
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        out.append(z ^ (z >> 31))
    return out


def bootstrap_indices(seed, n, resamples):
    """[resamples, n] resample indices: floor(((x >> 11) * 2^-53) * n) for each generator output x."""
    x = np.array(splitmix64(seed, n * resamples), dtype=np.uint64) >> np.uint64(11)
    u = x.astype(np.float64) * 2.0 ** -53
    return (u * n).astype(np.int64).reshape(resamples, n)


def aggregate(series, resamples, seed, cache={}):
    """mean, s.d. (ddof 1), 2.5% and 97.5% quantiles of the resample means, n; NaN values left out."""
    v = np.asarray([x for x in series if not np.isnan(x)], dtype=np.float64)
    n = len(v)
    if n == 0:
        return dict(n=0, mean=np.nan, sd=np.nan, ci_low=np.nan, ci_high=np.nan)
    mean = v.sum() / n
    if n < 2 or resamples < 1:
        return dict(n=n, mean=mean, sd=np.nan, ci_low=np.nan, ci_high=np.nan)
    key = (seed, n, resamples)
    if key not in cache:
        cache[key] = bootstrap_indices(seed, n, resamples)
    means = v[cache[key]].mean(axis=1)
    low, high = np.quantile(means, [0.025, 0.975])
    return dict(n=n, mean=mean, sd=v.std(ddof=1), ci_low=low, ci_high=high)


def tables(f):
    """Every table group: (path, axes, values) with the per-text values."""
    out = []

    def visit(name, obj):
        if isinstance(obj, h5py.Group) and "axes" in obj.attrs:
            out.append((name, obj.attrs["axes"].split(","), obj["values"][()]))

    f.visititems(visit)
    return out


def recompute(f):
    """Largest difference between the file's aggregates and numpy's, over every table."""
    B, seed = int(f.attrs["bootstrap"]), int(f.attrs["seed"])
    worst = 0.0
    for name, axes, values in tables(f):
        moved = np.moveaxis(values, axes.index("text"), -1)
        flat = moved.reshape(-1, moved.shape[-1])
        for i, series in enumerate(flat):
            a = aggregate(series, B, seed)
            for key in ("mean", "sd", "ci_low", "ci_high"):
                stored = f[name][key][()].reshape(-1)[i]
                if np.isnan(a[key]) != np.isnan(stored):
                    raise SystemExit(f"{name}/{key}[{i}]: file {stored}, numpy {a[key]}")
                if not np.isnan(stored):
                    worst = max(worst, abs(stored - a[key]) / max(1.0, abs(a[key])))
            if int(f[name]["n"][()].reshape(-1)[i]) != a["n"]:
                raise SystemExit(f"{name}/n[{i}] differs")
    return worst


def rows(f):
    """The aggregate table, as `ropescope-cli study show` prints it."""
    settings, columns = strings(f["settings"]), strings(f["columns"])
    stats = strings(f["statistics"])
    cks = [f[f"checkpoints/{k}"] for k in sorted(f["checkpoints"])]
    names = [os.path.basename(c.attrs["path"]) for c in cks]
    parts = ["real", "imag"]
    out = []

    def add(table, ck, variant, setting, part, col, group, index):
        g = f[group]
        out.append(dict(table=table, checkpoint=ck, variant=variant, setting=setting, part=part, statistic=col,
                        n=int(g["n"][index]), **{k: float(g[k][index]) for k in ("mean", "sd", "ci_low", "ci_high")}))

    for c, ck in enumerate(cks):
        for s, setting in enumerate(settings):
            for p, part in enumerate(parts):
                for k, col in enumerate(columns):
                    add("summary", names[c], ck.attrs["variant"], setting, part, col, "summary", (c, s, p, k))
    for c, ck in enumerate(cks):
        for s, setting in enumerate(settings):
            for k, col in enumerate(stats):
                add("twin", names[c], ck.attrs["variant"], setting, "imag - real", col,
                    f"checkpoints/c{c:02d}/twin_difference", (s, k))
    for p, (a, b) in enumerate(f["differences/checkpoints/pairs"][()]):
        for s, setting in enumerate(settings):
            for q, part in enumerate(parts):
                for k, col in enumerate(columns):
                    add("checkpoints", f"{names[a]} - {names[b]}",
                        f"{cks[a].attrs['variant']} - {cks[b].attrs['variant']}", setting, part, col,
                        "differences/checkpoints", (p, s, q, k))
    if f["differences/settings"].attrs["baseline"] == "none":
        base = settings.index("none")
        for c, ck in enumerate(cks):
            for s, setting in enumerate(settings):
                if s == base:
                    continue
                for q, part in enumerate(parts):
                    for k, col in enumerate(columns):
                        add("settings", names[c], ck.attrs["variant"], f"{setting} - none", part, col,
                            "differences/settings", (c, s, q, k))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("study")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--recompute", action="store_true")
    a = ap.parse_args()
    f = open_study(a.study)
    if a.recompute:
        print(f"largest relative difference file vs numpy: {recompute(f):.3g}")
        return
    table = rows(f)
    if a.json:
        clean = [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()} for r in table]
        print(json.dumps(clean))
        return
    print(f"{int(f.attrs['units_done'])} of {int(f.attrs['units_total'])} units")
    for line in strings(f["notes"]):
        print("note:", line)
    for r in table:
        print(f"{r['table']:12} {r['checkpoint']:24} {r['setting']:20} {r['part']:12} {r['statistic']:14}"
              f" {r['n']:4d} {r['mean']:12.5g} [{r['ci_low']:.5g}, {r['ci_high']:.5g}]")


if __name__ == "__main__":
    main()
