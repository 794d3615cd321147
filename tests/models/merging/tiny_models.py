"""Tiny real checkpoints for merge tests: a 2-layer Llama saved by transformers, and fine-tuned-looking copies."""

import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

from corta.models.merging.calibration_prompts import MATH_CALIBRATION_PROMPTS


def save_tiny_llama(
    directory: Path,
    seed: int = 0,
    vocab: int = 96,
    tie: bool = False,
    hidden: int = 16,
    tokenizer: bool = False,
) -> Path:
    """A random 2-layer Llama with config.json and model.safetensors; a tokenizer config to copy, or with
    `tokenizer` a real word-level tokenizer over the calibration prompts (no hub needed)."""
    torch.manual_seed(seed)
    config = LlamaConfig(
        hidden_size=hidden,
        intermediate_size=2 * hidden,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        vocab_size=vocab,
        max_position_embeddings=128,
        tie_word_embeddings=tie,
    )
    LlamaForCausalLM(config).save_pretrained(directory, safe_serialization=True)
    if tokenizer:
        word_level_tokenizer(vocab).save_pretrained(directory)
    else:
        (directory / "tokenizer_config.json").write_text(json.dumps({"model_max_length": 64, "seed": seed}))
    return directory


def word_level_tokenizer(vocab: int) -> PreTrainedTokenizerFast:
    """Whitespace words of the calibration prompts, at most `vocab` ids with the special tokens."""
    words = sorted({word for prompt in MATH_CALIBRATION_PROMPTS for word in prompt.split()})[: vocab - 3]
    vocabulary = {word: index for index, word in enumerate(["[UNK]", "<s>", "</s>", *words])}
    backend = Tokenizer(models.WordLevel(vocabulary, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(
        tokenizer_object=backend, unk_token="[UNK]", bos_token="<s>", eos_token="</s>", model_max_length=128
    )


def fine_tuned_copy(base: Path, directory: Path, seed: int, scale: float = 0.02) -> Path:
    """The base with small random changes on every tensor: a model that looks fine-tuned from it."""
    directory.mkdir(parents=True)
    generator = torch.Generator().manual_seed(seed)
    tensors = {
        name: tensor + scale * tensor.abs().mean() * torch.randn(tensor.shape, generator=generator)
        for name, tensor in load_file(base / "model.safetensors").items()
    }
    save_file(tensors, directory / "model.safetensors", metadata={"format": "pt"})
    for name in ("config.json", "tokenizer_config.json", "tokenizer.json", "special_tokens_map.json"):
        if (base / name).is_file():
            (directory / name).write_bytes((base / name).read_bytes())
    return directory


def tensors_of(directory: Path) -> dict[str, torch.Tensor]:
    """Every tensor of a saved model folder (single file or shards)."""
    found: dict[str, torch.Tensor] = {}
    for shard in sorted(directory.glob("*.safetensors")):
        found.update(load_file(shard))
    return found
