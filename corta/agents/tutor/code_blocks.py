"""Code in a reply: find the blocks, run each in the sandbox, and say which ones fail (fed back to reflection).

A reply's examples build on each other (a class defined in one block, used in the next), so each block runs after
the earlier blocks that ran. Measured on 40 QACP drafts, running blocks one by one flagged 16 drafts, 12 of them
wrongly: a name from an earlier block, program output in an untagged fence, an exception raised on purpose, a file
the example reads, a placeholder such as `match x:`. A false alarm costs a revision that the judge scored lower."""

import ast
import re
import sys
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
# Code that needs input, files or the network is shown, not run: not being allowed to run is no fault of the reply;
# neither is a file the example reads ("environment") or a name it leaves for the learner to fill ("placeholder").
_NOT_A_FAULT = {"forbidden", "environment", "placeholder"}
_ENVIRONMENT_ERRORS = (
    "FileNotFoundError", "FileExistsError", "PermissionError", "IsADirectoryError", "NotADirectoryError",
    "ConnectionError", "ConnectionRefusedError", "TimeoutError", "EOFError",
)  # fmt: skip
_QUALIFIED_EXCEPTION = re.compile(r"^[\w.<>]+\.(?=[A-Za-z_]\w*:)")
# Earlier blocks that ran to an end (not a loop or a blow-up) run again before a later one.
_PRELUDE = {"ok", "exception", "environment", "placeholder"}
_NAME_ERROR = re.compile(r"^NameError: name '(\w+)' is not defined")


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
        if self.ok:
            return f"The block starting `{first}` ran fine."
        if not self.is_fault:
            return f"The block starting `{first}` could not be checked here ({self.kind}: {self.message})."
        return f"The block starting `{first}` failed: {self.kind}: {self.message}"


@dataclass(frozen=True)
class ReplyBlock:
    """A Python block of a reply: the text between its fences (what a repair replaces) and the code it runs."""

    body: str
    code: str


def reply_blocks(markdown: str) -> list[ReplyBlock]:
    """The fenced blocks tagged as Python, and the untagged ones that parse as Python, with `>>>` sessions turned
    into plain code. Terminal commands are left out whatever their tag (running them as Python is no test), and so is
    an untagged block that is not Python (program output, most often)."""
    blocks = []
    for tag, body in _FENCE.findall(markdown):
        if tag.lower() not in _PYTHON_TAGS or is_shell(body):
            continue
        code = _from_session(body) if ">>> " in body else body
        if code.strip() and (tag or _parses(code)):
            blocks.append(ReplyBlock(body, code))
    return blocks


def python_blocks(markdown: str) -> list[str]:
    """The code of each of the reply's Python blocks (see `reply_blocks`)."""
    return [block.code for block in reply_blocks(markdown)]


def replace_block(markdown: str, block: ReplyBlock, code: str) -> str:
    """`markdown` with `block`'s text replaced by `code`, indented as the block was (blocks inside list items)."""
    lines = [line for line in block.body.splitlines() if line.strip()]
    indent = min((len(line) - len(line.lstrip()) for line in lines), default=0)
    closing_indent = block.body[len(block.body.rstrip(" \t")) :]  # the closing fence's indent
    new_body = textwrap.indent(textwrap.dedent(code).strip("\n") + "\n", " " * indent) + closing_indent
    return markdown.replace(block.body, new_body, 1)


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
    """Run each block in the sandbox, as the body of a function, after the earlier blocks that ran (a few seconds
    each). A block that does not parse is a syntax fault without running."""
    limits = limits or SandboxLimits(cpu_s=3, wall_s=6.0, memory_mb=512)
    bound = {name for block in blocks for name in _bound_names(block)}
    runs: list[BlockRun] = []
    for block in blocks:
        code = textwrap.dedent(block)
        unparsed = syntax_error(code)
        if unparsed is not None:
            runs.append(BlockRun(block, False, "syntax", unparsed))
            continue
        body = textwrap.indent(
            "\n".join([*(_as_prelude(run) for run in runs if run.kind in _PRELUDE), code]), "    "
        )
        source = f"def _reply_block():\n{body}\n    return None\n"
        result = run_code(source, "_reply_block", limits=limits, allowed_imports=DEFAULT_ALLOWED_IMPORTS)
        if result.ok or result.error is None:
            runs.append(BlockRun(block, result.ok, "ok" if result.ok else "error", ""))
            continue
        message = result.error.message.strip()
        last_line = _QUALIFIED_EXCEPTION.sub("", message.splitlines()[-1] if message else "")
        last_line = last_line.replace("_reply_block.<locals>.", "")[:300]
        runs.append(BlockRun(block, False, _fault_kind(result.error.kind, last_line, bound), last_line))
    return runs


def _as_prelude(run: BlockRun) -> str:
    """An earlier block as the start of a later one: as it is if it ran, else guarded, so that what it defined
    before it raised is there."""
    code = textwrap.dedent(run.code)
    if run.ok:
        return code
    return "try:\n" + textwrap.indent(code, "    ") + "\nexcept BaseException:\n    pass"


def _fault_kind(kind: str, message: str, bound: set[str]) -> str:
    """The sandbox's error kind, unless the error is the example's surroundings: a file or a connection it
    needs ("environment"), or a name that no block binds and that is no module to import ("placeholder")."""
    if kind != "exception":
        return kind
    if message.startswith(_ENVIRONMENT_ERRORS):
        return "environment"
    unbound = undefined_name(message)
    if unbound and unbound not in bound and unbound not in sys.stdlib_module_names:
        return "placeholder"
    return kind


def undefined_name(message: str) -> str | None:
    """The name a "NameError: name 'x' is not defined" message is about, or None for any other message."""
    found = _NAME_ERROR.match(message)
    return found.group(1) if found else None


def _bound_names(block: str) -> set[str]:
    """The names a block binds: assignments, definitions, imports, parameters, loop and `with` targets."""
    try:
        tree = ast.parse(textwrap.dedent(block))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def _parses(code: str) -> bool:
    return syntax_error(textwrap.dedent(code)) is None


def syntax_error(code: str) -> str | None:
    """Why `code` does not parse ("line N: message"), or None when it does; parsing runs nothing."""
    try:
        ast.parse(code)
    except SyntaxError as error:
        return f"line {error.lineno}: {error.msg}"
    except (ValueError, RecursionError, MemoryError) as error:  # null bytes, nesting too deep for the parser
        return f"line 1: {error}"
    return None


def _from_session(body: str) -> str:
    """The statements of an interactive session (`>>>`/`...` lines), without its printed output."""
    lines = []
    for line in body.splitlines():
        if line.startswith((">>> ", "... ")) or line.rstrip() in {">>>", "..."}:
            lines.append(line[4:])
    return "\n".join(lines)
