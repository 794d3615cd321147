"""Draw a plan: one colour per route, the depot as a black square, customers numbered, violations flagged in red."""

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure  # the object API renders with Agg and leaves pyplot's global state alone

_SHOWN_VIOLATIONS = 6


def plot_routes(
    problem_data: Mapping[str, Any],
    routes: Sequence[Sequence[int]],
    path: str | Path,
    violations: Iterable[str] | None = None,
    title: str | None = None,
) -> Path:
    """Write the plan as an image (PNG unless `path` says otherwise) and return its path.

    Violations from `verify` name their nodes, which are circled in red; the first few are printed under the map.

    Raises
    ------
    ValueError
        When the data has no node coordinates.
    """
    if "node_coord" not in problem_data:
        raise ValueError("The problem data has no node coordinates to draw.")
    coordinates = np.asarray(problem_data["node_coord"], dtype=float)
    violations = list(violations or [])
    flagged = sorted({node for violation in violations for node in getattr(violation, "nodes", ())})
    figure = Figure(figsize=(8, 8), layout="constrained")
    axes = figure.subplots()
    palette = colormaps["tab10" if len(routes) <= 10 else "tab20"]
    colours = [palette(index % palette.N) for index in range(len(routes))]
    for number, (route, colour) in enumerate(zip(routes, colours, strict=True), start=1):
        tour = coordinates[[0, *route, 0]]
        axes.plot(
            tour[:, 0], tour[:, 1], "-o", color=colour, markersize=4, linewidth=1.2, label=f"route {number}"
        )
    axes.scatter(*coordinates[1:].T, s=12, color="grey", zorder=1)
    axes.scatter(*coordinates[0], marker="s", s=90, color="black", zorder=3, label="depot")
    for node, (x, y) in enumerate(coordinates[1:], start=1):
        axes.annotate(str(node), (x, y), textcoords="offset points", xytext=(3, 3), fontsize=7)
    if flagged:
        marked = coordinates[flagged]
        axes.scatter(
            *marked.T, s=160, facecolors="none", edgecolors="red", linewidths=1.8, zorder=4, label="violation"
        )
    axes.set_aspect("equal", adjustable="datalim")
    axes.set_title(title or f"{len(routes)} routes")
    if len(routes) <= 20:
        axes.legend(loc="best", fontsize=7)
    if violations:
        shown = violations[:_SHOWN_VIOLATIONS]
        more = len(violations) - len(shown)
        text = "\n".join(shown) + (f"\n… and {more} more" if more else "")
        figure.supxlabel(text, x=0.01, ha="left", fontsize=8, color="red")  # inside the constrained layout
    path = Path(path)
    figure.savefig(path, dpi=120)
    return path
