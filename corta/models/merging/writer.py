"""Writing a merged model as safetensors shards, one tensor's bytes at a time.

The shards are planned up front from the tensors' shapes and dtypes, so each shard's header is written first and
every merged tensor goes to disk as soon as it is made: peak memory is a few tensors, not a shard. The output is
built in a sibling folder and renamed into place only when complete; a failure (disk full included) removes it, so
nothing half-written is ever left looking like a model.
"""

import json
import logging
import math
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

import torch

from corta.errors import MergeError
from corta.models.merging.checkpoint import INDEX_NAME, SINGLE_NAME

log = logging.getLogger(__name__)

SAFETENSORS_CODES = {
    torch.float64: "F64",
    torch.float32: "F32",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.int16: "I16",
    torch.int8: "I8",
    torch.uint8: "U8",
    torch.bool: "BOOL",
}


@dataclass(frozen=True)
class PlannedTensor:
    """A tensor of the output: its name, shape and dtype, known before it is merged."""

    name: str
    shape: tuple[int, ...]
    dtype: torch.dtype

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * torch.empty((), dtype=self.dtype).element_size()


def plan_shards(tensors: list[PlannedTensor], max_shard_bytes: int) -> list[list[PlannedTensor]]:
    """Tensors in order, cut into shards of at most `max_shard_bytes` (a larger tensor gets a shard of its own)."""
    shards: list[list[PlannedTensor]] = [[]]
    size = 0
    for tensor in tensors:
        if shards[-1] and size + tensor.nbytes > max_shard_bytes:
            shards.append([])
            size = 0
        shards[-1].append(tensor)
        size += tensor.nbytes
    return [shard for shard in shards if shard]


class ShardedWriter:
    """Write the planned tensors, in plan order, into `out_dir`.

    Parameters
    ----------
    out_dir
        The output folder; it must not exist yet (or be empty).
    tensors
        The output's tensors in the order they will be written.
    max_shard_bytes
        The largest shard, in bytes (Hugging Face's default is 5 GB).

    Raises
    ------
    MergeError
        The output exists already, a tensor comes out of order or with another shape, or writing failed (the
        partial output is removed first).
    """

    def __init__(
        self, out_dir: Path, tensors: list[PlannedTensor], max_shard_bytes: int = 5_000_000_000
    ) -> None:
        self.out_dir = Path(out_dir)
        if self.out_dir.exists() and any(self.out_dir.iterdir()):
            raise MergeError(f"{self.out_dir} exists and is not empty: choose a new output folder.")
        self.shards = plan_shards(tensors, max_shard_bytes)
        self.partial = self.out_dir.with_name(f".{self.out_dir.name}.partial-{os.getpid()}")
        self._queue = [(index, tensor) for index, shard in enumerate(self.shards) for tensor in shard]
        self._position = 0
        self._open_index: int | None = None
        self._sink: BinaryIO | None = None
        try:
            self.partial.mkdir(parents=True, exist_ok=False)
        except OSError as error:
            raise MergeError(f"Cannot create {self.partial} for the merged model ({error}).") from error

    def shard_name(self, index: int) -> str:
        if len(self.shards) == 1:
            return SINGLE_NAME
        return f"model-{index + 1:05d}-of-{len(self.shards):05d}.safetensors"

    def write(self, name: str, tensor: torch.Tensor) -> None:
        """Append the next planned tensor (cast to its planned dtype)."""
        if self._position >= len(self._queue):
            raise MergeError(f"Tensor {name} was not planned for the output.")
        index, planned = self._queue[self._position]
        if name != planned.name or tuple(tensor.shape) != planned.shape:
            raise MergeError(
                f"Expected tensor {planned.name} {list(planned.shape)} next, got {name} {list(tensor.shape)}."
            )
        data = tensor.detach().to("cpu", planned.dtype).contiguous().reshape(-1).view(torch.uint8).numpy()
        try:
            if self._open_index != index:
                self._start_shard(index)
            assert self._sink is not None
            self._sink.write(memoryview(data))
        except OSError as error:
            self.abort()
            raise MergeError(
                f"Writing the merged model failed ({error}); nothing was left at {self.out_dir}."
            ) from error
        self._position += 1

    def finish(self, extra_files: dict[str, bytes]) -> Path:
        """Close the last shard, write the index (several shards) and `extra_files`, and move the folder into place."""
        if self._position != len(self._queue):
            missing = self._queue[self._position][1].name
            self.abort()
            raise MergeError(
                f"The merge stopped before tensor {missing}; nothing was left at {self.out_dir}."
            )
        try:
            self._close_shard()
            if len(self.shards) > 1:
                extra_files = {INDEX_NAME: self._index(), **extra_files}
            for file_name, content in extra_files.items():
                (self.partial / file_name).write_bytes(content)
            if self.out_dir.exists():
                self.out_dir.rmdir()  # empty, checked at the start
            os.replace(self.partial, self.out_dir)
        except OSError as error:
            self.abort()
            raise MergeError(
                f"Writing the merged model failed ({error}); nothing was left at {self.out_dir}."
            ) from error
        return self.out_dir

    def abort(self) -> None:
        """Remove the partial output."""
        try:
            if self._sink is not None:
                self._sink.close()
        except OSError:
            pass  # the folder goes anyway
        self._sink = None
        shutil.rmtree(self.partial, ignore_errors=True)

    def __enter__(self) -> "ShardedWriter":
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is not None:
            self.abort()

    def _start_shard(self, index: int) -> None:
        self._close_shard()
        header: dict[str, object] = {"__metadata__": {"format": "pt"}}
        offset = 0
        for tensor in self.shards[index]:
            header[tensor.name] = {
                "dtype": SAFETENSORS_CODES[tensor.dtype],
                "shape": list(tensor.shape),
                "data_offsets": [offset, offset + tensor.nbytes],
            }
            offset += tensor.nbytes
        encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
        encoded += b" " * (-len(encoded) % 8)  # the data starts 8-byte aligned
        self._sink = (self.partial / self.shard_name(index)).open("wb")
        self._sink.write(len(encoded).to_bytes(8, "little"))
        self._sink.write(encoded)
        self._open_index = index

    def _close_shard(self) -> None:
        if self._sink is not None:
            self._sink.flush()
            os.fsync(self._sink.fileno())
            self._sink.close()
            self._sink = None

    def _index(self) -> bytes:
        weight_map = {
            tensor.name: self.shard_name(i) for i, shard in enumerate(self.shards) for tensor in shard
        }
        total = sum(tensor.nbytes for shard in self.shards for tensor in shard)
        return json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}, indent=2).encode(
            "utf-8"
        )
