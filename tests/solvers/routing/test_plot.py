"""plot_routes writes an image of a plan, flags violated customers, and needs coordinates."""

from pathlib import Path

import numpy as np
import pytest

from corta.solvers.routing.instance import ProblemData
from corta.solvers.routing.plot import plot_routes
from corta.solvers.routing.verify import verify

PLAN = [[13, 17, 18, 19, 15, 16, 14, 12, 20, 24, 25, 23, 22, 21], [7, 8, 10, 11, 9, 6, 4, 2, 1, 3, 5]]


def test_plot_writes_a_png_with_violations(c103_25: ProblemData, tmp_path: Path) -> None:
    violations = verify(PLAN, c103_25)
    assert violations  # route 1 is over capacity and late
    path = plot_routes(
        c103_25, PLAN, tmp_path / "plan.png", violations=violations, title="C103, 25 customers"
    )
    assert path == tmp_path / "plan.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000


def test_plot_needs_coordinates(tmp_path: Path) -> None:
    data = ProblemData(np.zeros((2, 2)), np.array([0, 1]), 10)
    with pytest.raises(ValueError, match="no node coordinates"):
        plot_routes(data, [[1]], tmp_path / "plan.png")
