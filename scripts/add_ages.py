#!/usr/bin/env python3
"""Adds the 34 age x sex columns to a wide table (the benchmark's national file has none).

Usage: add_ages.py IN.csv OUT.csv

Each row's males and females are divided among the 17 five-year groups in the proportions of the
demo's national shape (data/vn/age-sex-shape.csv) by largest remainder, so the groups sum exactly
to males and females; women_15_49 becomes the sum of the female groups 15-19 ... 45-49 and
women_15_49_contraception is capped by it (the publish rules). Synthetic, for timing only.
"""
import csv
import sys
from pathlib import Path

SHAPE = Path(__file__).resolve().parent.parent / "data/vn/age-sex-shape.csv"


def largest_remainder(total, weights):
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def main(src, dst):
    shape = list(csv.DictReader(open(SHAPE)))
    ages = [r["age"] for r in shape]
    wm = [float(r["males"]) for r in shape]
    wf = [float(r["females"]) for r in shape]
    cols = [f"males_{a}" for a in ages] + [f"females_{a}" for a in ages]
    with open(src, newline="", encoding="utf-8") as f, open(dst, "w", newline="", encoding="utf-8") as g:
        r = csv.DictReader(f)
        w = csv.DictWriter(g, fieldnames=r.fieldnames + cols, lineterminator="\n")
        w.writeheader()
        for row in r:
            m = largest_remainder(int(row["males"]), wm)
            fe = largest_remainder(int(row["females"]), wf)
            row.update(zip(cols, map(str, m + fe)))
            women = sum(fe[3:10])
            row["women_15_49"] = str(women)
            row["women_15_49_contraception"] = str(min(int(row["women_15_49_contraception"]), women))
            w.writerow(row)


if __name__ == "__main__":
    main(*sys.argv[1:3])
