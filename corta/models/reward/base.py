"""What a process reward model is, and the registry that makes one of each kind by name.

Kinds: `judge` (a chat model's probability of "+" after each step), `served` (a PRM behind vLLM's pooling API) and
`scorer` (the small cross-encoder trained by `corta prm train`). Each backend is imported only when it is made, so
choosing the judge never loads torch.
"""

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from corta.errors import ConfigError

if TYPE_CHECKING:
    from corta.config import Settings
    from corta.models.llm import LLM


class ProcessRewardModel(Protocol):
    """Scores the steps of a solution; score i judges steps[: i + 1], the cumulative partial model up to step i."""

    def score_steps(self, question: str, steps: list[str]) -> list[float]:
        """One score in [0, 1] per step: the probability that the steps so far are correct."""
        ...


def _judge(llm: "LLM | None" = None, **_: Any) -> ProcessRewardModel:
    from corta.models.reward.judge import JudgePRM

    if llm is None:
        raise ConfigError("The judge PRM needs the chat model to ask (llm=…).")
    return JudgePRM(llm)


def _served(
    base_url: str | None = None,
    model: str | None = None,
    step_tag: str = "<extra_0>",
    api_key: str | None = None,
    timeout_s: float = 60.0,
    **_: Any,
) -> ProcessRewardModel:
    from corta.models.reward.served import ServedPRM

    if not base_url or not model:
        raise ConfigError("The served PRM needs the server's base_url and the model's name.")
    return ServedPRM(base_url, model, step_tag, api_key, timeout_s)


def _scorer(path: Path | None = None, settings: "Settings | None" = None, **_: Any) -> ProcessRewardModel:
    from corta.models.reward.scorer import ScorerPRM, default_scorer_path

    return ScorerPRM.load(path or default_scorer_path(settings))


def _auto(
    path: Path | None = None, settings: "Settings | None" = None, llm: "LLM | None" = None, **_: Any
) -> ProcessRewardModel:
    """The trained scorer when one is saved, else the judge (a fresh install has no scorer yet)."""
    from corta.models.reward.scorer import INFO_FILE, default_scorer_path

    if (Path(path or default_scorer_path(settings)) / INFO_FILE).is_file():
        return _scorer(path, settings)
    return _judge(llm)


PRM_KINDS: dict[str, Callable[..., ProcessRewardModel]] = {
    "auto": _auto,
    "judge": _judge,
    "served": _served,
    "scorer": _scorer,
}


def make_prm(kind: str, **options: Any) -> ProcessRewardModel:
    """Make a PRM of `kind` from its options.

    The judge needs `llm`; the served PRM `base_url` and `model` (and optionally `step_tag`, `api_key`,
    `timeout_s`); the scorer loads from `path`, by default from the cache of `settings`. Options a kind does not use
    are ignored, so a caller may pass the same `llm` and `settings` whatever the kind.

    Raises
    ------
    ConfigError
        If `kind` is unknown, an option it needs is missing, or (scorer) no trained scorer is saved there.
    """
    if kind not in PRM_KINDS:
        raise ConfigError(f"Unknown PRM kind {kind!r}; known: {', '.join(PRM_KINDS)}.")
    return PRM_KINDS[kind](**options)
