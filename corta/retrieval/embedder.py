"""Sentence embeddings on the CPU with sentence-transformers: texts → unit-length float32 rows."""

import os
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from corta.retrieval.encoder import sentence_encoder_path

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

DEFAULT_EMBEDDER = "sentence-transformers/all-MiniLM-L6-v2"


class Embedder:
    """A sentence-transformers model loaded offline from a local folder (by default the shipped all-MiniLM-L6-v2),
    on first use.

    Parameters
    ----------
    path
        The model's folder; the shipped MiniLM when None.
    name
        What the manifest records, so that an index is never searched with another model's vectors.
    batch_size
        Texts per forward pass.
    """

    def __init__(self, path: Path | None = None, name: str = DEFAULT_EMBEDDER, batch_size: int = 32) -> None:
        self.path = path or sentence_encoder_path()
        self.name = name
        self.batch_size = batch_size

    @cached_property
    def model(self) -> "SentenceTransformer":
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        return SentenceTransformer(str(self.path), device="cpu", local_files_only=True)

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension() or 0)

    def encode(self, texts: Sequence[str], on_batch: Callable[[int], None] | None = None) -> np.ndarray:
        """One normalised float32 row per text, in order; `on_batch` is told how many texts each batch held."""
        rows = np.zeros((len(texts), self.dimension), dtype=np.float32)
        # Batches of similar length pad least: encode longest first, put the rows back in order.
        order = sorted(range(len(texts)), key=lambda index: -len(texts[index]))
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            rows[batch] = self.model.encode(
                [texts[index] for index in batch],
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            if on_batch is not None:
                on_batch(len(batch))
        return rows
