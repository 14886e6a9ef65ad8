"""The job file: parsing, validation (every error names the field), hashing and sharding.

A job is JSON (format "icl-workbench.hidden-job", version 1). The TypeScript job builder
(lib/experiment/hiddenJob.ts) writes it; backend/README.md documents every field.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from typing import Any

JOB_FORMAT = "icl-workbench.hidden-job"
JOB_VERSION = 1


class JobError(ValueError):
    """A problem in the job file; the message names the file and the field (e.g. runs[3].seed)."""


@dataclass(frozen=True)
class TaskTemplate:
    """How one task's examples are written: `input` holds "{text}", `output` is the label prefix."""

    name: str
    input: str
    output: str
    labels: tuple[str, ...] | None


@dataclass(frozen=True)
class Template:
    """Separators shared by all tasks (see backend/README.md, "Prompts")."""

    segment_sep: str = "\n"
    label_sep: str = " "
    instruction_per_demo: bool = False


@dataclass(frozen=True)
class Training:
    """LoRA instruction tuning (Duan et al. Sec. 3.1): q/v, r 8, alpha 32, dropout .05, AdamW 1e-4."""

    lora_r: int = 8
    lora_alpha: float = 32.0
    lora_dropout: float = 0.05
    target_modules: tuple[str, ...] = ("q_proj", "v_proj")
    learning_rate: float = 1e-4
    weight_decay: float = 0.0
    epochs: int = 10
    loss_on: str = "all"  # "all": every token of the training text; "label": only the label tokens


@dataclass(frozen=True)
class ModelSpec:
    """Weights from a local directory, or a random model built from a config (benchmarks only)."""

    path: str | None
    tokenizer_path: str | None
    random_config: dict[str, Any] | None
    random_seed: int
    dtype: str  # auto | float32 | bfloat16 | float16
    device: str  # auto | cpu | cuda | cuda:N
    path_in_job: str | None = None  # as written; `path` is resolved against the job file's directory
    package: str | None = None  # an installed Python package holding the weights (backend/weights.py)
    file: str | None = None  # with `package`: the path inside it (a .gguf file or a model directory)
    sha256: str | None = None  # expected hash of the weights; other weights are refused


@dataclass(frozen=True)
class SimilaritySpec:
    """The sentence-embedding model of Fig. 4: a local directory, or a directory inside a package."""

    path: str | None
    package: str | None = None
    file: str | None = None
    sha256: str | None = None
    path_in_job: str | None = None


@dataclass(frozen=True)
class Demo:
    text: str
    label: str
    task: str
    instruction: str | None = None
    gold_label: str | None = None


@dataclass(frozen=True)
class Inference:
    text: str
    task: str
    label: str | None = None


@dataclass(frozen=True)
class Run:
    index: int
    id: str
    seed: int
    instruction: str
    demos: tuple[Demo, ...]
    inference: Inference
    epochs: int
    flags: dict[str, Any]
    similarity: tuple[float, ...] | None
    group: str | None


@dataclass(frozen=True)
class Job:
    name: str
    experiment: str
    model: ModelSpec
    similarity_model: SimilaritySpec | None
    training: Training
    template: Template
    tasks: dict[str, TaskTemplate]
    runs: tuple[Run, ...]
    hash: str
    raw: dict[str, Any] = field(repr=False, compare=False)
    # hidden states written per situation: None = all L+1; else state indices (-1 = the last)
    states: tuple[int, ...] | None = None


def job_hash(data: bytes) -> str:
    """"sha256:<hex>" of the job file's bytes: shards of one job carry the same value."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


class _Reader:
    """Typed field access with error messages naming the file and the JSON path."""

    def __init__(self, file: str):
        self.file = file

    def fail(self, where: str, problem: str) -> JobError:
        return JobError(f"{self.file}: field {where}: {problem}")

    def obj(self, v: Any, where: str) -> dict[str, Any]:
        if not isinstance(v, dict):
            raise self.fail(where, f"must be an object, got {type(v).__name__}")
        return v

    def get(self, o: dict[str, Any], key: str, where: str, default: Any = ..., kind: Any = None) -> Any:
        if key not in o or o[key] is None:
            if default is ...:
                raise self.fail(f"{where}.{key}" if where else key, "missing")
            return default
        v = o[key]
        path = f"{where}.{key}" if where else key
        if kind is str and not isinstance(v, str):
            raise self.fail(path, f"must be a string, got {json.dumps(v)[:60]}")
        if kind is int and (isinstance(v, bool) or not isinstance(v, int)):
            raise self.fail(path, f"must be an integer, got {json.dumps(v)[:60]}")
        if kind is float:
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise self.fail(path, f"must be a finite number, got {json.dumps(v)[:60]}")
            v = float(v)
        if kind is bool and not isinstance(v, bool):
            raise self.fail(path, f"must be true or false, got {json.dumps(v)[:60]}")
        if kind is list and not isinstance(v, list):
            raise self.fail(path, f"must be an array, got {json.dumps(v)[:60]}")
        if kind is dict and not isinstance(v, dict):
            raise self.fail(path, f"must be an object, got {json.dumps(v)[:60]}")
        return v


def parse_job(data: bytes, file: str = "job.json") -> Job:
    """Parses and validates a job file's bytes. Raises JobError naming the field on any problem."""
    r = _Reader(file)
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise JobError(f"{file}: not valid JSON: {e}") from None
    top = r.obj(raw, "(top level)")
    fmt = r.get(top, "format", "", kind=str)
    if fmt != JOB_FORMAT:
        raise r.fail("format", f'must be "{JOB_FORMAT}", got "{fmt}"')
    version = r.get(top, "version", "", kind=int)
    if version != JOB_VERSION:
        raise r.fail("version", f"unsupported version {version} (this backend reads {JOB_VERSION})")

    m = r.get(top, "model", "", kind=dict)
    path = r.get(m, "path", "model", None, kind=str)
    rnd = r.get(m, "random_init", "model", None, kind=dict)
    package, pfile, sha = _weights_fields(r, m, "model")
    if sum(x is not None for x in (path, rnd, package)) != 1:
        raise r.fail("model", 'give exactly one of "path" (a local directory or .gguf file), "package" (with "file") or "random_init"')
    if rnd is not None and sha is not None:
        raise r.fail("model.sha256", "has no meaning with random_init")
    dtype = r.get(m, "dtype", "model", "auto", kind=str)
    if dtype not in ("auto", "float32", "bfloat16", "float16"):
        raise r.fail("model.dtype", f'must be auto, float32, bfloat16 or float16, got "{dtype}"')
    device = r.get(m, "device", "model", "auto", kind=str)
    if not (device in ("auto", "cpu", "cuda") or device.startswith("cuda:")):
        raise r.fail("model.device", f'must be auto, cpu, cuda or cuda:N, got "{device}"')
    tok_path = r.get(m, "tokenizer_path", "model", None, kind=str)
    if rnd is not None and tok_path is None:
        raise r.fail("model.tokenizer_path", "required with random_init (a local tokenizer directory)")
    model = ModelSpec(
        path=_resolve(path, file),
        path_in_job=path,
        tokenizer_path=_resolve(tok_path, file),
        random_config=r.get(rnd, "config", "model.random_init", kind=dict) if rnd is not None else None,
        random_seed=r.get(rnd, "seed", "model.random_init", 0, kind=int) if rnd is not None else 0,
        dtype=dtype,
        device=device,
        package=package,
        file=pfile,
        sha256=sha,
    )

    sim = r.get(top, "similarity_model", "", None, kind=dict)
    similarity_model = None
    if sim is not None:
        spath = r.get(sim, "path", "similarity_model", None, kind=str)
        spkg, sfile, ssha = _weights_fields(r, sim, "similarity_model")
        if (spath is None) == (spkg is None):
            raise r.fail("similarity_model", 'give exactly one of "path" (a local directory) or "package" (with "file")')
        similarity_model = SimilaritySpec(path=_resolve(spath, file), package=spkg, file=sfile, sha256=ssha, path_in_job=spath)

    out = r.get(top, "output", "", {}, kind=dict)
    states_raw = r.get(out, "states", "output", "all")
    states: tuple[int, ...] | None
    if states_raw == "all":
        states = None
    elif isinstance(states_raw, list) and states_raw and all(isinstance(x, int) and not isinstance(x, bool) for x in states_raw):
        states = tuple(states_raw)
    else:
        raise r.fail("output.states", f'must be "all" or a non-empty array of state indices (-1 = the last), got {json.dumps(states_raw)[:60]}')

    t = r.get(top, "training", "", {}, kind=dict)
    training = Training(
        lora_r=r.get(t, "lora_r", "training", 8, kind=int),
        lora_alpha=r.get(t, "lora_alpha", "training", 32.0, kind=float),
        lora_dropout=r.get(t, "lora_dropout", "training", 0.05, kind=float),
        target_modules=tuple(_str_list(r, r.get(t, "target_modules", "training", ["q_proj", "v_proj"], kind=list), "training.target_modules")),
        learning_rate=r.get(t, "learning_rate", "training", 1e-4, kind=float),
        weight_decay=r.get(t, "weight_decay", "training", 0.0, kind=float),
        epochs=r.get(t, "epochs", "training", 10, kind=int),
        loss_on=r.get(t, "loss_on", "training", "all", kind=str),
    )
    if training.loss_on not in ("all", "label"):
        raise r.fail("training.loss_on", f'must be "all" or "label", got "{training.loss_on}"')
    if training.lora_r < 1:
        raise r.fail("training.lora_r", "must be at least 1")
    if training.epochs < 0:
        raise r.fail("training.epochs", "must be 0 or more")

    tp = r.get(top, "template", "", {}, kind=dict)
    template = Template(
        segment_sep=r.get(tp, "segment_sep", "template", "\n", kind=str),
        label_sep=r.get(tp, "label_sep", "template", " ", kind=str),
        instruction_per_demo=r.get(tp, "instruction_per_demo", "template", False, kind=bool),
    )

    tasks_raw = r.get(top, "tasks", "", kind=dict)
    tasks: dict[str, TaskTemplate] = {}
    for name, tv in tasks_raw.items():
        w = f"tasks.{name}"
        tv = r.obj(tv, w)
        inp = r.get(tv, "input", w, kind=str)
        if inp.count("{text}") != 1:
            raise r.fail(f"{w}.input", 'must contain "{text}" exactly once')
        labels = r.get(tv, "labels", w, None, kind=list)
        if labels is not None:
            labels = tuple(_str_list(r, labels, f"{w}.labels"))
            if len(labels) < 2 or len(set(labels)) != len(labels):
                raise r.fail(f"{w}.labels", "must hold at least two distinct labels")
        out = r.get(tv, "output", w, kind=str)
        if out != out.rstrip():
            raise r.fail(f"{w}.output", "must not end with whitespace (the prompt ends with it)")
        tasks[name] = TaskTemplate(name=name, input=inp, output=out, labels=labels)

    runs_raw = r.get(top, "runs", "", kind=list)
    if not runs_raw:
        raise r.fail("runs", "must hold at least one run")
    runs = []
    ids: set[str] = set()
    for i, rv in enumerate(runs_raw):
        runs.append(_parse_run(r, rv, i, tasks, training))
        if runs[-1].id in ids:
            raise r.fail(f"runs[{i}].id", f'duplicate run id "{runs[-1].id}"')
        ids.add(runs[-1].id)

    return Job(
        name=r.get(top, "name", "", "job", kind=str),
        experiment=r.get(top, "experiment", "", "custom", kind=str),
        model=model,
        similarity_model=similarity_model,
        training=training,
        template=template,
        tasks=tasks,
        runs=tuple(runs),
        hash=job_hash(data),
        states=states,
        raw=top,
    )


def _weights_fields(r: _Reader, o: dict[str, Any], where: str) -> tuple[str | None, str | None, str | None]:
    """(package, file, sha256) of a model or similarity_model block."""
    package = r.get(o, "package", where, None, kind=str)
    pfile = r.get(o, "file", where, None, kind=str)
    if (package is None) != (pfile is None):
        raise r.fail(f"{where}.package" if package is None else f"{where}.file", 'give "package" and "file" together')
    if pfile is not None and (os.path.isabs(pfile) or ".." in pfile.split("/")):
        raise r.fail(f"{where}.file", f'must be a relative path inside the package, got "{pfile}"')
    sha = r.get(o, "sha256", where, None, kind=str)
    if sha is not None and (len(sha) != 64 or any(c not in "0123456789abcdefABCDEF" for c in sha)):
        raise r.fail(f"{where}.sha256", f'must be 64 hexadecimal digits, got "{sha[:70]}"')
    return package, pfile, sha.lower() if sha is not None else None


def _resolve(p: str | None, job_file: str) -> str | None:
    """A relative path in the job is relative to the job file's directory."""
    if p is None or os.path.isabs(p):
        return p
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(job_file)), p))


def _str_list(r: _Reader, v: list[Any], where: str) -> list[str]:
    for i, s in enumerate(v):
        if not isinstance(s, str):
            raise r.fail(f"{where}[{i}]", "must be a string")
    return list(v)


def _parse_run(r: _Reader, rv: Any, i: int, tasks: dict[str, TaskTemplate], training: Training) -> Run:
    w = f"runs[{i}]"
    rv = r.obj(rv, w)
    inf = r.get(rv, "inference", w, kind=dict)
    inf_task = r.get(inf, "task", f"{w}.inference", kind=str)
    if inf_task not in tasks:
        raise r.fail(f"{w}.inference.task", f'unknown task "{inf_task}" (job tasks: {", ".join(tasks)})')
    inference = Inference(
        text=r.get(inf, "text", f"{w}.inference", kind=str),
        task=inf_task,
        label=r.get(inf, "label", f"{w}.inference", None, kind=str),
    )
    demos_raw = r.get(rv, "demos", w, kind=list)
    if not demos_raw:
        raise r.fail(f"{w}.demos", "must hold at least one demonstration")
    demos = []
    for j, dv in enumerate(demos_raw):
        dw = f"{w}.demos[{j}]"
        dv = r.obj(dv, dw)
        task = r.get(dv, "task", dw, inf_task, kind=str)
        if task not in tasks:
            raise r.fail(f"{dw}.task", f'unknown task "{task}"')
        demos.append(
            Demo(
                text=r.get(dv, "text", dw, kind=str),
                label=r.get(dv, "label", dw, kind=str),
                task=task,
                instruction=r.get(dv, "instruction", dw, None, kind=str),
                gold_label=r.get(dv, "gold_label", dw, None, kind=str),
            )
        )
    sim = rv.get("similarity")
    similarity: tuple[float, ...] | None
    if sim is None:
        similarity = None
    elif isinstance(sim, (int, float)) and not isinstance(sim, bool):
        similarity = (r.get(rv, "similarity", w, kind=float),)
    elif isinstance(sim, list) and all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in sim):
        similarity = tuple(float(x) for x in sim)
        if len(similarity) != len(demos):
            raise r.fail(f"{w}.similarity", f"has {len(similarity)} values for {len(demos)} demonstrations")
    else:
        raise r.fail(f"{w}.similarity", "must be a number or an array of numbers (one per demonstration)")
    flags = r.get(rv, "flags", w, {}, kind=dict)
    if "no_instruction" in flags and not isinstance(flags["no_instruction"], bool):
        raise r.fail(f"{w}.flags.no_instruction", "must be true or false")
    epochs = r.get(rv, "epochs", w, training.epochs, kind=int)
    if epochs < 0:
        raise r.fail(f"{w}.epochs", "must be 0 or more")
    return Run(
        index=i,
        id=r.get(rv, "id", w, f"run-{i:04d}", kind=str),
        seed=r.get(rv, "seed", w, kind=int),
        instruction=r.get(rv, "instruction", w, kind=str),
        demos=tuple(demos),
        inference=inference,
        epochs=epochs,
        flags=flags,
        similarity=similarity,
        group=r.get(rv, "group", w, None, kind=str),
    )


def parse_shard(spec: str) -> tuple[int, int]:
    """"i/n" (0-based i, as Slurm's $SLURM_ARRAY_TASK_ID with --array=0-(n-1)) -> (i, n)."""
    try:
        a, b = spec.split("/")
        i, n = int(a), int(b)
    except ValueError:
        raise JobError(f'--shard must look like "i/n" (e.g. 0/4), got "{spec}"') from None
    if n < 1 or not 0 <= i < n:
        raise JobError(f"--shard {spec}: need 0 <= i < n")
    return i, n


def shard_range(n_runs: int, i: int, n: int) -> tuple[int, int]:
    """Contiguous block of runs [start, end) for shard i of n; blocks differ in size by at most 1."""
    return (i * n_runs) // n, ((i + 1) * n_runs) // n


def shard_dir_name(i: int, n: int) -> str:
    return f"shard-{i:03d}-of-{n:03d}"
