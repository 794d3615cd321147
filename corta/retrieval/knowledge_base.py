"""A knowledge base: chunks, their embeddings in a FAISS inner-product index, and the manifest, in one folder."""

import json
from dataclasses import asdict
from pathlib import Path

import faiss
import numpy as np

from corta.errors import ConfigError
from corta.retrieval.embedder import Embedder
from corta.retrieval.manifest import Manifest
from corta.retrieval.passage import Chunk, Language, Passage

INDEX_FILE = "index.faiss"
CHUNKS_FILE = "chunks.jsonl"
MANIFEST_FILE = "manifest.json"


class KnowledgeBase:
    """Cosine-similarity search (inner product of unit vectors, exact) over embedded chunks.

    Parameters
    ----------
    index
        A FAISS index whose i-th vector is the embedding of ``chunks[i]``.
    chunks
        The passages, in index order.
    manifest
        How the index was built.
    embedder
        Encodes queries; it must be the model that embedded the chunks.
    """

    def __init__(
        self, index: faiss.Index, chunks: list[Chunk], manifest: Manifest, embedder: Embedder
    ) -> None:
        if index.ntotal != len(chunks):
            raise ValueError(f"the index holds {index.ntotal} vectors for {len(chunks)} chunks")
        self.index, self.chunks, self.manifest, self.embedder = index, chunks, manifest, embedder

    @classmethod
    def from_vectors(
        cls, chunks: list[Chunk], vectors: np.ndarray, manifest: Manifest, embedder: Embedder
    ) -> "KnowledgeBase":
        """A knowledge base over unit-length `vectors`, one row per chunk."""
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index, chunks, manifest, embedder)

    @classmethod
    def load(cls, index_dir: Path, embedder: Embedder | None = None) -> "KnowledgeBase":
        """The knowledge base saved in `index_dir`.

        Raises
        ------
        ConfigError
            When no index was built there, or it was built with another embedder.
        """
        manifest = Manifest.read(index_dir / MANIFEST_FILE)
        if manifest is None or not (index_dir / INDEX_FILE).is_file():
            raise ConfigError(f"no knowledge base in {index_dir}: run `corta index build` first")
        embedder = embedder or Embedder()
        if manifest.embedder != embedder.name:
            raise ConfigError(
                f"the knowledge base in {index_dir} was built with {manifest.embedder}, not {embedder.name}: "
                "run `corta index build` again"
            )
        with (index_dir / CHUNKS_FILE).open(encoding="utf-8") as lines:
            chunks = [Chunk(**json.loads(line)) for line in lines]
        return cls(faiss.read_index(str(index_dir / INDEX_FILE)), chunks, manifest, embedder)

    def save(self, index_dir: Path) -> None:
        """Write the index, the chunks and, last, the manifest (a folder without it holds no finished index)."""
        index_dir.mkdir(parents=True, exist_ok=True)
        (index_dir / MANIFEST_FILE).unlink(missing_ok=True)
        faiss.write_index(self.index, str(index_dir / INDEX_FILE))
        with (index_dir / CHUNKS_FILE).open("w", encoding="utf-8") as lines:
            for chunk in self.chunks:
                lines.write(json.dumps(asdict(chunk), ensure_ascii=False) + "\n")
        self.manifest.write(index_dir / MANIFEST_FILE)

    def __len__(self) -> int:
        return len(self.chunks)

    def search(self, query: str, k: int = 3, language: Language | None = None) -> list[Passage]:
        """The `k` chunks most similar to `query`, best first, in `language` only when it is given."""
        if k < 1 or not self.chunks:
            return []
        vector = self.embedder.encode([query])
        parameters = None
        if language is not None:
            ids = np.array(
                [i for i, chunk in enumerate(self.chunks) if chunk.language == language], dtype=np.int64
            )
            if not len(ids):
                return []
            parameters = faiss.SearchParameters(sel=faiss.IDSelectorBatch(ids))
        scores, ids = self.index.search(vector, min(k, self.index.ntotal), params=parameters)
        return [
            Passage(**asdict(self.chunks[index]), score=float(score))
            for score, index in zip(scores[0], ids[0], strict=True)
            if index >= 0
        ]
