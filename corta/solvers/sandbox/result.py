"""What a sandboxed run is allowed (limits) and what it returns (result or error kind)."""

from typing import Any, Literal

from pydantic import BaseModel, Field

ErrorKind = Literal["syntax", "timeout", "memory", "forbidden", "exception"]


class SandboxLimits(BaseModel):
    """Resource limits of one run; they apply to the whole child process."""

    cpu_s: int = Field(10, ge=1, description="CPU seconds (RLIMIT_CPU).")
    wall_s: float = Field(20.0, gt=0, description="Wall-clock seconds before the process group is killed.")
    memory_mb: int = Field(1024, ge=64, description="Address space (RLIMIT_AS).")
    file_mb: int = Field(64, ge=1, description="Largest file the code may write in its temporary directory.")
    output_chars: int = Field(65_536, ge=0, description="Captured print output kept; the rest is dropped.")


class SandboxFailure(BaseModel):
    """Why the code did not return a value."""

    kind: ErrorKind
    message: str


class SandboxResult(BaseModel):
    """The entry function's JSON-serializable return value, or the failure; plus captured output."""

    ok: bool
    result: Any = None
    error: SandboxFailure | None = None
    stdout: str = ""
    duration_s: float = 0.0

    @classmethod
    def failure(cls, kind: ErrorKind, message: str, **extra: Any) -> "SandboxResult":
        """A result for code that did not return."""
        return cls(ok=False, error=SandboxFailure(kind=kind, message=message), **extra)

    def contract(self) -> dict[str, Any]:
        """The documented `--json` output: ok, result, error."""
        return {
            "ok": self.ok,
            "result": self.result,
            "error": self.error.model_dump() if self.error else None,
        }
