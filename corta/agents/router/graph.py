"""The router as a LangGraph: parse → select → fill → generate → test → solve → verify → answer, with repair
sending a failure back to the step that can fix it, at most `max_rounds` times."""

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from corta.agents.router.nodes import RouterNodes
from corta.agents.router.state import RouterState


def build_graph(nodes: RouterNodes) -> CompiledStateGraph:
    """The compiled graph over `nodes` (which hold the LLM and the pre-filter)."""
    graph = StateGraph(RouterState)
    for name in ("parse", "select", "fill", "generate", "test", "solve", "verify", "repair", "answer"):
        graph.add_node(name, getattr(nodes, name))
    graph.add_edge(START, "parse")
    graph.add_edge("parse", "select")
    graph.add_edge("select", "fill")
    graph.add_conditional_edges("fill", _after_fill, ["repair", "generate"])
    graph.add_edge("generate", "test")
    graph.add_conditional_edges("test", _after_test, ["solve", "repair"])
    graph.add_edge("solve", "verify")
    graph.add_conditional_edges("verify", _after_verify, ["answer", "repair"])
    graph.add_conditional_edges(
        "repair", lambda state: state["redo"], ["select", "fill", "generate", "solve"]
    )
    graph.add_edge("answer", END)
    return graph.compile()


def _rounds_left(state: RouterState) -> bool:
    return state["round"] < state["max_rounds"]


def _after_fill(state: RouterState) -> str:
    unread = state.get("select_error") or any(c.status == "retry" for c in state["constraints"])
    return "repair" if unread and _rounds_left(state) else "generate"


def _after_test(state: RouterState) -> str:
    test = state["versions"][-1].test
    return "repair" if test is not None and not test.passed and _rounds_left(state) else "solve"


def _after_verify(state: RouterState) -> str:
    outcome = state["versions"][-1].outcome
    return "repair" if outcome is not None and not outcome.feasible and _rounds_left(state) else "answer"
