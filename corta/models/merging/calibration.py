"""Statistics measured on calibration prompts before a merge: the base model's mean |input| per channel of each
linear layer (for AIM) and a model's per-layer sensitivity E|θ ⊙ ∇θ L| (for Sens-Merging).

Each prompt runs alone, truncated to ``max_tokens``, so no padding enters the statistics. Models load from their
directory only (no hub), in float32 and eval mode.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from corta.errors import ConfigError

# The parse TensorGroup.layer uses, so measured layers and merged tensors agree on indices.
from corta.models.merging.methods.base import layer_index


def _load(model_dir: Path, device: str) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    try:
        tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32, local_files_only=True)
    except OSError as error:
        raise ConfigError(
            f"Cannot load a causal language model and its tokenizer from {model_dir}: {error}"
        ) from error
    return model.to(device).eval(), tokenizer


def _token_ids(tokenizer: PreTrainedTokenizerBase, prompt: str, max_tokens: int, device: str) -> torch.Tensor:
    encoded = tokenizer(prompt, return_tensors="pt", truncation=True, max_length=max_tokens)
    return encoded["input_ids"].to(device)


def _require_prompts(prompts: list[str]) -> None:
    if not prompts:
        raise ConfigError("Calibration needs at least one prompt.")


def _accumulate_abs_input(
    key: str, totals: dict[str, torch.Tensor], tokens: dict[str, int]
) -> Callable[[torch.nn.Module, tuple[Any, ...], Any], None]:
    def hook(module: torch.nn.Module, inputs: tuple[Any, ...], output: Any) -> None:
        flat = inputs[0].detach().reshape(-1, inputs[0].shape[-1])
        totals[key] = totals.get(key, 0) + flat.abs().sum(0, dtype=torch.float64)
        tokens[key] = tokens.get(key, 0) + flat.shape[0]

    return hook


def activation_stats(
    model_dir: Path, prompts: list[str], max_tokens: int = 256, device: str = "cpu"
) -> dict[str, torch.Tensor]:
    """Mean |input| per input channel of every ``torch.nn.Linear``, over all tokens of all prompts (AIM's â before
    normalisation), keyed by the linear's weight name in the checkpoint. A head tied to the embeddings has no weight
    of its own in the checkpoint and is left out."""
    _require_prompts(prompts)
    model, tokenizer = _load(model_dir, device)
    own_weights = {name for name, _ in model.named_parameters()}
    totals: dict[str, torch.Tensor] = {}
    tokens: dict[str, int] = {}
    handles = [
        module.register_forward_hook(_accumulate_abs_input(f"{name}.weight", totals, tokens))
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear) and f"{name}.weight" in own_weights
    ]
    try:
        with torch.inference_mode():
            for prompt in prompts:
                model(input_ids=_token_ids(tokenizer, prompt, max_tokens, device))
    finally:
        for handle in handles:
            handle.remove()
    return {key: (total / tokens[key]).float().cpu() for key, total in totals.items()}


def layer_sensitivities(
    model_dir: Path, prompts: list[str], max_tokens: int = 256, device: str = "cpu"
) -> dict[int, float]:
    """Per transformer layer, Σ|θ ⊙ ∇θ L| over the layer's parameters of the causal-LM loss on one prompt, averaged
    over the prompts (Sens-Merging's s^l). Prompts shorter than two tokens have no next token to predict and are
    skipped."""
    _require_prompts(prompts)
    model, tokenizer = _load(model_dir, device)
    in_layers = [
        (layer, parameter)
        for name, parameter in model.named_parameters()
        if (layer := layer_index(name)) is not None
    ]
    totals: dict[int, float] = dict.fromkeys(sorted({layer for layer, _ in in_layers}), 0.0)
    measured = 0
    for prompt in prompts:
        ids = _token_ids(tokenizer, prompt, max_tokens, device)
        if ids.shape[1] < 2:
            continue
        model.zero_grad(set_to_none=True)
        model(input_ids=ids, labels=ids).loss.backward()
        with torch.no_grad():
            for layer, parameter in in_layers:
                if parameter.grad is not None:
                    totals[layer] += float((parameter * parameter.grad).abs().sum())
        measured += 1
    model.zero_grad(set_to_none=True)
    if measured == 0:
        raise ConfigError("No calibration prompt has two tokens or more: there is no loss to differentiate.")
    return {layer: total / measured for layer, total in totals.items()}
