"""Code in a reply: find the blocks, run each in the sandbox, and say which ones fail (fed back to reflection)."""

import ast
import re
import textwrap
from dataclasses import dataclass

from corta.solvers.sandbox import DEFAULT_ALLOWED_IMPORTS, SandboxLimits, run_code

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)```", re.DOTALL)
_PYTHON_TAGS = {"", "python", "py", "python3", "pycon"}
# Commands a reply shows for the terminal, often in a block tagged python ("python3 -m venv env", "pip install …"):
# a command word followed by arguments, not by an operator ("python = 3" is Python).
_SHELL_COMMAND = re.compile(
    r"^\s*(?:\$\s*)?(?:python3?|py|pip3?|conda|source|cd|mkdir|ls|dir|export|set|deactivate|git|uv|poetry|"
    r"[\w.-]+[\\/][\w.\\/-]*activate(?:\.bat|\.ps1)?)(?:[ \t]+(?![\s=(\[.:+*/%<>!])|\s*$)"
)
# Code that needs input, files or the network is shown, not run: not being allowed to run is no fault of the reply.
_NOT_A_FAULT = {"forbidden"}


@dataclass(frozen=True)
class BlockRun:
    """One Python block of a reply and what running it did."""

    code: str
    ok: bool
    kind: str  # "ok", or the sandbox's error kind: syntax, exception, timeout, memory, forbidden, …
    message: str

    @property
    def is_fault(self) -> bool:
        return not self.ok and self.kind not in _NOT_A_FAULT

    def describe(self) -> str:
        """One line on what the block did, as reflection reads it."""
        first = self.code.strip().splitlines()[0][:60]
        return (
            f"The block starting `{first}` ran fine."
            if self.ok
            else f"The block starting `{first}` failed: {self.kind}: {self.message}"
        )


def python_blocks(markdown: str) -> list[str]:
    """The fenced blocks tagged as Python (or untagged), with `>>>` sessions turned into plain code; terminal
    commands are left out whatever their tag (they are not Python, and running them as Python is no test)."""
    blocks = []
    for tag, body in _FENCE.findall(markdown):
        if tag.lower() not in _PYTHON_TAGS or is_shell(body):
            continue
        blocks.append(_from_session(body) if ">>> " in body else body)
    return [block for block in blocks if block.strip()]


def is_shell(block: str) -> bool:
    """Whether `block` is terminal commands: it does not parse as Python and its first line is a command."""
    lines = [line for line in block.splitlines() if line.strip()]
    if not lines or not _SHELL_COMMAND.match(lines[0]):
        return False
    try:
        ast.parse(textwrap.dedent(block))
    except SyntaxError:
        return True
    return False


def code_lines(markdown: str) -> int:
    """How many non-blank code lines the reply's fenced blocks hold (any language)."""
    return sum(1 for _, body in _FENCE.findall(markdown) for line in body.splitlines() if line.strip())


def strip_code(reply: str) -> str:
    """The reply without its fenced code blocks (the last guard of hint mode)."""
    return re.sub(r"```.*?```", "", reply, flags=re.DOTALL).strip()


def run_blocks(blocks: list[str], limits: SandboxLimits | None = None) -> list[BlockRun]:
    """Run each block as the body of a function in the sandbox (a few seconds each)."""
    limits = limits or SandboxLimits(cpu_s=3, wall_s=6.0, memory_mb=512)
    runs = []
    for block in blocks:
        source = (
            "def _reply_block():\n" + textwrap.indent(textwrap.dedent(block), "    ") + "\n    return None\n"
        )
        result = run_code(source, "_reply_block", limits=limits, allowed_imports=DEFAULT_ALLOWED_IMPORTS)
        kind = "ok" if result.ok else result.error.kind if result.error else "error"
        message = "" if result.ok or result.error is None else result.error.message.strip()
        last_line = message.splitlines()[-1] if message else ""
        runs.append(BlockRun(block, result.ok, kind, last_line[:300]))
    return runs


def _from_session(body: str) -> str:
    """The statements of an interactive session (`>>>`/`...` lines), without its printed output."""
    lines = []
    for line in body.splitlines():
        if line.startswith((">>> ", "... ")) or line.rstrip() in {">>>", "..."}:
            lines.append(line[4:])
    return "\n".join(lines)
