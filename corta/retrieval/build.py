"""Building a knowledge base from sources: read, chunk, embed, save; nothing is embedded when the sources, the
embedder and the chunker are those of the index already there."""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from corta.retrieval.embedder import Embedder
from corta.retrieval.knowledge_base import MANIFEST_FILE, KnowledgeBase
from corta.retrieval.manifest import CHUNKER_VERSION, Manifest, SourceRecord, fingerprint
from corta.retrieval.passage import Chunk
from corta.retrieval.sources.registry import Source

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""Told (stage, done, total) as a build goes: stage ``read`` counts files, ``embed`` counts chunks."""


@dataclass(frozen=True)
class BuildResult:
    """The manifest of the index in the folder, and whether it was already up to date (nothing was embedded)."""

    manifest: Manifest
    up_to_date: bool


def build_index(
    sources: list[Source],
    index_dir: Path,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    force: bool = False,
) -> BuildResult:
    """Build the knowledge base of `sources` into `index_dir`, unless the one there was built from the same.

    Raises
    ------
    ConfigError
        When a source does not exist or holds no readable kind of file.
    """
    embedder = embedder or Embedder()
    started = time.perf_counter()
    digest = fingerprint(sources, embedder.name)
    existing = Manifest.read(index_dir / MANIFEST_FILE)
    if not force and existing is not None and existing.fingerprint == digest:
        return BuildResult(existing, up_to_date=True)
    chunks, records = _read(sources, progress or _silent)
    texts = [chunk.embedded_text() for chunk in chunks]
    done = 0

    def embedded(count: int) -> None:
        nonlocal done
        done += count
        (progress or _silent)("embed", done, len(texts))

    vectors = embedder.encode(texts, on_batch=embedded)
    manifest = Manifest(
        fingerprint=digest,
        chunker_version=CHUNKER_VERSION,
        embedder=embedder.name,
        dimension=embedder.dimension,
        chunks=len(chunks),
        sources=records,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        build_seconds=round(time.perf_counter() - started, 1),
    )
    KnowledgeBase.from_vectors(chunks, vectors, manifest, embedder).save(index_dir)
    return BuildResult(manifest, up_to_date=False)


def _read(sources: list[Source], progress: Progress) -> tuple[list[Chunk], list[SourceRecord]]:
    listed = [(source, source.files()) for source in sources]
    total = sum(len(files) for _, files in listed)
    chunks: list[Chunk] = []
    records = []
    done = 0
    for source, files in listed:
        found: list[Chunk] = []
        skipped = []
        for file in files:
            read = source.read(file)
            if read is None:
                skipped.append(str(file))
            else:
                found += read
            done += 1
            progress("read", done, total)
        chunks += found
        records.append(SourceRecord(source=str(source), files=len(files), chunks=len(found), skipped=skipped))
    return chunks, records


def _silent(stage: str, done: int, total: int) -> None:
    """No progress shown."""
