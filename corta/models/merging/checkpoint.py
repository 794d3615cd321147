"""Reading a model checkpoint tensor by tensor: a directory with `config.json` and safetensors (one file or shards
with an index). Each shard's header is parsed once; a tensor's bytes are read with one plain read into its own
buffer. No file is memory-mapped: a mapped model's pages count as the process's resident memory for as long as the
map lives, so reading through maps would make a streamed merge look as large as its inputs."""

import json
import math
from pathlib import Path
from typing import Any

import torch

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
        self._headers: dict[str, tuple[int, dict[str, Any]]] = {}
        self._shard_of = self._read_shard_map()
        self._shapes: dict[str, tuple[int, ...]] = {}
        self._dtypes: dict[str, torch.dtype] = {}
        self._spans: dict[str, tuple[int, int]] = {}
        for shard in sorted(set(self._shard_of.values())):
            start, entries = self._header(shard)
            for name, entry in entries.items():
                if self._shard_of.get(name, shard) != shard:
                    continue
                self._shard_of[name] = shard
                self._shapes[name] = tuple(entry["shape"])
                self._dtypes[name] = _torch_dtype(entry["dtype"], name, self.directory)
                begin, end = entry["data_offsets"]
                self._spans[name] = (start + begin, end - begin)
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
        """The tensor `name` as stored (dtype and shape), read from its shard into a buffer of its own."""
        if name not in self._shapes:
            raise MergeError(f"{self.directory} has no tensor {name}.")
        offset, length = self._spans[name]
        if length == 0:
            return torch.empty(self._shapes[name], dtype=self._dtypes[name])
        buffer = bytearray(length)
        with (self.directory / self._shard_of[name]).open("rb") as source:
            source.seek(offset)
            if source.readinto(buffer) != length:
                raise MergeError(
                    f"{self.directory / self._shard_of[name]} is truncated: {name} is cut short."
                )
        return torch.frombuffer(buffer, dtype=self._dtypes[name]).reshape(self._shapes[name])

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
            return dict.fromkeys(self._header(SINGLE_NAME)[1], SINGLE_NAME)
        shards = sorted(path.name for path in self.directory.glob("*.safetensors"))
        if not shards:
            raise MergeError(f"{self.directory} holds no .safetensors weights.")
        return {name: shard for shard in shards for name in self._header(shard)[1]}

    def _header(self, shard: str) -> tuple[int, dict[str, Any]]:
        """Where the shard's data starts, and its tensors' entries (dtype, shape, data_offsets), checked against
        the file's size."""
        if shard in self._headers:
            return self._headers[shard]
        path = self.directory / shard
        try:
            with path.open("rb") as source:
                length = int.from_bytes(source.read(8), "little")
                size = path.stat().st_size
                if not 0 < length <= size - 8:
                    raise ValueError("the header length does not fit the file")
                header = json.loads(source.read(length))
            header.pop("__metadata__", None)
            start = 8 + length
            for name, entry in header.items():
                begin, end = entry["data_offsets"]
                if not 0 <= begin <= end or start + end > size or not isinstance(entry["shape"], list):
                    raise ValueError(f"tensor {name} lies outside the file")
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise MergeError(f"{path} is not a readable safetensors file ({error}).") from error
        self._headers[shard] = (start, header)
        return self._headers[shard]


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
