"""The job used by the tests: three runs covering the paper's variations."""
from __future__ import annotations

import copy

TASKS = {
    "sentiment": {"input": "Review: {text}", "output": "Sentiment:", "labels": ["negative", "positive"]},
    "translation": {"input": "English: {text}", "output": "Czech:"},
}


def make_job(model_dir: str, **extra) -> dict:
    """Three runs: one demo with the paper's 10 epochs; two demos, 5 epochs, a wrong label and no
    instruction in training (supervised variant); a translation demo for a sentiment query with
    0 epochs (IT must equal anchor exactly)."""
    job = {
        "format": "icl-workbench.hidden-job",
        "version": 1,
        "name": "pytest",
        "experiment": "main",
        "model": {"path": model_dir, "device": "cpu"},
        "tasks": TASKS,
        "runs": [
            {
                "id": "one-demo",
                "seed": 11,
                "instruction": "What is the sentiment of the movie review below?",
                "demos": [{"text": "a wonderful movie with a great cast.", "label": "positive"}],
                "inference": {"text": "I like this movie.", "task": "sentiment", "label": "positive"},
            },
            {
                "id": "two-demos-wrong-sl",
                "seed": 12,
                "instruction": "Classify the overall sentiment of this movie review as negative or positive.",
                "demos": [
                    {"text": "many pointless scenes and a boring story.", "label": "positive", "gold_label": "negative"},
                    {"text": "the film is fun and moving.", "label": "negative", "gold_label": "positive"},
                ],
                "epochs": 5,
                "flags": {"wrong_labels": True, "no_instruction": True},
                "inference": {"text": "not worth the time.", "task": "sentiment", "label": "negative"},
            },
            {
                "id": "other-task-untrained",
                "seed": 13,
                "instruction": "Determine whether the sentiment expressed in this movie review is negative or positive:",
                "demos": [
                    {
                        "text": "the weather is nice today.",
                        "label": "dnes je hezky.",
                        "task": "translation",
                        "instruction": "Translate this English sentence into Czech.",
                    }
                ],
                "epochs": 0,
                "flags": {"demo_task": "different"},
                "inference": {"text": "It was bad.", "task": "sentiment", "label": "negative"},
            },
        ],
    }
    job.update(copy.deepcopy(extra))
    return copy.deepcopy(job)
