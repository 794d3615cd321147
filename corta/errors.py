"""The errors corta reports to people: each carries one sentence a user can act on.

The CLI and the API turn a `CortaError` into that sentence and an exit code or a 4xx; nothing else catches broad
exceptions.
"""


class CortaError(Exception):
    """Base of every error corta reports to a user."""


class ConfigError(CortaError):
    """A setting is missing or invalid."""


class ModelPartsError(CortaError):
    """The embedded model's parts are missing or do not assemble into the expected file."""


class LLMUnavailableError(CortaError):
    """The LLM server cannot be reached, timed out, or could not be started."""


class LLMRequestError(CortaError):
    """The LLM server refused a request (an HTTP error status)."""


class LLMOutputError(CortaError):
    """The model's output could not be parsed or validated, even after one repair.

    Parameters
    ----------
    message
        What was wrong, in one sentence.
    raw
        The model's last raw output, kept for logs and debugging.
    """

    def __init__(self, message: str, raw: str) -> None:
        super().__init__(message)
        self.raw = raw


class SandboxError(CortaError):
    """The sandbox itself could not run (not the code inside it: that failure is a result)."""


class ModelError(CortaError):
    """An optimization model is malformed: an unknown name, a bad index, a syntax error in a function.

    Parameters
    ----------
    message
        What is wrong, in one sentence that names the item and quotes the text.
    item
        The set, parameter, variable, objective or constraint concerned, when known.
    text
        The offending text, and `position` the character offset in it, when known.
    """

    def __init__(
        self, message: str, item: str | None = None, text: str | None = None, position: int | None = None
    ):
        super().__init__(message)
        self.item, self.text, self.position = item, text, position


class StoreBusyError(CortaError):
    """The app's store stayed locked by another process past the busy timeout; nothing was written."""


class DatasetError(CortaError):
    """A benchmark file is missing or unreadable."""


class ReportError(CortaError):
    """An evaluation's results, report or plots could not be written (a full disk, a read-only folder); the files
    already there keep their previous version."""


class MergeError(CortaError):
    """A merge cannot be done or could not finish: a checkpoint is missing, incomplete or does not match the others,
    or the output could not be written (nothing half-written is left looking complete)."""
