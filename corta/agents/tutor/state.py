"""The tutor graph's state, plain data only so the SQLite checkpointer stores it as it is."""

import operator
from typing import Annotated, Any, TypedDict


class TutorState(TypedDict, total=False):
    # This turn's request (set by each `ask`)
    question: str
    code: str
    error: str
    notes: list[str]
    mode: str  # explain | hint
    # What the graph made of it
    language: str  # en | zh
    perception: dict[str, Any]
    clarified: bool
    passages: list[dict[str, Any]]  # title, path, score, text
    first_draft: str
    draft: str
    reviews: list[dict[str, Any]]
    round: int
    answer: str
    # Across turns of a thread
    history: Annotated[list[dict[str, str]], operator.add]
    hints_given: int


def turn_input(question: str, code: str, error: str, notes: list[str], mode: str) -> TutorState:
    """The state a new turn starts from: the request, and this turn's working fields cleared."""
    return TutorState(
        question=question, code=code, error=error, notes=notes, mode=mode, clarified=False, passages=[],
        first_draft="", draft="", reviews=[], round=0, answer="",
    )  # fmt: skip
