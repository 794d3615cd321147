"""The sharded writer: tensors stream to disk in plan order, the output appears only when complete, and a failure
(disk full included) leaves nothing behind."""

import errno
import json
from pathlib import Path

import pytest
import torch
from safetensors import safe_open

from corta.errors import MergeError
from corta.models.merging.checkpoint import INDEX_NAME, Checkpoint
from corta.models.merging.writer import PlannedTensor, ShardedWriter, plan_shards

TENSORS = {
    "embed": torch.randn(10, 4),
    "layer.weight": torch.randn(4, 4).to(torch.bfloat16),
    "layer.bias": torch.randn(4).to(torch.float16),
    "position_ids": torch.arange(6),
}


def plan() -> list[PlannedTensor]:
    return [PlannedTensor(name, tuple(t.shape), t.dtype) for name, t in TENSORS.items()]


def test_shards_are_cut_at_the_size_limit_and_a_big_tensor_gets_its_own() -> None:
    sizes = [t.nbytes for t in plan()]
    assert sizes == [160, 32, 8, 48]
    assert [[t.name for t in shard] for shard in plan_shards(plan(), 100)] == [
        ["embed"],
        ["layer.weight", "layer.bias", "position_ids"],
    ]
    assert len(plan_shards(plan(), 10_000)) == 1


def test_written_shards_read_back_bit_for_bit_with_an_index(tmp_path: Path) -> None:
    out = tmp_path / "merged"
    with ShardedWriter(out, plan(), max_shard_bytes=100) as writer:
        for name, tensor in TENSORS.items():
            writer.write(name, tensor)
        writer.finish({"config.json": b'{"model_type": "llama"}'})
    assert sorted(p.name for p in out.iterdir()) == [
        "config.json",
        "model-00001-of-00002.safetensors",
        "model-00002-of-00002.safetensors",
        INDEX_NAME,
    ]
    index = json.loads((out / INDEX_NAME).read_text())
    assert index["weight_map"]["position_ids"] == "model-00002-of-00002.safetensors"
    checkpoint = Checkpoint(out)
    for name, tensor in TENSORS.items():
        assert checkpoint.dtype(name) == tensor.dtype and torch.equal(checkpoint.tensor(name), tensor)
    with safe_open(str(out / "model-00001-of-00002.safetensors"), framework="pt") as handle:
        assert handle.metadata() == {"format": "pt"}
    assert not list(tmp_path.glob(".merged.partial-*"))


def test_a_tensor_is_cast_to_its_planned_dtype(tmp_path: Path) -> None:
    planned = [PlannedTensor("w", (3,), torch.float16)]
    with ShardedWriter(tmp_path / "o", planned) as writer:
        writer.write("w", torch.tensor([1.0, 2.5, -3.0]))
        writer.finish({})
    assert (tmp_path / "o" / "model.safetensors").is_file()
    with safe_open(str(tmp_path / "o" / "model.safetensors"), framework="pt") as handle:
        assert handle.get_tensor("w").dtype == torch.float16


def test_out_of_order_or_reshaped_tensors_are_refused(tmp_path: Path) -> None:
    writer = ShardedWriter(tmp_path / "o", plan())
    with pytest.raises(MergeError, match="Expected tensor embed"):
        writer.write("layer.bias", TENSORS["layer.bias"])
    with pytest.raises(MergeError, match=r"got embed \[5, 4\]"):
        writer.write("embed", torch.zeros(5, 4))
    writer.abort()


def test_an_existing_output_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "keep.txt").write_text("mine")
    with pytest.raises(MergeError, match="exists and is not empty"):
        ShardedWriter(tmp_path / "o", plan())
    assert (tmp_path / "o" / "keep.txt").read_text() == "mine"


def test_disk_full_mid_write_leaves_no_output_and_no_partial_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = ShardedWriter(tmp_path / "o", plan(), max_shard_bytes=100)
    writer.write("embed", TENSORS["embed"])
    real_open = Path.open

    def full_disk(self: Path, *args: object, **kwargs: object) -> object:
        handle = real_open(self, *args, **kwargs)  # type: ignore[arg-type]

        class Full:
            def write(self, data: object) -> int:
                raise OSError(errno.ENOSPC, "No space left on device")

            def __getattr__(self, name: str) -> object:
                return getattr(handle, name)

        return Full()

    monkeypatch.setattr(Path, "open", full_disk)
    with pytest.raises(MergeError, match=r"No space left on device.*nothing was left"):
        writer.write("layer.weight", TENSORS["layer.weight"])
    assert not (tmp_path / "o").exists() and list(tmp_path.iterdir()) == []


def test_a_merge_that_stops_early_or_raises_leaves_nothing(tmp_path: Path) -> None:
    writer = ShardedWriter(tmp_path / "o", plan())
    writer.write("embed", TENSORS["embed"])
    with pytest.raises(MergeError, match=r"stopped before tensor layer\.weight"):
        writer.finish({})
    with pytest.raises(RuntimeError), ShardedWriter(tmp_path / "p", plan()) as other:
        other.write("embed", TENSORS["embed"])
        raise RuntimeError("the method failed")
    assert list(tmp_path.iterdir()) == []
