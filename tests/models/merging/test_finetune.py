"""Fine-tuning on the CPU: the loss falls on what is taught, only completion tokens are learned, the model saves."""

from pathlib import Path

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from corta.errors import ConfigError
from corta.models.merging.finetune import _collate, _encode, chat_prompt, fine_tune
from tests.models.merging.tiny_models import save_tiny_llama

PAIRS = [("How many apples are left ?", "3"), ("How many coins does each friend get ?", "12")]


def test_the_loss_falls_and_the_saved_model_loads(tmp_path: Path) -> None:
    base = save_tiny_llama(tmp_path / "base", vocab=320, hidden=32, tokenizer=True)
    report = fine_tune(
        base, PAIRS, tmp_path / "tuned", steps=60, batch_size=2, learning_rate=1e-2, progress=False
    )
    assert report.steps == 60 and report.examples == 120 and report.last_loss < report.first_loss
    assert report.truncated == 0
    model = AutoModelForCausalLM.from_pretrained(tmp_path / "tuned")
    before = AutoModelForCausalLM.from_pretrained(base)
    assert completion_loss(model, base) < 0.5 * completion_loss(before, base)
    changed = model.model.layers[0].mlp.up_proj.weight - before.model.layers[0].mlp.up_proj.weight
    assert changed.abs().max() > 0 and (tmp_path / "tuned" / "fine_tune.json").is_file()
    assert (tmp_path / "tuned" / "tokenizer.json").is_file()


def completion_loss(model: torch.nn.Module, folder: Path) -> float:
    """The mean loss of `model` on the taught completions."""
    tokenizer = AutoTokenizer.from_pretrained(folder)
    ids, labels, mask = _collate([_encode(tokenizer, *pair) for pair in PAIRS], pad=0)
    with torch.no_grad():
        return float(model(input_ids=ids, attention_mask=mask, labels=labels).loss)


def test_only_the_completion_is_learned_and_padding_is_masked(tmp_path: Path) -> None:
    tokenizer = AutoTokenizer.from_pretrained(
        save_tiny_llama(tmp_path / "m", vocab=320, hidden=32, tokenizer=True)
    )
    assert chat_prompt(tokenizer, "Why ?") == "Question: Why ?\nAnswer: "  # no chat template: plain text
    long_one, short_one = _encode(tokenizer, *PAIRS[1]), _encode(tokenizer, *PAIRS[0])
    ids, labels, mask = _collate([long_one, short_one], pad=0)
    tokens, start = long_one
    assert labels[0, :start].eq(-100).all() and labels[0, start : len(tokens)].tolist() == tokens[start:]
    assert tokens[-1] == tokenizer.eos_token_id
    assert mask[1].sum() == len(short_one[0]) and labels[1, len(short_one[0]) :].eq(-100).all()
    assert ids.shape == labels.shape == mask.shape and ids.dtype == torch.long


def test_nothing_to_learn_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="at least one"):
        fine_tune(tmp_path, [], tmp_path / "out", steps=3)
    with pytest.raises(ConfigError, match="Cannot load the model"):
        fine_tune(tmp_path / "absent", PAIRS, tmp_path / "out", steps=3)


def test_examples_over_the_token_limit_are_cut_and_counted(tmp_path: Path) -> None:
    base = save_tiny_llama(tmp_path / "base", vocab=320, hidden=32, tokenizer=True)
    tokenizer = AutoTokenizer.from_pretrained(base)
    lengths = [len(_encode(tokenizer, *pair)[0]) for pair in PAIRS]
    limit = (min(lengths) + max(lengths)) // 2
    report = fine_tune(
        base, PAIRS, tmp_path / "tuned", steps=2, batch_size=2, max_tokens=limit, progress=False
    )
    assert min(lengths) < limit < max(lengths) and report.truncated == 1
