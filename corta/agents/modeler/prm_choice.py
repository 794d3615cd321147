"""Which process reward model a modeler method needs: none for the one-pass methods and random pruning."""

from typing import Any

from corta.agents.modeler.methods import METHODS
from corta.config import Settings
from corta.models.llm import LLM


def prm_for_method(kind: str, method: str, llm: LLM, settings: Settings) -> Any:
    """The process reward model of `kind` (auto | scorer | judge | served) when `method` prunes by reward, else None.

    Raises
    ------
    corta.errors.ConfigError
        When the kind is unknown or its model is missing (a scorer that was never trained).
    """
    search = METHODS.get(method)
    if search is None or search.one_pass or search.pruning != "prm":
        return None
    from corta.models.reward.base import make_prm

    return make_prm(kind, llm=llm, settings=settings)
