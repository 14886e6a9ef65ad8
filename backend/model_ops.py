"""The torch side: loading the model offline, last-token hidden states, per-token losses, label
scores, and LoRA tuning on the demonstrations (Duan et al. Sec. 3.1)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import torch

from .job import ModelSpec, Training

_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def resolve_device(spec: str) -> torch.device:
    if spec == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if spec.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError(f'model.device is "{spec}" but torch sees no CUDA device (torch {torch.__version__})')
    return torch.device(spec)


def resolve_dtype(spec: str, device: torch.device) -> torch.dtype:
    """"auto" is bfloat16 on a GPU (the paper's bf16) and float32 on the CPU."""
    if spec == "auto":
        return torch.bfloat16 if device.type == "cuda" else torch.float32
    return _DTYPES[spec]


def load_model(spec: ModelSpec, device: torch.device, dtype: torch.dtype):
    """(model, tokenizer, provenance) from local files only: a transformers directory, a GGUF file
    (dequantised by transformers with the `gguf` package into a `dtype` model), or either of them
    inside an installed package (backend/weights.py); a random model from a config for benchmarks.
    Weights whose sha256 differs from `spec.sha256` are refused before loading."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    from .weights import WeightsSource, resolve_weights

    provenance: dict[str, Any] = {"kind": "random_init"}
    weights = None
    if spec.path is not None or spec.package is not None:
        weights, provenance = resolve_weights(
            WeightsSource(path=spec.path, package=spec.package, file=spec.file, sha256=spec.sha256, path_in_job=spec.path_in_job)
        )
    gguf = weights is not None and os.path.isfile(weights) and weights.endswith(".gguf")
    if weights is not None and not gguf and not os.path.isdir(weights):
        raise FileNotFoundError(f"model {weights}: neither a model directory nor a .gguf file")
    tok_dir = spec.tokenizer_path
    if tok_dir is not None and not os.path.isdir(tok_dir):
        raise FileNotFoundError(f"tokenizer directory {tok_dir} does not exist (nothing is downloaded)")
    if tok_dir is not None:
        tokenizer = AutoTokenizer.from_pretrained(tok_dir, local_files_only=True)
    elif gguf:
        assert weights is not None
        tokenizer = AutoTokenizer.from_pretrained(os.path.dirname(weights), gguf_file=os.path.basename(weights), local_files_only=True)
    else:
        assert weights is not None
        tokenizer = AutoTokenizer.from_pretrained(weights, local_files_only=True)
    if not getattr(tokenizer, "is_fast", False):
        raise RuntimeError(f"{tok_dir or weights}: a fast tokenizer (tokenizer.json) is needed for token offsets")
    if weights is not None:
        kw: dict[str, Any] = {"gguf_file": os.path.basename(weights)} if gguf else {}
        where = os.path.dirname(weights) if gguf else weights
        model = AutoModelForCausalLM.from_pretrained(where, local_files_only=True, dtype=dtype, **kw)
        model.to(device)
    else:
        assert spec.random_config is not None
        config = AutoConfig.for_model(**{"model_type": "llama", **spec.random_config})
        torch.manual_seed(spec.random_seed)
        with torch.device(device):
            model = AutoModelForCausalLM.from_config(config, dtype=dtype)
    model.eval()
    dtypes = sorted({str(p.dtype).replace("torch.", "") for p in model.parameters()})
    provenance["dtype_after_loading"] = dtypes[0] if len(dtypes) == 1 else dtypes
    provenance["resolved_path"] = weights
    if gguf:
        provenance["gguf_dequantised_by"] = "transformers (gguf package)"
    return model, tokenizer, provenance


def lora_wrap(model, training: Training):
    """The base model wrapped once with a LoRA adapter; `reset_lora` re-initialises it per run."""
    from peft import LoraConfig, get_peft_model

    cfg = LoraConfig(
        r=training.lora_r,
        lora_alpha=training.lora_alpha,
        lora_dropout=training.lora_dropout,
        target_modules=list(training.target_modules),
        bias="none",
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, cfg)


def reset_lora(peft_model, seed: int) -> int:
    """Fresh adapter for a run: A ~ kaiming-uniform (seeded), B = 0 (peft's default init), so the
    tuned model equals the base model exactly until the first step. Returns the number of layers."""
    from peft.tuners.lora import LoraLayer

    torch.manual_seed(seed)
    n = 0
    for module in peft_model.modules():
        if isinstance(module, LoraLayer):
            for name in list(module.lora_A.keys()):
                module.reset_lora_parameters(name, True)
            n += 1
    if n == 0:
        raise RuntimeError("no LoRA layer found: check training.target_modules against the model's module names")
    return n


@torch.no_grad()
def last_token_states(model, ids: list[int], device: torch.device) -> torch.Tensor:
    """float32 [L+1, hidden]: the last input token's state at every layer (index 0 = embeddings,
    index L = after the final norm, as transformers returns them)."""
    model.eval()
    x = torch.tensor([ids], device=device)
    out = model(input_ids=x, output_hidden_states=True, use_cache=False)
    return torch.stack([h[0, -1, :] for h in out.hidden_states]).float().cpu()


@torch.no_grad()
def token_losses(model, ids: list[int], device: torch.device) -> torch.Tensor:
    """float32 [len-1]: cross-entropy of token t+1 given tokens 0..t (the per-token loss of Sec. 4.3)."""
    model.eval()
    x = torch.tensor([ids], device=device)
    logits = model(input_ids=x, use_cache=False).logits[0, :-1, :].float()
    return torch.nn.functional.cross_entropy(logits, x[0, 1:], reduction="none").cpu()


@torch.no_grad()
def continuation_logprob(model, prompt_ids: list[int], cont_ids: list[int], device: torch.device) -> float:
    """log P(cont | prompt) summed over the continuation's tokens."""
    model.eval()
    x = torch.tensor([prompt_ids + cont_ids], device=device)
    logp = torch.log_softmax(model(input_ids=x, use_cache=False).logits[0].float(), dim=-1)
    n = len(prompt_ids)
    return float(sum(logp[n - 1 + k, t] for k, t in enumerate(cont_ids)))


@dataclass
class TrainResult:
    epoch_loss: list[float]
    steps: int


def train_lora(
    peft_model,
    examples: list[tuple[list[int], list[int]]],
    epochs: int,
    training: Training,
    seed: int,
    device: torch.device,
) -> TrainResult:
    """AdamW on the adapter only, batch size 1 (one step per demonstration), examples shuffled per
    epoch with the run's seed. `examples` are (input ids, labels) with -100 on masked tokens."""
    params = [p for p in peft_model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=training.learning_rate, weight_decay=training.weight_decay)
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)  # LoRA dropout
    peft_model.train()
    epoch_loss: list[float] = []
    steps = 0
    for _ in range(epochs):
        order = torch.randperm(len(examples), generator=gen).tolist()
        total = 0.0
        for k in order:
            ids, labels = examples[k]
            out = peft_model(
                input_ids=torch.tensor([ids], device=device),
                labels=torch.tensor([labels], device=device),
                use_cache=False,
            )
            out.loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
            total += float(out.loss.detach())
            steps += 1
        epoch_loss.append(total / len(examples))
    peft_model.eval()
    del opt
    return TrainResult(epoch_loss=epoch_loss, steps=steps)


def model_info(model, tokenizer, spec: ModelSpec, device: torch.device, dtype: torch.dtype,
               provenance: dict[str, Any] | None = None, portable: bool = False) -> dict[str, Any]:
    """The manifest's model block. `portable` leaves out absolute paths of this machine (the
    bundled examples, regenerated byte for byte on any checkout)."""
    cfg = model.config
    keys = [
        "model_type", "architectures", "num_hidden_layers", "hidden_size", "intermediate_size",
        "num_attention_heads", "num_key_value_heads", "vocab_size", "max_position_embeddings",
        "rms_norm_eps", "rope_theta", "tie_word_embeddings",
    ]
    d = cfg.to_dict()
    if spec.package is not None:
        source = f"{spec.package}:{spec.file}"
    else:
        source = spec.path_in_job if spec.path is not None else "random_init"
    resolved = None if portable else ((provenance or {}).get("resolved_path") or spec.path)
    return {
        "source": source,
        "resolved_path": resolved,
        "tokenizer": (spec.tokenizer_path if not portable else spec.tokenizer_path and os.path.basename(spec.tokenizer_path))
        or ("(from the GGUF file)" if (provenance or {}).get("format") == "gguf" else source),
        "provenance": {k: v for k, v in (provenance or {"kind": "random_init"}).items() if k != "resolved_path"},
        "tokenizer_class": type(tokenizer).__name__,
        "tokenizer_vocab_size": len(tokenizer),
        "random_init_seed": spec.random_seed if spec.random_config is not None else None,
        "config": {k: d[k] for k in keys if k in d},
        "n_parameters": sum(p.numel() for p in model.parameters()),
        "dtype": str(dtype).replace("torch.", ""),
        "device": str(device),
        "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
    }
