"""Job parsing, validation messages, sharding and prompt construction (no model needed)."""
from __future__ import annotations

import json

import pytest

from backend.job import JobError, parse_job, parse_shard, shard_dir_name, shard_range
from backend.prompts import build_prompts, render

from .jobs import make_job


def parse(d: dict):
    return parse_job(json.dumps(d).encode(), "job.json")


def test_parses_the_test_job():
    job = parse(make_job("/nonexistent"))
    assert len(job.runs) == 3
    assert job.training.lora_r == 8 and job.training.lora_alpha == 32 and job.training.lora_dropout == 0.05
    assert job.training.learning_rate == 1e-4 and job.training.epochs == 10
    assert job.training.target_modules == ("q_proj", "v_proj")
    assert [r.epochs for r in job.runs] == [10, 5, 0]
    assert job.hash.startswith("sha256:") and len(job.hash) == 71


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.update(format="x"), 'field format: must be "icl-workbench.hidden-job"'),
        (lambda d: d.update(version=2), "field version: unsupported version 2"),
        (lambda d: d["runs"][1].pop("seed"), "field runs[1].seed: missing"),
        (lambda d: d["runs"][0].update(seed="7"), "field runs[0].seed: must be an integer"),
        (lambda d: d["runs"][0]["demos"][0].pop("label"), "field runs[0].demos[0].label: missing"),
        (lambda d: d["runs"][0]["inference"].update(task="qa"), 'field runs[0].inference.task: unknown task "qa"'),
        (lambda d: d["runs"][2].update(id="one-demo"), 'field runs[2].id: duplicate run id "one-demo"'),
        (lambda d: d["runs"][0].update(similarity=[0.1, 0.2]), "field runs[0].similarity: has 2 values for 1 demonstrations"),
        (lambda d: d["runs"][0].update(demos=[]), "field runs[0].demos: must hold at least one demonstration"),
        (lambda d: d["model"].update(random_init={"config": {}}), 'field model: give exactly one of "path"'),
        (lambda d: d["tasks"]["sentiment"].update(input="Review:"), 'field tasks.sentiment.input: must contain "{text}"'),
        (lambda d: d["tasks"]["sentiment"].update(output="Sentiment: "), "field tasks.sentiment.output: must not end with whitespace"),
        (lambda d: d.update(training={"loss_on": "x"}), 'field training.loss_on: must be "all" or "label"'),
        (lambda d: d["runs"][0].update(flags={"no_instruction": "yes"}), "field runs[0].flags.no_instruction: must be true or false"),
    ],
)
def test_validation_names_the_field(mutate, message):
    d = make_job("/m")
    mutate(d)
    with pytest.raises(JobError) as e:
        parse(d)
    assert str(e.value).startswith("job.json: ")
    assert message in str(e.value)


def test_invalid_json():
    with pytest.raises(JobError, match="job.json: not valid JSON"):
        parse_job(b"{", "job.json")


def test_hash_is_of_the_bytes():
    d = make_job("/m")
    a = parse_job(json.dumps(d).encode(), "a")
    b = parse_job(json.dumps(d, indent=2).encode(), "b")
    assert a.hash != b.hash  # the file's bytes, not its meaning: shards must read the same file


def test_shards_cover_runs_once():
    for n_runs in (1, 2, 7, 30):
        for n in range(1, n_runs + 1):
            covered = []
            for i in range(n):
                a, b = shard_range(n_runs, i, n)
                assert b - a in (n_runs // n, n_runs // n + 1)
                covered += range(a, b)
            assert covered == list(range(n_runs))
    assert parse_shard("3/8") == (3, 8)
    assert shard_dir_name(3, 8) == "shard-003-of-008"
    for bad in ("8/8", "1", "a/b", "-1/2", "0/0"):
        with pytest.raises(JobError):
            parse_shard(bad)


def test_prompts_of_the_three_situations():
    job = parse(make_job("/m"))
    p = build_prompts(job, job.runs[0])
    instr = "What is the sentiment of the movie review below?"
    assert render(p.anchor) == f"{instr}\nReview: I like this movie.\nSentiment:"
    assert render(p.icl) == f"{instr}\nReview: a wonderful movie with a great cast.\nSentiment: positive\nReview: I like this movie.\nSentiment:"
    assert [render(s) for s in p.train] == [f"{instr}\nReview: a wonderful movie with a great cast.\nSentiment: positive"]


def test_prompts_supervised_and_other_task():
    job = parse(make_job("/m"))
    sl = build_prompts(job, job.runs[1])
    assert [render(s) for s in sl.train] == [
        "Review: many pointless scenes and a boring story.\nSentiment: positive",
        "Review: the film is fun and moving.\nSentiment: negative",
    ]
    assert render(sl.icl).startswith("Classify the overall sentiment")  # ICL keeps the instruction
    other = build_prompts(job, job.runs[2])
    assert render(other.icl) == (
        "Translate this English sentence into Czech.\nEnglish: the weather is nice today.\nCzech: dnes je hezky.\n"
        "Determine whether the sentiment expressed in this movie review is negative or positive:\nReview: It was bad.\nSentiment:"
    )
    assert render(other.train[0]).startswith("Translate this English sentence into Czech.\nEnglish:")


def test_instruction_per_demo_layout():
    d = make_job("/m", template={"instruction_per_demo": True, "segment_sep": " "})
    job = parse(d)
    p = build_prompts(job, job.runs[0])
    i = job.runs[0].instruction
    assert render(p.icl) == f"{i} Review: a wonderful movie with a great cast. Sentiment: positive {i} Review: I like this movie. Sentiment:"
