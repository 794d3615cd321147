"""How the LTI tool refuses a request: one sentence and the HTTP status that says why."""

from corta.errors import CortaError


class LtiError(CortaError):
    """A refused LTI request.

    Parameters
    ----------
    status
        The HTTP status to answer: 400 malformed, 401 not authentic, 403 not allowed, 404 unknown, 409 not possible
        for this launch, 502 the platform failed.
    message
        What was wrong, in one sentence.
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
