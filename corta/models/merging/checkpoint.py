"""Reading a model checkpoint tensor by tensor: a directory with `config.json` and safetensors (one file or shards
with an index), memory-mapped, so a merge never holds whole models in memory."""

import json
import math
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open

from corta.errors import MergeError

INDEX_NAME = "model.safetensors.index.json"
SINGLE_NAME = "model.safetensors"


class Checkpoint:
    """One model directory, its tensors read one at a time.

    Parameters
    ----------
    directory
        A folder with ``config.json`` and ``model.safetensors`` or ``model.safetensors.index.json`` plus its shards.

    Raises
    ------
    MergeError
        The folder, its config or a shard named by the index is missing or unreadable.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        if not self.directory.is_dir():
            raise MergeError(f"Model folder {self.directory} does not exist.")
        self.config = self._read_config()
        self._files: dict[str, Any] = {}
        self._shard_of = self._read_shard_map()
        self._shapes: dict[str, tuple[int, ...]] = {}
        self._dtypes: dict[str, torch.dtype] = {}
        for shard in sorted(set(self._shard_of.values())):
            handle = self._open(shard)
            for name in handle.keys():  # noqa: SIM118 (safe_open handles are not mappings)
                if self._shard_of.get(name, shard) != shard:
                    continue
                self._shard_of[name] = shard
                sliced = handle.get_slice(name)
                self._shapes[name] = tuple(sliced.get_shape())
                self._dtypes[name] = _torch_dtype(sliced.get_dtype(), name, self.directory)
        missing = sorted(set(self._shard_of) - set(self._shapes))
        if missing:
            raise MergeError(
                f"{self.directory}: the index names {len(missing)} tensors its shards do not hold ({missing[0]}, …)."
            )

    @property
    def names(self) -> list[str]:
        """Tensor names in the checkpoint's own order (by shard, then as stored)."""
        return list(self._shapes)

    def shape(self, name: str) -> tuple[int, ...]:
        return self._shapes[name]

    def dtype(self, name: str) -> torch.dtype:
        return self._dtypes[name]

    def __contains__(self, name: str) -> bool:
        return name in self._shapes

    def tensor(self, name: str) -> torch.Tensor:
        """The tensor `name` as stored (dtype and shape), read from its memory-mapped shard."""
        if name not in self._shapes:
            raise MergeError(f"{self.directory} has no tensor {name}.")
        return self._files[self._shard_of[name]].get_tensor(name)

    @property
    def parameter_count(self) -> int:
        return sum(math.prod(shape) for shape in self._shapes.values())

    @property
    def tied_embeddings(self) -> bool:
        """Whether the output head shares the input embedding (then a checkpoint may omit ``lm_head.weight``)."""
        return bool(self.config.get("tie_word_embeddings", False))

    @property
    def vocab_size(self) -> int | None:
        size = self.config.get("vocab_size") or self.config.get("text_config", {}).get("vocab_size")
        return int(size) if size else None

    def _read_config(self) -> dict[str, Any]:
        path = self.directory / "config.json"
        if not path.is_file():
            raise MergeError(f"{self.directory} has no config.json: is it a Hugging Face model folder?")
        try:
            config = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise MergeError(f"{path} is not readable JSON ({error}).") from error
        if not isinstance(config, dict):
            raise MergeError(f"{path} does not hold a JSON object.")
        return config

    def _read_shard_map(self) -> dict[str, str]:
        index = self.directory / INDEX_NAME
        if index.is_file():
            try:
                weight_map = json.loads(index.read_text(encoding="utf-8"))["weight_map"]
            except (OSError, ValueError, KeyError, TypeError) as error:
                raise MergeError(f"{index} is not a valid safetensors index ({error}).") from error
            absent = sorted(
                {shard for shard in weight_map.values() if not (self.directory / shard).is_file()}
            )
            if absent:
                raise MergeError(f"{self.directory} is missing shard {absent[0]} named by its index.")
            return dict(weight_map)
        single = self.directory / SINGLE_NAME
        if single.is_file():
            return {name: SINGLE_NAME for name in self._open(SINGLE_NAME).keys()}  # noqa: SIM118
        shards = sorted(path.name for path in self.directory.glob("*.safetensors"))
        if not shards:
            raise MergeError(f"{self.directory} holds no .safetensors weights.")
        return {name: shard for shard in shards for name in self._open(shard).keys()}  # noqa: SIM118

    def _open(self, shard: str) -> Any:
        if shard not in self._files:
            try:
                self._files[shard] = safe_open(str(self.directory / shard), framework="pt")
            except (SafetensorError, OSError) as error:
                raise MergeError(
                    f"{self.directory / shard} is not a readable safetensors file ({error})."
                ) from error
        return self._files[shard]


_DTYPES = {
    "F64": torch.float64,
    "F32": torch.float32,
    "F16": torch.float16,
    "BF16": torch.bfloat16,
    "I64": torch.int64,
    "I32": torch.int32,
    "I16": torch.int16,
    "I8": torch.int8,
    "U8": torch.uint8,
    "BOOL": torch.bool,
}


def _torch_dtype(code: str, name: str, directory: Path) -> torch.dtype:
    if code not in _DTYPES:
        raise MergeError(f"{directory}: tensor {name} has dtype {code}, which corta cannot merge.")
    return _DTYPES[code]
