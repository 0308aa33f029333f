#!/usr/bin/env python3
"""Markdown tables of a study's aggregates, from the CSV `ropescope-cli study show -o` writes."""
import csv
import sys


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def cell(r, digits):
    if r["mean"] == "nan":
        return "–"
    return f"{float(r['mean']):.{digits}f} [{float(r['ci_low']):.{digits}f}, {float(r['ci_high']):.{digits}f}]"


def digits(stat):
    return 0 if stat == "mean_distance" else 3


def main():
    data = rows(sys.argv[1])
    stats = list(dict.fromkeys(r["statistic"] for r in data if r["table"] == "summary"))
    print("### Mean over texts [95% bootstrap interval], heads averaged per part\n")
    print("| variant | setting | part | " + " | ".join(stats) + " |")
    print("|---|---|---|" + "---:|" * len(stats))
    summary = [r for r in data if r["table"] == "summary"]
    keys = list(dict.fromkeys((r["variant"], r["setting"], r["part"]) for r in summary))
    for k in keys:
        cells = {r["statistic"]: cell(r, digits(r["statistic"])) for r in summary if (r["variant"], r["setting"], r["part"]) == k}
        print(f"| {k[0]} | {k[1]} | {k[2]} | " + " | ".join(cells[s] for s in stats) + " |")
    for table, title in (("twin", "Imaginary − real twin (mean over twin pairs per text)"),
                         ("settings", "Setting − none (paired by text)"),
                         ("checkpoints", "Checkpoint A − checkpoint B (paired by text)")):
        part = [r for r in data if r["table"] == table]
        if not part:
            continue
        cols = list(dict.fromkeys(r["statistic"] for r in part))
        print(f"\n### {title}\n")
        print("| variant | setting | part | " + " | ".join(cols) + " |")
        print("|---|---|---|" + "---:|" * len(cols))
        for k in dict.fromkeys((r["variant"], r["setting"], r["part"]) for r in part):
            cells = {r["statistic"]: cell(r, digits(r["statistic"])) for r in part if (r["variant"], r["setting"], r["part"]) == k}
            print(f"| {k[0]} | {k[1]} | {k[2]} | " + " | ".join(cells.get(c, "–") for c in cols) + " |")


if __name__ == "__main__":
    main()
