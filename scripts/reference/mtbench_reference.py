#!/usr/bin/python3
"""Reference MT-Bench scores computed with the Python tools' own logic (pandas).

Writes, for one FastChat single-grading judgment file, the per-model numbers each dedupe policy
must give, so test/mtbenchScores.test.ts can compare the TypeScript implementation to 1e-12:

- policy "all": FastChat fastchat/llm_judge/show_result.py --mode single, display_result_single:
    df = pd.read_json(file, lines=True)[["model", "score", "turn"]]; df = df[df["score"] != -1]
    turn 1 = df[df.turn == 1].groupby(["model", "turn"]).mean(); turn 2 likewise;
    "Average" = df[["model", "score"]].groupby("model").mean()  (pooled over both turns)
- policy "last": URIAL run_scripts/mt-bench/show_results.py, display_result_single: reads the lines
    in reverse, keeps the first item seen per f"{model}_{turn}_{question_id}" (i.e. the file's last
    row of each key), builds the DataFrame, then drops score == -1 and takes the same means.
- policy "first": the same with the file's first row of each key (pandas drop_duplicates keep="first").
- per category: the kept, non-failed rows merged with question.jsonl's category, then
    groupby(["model", "category"]).score.mean() (both turns pooled), as URIAL's per-category table.
- n_duplicates: rows whose (model, question_id, turn) appeared earlier: df.duplicated(keys).sum().
- policy "error": the number of duplicated keys (the TS implementation must refuse the file).

Usage: /usr/bin/python3 scripts/reference/mtbench_reference.py JUDGMENTS.jsonl QUESTIONS.jsonl > out.json
"""
import json
import sys

import pandas as pd

KEYS = ["model", "question_id", "turn"]


def means(df, categories):
    out = {}
    for model, g in df.groupby("model"):
        t1 = g[g["turn"] == 1]["score"]
        t2 = g[g["turn"] == 2]["score"]
        merged = g.merge(categories, on="question_id", how="left")
        by_cat = merged.groupby("category")["score"].mean().to_dict()
        out[model] = {
            "turn1": float(t1.mean()) if len(t1) else None,
            "turn2": float(t2.mean()) if len(t2) else None,
            "pooled": float(g["score"].mean()),
            "mean_of_turns": float((t1.mean() + t2.mean()) / 2) if len(t1) and len(t2) else None,
            "n_turn1": int(len(t1)),
            "n_turn2": int(len(t2)),
            "by_category": {k: float(v) for k, v in by_cat.items()},
        }
    return out


def urial_last_rows(path):
    """URIAL show_results.py's loop: walk the lines backwards, keep the first item per key."""
    with open(path) as f:
        lines = f.readlines()
    covered = set()
    items = []
    for line in lines[::-1]:
        item = json.loads(line)
        uqid = f"{item['model']}_{item['turn']}_{item['question_id']}"
        if uqid not in covered:
            items.append(item)
            covered.add(uqid)
    return pd.DataFrame(items)


def main(judgments_path, questions_path):
    raw = pd.read_json(judgments_path, lines=True)
    categories = pd.read_json(questions_path, lines=True)[["question_id", "category"]]
    dup = raw.duplicated(KEYS)
    n_dup = raw[dup].groupby("model").size().to_dict()
    result = {
        "generated_by": "/usr/bin/python3 scripts/reference/mtbench_reference.py " + " ".join(sys.argv[1:]),
        "pandas": pd.__version__,
        "python": sys.version.split()[0],
        "policies": {},
    }
    for policy, frame in [
        ("all", raw),
        ("last", urial_last_rows(judgments_path)),
        ("first", raw.drop_duplicates(KEYS, keep="first")),
    ]:
        failed = frame[frame["score"] == -1].groupby("model").size().to_dict()
        kept = frame[frame["score"] != -1][["model", "question_id", "score", "turn"]]
        per_model = means(kept, categories)
        for model, m in per_model.items():
            m["n_failed"] = int(failed.get(model, 0))
            m["n_duplicates"] = int(n_dup.get(model, 0))
        result["policies"][policy] = per_model
    result["policies"]["error"] = {"duplicated_keys": int(raw[raw.duplicated(KEYS, keep="first")].drop_duplicates(KEYS).shape[0])}
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
