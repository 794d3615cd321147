"""Compile and solve finalists; a finalist that fails gets a sampled repair told what is wrong."""

from corta.agents.modeler.name_mending import mended
from corta.agents.modeler.policy import repair_level
from corta.agents.modeler.tree import Node, SearchTree
from corta.errors import ModelError
from corta.models.llm import LLM
from corta.solvers.optmodel.explain import conflicting_constraints
from corta.solvers.optmodel.instance import ExpandedModel, expand
from corta.solvers.optmodel.levels import to_ir
from corta.solvers.optmodel.schema import load_model
from corta.solvers.optmodel.solve import solve_expanded


def solve_node(node: Node, time_limit_s: float) -> None:
    """Solve a complete node's model; its status, objective and (on failure) the defect in words go on the node."""
    try:
        expanded = expand(load_model(to_ir(node.partial)))
        result = solve_expanded(expanded, time_limit_s=time_limit_s)
    except ModelError as error:
        node.status, node.error = "error", str(error)
        return
    node.status, node.objective = result.status, result.objective
    if result.status == "infeasible":
        node.error = "the model is infeasible" + _conflict_clause(expanded, time_limit_s)
    elif result.status == "unbounded":
        node.error = (
            "the model is unbounded: a constraint limiting the objective is missing or has the wrong sign"
        )
    elif result.status not in ("optimal", "time_limit"):
        node.error = result.message


def _conflict_clause(expanded: ExpandedModel, time_limit_s: float) -> str:
    names = conflicting_constraints(expanded, time_limit_s=time_limit_s)
    return f": these constraints conflict: {', '.join(names)}" if names else ""


def solved(node: Node) -> bool:
    return node.status in ("optimal", "time_limit") and node.objective is not None


def repair_node(
    llm: LLM, question: str, tree: SearchTree, node: Node, seed: int, time_limit_s: float
) -> Node | None:
    """Ask for the level at fault again, told the defect; the repaired node is added to the tree and solved."""
    level = "L3" if node.level in ("L3", "repair") else node.level
    kept_levels = ("sets", "parameters", "variables") if level == "L3" else ()
    parent = {key: node.partial[key] for key in kept_levels}
    reply, error = repair_level(llm, question, node.partial, level, node.error or "it does not solve", seed)
    if reply is None:
        tree.add(node, "repair", node.partial, error=error)
        return None
    repaired = tree.add(node, "repair", mended({**parent, **reply.model_dump()}))
    solve_node(repaired, time_limit_s)
    return repaired
