#!/usr/bin/env python3
"""Writes data/vn/age-sex-shape.csv: Vietnam's population on 1 April 2019 by five-year group and sex.

Usage: age_shape.py WPP2019_DATA_DIR [OUT.csv]

WPP2019_DATA_DIR is the data/ folder of the R package wpp2019 1.1-1 (UN World Population Prospects
2019; its popM.txt and popF.txt: thousands by five-year group, 1 July of every fifth year). The
script takes Viet Nam (country code 704), interpolates each group geometrically from 1 July 2015 to
1 April 2019 (3.75 of the 5 years), closes the groups at 80+, and then fits that profile to the
2019 Census figures GSO published (raking on broad age band x sex):

- males 47,881,061 and females 48,327,923 (GSO, press release on the 2019 Census);
- aged 0-14: 24.3 % of 96,208,984 = 23,378,420 (GSO; 24.2999 %, the value the demo has used);
- aged 60+: 11,409,465 and 65+: 7,417,395 (11.409 and 7.417 million, HelpAge Vietnam citing the
  census; the units are within the published rounding).

Band x sex totals are rounded by largest remainder (males to the male total, females take the rest
of each band), then each band x sex is split over its five-year groups in the UN profile's
proportions by largest remainder, so every published figure above holds exactly. Deterministic:
the same input gives the same file byte for byte.
"""
import csv
import sys
from pathlib import Path

MALES, FEMALES = 47_881_061, 48_327_923
# Broad bands as (first group, end group) over the 17 groups 0-4 ... 75-79, 80+, with census totals.
BANDS = [((0, 3), 23_378_420), ((3, 12), None), ((12, 13), 11_409_465 - 7_417_395), ((13, 17), 7_417_395)]
LABELS = [f"{5 * i}_{5 * i + 4}" for i in range(16)] + ["80p"]
STEP = 0.75  # 1 July 2015 -> 1 April 2019, in units of the five-year step


def profile(path):
    """Viet Nam's 17 groups on 1 April 2019 (thousands), geometric between 2015 and 2020."""
    with open(path, encoding="latin-1", newline="") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["country_code"] == "704"]
    if len(rows) != 21:
        sys.exit(f"{path}: expected 21 age rows for Viet Nam (0-4 ... 100+), got {len(rows)}")
    v = [float(r["2015"]) * (float(r["2020"]) / float(r["2015"])) ** STEP for r in rows]
    return v[:16] + [sum(v[16:])]


def largest_remainder(total, weights):
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def rake(m, f):
    """Band x sex totals (reals) fitted to the band totals and the sex totals."""
    targets = [t for _, t in BANDS]
    targets[1] = MALES + FEMALES - sum(t for t in targets if t is not None)
    cells = [[sum(m[a:b]), sum(f[a:b])] for (a, b), _ in BANDS]
    for _ in range(200):
        for c, t in zip(cells, targets):
            s = c[0] + c[1]
            c[0], c[1] = c[0] * t / s, c[1] * t / s
        for sex, total in ((0, MALES), (1, FEMALES)):
            s = sum(c[sex] for c in cells)
            for c in cells:
                c[sex] *= total / s
    return cells, targets


def main(data_dir, out):
    m = profile(Path(data_dir) / "popM.txt")
    f = profile(Path(data_dir) / "popF.txt")
    cells, targets = rake(m, f)
    male_bands = largest_remainder(MALES, [c[0] for c in cells])
    males, females = [], []
    for ((a, b), _), t, mb in zip(BANDS, targets, male_bands):
        males += largest_remainder(mb, m[a:b])
        females += largest_remainder(t - mb, f[a:b])
    assert (sum(males), sum(females)) == (MALES, FEMALES)
    with open(out, "w", newline="", encoding="utf-8") as g:
        w = csv.writer(g, lineterminator="\n")
        w.writerow(["age", "males", "females"])
        w.writerows(zip(LABELS, males, females))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else Path(__file__).with_name("age-sex-shape.csv"))
