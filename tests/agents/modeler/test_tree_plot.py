"""The search tree drawn as a picture: every node placed by depth, the chosen model's node found from the result."""

from pathlib import Path

import pytest
from PIL import Image

from corta.agents.modeler.agent import ModelerResult, solve_problem
from corta.agents.modeler.tree_plot import chosen_node, plot_search_tree
from corta.models.llm import LLM
from corta.models.runtime.endpoint import Endpoint
from corta.solvers.optmodel.levels import to_ir
from tests.agents.modeler.scripted import QUESTION, KeywordPRM, Policy
from tests.helpers.stub_openai_server import StubServer


@pytest.fixture(scope="module")
def bpp_result() -> ModelerResult:
    with StubServer(responder=Policy()) as server:
        llm = LLM(Endpoint(base_url=server.base_url, model=server.model, engine="url"))
        return solve_problem(QUESTION, llm, "bpp", prm=KeywordPRM(), seed=0)


def test_the_chosen_node_is_the_solved_node_of_the_result_model(bpp_result: ModelerResult) -> None:
    chosen = chosen_node(bpp_result.tree, bpp_result.model)
    assert chosen is not None
    node = bpp_result.tree[chosen]
    assert node["status"] == "optimal" and to_ir(node["partial"]) == bpp_result.model
    assert chosen_node(bpp_result.tree, None) is None


def test_the_tree_is_drawn_wider_than_tall_for_a_bushy_search(
    bpp_result: ModelerResult, tmp_path: Path
) -> None:
    path = plot_search_tree(
        bpp_result.tree, tmp_path / "tree.png", chosen_node(bpp_result.tree, bpp_result.model)
    )
    with Image.open(path) as image:
        width, height = image.size
    assert path.stat().st_size > 10_000 and width > height


def test_a_one_node_tree_and_bad_trees(tmp_path: Path) -> None:
    root = {
        "id": 0,
        "parent": None,
        "level": "root",
        "partial": {},
        "score": 1.0,
        "kept": True,
        "status": None,
    }
    assert plot_search_tree([root], tmp_path / "root.png").is_file()
    with pytest.raises(ValueError, match="no nodes"):
        plot_search_tree([], tmp_path / "empty.png")
    orphan = {**root, "id": 1, "parent": 7}
    with pytest.raises(ValueError, match="parent 7"):
        plot_search_tree([root, orphan], tmp_path / "orphan.png")
