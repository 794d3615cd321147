"""What the learner sent, bounded: an empty question is refused, a huge one is cut with a note."""

from dataclasses import dataclass

from corta.errors import ConfigError

MAX_QUESTION_CHARS = 4000
MAX_CODE_CHARS = 8000
MAX_ERROR_CHARS = 3000


@dataclass(frozen=True)
class TutorRequest:
    """One turn of the learner: the question, optional pasted code and error text, and notes on what was cut."""

    question: str
    code: str = ""
    error: str = ""
    notes: tuple[str, ...] = ()

    @classmethod
    def bounded(cls, question: str, code: str = "", error: str = "") -> "TutorRequest":
        """The request with each part cut to its limit.

        Raises
        ------
        ConfigError
            If the question is empty and no code or error was given either.
        """
        question, code, error = question.strip(), code.strip("\n"), error.strip()
        if not (question or code or error):
            raise ConfigError("The question is empty: ask something about Python, or paste code or an error.")
        notes = []
        parts = {}
        for name, text, limit in (
            ("question", question, MAX_QUESTION_CHARS),
            ("code", code, MAX_CODE_CHARS),
            ("error", error, MAX_ERROR_CHARS),
        ):
            if len(text) > limit:
                notes.append(f"The {name} was cut to its first {limit} characters.")
                text = text[:limit]
            parts[name] = text
        return cls(
            parts["question"] or "Please look at my code.", parts["code"], parts["error"], tuple(notes)
        )
