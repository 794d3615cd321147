"""The modeler as a LangGraph: screen → (program | expand ×levels → finalize → [program as witness, maybe a second]
→ choose)."""

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from corta.agents.modeler.nodes import ModelerNodes
from corta.agents.modeler.scoring import StepScorer
from corta.agents.modeler.state import ModelerState
from corta.models.llm import LLM
from corta.solvers.optmodel.levels import LEVELS


def build_graph(llm: LLM, prm: StepScorer | None) -> CompiledStateGraph:
    """The compiled graph; `prm` scores partial models for the methods that prune by reward (beam, bpp)."""
    nodes = ModelerNodes(llm, prm)
    graph = StateGraph(ModelerState)
    graph.add_node("screen", nodes.screen)
    graph.add_node("program", nodes.program)
    graph.add_node("expand", nodes.expand)
    graph.add_node("finalize", nodes.finalize)
    graph.add_node("choose", nodes.choose)
    graph.add_edge(START, "screen")
    graph.add_conditional_edges("screen", _after_screen, ["program", "expand", END])
    graph.add_conditional_edges(
        "program", lambda state: _after_program(state, nodes), ["program", "choose", END]
    )
    graph.add_conditional_edges("expand", _after_expand, ["expand", "finalize"])
    graph.add_conditional_edges("finalize", _after_finalize, ["program", "choose"])
    graph.add_edge("choose", END)
    return graph.compile()


def _after_screen(state: ModelerState) -> str:
    if state.get("refusal"):
        return END
    return "program" if state["settings"].method == "code" else "expand"


def _after_expand(state: ModelerState) -> str:
    return "expand" if state["level"] < len(LEVELS) and state["frontier"] else "finalize"


def _after_finalize(state: ModelerState) -> str:
    return "program" if state["settings"].witness else "choose"


def _after_program(state: ModelerState, nodes: ModelerNodes) -> str:
    if state["settings"].method == "code":
        return END
    return "program" if nodes.wants_second_witness(state) else "choose"
