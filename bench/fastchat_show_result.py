#!/usr/bin/python3
"""FastChat show_result.py --mode single logic (pandas), timed, for bench/mtbench.bench.ts.

Prints {"wall_s", "max_rss_mib", "rows", "models"} as JSON. The timed region is what
display_result_single does: pd.read_json(lines=True), drop score == -1, the three groupby means.
"""
import json
import resource
import sys
import time

import pandas as pd

start = time.perf_counter()
df_all = pd.read_json(sys.argv[1], lines=True)
df = df_all[["model", "score", "turn"]]
df = df[df["score"] != -1]
t1 = df[df["turn"] == 1].groupby(["model", "turn"]).mean()
t2 = df[df["turn"] == 2].groupby(["model", "turn"]).mean()
avg = df[["model", "score"]].groupby(["model"]).mean()
wall = time.perf_counter() - start
print(json.dumps({
    "wall_s": wall,
    "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "rows": int(len(df_all)),
    "models": int(len(avg)),
    "pandas": pd.__version__,
}))
