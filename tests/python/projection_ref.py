"""Independent reference for popmap's cohort-component projections (issue 19).

Written from the textbook formulas (Preston, Heuveline & Guillot 2001, ch. 6; Brass logit;
Rogers-Castro), not from the Rust code: a projection is a Leslie matrix (both sexes, single ages
0..79 and the open 80+) applied once a year, plus a migration vector, negatives set to zero.

stdin: {"assumptions": <path of assumptions.toml>, "years": n, "variants": [...],
        "units": [{"code", "males": [17], "females": [17], "births", "births_male",
                   "births_female", "deaths", "net": [...]}]}
stdout: {"units": {code: {variant: [[males17, females17] per year]}},
         "national": {variant: [[males17, females17] per year]}, "rates": {code: {...}}}
"""

import json
import math
import sys
import tomllib

import numpy as np

N = 81  # single ages 0..79 and 80+
OMEGA = 130


def siler_lx(p):
    x = np.arange(OMEGA + 1, dtype=float)
    h = p["a1"] / p["b1"] * (1 - np.exp(-p["b1"] * x)) + p["a2"] * x + p["a3"] / p["b3"] * (np.exp(p["b3"] * x) - 1)
    return np.exp(-h)


def survival(ls, alpha):
    """Returns (L0/l0, S) with S[x] = L(x+1)/L(x) for x < 80 and S[80] = T(81)/T(80)."""
    l = 1.0 / (1.0 + np.exp(2 * alpha) * (1 - ls) / np.where(ls > 0, ls, np.inf))
    l = np.where(ls > 0, l, 0.0)
    l[0] = 1.0
    L = (l[:-1] + l[1:]) / 2
    s = np.empty(N)
    s[:80] = L[1:81] / L[:80]
    s[80] = L[81:].sum() / L[80:].sum()
    return L[0] / l[0], s


def rogers_castro(m, x):
    return (m["a1"] * np.exp(-m["alpha1"] * x)
            + m["a2"] * np.exp(-m["alpha2"] * (x - m["mu2"]) - np.exp(-m["lambda2"] * (x - m["mu2"])))
            + m["c"])


def single_years(groups):
    g = np.asarray(groups, dtype=float)
    return np.concatenate([np.repeat(g[:16] / 5, 5), g[16:]])


def five_year(ages):
    return np.concatenate([ages[:80].reshape(16, 5).sum(axis=1), ages[80:]])


def hamilton(total, parts):
    """Largest-remainder apportionment of an integer total (ties to the earlier group)."""
    s = sum(parts)
    exact = [total * p / s if s > 0 else 0.0 for p in parts]
    floors = [math.floor(e) for e in exact]
    left = total - sum(floors)
    order = sorted(range(len(parts)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return floors


def whole(ages):
    g = five_year(ages)
    return hamilton(math.floor(float(g.sum()) + 0.5), [float(v) for v in g])


def main():
    req = json.load(sys.stdin)
    with open(req["assumptions"], "rb") as f:
        a = tomllib.load(f)
    fert = np.zeros(N)
    for i, share in enumerate(a["fertility"]["shares"]):
        fert[15 + 5 * i: 20 + 5 * i] = share / 5
    std = {s: siler_lx(a["mortality"][s]) for s in ("male", "female")}
    mig = rogers_castro(a["migration"], np.arange(0.0, 101.0))
    mig = np.concatenate([mig[:80], [mig[80:].sum()]])
    mig = mig / mig.sum()
    male_share = a["migration"]["male_share"]
    offsets = dict(zip(a["variants"]["names"], a["variants"]["tfr_offset"]))
    phase_in = a["variants"].get("phase_in", [])
    lo_b, hi_b = a["mortality"]["alpha_bounds"]

    out, rates, national = {}, {}, {}
    for u in req["units"]:
        pm, pf = single_years(u["males"]), single_years(u["females"])
        births = float(u["births"])
        tfr = births / float(fert @ pf) if births > 0 else 0.0
        bm, bf = u.get("births_male") or 0, u.get("births_female") or 0
        srb = bm / bf if bm > 0 and bf > 0 else a["fertility"]["default_srb"]

        def deaths_at(alpha):
            (im, sm), (if_, sf) = survival(std["male"], alpha), survival(std["female"], alpha)
            return (float(pm @ (1 - sm)) + births * srb / (1 + srb) * (1 - im)
                    + float(pf @ (1 - sf)) + births / (1 + srb) * (1 - if_))

        lo, hi = lo_b, hi_b
        if deaths_at(lo) >= u["deaths"]:
            alpha = lo
        elif deaths_at(hi) <= u["deaths"]:
            alpha = hi
        else:
            for _ in range(100):
                mid = (lo + hi) / 2
                lo, hi = (mid, hi) if deaths_at(mid) < u["deaths"] else (lo, mid)
            alpha = (lo + hi) / 2
        net = sum(u["net"]) / len(u["net"]) if u["net"] else 0.0
        rates[u["code"]] = {"tfr": tfr, "srb": srb, "alpha": alpha, "net_migration": net}

        (im, sm), (if_, sf) = survival(std["male"], alpha), survival(std["female"], alpha)
        out[u["code"]] = {}
        for variant in req["variants"]:
            # The Leslie matrix of both sexes: males 0..80 then females 0..80; its births rows
            # change with the phased-in TFR offset of each projected year.
            A = np.zeros((2 * N, 2 * N))
            for base, s in ((0, sm), (N, sf)):
                for x in range(N - 1):
                    A[base + x + 1, base + x] = s[x]
                A[base + N - 1, base + N - 1] = s[N - 1]
            m = np.concatenate([net * male_share * mig, net * (1 - male_share) * mig])
            p = np.concatenate([pm, pf])
            years = []
            for y in range(req["years"]):
                share = phase_in[y] if y < len(phase_in) else 1.0
                f = max(tfr + offsets[variant] * share, 0.0)
                A[0, N:] = f * fert * srb / (1 + srb) * im
                A[N, N:] = f * fert / (1 + srb) * if_
                p = np.maximum(A @ p + m, 0.0)
                years.append([whole(p[:N]), whole(p[N:])])
            out[u["code"]][variant] = years
            nat = national.setdefault(variant, [[[0] * 17, [0] * 17] for _ in years])
            for y, (ms, fs) in enumerate(years):
                nat[y][0] = [a_ + b_ for a_, b_ in zip(nat[y][0], ms)]
                nat[y][1] = [a_ + b_ for a_, b_ in zip(nat[y][1], fs)]
    json.dump({"units": out, "national": national, "rates": rates}, sys.stdout)


if __name__ == "__main__":
    main()
