"""GGUF inputs: the packaged SmolLM2-135M (Q4_1) dequantizes into a checkpoint that merges and loads."""

from pathlib import Path

import pytest
import torch

from corta.errors import MergeError
from corta.models.merging.checkpoint import Checkpoint
from corta.models.merging.gguf_source import checkpoint_from_gguf, is_gguf
from corta.models.merging.recipe import parse_recipe
from corta.models.merging.run import run_merge
from corta.models.runtime.catalog import TINY_MODEL
from tests.models.merging.tiny_models import tensors_of


@pytest.fixture(scope="module")
def tiny_gguf() -> Path:
    return TINY_MODEL.path(Path.home() / ".cache" / "corta", show_progress=False)


@pytest.fixture(scope="module")
def converted(tiny_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    cache = tmp_path_factory.mktemp("cache")
    return checkpoint_from_gguf(tiny_gguf, cache), cache


def test_a_gguf_model_becomes_a_checkpoint_with_its_config_and_tokenizer(
    converted: tuple[Path, Path],
) -> None:
    folder, _ = converted
    checkpoint = Checkpoint(folder)
    assert checkpoint.config["model_type"] == "llama" and "quantization_config" not in checkpoint.config
    assert checkpoint.config["architectures"] == ["LlamaForCausalLM"]
    assert checkpoint.tied_embeddings and "lm_head.weight" not in checkpoint
    assert 130e6 < checkpoint.parameter_count < 140e6
    assert (folder / "tokenizer.json").is_file()
    assert checkpoint.dtype("model.layers.0.mlp.up_proj.weight") == torch.float32


def test_the_conversion_is_made_once(tiny_gguf: Path, converted: tuple[Path, Path]) -> None:
    folder, cache = converted
    stamp = (folder / "model.safetensors").stat().st_mtime_ns
    assert checkpoint_from_gguf(tiny_gguf, cache) == folder
    assert (folder / "model.safetensors").stat().st_mtime_ns == stamp


def test_a_recipe_can_name_gguf_files(tiny_gguf: Path, converted: tuple[Path, Path], tmp_path: Path) -> None:
    _, cache = converted
    recipe = parse_recipe(
        {"merge_method": "average", "models": [{"model": str(tiny_gguf)}, {"model": str(tiny_gguf)}]},
        tmp_path,
    )
    run_merge(recipe, tmp_path / "merged", cache_dir=cache, progress=False)
    merged, original = tensors_of(tmp_path / "merged"), tensors_of(converted[0])
    assert set(merged) == set(original)
    assert torch.allclose(merged["model.norm.weight"], original["model.norm.weight"], atol=1e-6)


def test_missing_or_broken_gguf_files_get_one_sentence(tmp_path: Path) -> None:
    assert is_gguf(Path("m.GGUF")) and not is_gguf(Path("m.safetensors"))
    with pytest.raises(MergeError, match="does not exist"):
        checkpoint_from_gguf(tmp_path / "absent.gguf", tmp_path)
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(MergeError, match=r"Cannot turn broken\.gguf into a mergeable checkpoint"):
        checkpoint_from_gguf(broken, tmp_path)
    assert not list((tmp_path / "merging" / "gguf").glob("broken*"))
