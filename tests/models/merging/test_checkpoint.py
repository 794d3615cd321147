"""Reading checkpoints tensor by tensor: one file, shards with an index, and the ways a folder can be broken."""

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from corta.errors import MergeError
from corta.models.merging.checkpoint import INDEX_NAME, Checkpoint
from tests.models.merging.tiny_models import save_tiny_llama, tensors_of


def test_a_single_file_checkpoint_lists_shapes_and_dtypes_and_reads_each_tensor(tmp_path: Path) -> None:
    folder = save_tiny_llama(tmp_path / "m", tie=True)
    checkpoint = Checkpoint(folder)
    stored = tensors_of(folder)
    assert set(checkpoint.names) == set(stored)
    for name, tensor in stored.items():
        assert checkpoint.shape(name) == tuple(tensor.shape) and checkpoint.dtype(name) == tensor.dtype
        assert torch.equal(checkpoint.tensor(name), tensor)
    assert checkpoint.tied_embeddings and checkpoint.vocab_size == 96
    assert checkpoint.parameter_count == sum(t.numel() for t in stored.values())


def sharded(tmp_path: Path) -> Path:
    folder = tmp_path / "sharded"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "llama", "vocab_size": 4}))
    save_file({"a": torch.ones(2, 3)}, folder / "model-00001-of-00002.safetensors")
    save_file({"b": torch.zeros(4, dtype=torch.bfloat16)}, folder / "model-00002-of-00002.safetensors")
    weight_map = {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}
    (folder / INDEX_NAME).write_text(json.dumps({"metadata": {}, "weight_map": weight_map}))
    return folder


def test_shards_are_found_through_the_index(tmp_path: Path) -> None:
    checkpoint = Checkpoint(sharded(tmp_path))
    assert checkpoint.names == ["a", "b"] and checkpoint.dtype("b") == torch.bfloat16
    assert torch.equal(checkpoint.tensor("a"), torch.ones(2, 3))
    assert "a" in checkpoint and "c" not in checkpoint
    with pytest.raises(MergeError, match="has no tensor c"):
        checkpoint.tensor("c")


def test_a_missing_shard_is_named(tmp_path: Path) -> None:
    folder = sharded(tmp_path)
    (folder / "model-00002-of-00002.safetensors").unlink()
    with pytest.raises(MergeError, match="missing shard model-00002-of-00002"):
        Checkpoint(folder)


def test_an_index_naming_a_tensor_no_shard_holds_is_refused(tmp_path: Path) -> None:
    folder = sharded(tmp_path)
    index = json.loads((folder / INDEX_NAME).read_text())
    index["weight_map"]["ghost"] = "model-00001-of-00002.safetensors"
    (folder / INDEX_NAME).write_text(json.dumps(index))
    with pytest.raises(MergeError, match=r"1 tensors its shards do not hold \(ghost"):
        Checkpoint(folder)


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        ("no folder", "does not exist"),
        ("no config", "no config.json"),
        ("bad config", "not readable JSON"),
        ("no weights", "no .safetensors weights"),
        ("bad weights", "not a readable safetensors file"),
    ],
)
def test_broken_folders_get_one_sentence(tmp_path: Path, breakage: str, message: str) -> None:
    folder = tmp_path / "m"
    if breakage != "no folder":
        folder.mkdir()
    if breakage not in ("no folder", "no config"):
        (folder / "config.json").write_text("{" if breakage == "bad config" else "{}")
    if breakage == "bad weights":
        (folder / "model.safetensors").write_bytes(b"not safetensors at all")
    with pytest.raises(MergeError, match=message):
        Checkpoint(folder)


def test_a_truncated_shard_is_refused_before_any_tensor_is_read(tmp_path: Path) -> None:
    folder = save_tiny_llama(tmp_path / "m")
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-100])
    with pytest.raises(MergeError, match="lies outside the file"):
        Checkpoint(folder)
