"""The tutor as a LangGraph: perceive → (clarify →) retrieve → draft → reflect ⇄ revise | repair → answer; off-topic
messages get a short reply. A checkpointer keeps each thread, so a conversation continues after a restart."""

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from corta.agents.tutor.nodes import TutorNodes
from corta.agents.tutor.state import TutorState


def build_graph(nodes: TutorNodes, checkpointer: BaseCheckpointSaver | None = None) -> CompiledStateGraph:
    """The compiled graph over `nodes`; with a checkpointer, turns of one thread share their history."""
    graph = StateGraph(TutorState)
    steps = ("perceive", "clarify", "off_topic", "retrieve", "draft", "reflect", "revise", "repair", "answer")
    for name in steps:
        graph.add_node(name, getattr(nodes, name))
    graph.add_edge(START, "perceive")
    graph.add_conditional_edges("perceive", nodes.route_after_perceive, ["clarify", "off_topic", "retrieve"])
    graph.add_edge("clarify", "perceive")
    graph.add_edge("off_topic", "answer")
    graph.add_edge("retrieve", "draft")
    graph.add_edge("draft", "reflect")
    graph.add_conditional_edges("reflect", nodes.route_after_reflect, ["revise", "repair", "answer"])
    graph.add_edge("revise", "reflect")
    graph.add_edge("repair", "reflect")
    graph.add_edge("answer", END)
    return graph.compile(checkpointer=checkpointer)
