#!/usr/bin/env python3
"""The curated tables of docs/sample-study.md section "With intervals", from the study CSV that
tools/sample-study-intervals.sh writes (`ropescope-cli study show`): a few columns of the study,
each a mean over the 38 validation windows with its 95% bootstrap interval."""
import csv
import sys

COLUMNS = ["M_16", "M_64", "M_256", "M_ex4_256", "sink_1", "sink_4", "mean_distance", "mean_distance_ex4"]


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def cell(r, digits=3):
    mean, lo, hi = (float(r[k]) for k in ("mean", "ci_low", "ci_high"))
    return f"{mean:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def table(data, kind, columns, digits=3):
    index = {(r["table"], r["variant"], r["setting"], r["part"], r["statistic"]): r for r in data}
    keys = []
    for r in data:
        k = (r["variant"], r["setting"], r["part"])
        if r["table"] == kind and k not in keys:
            keys.append(k)
    print("| variant | setting | part | " + " | ".join(columns) + " |")
    print("|---|---|---|" + "---:|" * len(columns))
    for variant, setting, part in keys:
        cells = []
        for c in columns:
            r = index.get((kind, variant, setting, part, c))
            cells.append(cell(r, 1 if "distance" in c else digits) if r and r["mean"] not in ("", "nan") else "–")
        print(f"| {variant} | {setting} | {part} | " + " | ".join(cells) + " |")
    print()


def main():
    data = rows(sys.argv[1])
    table(data, "summary", COLUMNS + ["nll"])
    table(data, "twin", ["M_64", "M_256", "M_ex4_256", "sink_4", "mean_distance_ex4"])
    table(data, "settings", ["M_256", "M_ex4_256", "sink_4", "nll"])


if __name__ == "__main__":
    main()
