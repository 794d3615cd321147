"""Calibration statistics on a tiny random Llama saved with a locally built tokenizer (no hub)."""

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from transformers import LlamaForCausalLM, PreTrainedTokenizerFast

from corta.errors import ConfigError
from corta.models.merging.calibration import activation_stats, layer_sensitivities
from corta.models.merging.calibration_prompts import MATH_CALIBRATION_PROMPTS
from tests.models.merging.tiny_models import save_tiny_llama

PROMPTS = list(MATH_CALIBRATION_PROMPTS[:3])


@pytest.fixture(scope="module")
def tiny_llama(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_llama(tmp_path_factory.mktemp("tiny-llama"), vocab=320, hidden=32, tokenizer=True)


def linear_weights(directory: Path) -> dict[str, torch.Tensor]:
    """The checkpoint's linear weights: every 2-D tensor but the token embeddings."""
    tensors = load_file(directory / "model.safetensors")
    return {name: t for name, t in tensors.items() if t.dim() == 2 and "embed_tokens" not in name}


def test_activation_stats_cover_every_linear_weight(tiny_llama: Path) -> None:
    stats = activation_stats(tiny_llama, PROMPTS)
    weights = linear_weights(tiny_llama)
    assert set(stats) == set(weights)
    assert len(stats) == 2 * 7 + 1
    for name, values in stats.items():
        assert values.shape == (weights[name].shape[1],)
        assert values.dtype == torch.float32
        assert (values >= 0).all() and (values > 0).any()


def test_head_activations_are_the_mean_absolute_final_hidden_state(tiny_llama: Path) -> None:
    stats = activation_stats(tiny_llama, PROMPTS, max_tokens=8)
    model = LlamaForCausalLM.from_pretrained(tiny_llama).eval()
    tokenizer = PreTrainedTokenizerFast.from_pretrained(tiny_llama)
    captured = []
    model.lm_head.register_forward_hook(lambda module, inputs, output: captured.append(inputs[0][0]))
    with torch.no_grad():
        for prompt in PROMPTS:
            model(input_ids=tokenizer(prompt, return_tensors="pt")["input_ids"][:, :8])
    torch.testing.assert_close(stats["lm_head.weight"], torch.cat(captured).abs().mean(0))


def test_a_tied_head_is_left_out(tmp_path: Path) -> None:
    stats = activation_stats(
        save_tiny_llama(tmp_path / "tied", vocab=320, hidden=32, tie=True, tokenizer=True), PROMPTS[:1]
    )
    assert "lm_head.weight" not in stats
    assert set(stats) == set(linear_weights(tmp_path / "tied"))


def test_layer_sensitivities_one_positive_value_per_layer(tiny_llama: Path) -> None:
    sensitivities = layer_sensitivities(tiny_llama, PROMPTS)
    assert sorted(sensitivities) == [0, 1]
    assert all(value > 0 and torch.isfinite(torch.tensor(value)) for value in sensitivities.values())


def test_layer_sensitivities_average_over_prompts(tiny_llama: Path) -> None:
    each = [layer_sensitivities(tiny_llama, [prompt], max_tokens=16) for prompt in PROMPTS[:2]]
    both = layer_sensitivities(tiny_llama, PROMPTS[:2], max_tokens=16)
    for layer in (0, 1):
        assert both[layer] == pytest.approx((each[0][layer] + each[1][layer]) / 2, rel=1e-5)


def test_unusable_inputs_are_refused(tiny_llama: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="at least one prompt"):
        activation_stats(tiny_llama, [])
    with pytest.raises(ConfigError, match="two tokens"):
        layer_sensitivities(tiny_llama, ["Question:"])
    with pytest.raises(ConfigError, match="Cannot load"):
        layer_sensitivities(tmp_path / "missing", PROMPTS)


def test_default_prompts_are_sixteen_worked_math_problems() -> None:
    assert len(MATH_CALIBRATION_PROMPTS) == 16
    assert all(
        prompt.startswith("Question:") and "\nAnswer:" in prompt for prompt in MATH_CALIBRATION_PROMPTS
    )
