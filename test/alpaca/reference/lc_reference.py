"""Reference numbers for test/alpaca/lengthControlled.test.ts.

Re-implements alpaca_eval's length-controlled win rate procedure
(src/alpaca_eval/metrics/glm_winrate.py: features, soft labels by row duplication with sample
weights, GroupKFold CV over Cs = logspace(-4, 4, 10) with the logloss_continuous scorer, refit,
mean predicted preference at zero length difference) on synthetic data, with sklearn's
LogisticRegression(penalty="l1", solver="liblinear", fit_intercept=False) doing every fit.
glm_winrate.py itself needs sklearn >= 1.4 (metadata routing); Debian bookworm ships 1.2.1, so
the cross-validation loop is written out here, step for step as LogisticRegressionCV does it.

Run: /usr/bin/python3 test/alpaca/reference/lc_reference.py > test/alpaca/fixtures/lc_synthetic.json
(needs Debian's python3-sklearn 1.2.1, python3-numpy 1.24, python3-pandas 1.5).
"""
import json
import sys

import numpy as np
import pandas as pd
import sklearn
from sklearn.linear_model import LogisticRegression

TIGHT = dict(tol=1e-12, max_iter=100000)
ALPACA_DEFAULT = dict(tol=1e-4, max_iter=100)  # sklearn defaults, as glm_winrate.py uses them


def make_data(rng, n, n_gamed):
    len_2 = rng.integers(20, 2000, n)
    len_1 = rng.integers(200, 2500, n)
    difficulty = rng.normal(0.0, 1.0, n)
    delta = len_1 - len_2
    eta = -2.0 + 0.8 * np.tanh(-delta / delta.std()) - 0.7 * difficulty
    p = 1 / (1 + np.exp(-(eta + rng.normal(0, 0.5, n))))
    pref = 1 + p
    pref[rng.choice(n, 6, replace=False)] = 1.5  # draws
    pref[:3] = [1.0, 2.0, 0.0]  # exact loss, exact win, old-style draw
    pref = pref.astype(object)
    pref[10] = None  # no preference: not fitted but predicted
    g_std = rng.normal(0, 1, n_gamed)
    g_diff = rng.normal(0, 1, n_gamed)
    g_pref = 1 / (1 + np.exp(-(-1.0 + 1.5 * np.tanh(-g_std) - 0.5 * g_diff)))
    return len_1, len_2, difficulty, pref, g_std, g_diff, g_pref


def fit(X, y, s, C, solver_kwargs):
    """Soft labels as glm_winrate.fit_LogisticRegressionCV does: duplicate, weight y*s and (1-y)*s."""
    X2 = np.vstack([X, X])
    lab = np.concatenate([np.ones(len(y)), np.zeros(len(y))])
    w = np.concatenate([y * s, (1 - y) * s])
    m = LogisticRegression(C=C, penalty="l1", solver="liblinear", fit_intercept=False, random_state=123, **solver_kwargs)
    m.fit(X2, lab, sample_weight=w)
    return m.coef_[0]


def score(X, y, s, coef):
    q = np.clip(1 / (1 + np.exp(-(X @ coef))), 1e-15, 1 - 1e-15)
    return float(np.mean(s * (y * np.log(q) + (1 - y) * np.log(1 - q))))


def lc(len_1, len_2, difficulty, pref, gamed, solver_kwargs, lam=0.2, k=5):
    delta = pd.Series(len_1 - len_2)
    std_delta = delta / delta.std()  # pandas std, ddof=1
    p = pd.Series(pref).astype(float).replace({0.0: 1.5}) - 1
    X = np.column_stack([np.tanh(std_delta), difficulty, np.ones(len(p))])
    keep = p.notna().to_numpy()
    Xt, yt, st = X[keep], p[keep].to_numpy(), np.ones(keep.sum())
    if gamed is not None:
        g_std, g_diff, g_pref = gamed
        Xg = np.column_stack([np.tanh(g_std), g_diff, np.zeros(len(g_std))])
        Xt = np.vstack([Xg, Xt])
        yt = np.concatenate([g_pref, yt])
        st = np.concatenate([np.full(len(g_pref), lam / 2), st])
    n = len(yt)
    folds = np.array([(n - 1 - g) % k for g in range(n)])  # GroupKFold, numpy>=2 tie order
    Cs = np.logspace(-4, 4, 10)
    scores = np.zeros(len(Cs))
    for f in range(k):
        tr, te = folds != f, folds == f
        for c, C in enumerate(Cs):
            coef = fit(Xt[tr], yt[tr], st[tr], C, solver_kwargs)
            scores[c] += score(Xt[te], yt[te], st[te], coef)
    best = int(np.argmax(scores))
    coef = fit(Xt, yt, st, Cs[best], solver_kwargs)
    Xtest = X.copy()
    Xtest[:, 0] = 0.0  # std_delta_len = 0 -> tanh(0)
    glm_pref = 1 / (1 + np.exp(-(Xtest @ coef)))
    return dict(lc=float(glm_pref.mean() * 100), C=float(Cs[best]), coef=coef.tolist(), cv_scores=scores.tolist())


def main():
    rng = np.random.default_rng(20240607)
    len_1, len_2, difficulty, pref, g_std, g_diff, g_pref = make_data(rng, 300, 200)
    gamed = (g_std, g_diff, g_pref)
    # plain L1 fits at fixed C on the model rows (no CV), for the solver itself
    delta = pd.Series(len_1 - len_2)
    p = pd.Series(pref).astype(float).replace({0.0: 1.5}) - 1
    keep = p.notna().to_numpy()
    X = np.column_stack([np.tanh(delta / delta.std()), difficulty, np.ones(len(p))])[keep]
    s = np.where(np.arange(keep.sum()) % 3 == 0, 0.5, 1.0)
    fixed = [dict(C=C, coef=fit(X, p[keep].to_numpy(), s, C, TIGHT).tolist()) for C in [1e-3, 0.01, 0.1, 1.0, 100.0]]
    out = dict(
        generator=(
            "test/alpaca/reference/lc_reference.py with "
            f"sklearn {sklearn.__version__}, numpy {np.__version__}, pandas {pd.__version__}"
        ),
        len_1=len_1.tolist(),
        len_2=len_2.tolist(),
        difficulty=difficulty.tolist(),
        preference=[None if v is None else float(v) for v in pref],
        gamed=dict(std_delta_len=g_std.tolist(), instruction_difficulty=g_diff.tolist(), preference=g_pref.tolist()),
        fixed_c=dict(x=X.tolist(), y=p[keep].tolist(), s=s.tolist(), fits=fixed),
        without_gamed=lc(len_1, len_2, difficulty, pref, None, TIGHT),
        with_gamed=lc(len_1, len_2, difficulty, pref, gamed, TIGHT),
        without_gamed_liblinear_default_tol=lc(len_1, len_2, difficulty, pref, None, ALPACA_DEFAULT),
        with_gamed_liblinear_default_tol=lc(len_1, len_2, difficulty, pref, gamed, ALPACA_DEFAULT),
    )
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
