"""A tiny randomly initialised Llama and a byte-level BPE tokenizer, built offline.

Nothing is downloaded: the tokenizer is trained with the `tokenizers` library on a fixed corpus
held in this file, and the model is `LlamaForCausalLM(LlamaConfig(...))` with random weights from
a fixed seed. Tests and the bundled example use it; it is a pipeline check, not a language model.

    python3 -m backend.tiny --out DIR [--seed 0] [--sentence-model]

`shape_config("llama2-7b")` gives the Llama-2-7B shape (32 layers, hidden 4096, 32 heads,
intermediate 11008, vocab 32000) for the GPU benchmark, built with random weights on the device.
"""
from __future__ import annotations

import argparse
import os
from typing import Any

SPECIAL_TOKENS = ["<unk>", "<s>", "</s>", "<pad>"]

# A fixed training corpus for the tokenizer: a few instruction phrasings in the style of the
# paper's Appendix A, the templates' field names, and short review-like and translation-like
# sentences. Only its byte pairs matter.
_CORPUS = [
    "What is the sentiment of the movie review below? Is it negative or positive?",
    "Determine whether the sentiment expressed in this movie review is negative or positive:",
    "Classify the overall sentiment of this movie review as negative or positive.",
    "Translate this English sentence into Czech.",
    "Please provide a Czech translation for this English sentence.",
    "Review: a wonderful movie with a great cast.",
    "Review: many pointless scenes and a boring story.",
    "Sentiment: positive",
    "Sentiment: negative",
    "English: the weather is nice today.",
    "Czech: dnes je hezky.",
    "the film is fun, moving and well acted; the plot is thin and the ending is dull.",
    "I like this movie. I hate this movie. It was good. It was bad. not worth the time.",
]


def shape_config(shape: str, vocab_size: int = 384) -> dict[str, Any]:
    """LlamaConfig keyword arguments for a named shape ("tiny", "tiny-large" or "llama2-7b").

    "tiny-large" (hidden 80, 3 layers) stands in for the paper's larger model (LLaMA-2-13B,
    Sec. 4.1 / Fig. 8a) in the bundled pipeline example: wider and deeper than "tiny", as 13B is
    than 7B."""
    if shape in ("tiny", "tiny-large"):
        large = shape == "tiny-large"
        return dict(
            vocab_size=vocab_size,
            hidden_size=80 if large else 64,
            intermediate_size=160 if large else 128,
            num_hidden_layers=3 if large else 2,
            num_attention_heads=4,
            num_key_value_heads=4,
            max_position_embeddings=1024,
            rms_norm_eps=1e-6,
            bos_token_id=1,
            eos_token_id=2,
            pad_token_id=3,
            tie_word_embeddings=False,
        )
    if shape == "llama2-7b":
        return dict(
            vocab_size=32000,
            hidden_size=4096,
            intermediate_size=11008,
            num_hidden_layers=32,
            num_attention_heads=32,
            num_key_value_heads=32,
            max_position_embeddings=4096,
            rms_norm_eps=1e-5,
            bos_token_id=1,
            eos_token_id=2,
            pad_token_id=0,
            tie_word_embeddings=False,
        )
    raise ValueError(f"unknown model shape {shape!r} (known: tiny, tiny-large, llama2-7b)")


def build_tokenizer(vocab_size: int = 384):
    """A byte-level BPE `PreTrainedTokenizerFast` that prepends <s> like Llama's tokenizer."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_CORPUS, trainer=trainer)
    bos_id = tok.token_to_id("<s>")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", bos_id)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="<unk>", bos_token="<s>", eos_token="</s>", pad_token="<pad>"
    )


def build_tiny_llama(out_dir: str, seed: int = 0, shape: str = "tiny") -> str:
    """Writes a random Llama (safetensors weights + config) and its tokenizer to `out_dir`."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    tokenizer = build_tokenizer()
    cfg = shape_config(shape, vocab_size=max(384, len(tokenizer)))
    torch.manual_seed(seed)
    model = LlamaForCausalLM(LlamaConfig(**cfg))
    os.makedirs(out_dir, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    return out_dir


def build_tiny_sentence_model(out_dir: str, seed: int = 0) -> str:
    """A tiny random BERT with a WordPiece tokenizer, loadable by sentence-transformers (which
    adds mean pooling to a plain transformers directory). For tests of the similarity path only."""
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok.train_from_iterator(_CORPUS, trainer=trainers.WordPieceTrainer(vocab_size=300, special_tokens=specials, show_progress=False))
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]"
    )
    torch.manual_seed(seed)
    cfg = BertConfig(vocab_size=max(300, len(fast)), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=128)
    model = BertModel(cfg)
    os.makedirs(out_dir, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    fast.save_pretrained(out_dir)
    return out_dir


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m backend.tiny", description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True, help="directory to write the model and tokenizer to")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--shape", default="tiny", choices=["tiny", "tiny-large"], help="model shape (default tiny)")
    p.add_argument("--sentence-model", action="store_true", help="write a tiny random BERT for sentence-transformers instead")
    args = p.parse_args(argv)
    if args.sentence_model:
        build_tiny_sentence_model(args.out, seed=args.seed)
        print(f"tiny random sentence model written to {args.out}")
    else:
        build_tiny_llama(args.out, seed=args.seed, shape=args.shape)
        print(f"tiny random Llama written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
