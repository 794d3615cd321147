"""What an index was built from (the sources' fingerprint, the embedder, the chunker's version) and what it holds:
``manifest.json`` beside the index, read to decide whether a build has anything to do."""

import hashlib
import json
from pathlib import Path

from pydantic import BaseModel

from corta.retrieval.sources.registry import Source

CHUNKER_VERSION = 1
"""Raised whenever chunking changes what a source yields, so that existing indexes are rebuilt."""


class SourceRecord(BaseModel):
    """One source of a build: its files, its chunks, and the files skipped as unreadable."""

    source: str
    files: int
    chunks: int
    skipped: list[str]


class Manifest(BaseModel):
    """An index's provenance and size."""

    fingerprint: str
    chunker_version: int
    embedder: str
    dimension: int
    chunks: int
    sources: list[SourceRecord]
    built_at: str
    build_seconds: float

    @classmethod
    def read(cls, path: Path) -> "Manifest | None":
        """The manifest at `path`, or None where there is none."""
        return cls.model_validate_json(path.read_text(encoding="utf-8")) if path.is_file() else None

    def write(self, path: Path) -> None:
        path.write_text(self.model_dump_json(indent=2) + "\n", encoding="utf-8")


def fingerprint(sources: list[Source], embedder: str) -> str:
    """A digest of every source file's content and path, the embedder's name and the chunker's version."""
    digest = hashlib.sha256(json.dumps([CHUNKER_VERSION, embedder]).encode())
    for source in sources:
        for file in source.files():
            digest.update(f"\0{source}\0{file}\0".encode())
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()
