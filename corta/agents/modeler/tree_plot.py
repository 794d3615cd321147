"""Draw the modeler's search tree level by level: one box per proposal with its level and score, the nodes the search
kept outlined in green, the path to the chosen model in gold, unusable proposals greyed."""

from pathlib import Path
from typing import Any

from matplotlib.figure import Figure  # the object API renders with Agg and leaves pyplot's global state alone
from matplotlib.patches import Patch

from corta.solvers.optmodel.levels import to_ir

_COMPLETE = {"sets", "parameters", "variables", "objective"}
_CHOSEN, _KEPT, _DROPPED = "#d4a017", "#2e8b57", "#9e9e9e"


def chosen_node(tree: list[dict[str, Any]], model: dict[str, Any] | None) -> int | None:
    """The id of the solved node whose model is `model` (the one the search chose), or None."""
    if model is None:
        return None
    matches = [
        node
        for node in tree
        if node["status"] is not None
        and node["partial"].keys() >= _COMPLETE
        and to_ir(node["partial"]) == model
    ]
    return max(matches, key=lambda node: node["score"])["id"] if matches else None


def plot_search_tree(tree: list[dict[str, Any]], path: str | Path, chosen: int | None = None) -> Path:
    """Write the tree (the node dicts of `ModelerResult.tree`) as an image (PNG unless `path` says otherwise).

    Each row is a depth of the search (the root, then L1, L2, L3; one-pass models and repairs below their parent);
    a box shows the node's id, level, score and, once solved, its status and objective.

    Raises
    ------
    ValueError
        When the tree is empty or a node's parent is not in it.
    """
    if not tree:
        raise ValueError("The search tree has no nodes to draw.")
    nodes = {node["id"]: node for node in tree}
    children: dict[int, list[int]] = {node_id: [] for node_id in nodes}
    roots = []
    for node in tree:
        if node["parent"] is None:
            roots.append(node["id"])
        elif node["parent"] in nodes:
            children[node["parent"]].append(node["id"])
        else:
            raise ValueError(f"Node {node['id']} names a parent {node['parent']} that is not in the tree.")
    position = _layout(roots, children)
    on_path = _path_to(chosen, nodes)
    columns = max(x for x, _ in position.values()) + 1
    depth = max(y for _, y in position.values()) + 1
    figure = Figure(figsize=(min(max(6.0, 1.7 * columns), 40.0), 1.0 + 1.5 * depth), layout="constrained")
    axes = figure.subplots()
    for node_id, (x, y) in position.items():
        parent = nodes[node_id]["parent"]
        if parent is not None:
            px, py = position[parent]
            highlighted = node_id in on_path and parent in on_path
            axes.plot(
                [px, x], [-py, -y], color=_CHOSEN if highlighted else "#bdbdbd",
                linewidth=3 if highlighted else 1, zorder=1,
            )  # fmt: skip
    for node_id, (x, y) in position.items():
        node = nodes[node_id]
        edge = _CHOSEN if node_id in on_path else _KEPT if node["kept"] else _DROPPED
        axes.text(
            x, -y, _label(node), ha="center", va="center", fontsize=7, zorder=2,
            color=_DROPPED if node.get("error") else "black",
            bbox={"boxstyle": "round,pad=0.4", "facecolor": "#fff8e1" if node_id in on_path else "white",
                  "edgecolor": edge, "linewidth": 2.5 if node_id in on_path else 1.2},
        )  # fmt: skip
    axes.set_xlim(-0.7, columns - 0.3)
    axes.set_ylim(-depth + 0.4, 0.6)
    axes.axis("off")
    legend = [
        Patch(facecolor="#fff8e1", edgecolor=_CHOSEN, label="chosen path"),
        Patch(facecolor="white", edgecolor=_KEPT, label="kept"),
        Patch(facecolor="white", edgecolor=_DROPPED, label="pruned"),
    ]
    axes.legend(handles=legend, loc="upper right", fontsize=7, frameon=False)
    axes.set_title("Search tree (score = PRM score × checks)", fontsize=9)
    path = Path(path)
    figure.savefig(path, dpi=110)
    return path


def _layout(roots: list[int], children: dict[int, list[int]]) -> dict[int, tuple[float, int]]:
    """(column, depth) per node: leaves take the next column left to right, a parent sits over its children."""
    position: dict[int, tuple[float, int]] = {}
    next_column = 0.0

    def place(node_id: int, depth: int) -> float:
        nonlocal next_column
        if not children[node_id]:
            column, next_column = next_column, next_column + 1
        else:
            placed = [place(child, depth + 1) for child in children[node_id]]
            column = (placed[0] + placed[-1]) / 2
        position[node_id] = (column, depth)
        return column

    for root in roots:
        place(root, 0)
    return position


def _path_to(chosen: int | None, nodes: dict[int, dict[str, Any]]) -> set[int]:
    path: set[int] = set()
    while chosen is not None and chosen in nodes and chosen not in path:
        path.add(chosen)
        chosen = nodes[chosen]["parent"]
    return path


def _label(node: dict[str, Any]) -> str:
    lines = [f"#{node['id']} {node['level']}", f"score {node['score']:.2f}"]
    if node.get("error") and node.get("status") is None:
        lines.append("unusable")
    elif node.get("status") is not None:
        objective = node.get("objective")
        lines.append(node["status"] if objective is None else f"{node['status']} {objective:.6g}")
    return "\n".join(lines)
