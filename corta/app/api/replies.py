"""What each agent's result reads like as a chat reply: the tutor's answer with numbered sources, the modeler's
status, objective, model in LaTeX and nonzero values, the router's plan and verdict."""

from corta.agents.modeler.agent import ModelerResult
from corta.agents.router.agent import RouterResult
from corta.agents.tutor.agent import TutorResult


def tutor_reply(result: TutorResult) -> str:
    """The answer, then its sources numbered as the answer cites them ([1], [2], …)."""
    if not result.sources:
        return result.answer
    lines = [
        f"[{number}] {source['title']} ({source['path']})" for number, source in enumerate(result.sources, 1)
    ]
    return f"{result.answer}\n\nSources:\n" + "\n".join(lines)


def modeler_reply(result: ModelerResult) -> str:
    """Status and objective, the chosen model in LaTeX, the nonzero values and the solver's message."""
    parts = [f"Status: {result.status}."]
    if result.objective is not None:
        parts[0] += f" Objective: {result.objective:.10g}."
    if result.latex:
        parts.append(f"Model:\n$$\n{result.latex}\n$$")
    nonzero = [f"- {name} = {value:.10g}" for name, value in result.values.items() if abs(value) > 1e-9]
    if nonzero:
        parts.append("Nonzero values:\n" + "\n".join(nonzero))
    if result.message:
        parts.append(result.message)
    return "\n\n".join(parts)


def router_reply(result: RouterResult) -> str:
    """Whether the plan honours everything, its cost and routes, and what it does not honour."""
    outcome = result.outcome
    verdict = (
        "The plan honours every constraint." if result.feasible else "The plan does not honour everything."
    )
    parts = [f"{verdict} Cost: {outcome.cost:.10g} with {len(outcome.routes)} routes."]
    parts.append("Routes:\n" + "\n".join(
        f"{number}. depot → {' → '.join(map(str, route))} → depot" for number, route in enumerate(outcome.routes, 1)
    ))  # fmt: skip
    if result.violations:
        parts.append("Not honoured:\n" + "\n".join(f"- {violation}" for violation in result.violations))
    if result.findings:
        parts.append("Notes:\n" + "\n".join(f"- {finding}" for finding in result.findings))
    return "\n\n".join(parts)
