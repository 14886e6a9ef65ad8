#!/usr/bin/env python3
"""Reference values for lib/stats from scipy >= 1.14 (written with scipy 1.17.1).

Writes test/fixtures/wilcoxon-reference.json (and test/fixtures/stats-reference.json for the
descriptive statistics, t / normal quantiles, cosine similarity and the BCa arithmetic).

Run:  python3 scripts/reference/wilcoxon_reference.py   (about 3 minutes)

scipy's wilcoxon changed in 1.13-1.15 (exact null for ties/zeros with floor/ceil rounding,
'auto' falling back to a permutation test for n <= 13): lib/stats follows the current
semantics, so the script refuses an older scipy such as Debian bookworm's python3-scipy 1.10.
Use the pip scipy (the pyenv python3 here has 1.17.1).

Every Wilcoxon case records the exact scipy call (`call`) and scipy's answer. Next to scipy's
p-value it records `p_exact`, the same p-value recomputed with Python integers (exact counts of
the null distribution; for scipy's permutation fallback, exact enumeration of sign flips), because
scipy's float64 table of the exact null distribution is exact only up to n = 53: above that it
loses about 1e-16 absolute when it computes a tail as 1 - cdf, which for tiny p-values is a large
relative error. `scipy_tail_via_complement` marks those cases.
"""
import json
import math
import os
import sys
import warnings
from fractions import Fraction

import numpy as np
import scipy
import scipy.stats as st
from scipy.spatial import distance

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def rank_avg(v):
    return st.rankdata(v, method="average")


def untied_counts(n):
    """counts[k] = #subsets of {1..n} with sum k (Python ints, exact)."""
    c = [1]
    for k in range(1, n + 1):
        new = c + [0] * k
        for s, v in enumerate(c):
            new[s + k] += v
        c = new
    return c


_cache = {}


def exact_p_untied(count, r_plus, alternative):
    """scipy's exact method (conservative floor/ceil for non-integral W+), in exact arithmetic."""
    if count not in _cache:
        _cache[count] = untied_counts(count)
    c = _cache[count]
    total = 2 ** count
    lo = math.ceil(r_plus)
    hi = math.floor(r_plus)
    cdf = Fraction(sum(c[: max(0, min(lo, len(c) - 1)) + 1]) if lo >= 0 else 0, total)
    sf = Fraction(sum(c[max(0, hi):]) if hi < len(c) else 0, total)
    if alternative == "less":
        return float(cdf)
    if alternative == "greater":
        return float(sf)
    return float(min(Fraction(1), 2 * min(cdf, sf)))


def wilcoxon_parts(d, zero_method):
    d = np.asarray(d, dtype=float)
    kept = d[d != 0] if zero_method == "wilcox" else d
    r = rank_avg(np.abs(kept)) if len(kept) else np.array([])
    r_plus = float(np.sum(r[kept > 0]))
    zero_sum = float(np.sum(r[kept == 0]))
    if zero_method == "zsplit":
        r_plus += zero_sum / 2
    return kept, r, r_plus


def exact_p_permutation(d, zero_method, alternative):
    """Exact enumeration (as counts) of sign flips of the non-zero differences."""
    kept, r, r_plus = wilcoxon_parts(d, zero_method)
    ranks2 = [int(round(2 * ri)) for ri, v in zip(r, kept) if v != 0]
    const2 = int(round(2 * r_plus)) - sum(int(round(2 * ri)) for ri, v in zip(r, kept) if v > 0)
    obs2 = int(round(2 * r_plus)) - const2
    dist = {0: 1}
    for q in ranks2:
        nd = {}
        for s, v in dist.items():
            nd[s] = nd.get(s, 0) + v
            nd[s + q] = nd.get(s + q, 0) + v
        dist = nd
    total = 2 ** len(ranks2)
    le = Fraction(sum(v for s, v in dist.items() if s <= obs2), total)
    ge = Fraction(sum(v for s, v in dist.items() if s >= obs2), total)
    if alternative == "less":
        return float(le)
    if alternative == "greater":
        return float(ge)
    return float(min(Fraction(1), 2 * min(le, ge)))


def datasets():
    rs = np.random.RandomState(20260101)
    out = []
    for n in [5, 10, 13, 20, 30, 50, 100, 200]:
        shift = 0.35 if n < 100 else 0.2
        # continuous: no ties, no zeros (floats from a normal)
        d = rs.normal(shift, 1.0, n)
        out.append({"id": f"n{n}-continuous", "x": d.tolist(), "y": None})
        # ties: multiples of 0.5, zeros replaced, so only ties
        t = np.round(rs.normal(shift, 1.0, n) * 2) / 2
        t[t == 0] = 0.5
        out.append({"id": f"n{n}-ties", "x": t.tolist(), "y": None})
        # zeros: continuous with about 15% exact zeros (no ties among non-zeros)
        z = rs.normal(shift, 1.0, n)
        z[rs.rand(n) < 0.15] = 0.0
        z[0] = 0.0
        out.append({"id": f"n{n}-zeros", "x": z.tolist(), "y": None})
        # paired x, y with ties and zeros in x - y (scores on a 1-10 scale, as MT-Bench)
        x = rs.randint(1, 11, n).astype(float)
        y = np.clip(x - rs.choice([-2, -1, 0, 0, 1, 1, 2, 3], n), 1, 10).astype(float)
        out.append({"id": f"n{n}-paired-ties-zeros", "x": x.tolist(), "y": y.tolist()})
        # paired continuous (differences computed in float64 by both sides)
        xa = rs.normal(0.7, 0.1, n)
        ya = xa - rs.normal(0.02, 0.05, n)
        out.append({"id": f"n{n}-paired-continuous", "x": xa.tolist(), "y": ya.tolist()})
    # the paper's footnote 6: n = 30, all positive; and W+ = 463 (rank 2 negative)
    allpos = np.arange(1, 31, dtype=float) / 100
    out.append({"id": "n30-all-positive", "x": allpos.tolist(), "y": None})
    w463 = allpos.copy()
    w463[1] = -w463[1]
    out.append({"id": "n30-wplus-463", "x": w463.tolist(), "y": None})
    out.append({"id": "n50-all-positive", "x": (np.arange(1, 51) / 7).tolist(), "y": None})
    # tiny tails at n = 200 (scipy's float table loses digits here; p_exact is the reference)
    big = np.arange(1, 201, dtype=float)
    big[[0, 2, 5]] *= -1
    out.append({"id": "n200-tiny-tail", "x": big.tolist(), "y": None})
    return out


def main():
    if tuple(int(p) for p in scipy.__version__.split('.')[:2]) < (1, 14):
        sys.exit(f'scipy {scipy.__version__} is too old: the reference needs scipy >= 1.14 (current wilcoxon semantics)')
    warnings.simplefilter("ignore")
    cases = []
    for ds in datasets():
        x = np.array(ds["x"])
        y = None if ds["y"] is None else np.array(ds["y"])
        d = x if y is None else x - y
        if np.all(d == 0):
            continue
        n_total = len(d)
        for zero_method in ["wilcox", "pratt", "zsplit"]:
            for alternative in ["two-sided", "greater", "less"]:
                for method, correction in [("exact", False), ("asymptotic", False), ("asymptotic", True), ("auto", False), ("auto", True)]:
                    args = "x" if y is None else "x, y"
                    call = f"scipy.stats.wilcoxon({args}, zero_method={zero_method!r}, correction={correction}, alternative={alternative!r}, method={method!r})"
                    res = st.wilcoxon(x, y, zero_method=zero_method, correction=correction, alternative=alternative, method=method)
                    kept, r, r_plus = wilcoxon_parts(d, zero_method)
                    count = len(kept)
                    has_ties = len(np.unique(np.abs(kept))) < len(kept)
                    n_zero = int(np.sum(d == 0))
                    used = method
                    if method == "auto":
                        if n_total > 50:
                            used = "asymptotic"
                        elif not (has_ties or n_zero > 0):
                            used = "exact"
                        elif n_total <= 13:
                            used = "permutation"
                        else:
                            used = "asymptotic"
                    case = {
                        "dataset": ds["id"],
                        "zero_method": zero_method,
                        "alternative": alternative,
                        "method": method,
                        "correction": correction,
                        "call": call,
                        "statistic": float(res.statistic),
                        "pvalue": float(res.pvalue),
                        "method_used": {"asymptotic": "approx"}.get(used, used),
                        "n": count,
                    }
                    if used == "exact":
                        case["p_exact"] = exact_p_untied(count, r_plus, alternative)
                        mean = count * (count + 1) / 4
                        case["scipy_tail_via_complement"] = bool(count > 53 and (
                            (alternative != "less" and math.floor(r_plus) > mean) or (alternative != "greater" and math.ceil(r_plus) > mean)))
                    elif used == "permutation":
                        case["p_exact"] = exact_p_permutation(d, zero_method, alternative)
                    cases.append(case)
    out = {
        "generator": "scripts/reference/wilcoxon_reference.py",
        "scipy_version": scipy.__version__,
        "numpy_version": np.__version__,
        "python_version": sys.version.split()[0],
        "notes": [
            "x (and y when not null) are the arguments of `call`; y null means a one-sample call on x as the differences.",
            "method_used: what scipy's 'auto' resolves to (scipy 1.17 _wilcoxon.py): approx when len(d) > 50; exact when no ties and no zeros; permutation (exact sign-flip enumeration, scipy.stats.permutation_test) when len(d) <= 13; approx otherwise.",
            "n: differences used by the null distribution (non-zero ones for wilcox, all for pratt/zsplit).",
            "p_exact: the p-value in exact integer arithmetic for exact and permutation cases (scipy's float table is exact up to n = 53).",
            "scipy_tail_via_complement: scipy computed this exact tail as 1 - cdf with n > 53, so its p-value carries ~1e-16 absolute error.",
        ],
        "datasets": datasets(),
        "cases": cases,
    }
    path = os.path.join(ROOT, "test", "fixtures", "wilcoxon-reference.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {path}")
    write_stats_reference()


def write_stats_reference():
    rs = np.random.RandomState(7)
    vals = [rs.lognormal(0, 1, 20).tolist(), rs.normal(5, 2, 9).tolist(), [1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]]
    desc = []
    for v in vals:
        a = np.array(v)
        desc.append({
            "values": v,
            "mean": float(np.mean(a)),
            "sample_sd": float(np.std(a, ddof=1)),
            "population_sd": float(np.std(a, ddof=0)),
            "sem": float(st.sem(a)),
            "t_interval_95": [float(u) for u in st.t.interval(0.95, len(a) - 1, loc=np.mean(a), scale=st.sem(a))],
            "t_interval_90": [float(u) for u in st.t.interval(0.90, len(a) - 1, loc=np.mean(a), scale=st.sem(a))],
        })
    t_ppf = []
    for df in [1, 2, 3, 4, 5, 7, 10, 19, 29, 30, 50, 100, 1000, 100000]:
        for p in [1e-12, 1e-6, 0.001, 0.005, 0.025, 0.05, 0.1, 0.3, 0.5, 0.6, 0.9, 0.95, 0.975, 0.995, 0.999999]:
            t_ppf.append({"p": p, "df": df, "value": float(st.t.ppf(p, df))})
    norm = []
    for z in [-37.5, -20, -10, -8, -5, -3, -1.96, -1, -0.5, 0, 0.3, 1, 2.5, 5, 8]:
        norm.append({"z": z, "cdf": float(st.norm.cdf(z)), "sf": float(st.norm.sf(z))})
    norm_ppf = [{"p": p, "value": float(st.norm.ppf(p))} for p in [1e-300, 1e-100, 1e-12, 1e-6, 0.001, 0.025, 0.1, 0.3, 0.5, 0.7, 0.975, 0.999, 1 - 1e-12]]
    cos = []
    for dim in [3, 64, 4096]:
        a = rs.normal(0, 1, dim).astype(np.float32)
        b = (a + rs.normal(0, 0.5, dim)).astype(np.float32)
        cos.append({"a": a.astype(float).tolist() if dim <= 64 else None, "b": b.astype(float).tolist() if dim <= 64 else None,
                    "seed_note": "dim 4096 vectors are not stored", "dim": dim,
                    "value": float(1 - distance.cosine(a.astype(np.float64), b.astype(np.float64)))})
    cos = [c for c in cos if c["a"] is not None]
    # BCa arithmetic with a fixed bootstrap distribution (scipy's own draws are random).
    from scipy.stats._resampling import _bca_interval
    data = rs.lognormal(0, 0.8, 15)
    idx = rs.randint(0, len(data), (999, len(data)))
    theta_b = data[idx].mean(axis=1)
    bca = []
    for level in [0.9, 0.95]:
        alpha = (1 - level) / 2
        a1, a2, a_hat = _bca_interval((data,), np.mean, axis=-1, alpha=alpha, theta_hat_b=theta_b, batch=None, xp=np)
        ci = st.quantile(theta_b, np.array([float(a1), float(a2)]))
        pct = st.quantile(theta_b, np.array([alpha, 1 - alpha]))
        bca.append({"level": level, "alpha_low": float(a1), "alpha_high": float(a2), "acceleration": float(a_hat),
                    "low": float(ci[0]), "high": float(ci[1]), "percentile_low": float(pct[0]), "percentile_high": float(pct[1])})
    out = {
        "generator": "scripts/reference/wilcoxon_reference.py",
        "scipy_version": scipy.__version__,
        "numpy_version": np.__version__,
        "calls": {
            "mean": "numpy.mean(values)",
            "sample_sd": "numpy.std(values, ddof=1)",
            "population_sd": "numpy.std(values, ddof=0)",
            "sem": "scipy.stats.sem(values)",
            "t_interval_95": "scipy.stats.t.interval(0.95, n - 1, loc=numpy.mean(values), scale=scipy.stats.sem(values))",
            "t_ppf": "scipy.stats.t.ppf(p, df)",
            "norm": "scipy.stats.norm.cdf(z), scipy.stats.norm.sf(z)",
            "norm_ppf": "scipy.stats.norm.ppf(p)",
            "cosine": "1 - scipy.spatial.distance.cosine(a.astype(float64), b.astype(float64)) on float32 vectors",
            "bca": "scipy.stats._resampling._bca_interval((data,), numpy.mean, axis=-1, alpha=(1-level)/2, theta_hat_b=replicates, batch=None, xp=numpy); then scipy.stats.quantile(replicates, [alpha_low, alpha_high])",
        },
        "descriptive": desc,
        "t_ppf": t_ppf,
        "norm": norm,
        "norm_ppf": norm_ppf,
        "cosine": cos,
        "bca": {"data": data.tolist(), "estimate": float(np.mean(data)), "replicates": theta_b.tolist(), "results": bca},
    }
    path = os.path.join(ROOT, "test", "fixtures", "stats-reference.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
