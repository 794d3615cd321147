"""The `code` baseline: the model writes one Pyomo program, the sandbox runs it and we read its last answer line.

What most peers do (ORLM, OptiMUS, LLMOPT); no repair round, the program runs as written. The program runs as a
script would (`__name__` is `"__main__"`), with pyomo, highspy, math and itertools importable and nothing else.
"""

import ast
import math
import re
import time
from dataclasses import dataclass
from typing import Literal

from corta.models.llm import LLM
from corta.solvers.sandbox.result import SandboxFailure, SandboxLimits
from corta.solvers.sandbox.runner import run_code

PROGRAM_PROMPT = """\
Write one complete Python program that models and solves the optimization problem the user describes.
Use Pyomo (`import pyomo.environ as pyo`) and solve with HiGHS: `pyo.SolverFactory("appsi_highs").solve(m)`.
Only pyomo, math and itertools may be imported; the program reads no files and no input.
Its last printed line must be `OBJECTIVE: <optimal objective value>`,
or `STATUS: infeasible` / `STATUS: unbounded` when there is no optimum.
Reply with the program in one ```python block. A skeleton:
```python
import pyomo.environ as pyo
m = pyo.ConcreteModel()
m.x = pyo.Var(domain=pyo.NonNegativeIntegers)
m.obj = pyo.Objective(expr=3 * m.x, sense=pyo.maximize)
m.c = pyo.Constraint(expr=2 * m.x <= 9)
pyo.SolverFactory("appsi_highs").solve(m)
print(f"OBJECTIVE: {pyo.value(m.obj)}")
```"""

ALLOWED_IMPORTS: frozenset[str] = frozenset({"pyomo", "highspy", "math", "itertools"})
MEMORY_MB = 2048  # Pyomo and HiGHS solve a small model in 256 MB of address space; the rest is headroom.
SLACK_S = 20.0  # wall time beyond the CPU limit: interpreter start, Pyomo's import, a program that waits

ProgramStatus = Literal["optimal", "infeasible", "unbounded", "error"]

_ENTRY = "corta_program_entry"
# The sandbox runs the module, then calls an entry function: the program's own `if __name__ == "__main__":` guard
# must hold, and the entry comes after it. The entry reads the program's own result for when it printed none in the
# asked form: the value of the one active objective of each solved model the program left at module level.
_AS_SCRIPT = '__name__ = "__main__"\n'
_ENTRY_READING = """

def {entry}():
    import pyomo.environ as corta_pyo
    for corta_model in [{models}]:
        try:  # a name rebound to something else, or a model never solved, reads as nothing
            corta_objectives = list(corta_model.component_data_objects(corta_pyo.Objective, active=True))
            if len(corta_objectives) == 1:
                print(f"SOLVED_MODEL_OBJECTIVE: {{corta_pyo.value(corta_objectives[0])}}")
        except Exception:
            pass
"""
_FENCE = re.compile(r"```[ \t]*(\w*)[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)
_ANSWER = re.compile(r"^[ \t]*(OBJECTIVE|STATUS)[ \t]*:[ \t]*(.*?)[ \t]*$", re.MULTILINE)
_SOLVED_MODEL = re.compile(r"^SOLVED_MODEL_OBJECTIVE: (.*)$", re.MULTILINE)
# Pyomo's HiGHS interface raises, rather than returns, when the model it solved has no feasible point.
_NO_FEASIBLE_POINT = "A feasible solution was not found"
_FORBIDDEN_IMPORT = re.compile(r"import (?:of |from )?([\w.]+)")
_STATUSES: dict[str, ProgramStatus] = {"infeasible": "infeasible", "unbounded": "unbounded"}
_LONGEST_ERROR = 300


@dataclass(frozen=True)
class ProgramOutcome:
    """What the model's program reported, or why it reported nothing usable.

    Parameters
    ----------
    status
        "optimal", "infeasible" or "unbounded" as the program printed it, or "error".
    objective
        The printed objective value; set exactly when `status` is "optimal".
    code
        The program as extracted from the reply (what ran).
    error
        Why the outcome is "error", in one sentence; None otherwise.
    seconds
        Wall time of the whole attempt: the model's reply and the sandboxed run.

    Raises
    ------
    ValueError
        If `objective` or `error` does not match `status`.
    """

    status: ProgramStatus
    objective: float | None
    code: str
    error: str | None
    seconds: float

    def __post_init__(self) -> None:
        if (self.status == "optimal") != (self.objective is not None and math.isfinite(self.objective)):
            raise ValueError("an objective value is given exactly when the status is optimal")
        if (self.status == "error") != (self.error is not None):
            raise ValueError("an error sentence is given exactly when the status is error")


def solve_by_program(
    llm: LLM, question: str, *, seed: int | None = None, temperature: float = 0.0, time_limit_s: float = 60
) -> ProgramOutcome:
    """Ask `llm` for a Pyomo program solving `question`, run it in the sandbox and read what it printed.

    The program gets `time_limit_s` of CPU, `time_limit_s + 20` s of wall time and 2048 MB of address space. A
    program that does not parse, is refused, crashes, runs out of time or prints no answer line is an "error"
    outcome, never an exception.
    """
    started = time.monotonic()
    reply = llm.chat(
        question,
        system=PROGRAM_PROMPT,
        purpose="policy-program",
        temperature=temperature,
        max_tokens=1024,
        seed=seed,
    )
    code = extract_program(reply)
    status, objective, error = run_program(code, time_limit_s)
    return ProgramOutcome(status, objective, code, error, time.monotonic() - started)


def extract_program(reply: str) -> str:
    """The first ```python block of `reply` (an unclosed one runs to the end), else its first fenced block, else
    the whole reply."""
    blocks = [(language.lower(), body) for language, body in _FENCE.findall(reply)]
    for language, body in blocks:
        if language in ("python", "py", "python3"):
            return body.strip()
    return (blocks[0][1] if blocks else reply).strip()


def run_program(code: str, time_limit_s: float) -> tuple[ProgramStatus, float | None, str | None]:
    """Run `code` as a script in the sandbox: the status, objective and error sentence it comes to."""
    if not code:
        return "error", None, "the model wrote no program"
    try:
        ast.parse(code)
    except SyntaxError as error:  # checked here so that the line number is the program's own
        return "error", None, f"the program has a syntax error: line {error.lineno}: {error.msg}"
    limits = SandboxLimits(
        cpu_s=max(1, math.ceil(time_limit_s)), wall_s=time_limit_s + SLACK_S, memory_mb=MEMORY_MB
    )
    entry = _ENTRY_READING.format(entry=_ENTRY, models=", ".join(_module_models(code)))
    result = run_code(_AS_SCRIPT + code + entry, _ENTRY, limits=limits, allowed_imports=ALLOWED_IMPORTS)
    if result.error is not None:
        if _NO_FEASIBLE_POINT in result.error.message:
            return "infeasible", None, None
        return "error", None, _failure_sentence(result.error)
    return read_answer(result.stdout)


def read_answer(stdout: str) -> tuple[ProgramStatus, float | None, str | None]:
    """The last `OBJECTIVE: <value>` or `STATUS: infeasible|unbounded` line of a program's output; without one, the
    objective of the solved model the program left behind."""
    answers = _ANSWER.findall(stdout)
    if not answers:
        solved_model = _SOLVED_MODEL.findall(stdout)
        if not solved_model:
            return "error", None, "the program printed no OBJECTIVE line"
        answers = [("OBJECTIVE", solved_model[-1])]
    key, value = answers[-1]
    if key == "STATUS":
        status = _STATUSES.get(value.lower())
        if status is not None:
            return status, None, None
        return "error", None, f"the program printed an unknown status: {value!r}"
    try:
        objective = float(value)
    except ValueError:
        objective = math.nan
    if not math.isfinite(objective):
        return "error", None, f"the program printed an OBJECTIVE that is not a finite number: {value!r}"
    return "optimal", objective, None


def _module_models(code: str) -> list[str]:
    """The names the program binds to a `ConcreteModel()` at module level (also inside a module-level `if`)."""
    names: list[str] = []
    statements = list(ast.parse(code).body)
    while statements:
        statement = statements.pop(0)
        if isinstance(statement, ast.If):
            statements[:0] = statement.body + statement.orelse
        elif isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call):
            called = statement.value.func
            called_name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
            if called_name == "ConcreteModel":
                names += [target.id for target in statement.targets if isinstance(target, ast.Name)]
    return list(dict.fromkeys(names))


def _failure_sentence(failure: SandboxFailure) -> str:
    message = failure.message.strip()
    if failure.kind == "forbidden":
        # The static check lists up to five violations; the first says enough.
        message = message.split("; ")[0]
        match = _FORBIDDEN_IMPORT.search(message)
        if match:
            return f"the program used a forbidden import: {match.group(1)}"
        return f"the sandbox refused the program: {message.removeprefix('blocked: ')}"
    if failure.kind == "timeout":
        return f"the program timed out: {message}"
    if failure.kind == "memory":
        return f"the program ran out of memory: {message}"
    # The message is the traceback's frames (indented lines) and then the exception, which may span lines.
    lines = failure.message.splitlines()
    start = next((number for number, line in enumerate(lines) if not line.startswith(" ")), len(lines))
    exception = " ".join(" ".join(lines[start:]).split()) or "no message"
    return f"the program crashed: {exception[:_LONGEST_ERROR]}"
