"""The Modeler tab on a scripted policy: a cot solve gives the tree picture, the model in LaTeX, the solution table
and the LP file; a missing reward model or problem gets one sentence; and the same in chromium."""

from pathlib import Path
from typing import Any

from gradio_client import Client
from PIL import Image

from tests.agents.modeler.scripted import CONFLICT, QUESTION
from tests.app.ui.scripted import AppScript


def solve(client: Client, question: str, method: str = "cot", prm: str = "judge") -> tuple[Any, ...]:
    return client.predict(question, method, prm, 2, 3, 30, api_name="/modeler_solve")


def test_a_cot_solve_shows_the_tree_the_latex_the_values_and_the_lp_file(
    ui_url: str, ui_script: AppScript
) -> None:
    status, tree, latex, solution, lp_file = solve(Client(ui_url, verbose=False), QUESTION)
    assert status.startswith("**optimal** · objective **121**") and "cot: 1 policy calls" in status
    with Image.open(tree) as picture:
        assert picture.width > 300 and picture.height > 200
    assert latex.startswith("$$\n\\begin{aligned}") and "\\max" in latex and latex.endswith("$$")
    assert solution["headers"] == ["variable", "value"]
    assert sorted(solution["data"]) == [["cakes", 13.0], ["pies", 14.0]]
    lp = Path(lp_file["value"]).read_text()
    assert lp.splitlines()[2].strip() == "max" and "oven" in lp and "general" in lp  # two integer variables
    assert ui_script.modeler.count("Write the whole model") == 1


def test_a_beam_search_draws_every_node(ui_url: str, ui_script: AppScript) -> None:
    status, tree, *_ = solve(Client(ui_url, verbose=False), QUESTION, method="tot")
    assert "16 tree nodes" in status
    with Image.open(tree) as picture:
        assert picture.width > picture.height  # three levels of up to six nodes side by side


def test_an_answer_from_the_witness_program_shows_the_program(ui_url: str, ui_script: AppScript) -> None:
    ui_script.modeler.l3_by_seed = lambda seed: CONFLICT  # every model is infeasible, so is every repair
    ui_script.modeler.repair = CONFLICT
    status, tree, latex, solution, lp_file = solve(Client(ui_url, verbose=False), QUESTION, method="bpp")
    assert status.startswith("**optimal** · objective **121**") and "written as a witness" in status
    assert latex.startswith("The answer comes from this program:") and "appsi_highs" in latex
    assert tree is not None and solution["data"] == [] and lp_file["value"] is None


def test_errors_are_one_sentence(ui_url: str, ui_script: AppScript) -> None:
    client = Client(ui_url, verbose=False)
    assert solve(client, " ")[0] == "**Error:** Write the problem first."
    status, tree, latex, _, _ = solve(client, QUESTION, method="bpp", prm="scorer")
    assert status.startswith("**Error:** No trained PRM scorer at") and "`corta prm train`" in status
    assert tree is None and latex == ""


def test_in_the_browser_solving_shows_the_tree_picture_and_the_latex(
    browser_page: Any, ui_script: AppScript
) -> None:
    page = browser_page
    page.get_by_role("tab", name="Modeler").click()
    page.locator("#modeler-problem textarea").fill(QUESTION)
    page.locator("#modeler-solve").click()
    page.locator("#modeler-tree img").wait_for()
    page.locator("#modeler-latex .katex").first.wait_for()
    assert "optimal" in page.locator("#modeler-status").inner_text()
    assert "cakes" in page.locator("#modeler-latex").inner_text()
    assert "13" in page.locator("#modeler-solution").inner_text()
    assert page.locator("#modeler-tree img").evaluate("image => image.naturalWidth") > 300
    assert page.locator("#modeler-lp").is_enabled()
