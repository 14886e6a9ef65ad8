"""Prompts of the three situations (Duan et al. Sec. 2) as labelled text segments, and their tokens.

Every prompt is a list of (kind, text) segments; concatenated they give the string fed to the
tokenizer, and each token gets the kind of the segment holding its last character. The kinds
split the per-token loss of Sec. 4.3 into "instruction" and "example" tokens.

  anchor : instruction + query                         (base model)
  ICL    : instruction + demo block(s) + query         (base model)
  IT     : instruction + query                         (LoRA-tuned model; the same text as anchor)
  train  : instruction + demo block, one per demo      (what LoRA is tuned on; no instruction for
                                                        the supervised-learning variant, Sec. 4.2)

demo block = task.input with {text} + segment_sep + task.output + label_sep + label
query      = task.input with {text} + segment_sep + task.output      (ends the prompt; no space)
"""
from __future__ import annotations

from dataclasses import dataclass

from .job import Demo, Job, Run

SPECIAL = 0
INSTRUCTION = 1
SEPARATOR = 2
EXAMPLE_INPUT = 3
EXAMPLE_PREFIX = 4
EXAMPLE_LABEL = 5
QUERY = 6

# Index = the code stored in `loss_kind`; the manifest carries this list.
TOKEN_KINDS = ["special", "instruction", "separator", "example_input", "example_prefix", "example_label", "query"]
# Sec. 4.3 / Fig. 10 groups: "Instruction" vs "Example" (input text, label prefix and label).
EXAMPLE_KINDS = (EXAMPLE_INPUT, EXAMPLE_PREFIX, EXAMPLE_LABEL)

Segment = tuple[int, str]


@dataclass(frozen=True)
class Tokenized:
    text: str
    ids: list[int]
    kinds: list[int]


@dataclass(frozen=True)
class RunPrompts:
    anchor: list[Segment]
    icl: list[Segment]
    train: list[list[Segment]]


def _instruction(text: str, sep: str) -> list[Segment]:
    return [(INSTRUCTION, text), (SEPARATOR, sep)] if text else []


def demo_block(job: Job, demo: Demo) -> list[Segment]:
    task = job.tasks[demo.task]
    t = job.template
    return [
        (EXAMPLE_INPUT, task.input.replace("{text}", demo.text)),
        (SEPARATOR, t.segment_sep),
        (EXAMPLE_PREFIX, task.output + t.label_sep),
        (EXAMPLE_LABEL, demo.label),
    ]


def query(job: Job, run: Run) -> list[Segment]:
    task = job.tasks[run.inference.task]
    return [
        (QUERY, task.input.replace("{text}", run.inference.text)),
        (SEPARATOR, job.template.segment_sep),
        (QUERY, task.output),
    ]


def build_prompts(job: Job, run: Run) -> RunPrompts:
    """The anchor / ICL prompts and the training texts of one run."""
    sep = job.template.segment_sep
    q = query(job, run)
    anchor = _instruction(run.instruction, sep) + q
    per_demo = job.template.instruction_per_demo or any(
        d.task != run.inference.task or d.instruction is not None for d in run.demos
    )
    icl: list[Segment] = []
    if per_demo:
        # "Instruction X. English: A. Czech: A. Instruction X. English: B. Czech:" (footnote 5);
        # also used when a demo comes from another task with its own instruction (Fig. 3c).
        for d in run.demos:
            icl += _instruction(d.instruction if d.instruction is not None else run.instruction, sep)
            icl += demo_block(job, d) + [(SEPARATOR, sep)]
        icl += _instruction(run.instruction, sep) + q
    else:
        icl += _instruction(run.instruction, sep)
        for d in run.demos:
            icl += demo_block(job, d) + [(SEPARATOR, sep)]
        icl += q
    no_instruction = bool(run.flags.get("no_instruction", False))
    train = []
    for d in run.demos:
        instr = "" if no_instruction else (d.instruction if d.instruction is not None else run.instruction)
        train.append(_instruction(instr, sep) + demo_block(job, d))
    return RunPrompts(anchor=anchor, icl=icl, train=train)


def render(segments: list[Segment]) -> str:
    return "".join(text for _, text in segments)


def tokenize(tokenizer, segments: list[Segment]) -> Tokenized:
    """Token ids of the concatenated segments (with the tokenizer's BOS) and each token's kind."""
    text = render(segments)
    owner: list[int] = []
    for kind, s in segments:
        owner.extend([kind] * len(s))
    enc = tokenizer(text, add_special_tokens=True, return_offsets_mapping=True)
    ids = list(enc["input_ids"])
    kinds = []
    for tid, (start, end) in zip(ids, enc["offset_mapping"], strict=True):
        if end <= start or tid in tokenizer.all_special_ids:
            kinds.append(SPECIAL)
        else:
            kinds.append(owner[end - 1])
    return Tokenized(text=text, ids=ids, kinds=kinds)


def label_token_ids(tokenizer, prompt: Tokenized, label_sep: str, label: str) -> list[int]:
    """Ids of `label_sep + label` as they follow the prompt; the prompt's ids must stay a prefix."""
    full = tokenizer(prompt.text + label_sep + label, add_special_tokens=True)["input_ids"]
    n = len(prompt.ids)
    if list(full[:n]) != prompt.ids or len(full) == n:
        raise ValueError(
            f"appending the label {label!r} re-tokenizes the end of the prompt {prompt.text[-40:]!r}; "
            "change template.label_sep or the task's output prefix"
        )
    return list(full[n:])
