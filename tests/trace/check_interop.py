#!/usr/bin/env python3
"""Trace interoperability check (run by ctest as trace_interop).

1. Traces fixtures with the CLI (f16 and f32, every variant family), recomputes tiles of real,
   imaginary and virtual imaginary heads with docs/examples/read_trace.py (h5py + numpy) and
   compares them with `ropescope-cli tile --json`.
2. Reads the sink-aware, query-bucketed statistics with h5py: shapes, bucket "all" equal to the
   whole-run statistics, the uniform reference against numpy, `export --what buckets` and
   `export --what freq` against the stored values.
3. Edits traces with h5py into a newer schema, a foreign file, a wrong shape and a missing dataset,
   and checks that `ropescope-cli show` refuses each with a clear message.
3. Reads the noise group of `trace --noise paper --seeds 3` with h5py, recomputes the 95% seed
   intervals with numpy/scipy and compares them with `ropescope-cli export --what noise`; a NaN
   written into a bucket with predictions is refused naming the dataset.

usage: check_interop.py ROPESCOPE_CLI SOURCE_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

CLI, SRC = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(SRC, "docs", "examples"))
import read_trace  # noqa: E402

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def cli(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True)


def ids(n):
    return ",".join(str((t * 29 + 7) % 97) for t in range(n))


def compare_tiles(path, layer, head, rows, cols, stride, logits):
    args = ["tile", path, "--layer", str(layer), "--head", str(head), "--rows", f"{rows[0]}:{rows[1]}",
            "--cols", f"{cols[0]}:{cols[1]}", "--stride", str(stride), "--json"] + (["--logits"] if logits else [])
    out = cli(*args)
    if out.returncode != 0:
        check(False, f"cli tile {args}: {out.stderr}")
        return
    j = json.loads(out.stdout)
    cpp = np.array([[np.nan if v is None else v for v in row] for row in j["values"]], dtype=np.float64)
    with h5py.File(path, "r") as f:
        r, c, py = read_trace.tile(f, layer, head, rows, cols, stride, logits)
    py = py.astype(np.float64)
    if logits:
        py[np.isinf(py)] = np.nan  # the CLI writes -inf as null
    same_rows = list(r) == j["rows"] and list(c) == j["cols"]
    both_nan = np.isnan(cpp) & np.isnan(py)
    err = np.where(both_nan, 0.0, np.abs(cpp - py) / (1e-6 + 1e-5 * np.abs(py)))
    check(same_rows and cpp.shape == py.shape and np.all(err <= 1.0),
          f"{os.path.basename(path)} layer {layer} head {head} ({j['label']}) rows {rows} cols {cols} stride {stride}"
          f"{' logits' if logits else ''}: max |C++ - numpy| {np.nanmax(np.abs(cpp - py)):.2e}")


def uniform_reference(T, lo, hi, thresholds, sinks, K, edges):
    """Bucket [lo, hi) of uniform causal attention, straight from a dense numpy map."""
    P = np.tril(np.ones((T, T))) / np.arange(1, T + 1)[:, None]
    t = np.arange(lo, hi)
    s = np.arange(T)
    dist = t[:, None] - s[None, :]
    rows = P[lo:hi]
    out = {"mean_distance": (rows * np.maximum(dist, 0)).sum(1).mean() if hi > lo else np.nan}
    out["long_range_mass"] = [np.mean([(rows[i] * (dist[i] >= D)).sum() for i in range(hi - lo) if t[i] >= D])
                              if (t >= D).any() else np.nan for D in thresholds]
    out["sink_mass"] = [np.mean([rows[i, :k].sum() for i in range(hi - lo) if t[i] >= k])
                        if (t >= k).any() else np.nan for k in sinks]
    ex = []
    for i in range(hi - lo):
        if t[i] < K:
            continue
        w = rows[i].copy()
        w[:K] = 0
        w /= w.sum()
        ex.append(w)
    out["mean_distance_ex"] = (np.mean([(w * np.maximum(t[i] - s, 0)).sum()
                                        for i, w in zip([j for j in range(hi - lo) if t[j] >= K], ex)])
                               if ex else np.nan)
    bins = []
    for b in range(len(edges) - 1):
        inb = (dist >= edges[b]) & (dist < edges[b + 1])
        bins.append((rows * inb).sum(1).mean() if hi > lo else np.nan)
    out["bin_mass"] = bins
    return out


def close(a, b, tol=1e-12):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and np.all((np.isnan(a) & np.isnan(b)) | (np.abs(a - b) <= tol * (1 + np.abs(b))))


def check_bucket_stats(path, train_length, source):
    name = os.path.basename(path)
    with h5py.File(path, "r") as f:
        st = f["stats"]
        T = int(f["meta"].attrs["tokens"])
        nL, nA = st["observed"].shape
        D = st["thresholds"][...]
        k = st["sink_counts"][...]
        edges = st["bin_edges"][...]
        g = st["buckets"]
        K = int(g.attrs["sink_exclude"])
        check(int(g.attrs["train_length"]) == train_length and g.attrs["train_length_source"] == source,
              f"{name}: train_length {g.attrs['train_length']} from {g.attrs['train_length_source']}")
        names = list(g["name"].asstr()[...])
        rng = g["range"][...]
        nQ = len(names)
        check(names[0] == "all" and list(rng[0]) == [0, T], f"{name}: bucket 0 is all queries ({names})")
        if train_length:
            i = names.index("inside")
            check(list(rng[i]) == [0, min(train_length, T)] and list(rng[i + 1]) == [min(train_length, T), T],
                  f"{name}: inside/beyond split at {train_length}")
        shapes = {"long_range_mass": (len(D),), "mean_distance": (), "entropy": (), "sink_mass": (len(k),),
                  "long_range_mass_ex": (len(D),), "mean_distance_ex": (), "bin_mass": (len(edges) - 1,),
                  "bin_mass_ex": (len(edges) - 1,)}
        for key, tail in shapes.items():
            check(g[key].shape == (nL, nA, nQ) + tail and st["uniform"][key].shape == (nQ,) + tail,
                  f"{name}: stats/buckets/{key} {g[key].shape}, stats/uniform/{key} {st['uniform'][key].shape}")
        obs = st["observed"][...].astype(bool)
        for key in ("long_range_mass", "mean_distance", "entropy", "bin_mass"):
            check(close(g[key][...][:, :, 0][obs], st[key][...][obs]), f"{name}: bucket all == stats/{key}")
        for q in range(nQ):
            want = uniform_reference(T, int(rng[q][0]), int(rng[q][1]), D, k, K, edges)
            ok = all(close(st["uniform"][key][q], want[key], 1e-9) for key in want)
            check(ok, f"{name}: uniform reference of bucket {names[q]} == numpy")
        rows = json.loads(cli("export", path, "--what", "buckets", "--json").stdout)["rows"]
        heads = [r for r in rows if r["part"] != "uniform"]
        check(len(heads) == int(obs.sum()) * nQ and len(rows) - len(heads) == nQ,
              f"{name}: export --what buckets has {len(rows)} rows")
        r = heads[nQ + 1]
        l, h, q = r["layer"], r["head"], names.index(r["bucket"])
        check(close([r[f"sink_mass_k{k[0]}"], r[f"mean_distance_ex{K}"]],
                    [g["sink_mass"][l, h, q, 0], g["mean_distance_ex"][l, h, q]]),
              f"{name}: export buckets row (layer {l}, head {h}, {r['bucket']}) == h5py")
        freq = json.loads(cli("export", path, "--what", "freq", "--bands", "4", "--distances", "0,3,17",
                              "--json").stdout)["rows"]
        w = f["meta/inv_freq"][...]
        scale = float(f["meta"].attrs["logit_scale"])
        re, im = st["freq_re"][1, 2], st["freq_im"][1, 2]
        for dist in (0, 3, 17):
            parts = [x for x in freq if x["layer"] == 1 and x["head"] == 2 and x["distance"] == dist]
            direct = scale * np.sum(re * np.cos(w * dist) - im * np.sin(w * dist))
            check(len(parts) == 4 and close(sum(x["contribution"] for x in parts), direct, 1e-9),
                  f"{name}: freq bands at distance {dist} sum to the head's frequency-weight logit")


def refused(path, expected):
    out = cli("show", path)
    check(out.returncode == 1 and expected in out.stderr and path in out.stderr,
          f"show refuses {os.path.basename(path)} with '{expected}' (got {out.returncode}: {out.stderr.strip()})")


def check_noise(tmp):
    from scipy import stats
    path = os.path.join(tmp, "noise.h5")
    out = cli("trace", os.path.join(SRC, "tests", "fixtures", "rope_pp_ec_f32"), "--ids", ids(70),
              "--noise", "paper", "--seeds", "3", "--quiet", "-o", path)
    check(out.returncode == 0, f"trace --noise paper --seeds 3 {out.stderr.strip()}")
    with h5py.File(path, "r") as f:
        g = f["experiments/noise"]
        check(int(g.attrs["count"]) == 3, "three sweeps, one per seed")
        sweeps = [g[str(i)] for i in range(3)]
        check([int(s.attrs["seed"]) for s in sweeps] == [0, 1, 2], "seeds 0, 1, 2")
        paper = [0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.5]
        check(list(sweeps[0]["sigma"][:]) == paper * 2, "the paper's grid for real and imag")
        delta = np.array([s["delta_nll"][:] for s in sweeps])  # [seeds, points]
        tokens = sweeps[0]["position_tokens"][:]
        check(int(tokens.sum()) == 69 and int(sweeps[0]["distance_tokens"][:].sum()) == 69,
              "every prediction in one position and one distance bucket")
        by_pos = sweeps[0]["delta_nll_by_position"][:]  # [points, buckets]
        check(np.allclose(by_pos @ tokens / 69.0, delta[0], atol=1e-6), "position buckets average to delta_nll")
    n = delta.shape[0]
    mean, sd = delta.mean(axis=0), delta.std(axis=0, ddof=1)
    half = stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n)
    out = cli("export", path, "--what", "noise", "--json")
    check(out.returncode == 0, f"export --what noise {out.stderr.strip()}")
    rows = [r for r in json.loads(out.stdout)["rows"] if r["quantity"] == "delta_nll"]
    check(len(rows) == delta.shape[1], f"one delta_nll row per point ({len(rows)})")
    lo = np.array([r["ci95_lo"] for r in rows])
    hi = np.array([r["ci95_hi"] for r in rows])
    check(np.allclose(lo, mean - half, rtol=1e-9, atol=1e-12) and np.allclose(hi, mean + half, rtol=1e-9, atol=1e-12),
          f"seed intervals equal numpy/scipy (max diff {np.max(np.abs(lo - (mean - half))):.1e})")
    bad = os.path.join(tmp, "noise_nan.h5")
    shutil.copy(path, bad)
    with h5py.File(bad, "r+") as f:
        f["experiments/noise/2/delta_nll_by_position"][0, 0] = np.nan
    out = cli("export", bad, "--what", "noise")
    check(out.returncode == 1 and "experiments/noise/2/delta_nll_by_position" in out.stderr and bad in out.stderr,
          f"a NaN in a bucket with predictions is refused ({out.stderr.strip()})")


def main():
    tmp = tempfile.mkdtemp(prefix="ropescope-interop-")
    try:
        traces = {}
        for fixture, precision in [("rope_f32", "f32"), ("rope_pp_ec_f32", "f16"), ("rope_pp_eh_f32", "f32"),
                                   ("rope_partial", "f16")]:
            path = os.path.join(tmp, f"{fixture}_{precision}.h5")
            out = cli("trace", os.path.join(SRC, "tests", "fixtures", fixture), "--ids", ids(70), f"--{precision}",
                      "-o", path)
            check(out.returncode == 0, f"trace {fixture} --{precision} {out.stderr.strip()}")
            traces[fixture] = path
            with h5py.File(path, "r") as f:
                q = f["layers/00/q"]
                check(q.dtype == (np.float16 if precision == "f16" else np.float32), f"{fixture}: q is {q.dtype}")
                heads = int(f["meta"].attrs["analysis_heads"])
                json.loads(f["meta"].attrs["config_json"])
                check(f["meta/heads/label"].asstr()[0].endswith("real"), f"{fixture}: head labels read as text")
            for head in range(heads):
                compare_tiles(path, 1, head, (0, 70), (0, 70), 1, False)
            compare_tiles(path, 0, heads - 1, (5, 69), (3, 60), 4, False)
            compare_tiles(path, 1, heads - 1, (10, 40), (0, 40), 1, True)

        check_bucket_stats(traces["rope_f32"], 4096, "max_position_embeddings")
        split = os.path.join(tmp, "split.h5")
        out = cli("trace", os.path.join(SRC, "tests", "fixtures", "rope_pp_ec_f32"), "--ids", ids(70), "--f32",
                  "--train-length", "50", "--sink-counts", "1,4,8", "--query-buckets", "16,32", "-o", split)
        check(out.returncode == 0, f"trace --train-length 50 {out.stderr.strip()}")
        check_bucket_stats(split, 50, "--train-length")

        good = traces["rope_f32"]
        newer = os.path.join(tmp, "newer.h5")
        shutil.copy(good, newer)
        with h5py.File(newer, "r+") as f:
            f.attrs["schema_version"] = np.int64(2)
        refused(newer, "newer RoPEScope (trace schema 2)")

        foreign = os.path.join(tmp, "foreign.h5")
        with h5py.File(foreign, "w") as f:
            f["data"] = np.arange(10)
        refused(foreign, "not a RoPEScope trace")

        shape = os.path.join(tmp, "shape.h5")
        shutil.copy(good, shape)
        with h5py.File(shape, "r+") as f:
            del f["layers/01/q"]
            f["layers/01/q"] = np.zeros((4, 69, 16), dtype=np.float32)
        refused(shape, "dataset 'layers/01/q' has shape [4, 69, 16], expected [4, 70, 16]")

        missing = os.path.join(tmp, "missing.h5")
        shutil.copy(good, missing)
        with h5py.File(missing, "r+") as f:
            del f["stats/entropy"]
        refused(missing, "dataset 'stats/entropy' is missing")

        badtype = os.path.join(tmp, "badtype.h5")
        shutil.copy(good, badtype)
        with h5py.File(badtype, "r+") as f:
            del f["meta/token_ids"]
            f["meta/token_ids"] = np.zeros(70, dtype=np.float64)
        refused(badtype, "dataset 'meta/token_ids' holds 64-bit float (11 exponent, 52 mantissa bits, "
                         "little-endian), expected 32-bit signed integer, little-endian")
        check_noise(tmp)
    finally:
        shutil.rmtree(tmp)
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)
    print("all interoperability checks passed")


if __name__ == "__main__":
    main()
