"""Pairwise preference between two finalists: the judge sees both orders, and the two verdicts are averaged."""

from corta.agents.modeler import prompts
from corta.agents.modeler.tree import Node
from corta.models.choice import probability_of_a
from corta.models.llm import LLM
from corta.solvers.optmodel.steps import render_steps


def prefer_first(llm: LLM, question: str, first: Node, second: Node) -> float:
    """P(first is the better model), averaged over (first, second) and (second, first) to cancel position bias."""
    texts = ["\n\n".join(render_steps(node.partial)) for node in (first, second)]
    forward = _p_first(llm, question, texts[0], texts[1])
    backward = _p_first(llm, question, texts[1], texts[0])
    return (forward + (1.0 - backward)) / 2


def _p_first(llm: LLM, question: str, first: str, second: str) -> float:
    prompt = f"{prompts.PROBLEM.format(question=question.strip())}\n\n" + prompts.PREFERENCE.format(
        first=first, second=second
    )
    return probability_of_a(
        llm.chat_with_logprobs(prompt, system=prompts.SYSTEM, purpose="preference", top_logprobs=10)
    )


def rank_by_preference(llm: LLM, question: str, finalists: list[Node]) -> list[Node]:
    """Finalists ordered by their mean preference against the others (a round robin; two finalists: one pair)."""
    wins = {node.id: 0.0 for node in finalists}
    for i, first in enumerate(finalists):
        for second in finalists[i + 1 :]:
            p = prefer_first(llm, question, first, second)
            wins[first.id] += p
            wins[second.id] += 1.0 - p
    return sorted(finalists, key=lambda node: -wins[node.id])
