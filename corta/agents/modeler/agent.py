"""Run the modeler on one question and report what it chose, what that cost, and the whole search tree."""

import time
from dataclasses import dataclass, field
from typing import Any

from corta.agents.modeler.graph import build_graph
from corta.agents.modeler.methods import METHODS
from corta.agents.modeler.scoring import StepScorer
from corta.agents.modeler.tree import Node, SearchTree
from corta.agents.modeler.witness import WitnessRole, witness_role
from corta.errors import ConfigError, ModelError
from corta.models.llm import LLM
from corta.models.usage import UsageLedger
from corta.solvers.optmodel.explain import to_latex
from corta.solvers.optmodel.levels import to_ir
from corta.solvers.optmodel.schema import load_model
from corta.solvers.optmodel.solve import solve


@dataclass
class ModelerResult:
    """The chosen model and its solution, or why there is none; with the cost of the search."""

    status: str  # optimal | infeasible | unbounded | time_limit | error | refused
    objective: float | None
    model: dict[str, Any] | None
    values: dict[str, float]
    message: str
    method: str
    policy_calls: int
    tokens: int
    seconds: float
    tree: list[dict[str, Any]] = field(default_factory=list)
    latex: str | None = None
    # What the witness program did for the answer (bpp; see witness.py), and the answer without it: the objective
    # of the best-scored solved finalist.
    witness: WitnessRole | None = None
    unwitnessed_objective: float | None = None

    def contract(self) -> dict[str, Any]:
        """The documented `--json` output of `corta model ask`."""
        return {
            "status": self.status,
            "objective": self.objective,
            "model": self.model,
            "values": self.values,
            "message": self.message,
            "search": {
                "method": self.method,
                "policy_calls": self.policy_calls,
                "tokens": self.tokens,
                "seconds": round(self.seconds, 3),
                "tree": self.tree,
            },
        }


def solve_problem(
    question: str,
    llm: LLM,
    method: str = "bpp",
    prm: StepScorer | None = None,
    children: int | None = None,
    width: int | None = None,
    seed: int = 0,
    time_limit_s: float = 30.0,
) -> ModelerResult:
    """Model and solve a word problem with one of the methods (`corta.agents.modeler.methods.METHODS`).

    Raises
    ------
    ConfigError
        If the method is unknown, or it prunes by reward and no `prm` is given.
    """
    if method not in METHODS:
        raise ConfigError(f"Unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    settings = METHODS[method].with_tree(children, width)
    if settings.pruning == "prm" and not settings.one_pass and prm is None:
        raise ConfigError(f"The {method} method needs a process reward model.")
    own = LLM(llm.endpoint, UsageLedger(), llm.timeout_s)  # this run's calls only
    started = time.perf_counter()
    state = build_graph(own, prm).invoke(
        {"question": question, "settings": settings, "seed": seed, "time_limit_s": time_limit_s}
    )
    seconds = time.perf_counter() - started
    calls = own.ledger.calls
    cost = {
        "method": method,
        "policy_calls": sum(call.purpose.startswith("policy") for call in calls),
        "tokens": sum(call.prompt_tokens + call.completion_tokens for call in calls),
        "seconds": seconds,
    }
    if state.get("refusal"):
        return ModelerResult("refused", None, None, {}, state["refusal"], tree=[], **cost)
    if method == "code":
        outcome = state["program"]
        return ModelerResult(
            outcome["status"], outcome["objective"], None, {}, outcome["error"] or "The program ran.", **cost
        )
    tree: SearchTree = state["tree"]
    witnesses = [node for node in tree.nodes if node.level == "program"]
    answering = state.get("by_program")
    if answering is not None:
        result = _witness_answer(tree.nodes[answering], tree, state.get("unwitnessed"), cost)
    elif state.get("chosen") is None:
        result = _no_model(tree, cost)
    else:
        result = _answer(tree.nodes[state["chosen"]], tree, time_limit_s, cost)
    result.witness = witness_role(witnesses, answering is not None, result.objective)
    if state.get("unwitnessed") is not None:
        result.unwitnessed_objective = tree.nodes[state["unwitnessed"]].objective
    return result


def _answer(node: Node, tree: SearchTree, time_limit_s: float, cost: dict[str, Any]) -> ModelerResult:
    ir = to_ir(node.partial)
    try:
        model = load_model(ir)
        result = solve(model, time_limit_s=time_limit_s)
    except ModelError as error:
        return ModelerResult("error", None, ir, {}, str(error), tree=tree.to_json(), **cost)
    message = result.message if node.error is None else f"{result.message} Why: {node.error}."
    return ModelerResult(
        result.status,
        result.objective,
        ir,
        result.values,
        message,
        tree=tree.to_json(),
        latex=to_latex(model),
        **cost,
    )


def _witness_answer(
    witness: Node, tree: SearchTree, best_model: int | None, cost: dict[str, Any]
) -> ModelerResult:
    """The witness programs' optimum: no structured model solved (`best_model` None), or two programs agreed on an
    optimum no solved model reached."""
    if best_model is None:
        why = f"No structured model solved (the last failure: {_last_failure(tree)})"
    else:
        why = (
            f"Two witness programs agree on {witness.objective:.10g} and no solved model does (the best-scored "
            f"reached {tree.nodes[best_model].objective:.10g})"
        )
    message = f"{why}; the optimum comes from the Pyomo program written as a witness, node {witness.id} of the search tree."
    return ModelerResult("optimal", witness.objective, None, {}, message, tree=tree.to_json(), **cost)


def _no_model(tree: SearchTree, cost: dict[str, Any]) -> ModelerResult:
    """No complete model: the deepest usable partial model, and why the search stopped there."""
    models = [node for node in tree.nodes if node.level != "program"]
    usable = [node for node in models[1:] if node.error is None] or models[:1]
    deepest = max(usable, key=lambda node: (len(node.partial), node.score))
    return ModelerResult(
        "error", None, deepest.partial or None, {}, f"No complete model was found; the last failure: {_last_failure(tree)}",
        tree=tree.to_json(), **cost,
    )  # fmt: skip


def _last_failure(tree: SearchTree) -> str:
    reasons = [node.error for node in tree.nodes if node.error and node.level != "program"]
    return reasons[-1] if reasons else "no proposal was usable"
