"""What one run of a chaos scenario saw: whether the expected outcome happened, and the damage counted."""

import re
from dataclasses import dataclass, field

_SENTENCE_END = re.compile(r"[.?!)]$")


@dataclass
class Outcome:
    """One run of a scenario.

    `expected`: the behaviour the scenario promises was seen (a retry that completed the reply, a one-sentence
    error and then success, every item once). `sentences`: the errors the user got, each one sentence, where the
    scenario expects one. The counts are in the scenario's own unit (reply tokens, stored messages, evaluation items,
    files): `corrupt` artefacts left looking complete that are not, `lost` and `doubled` units, and `tracebacks` (or
    raw non-corta exceptions) that reached the user. `notes` say what went wrong.
    """

    expected: bool = True
    sentences: int = 0
    corrupt: int = 0
    lost: int = 0
    doubled: int = 0
    tracebacks: int = 0
    notes: list[str] = field(default_factory=list)

    def fail(self, note: str) -> None:
        """The expected outcome was not seen, for this reason."""
        self.expected = False
        self.notes.append(note)

    @property
    def clean(self) -> bool:
        """Expected, and nothing corrupt, lost, doubled or shown as a traceback."""
        return self.expected and not (self.corrupt or self.lost or self.doubled or self.tracebacks)


def one_sentence(text: str) -> bool:
    """A message a user can read: one line, no traceback, ending like a sentence."""
    text = text.strip()
    return bool(text) and "\n" not in text and "Traceback" not in text and bool(_SENTENCE_END.search(text))
