"""Run untrusted (LLM-written) Python in a limited subprocess; bad code becomes a result, never an exception."""

from corta.solvers.sandbox.policy import DEFAULT_ALLOWED_IMPORTS, PolicyViolation, check_source
from corta.solvers.sandbox.result import ErrorKind, SandboxFailure, SandboxLimits, SandboxResult
from corta.solvers.sandbox.runner import run_code

__all__ = [
    "DEFAULT_ALLOWED_IMPORTS",
    "ErrorKind",
    "PolicyViolation",
    "SandboxFailure",
    "SandboxLimits",
    "SandboxResult",
    "check_source",
    "run_code",
]
