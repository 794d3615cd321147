"""The Router tab on a scripted LLM: a RoutBench variant fills the description, a solve gives the plan, the code and
its verification; bad instances get one sentence; and the same in chromium."""

from pathlib import Path
from typing import Any

from gradio_client import Client, handle_file
from PIL import Image

from tests.app.ui.scripted import AppScript

INSTANCE = "routbench/instance data_25.txt"


def test_a_variant_fills_the_description_and_the_plan_is_verified(
    ui_url: str, ui_script: AppScript, routbench_instance: Path
) -> None:
    client = Client(ui_url, verbose=False)
    description, instance = client.predict(
        "routbench/simple/2", "classic/solomon_100/C101.txt", api_name="/router_variant"
    )
    assert description.startswith("Nodes [7, 8] must not be on the same route.") and instance == INSTANCE
    status, plot, code, verification = client.predict(
        None, instance, description, 1.0, 3, api_name="/router_solve"
    )
    assert status.startswith("**feasible** · distance")
    with Image.open(plot) as picture:
        assert picture.width > 300
    assert "def check_constraints(state)" in code and "def penalty(state)" in code
    assert "feasible: every constraint holds." in verification
    assert "`same_vehicle.apart` groups=[[7, 8]]: honoured" in verification
    assert "`priority.strict` levels=[[7], [5], [3]]: honoured" in verification


def test_an_uploaded_instance_is_routed(ui_url: str, ui_script: AppScript, routbench_instance: Path) -> None:
    client = Client(ui_url, verbose=False)
    status, plot, code, _ = client.predict(
        handle_file(routbench_instance), None, "Customers 7 and 8 must be on different routes.", 1.0, 0,
        api_name="/router_solve",
    )  # fmt: skip
    assert status.startswith("**feasible**") and plot is not None
    assert "def c1_check_constraints(state)" in code


def test_a_missing_or_unreadable_instance_gets_one_sentence(ui_url: str, tmp_path: Path) -> None:
    client = Client(ui_url, verbose=False)
    status, plot, _, _ = client.predict(None, None, "", 1.0, 0, api_name="/router_solve")
    assert status == "**Error:** Upload an instance file or pick one." and plot is None
    garbage = tmp_path / "garbage.txt"
    garbage.write_text("this is not an instance\n")
    status = client.predict(handle_file(garbage), None, "", 1.0, 0, api_name="/router_solve")[0]
    assert (
        status.startswith("**Error:** The instance file")
        and "neither in Solomon nor in VRPLIB format" in status
    )


def test_in_the_browser_a_routbench_variant_is_routed_and_verified(
    browser_page: Any, ui_script: AppScript, routbench_instance: Path
) -> None:
    page = browser_page
    page.get_by_role("tab", name="Router").click()
    page.locator("#router-variant input").click()
    page.locator("#router-variant input").fill("simple 2:")
    page.get_by_role("option", name="simple 2: same vehicle, priority").click()
    page.wait_for_function(
        "document.querySelector('#router-description textarea').value.includes('Nodes [7, 8]')"
    )
    page.locator("#router-solve").click()
    page.locator("#router-plot img").wait_for()
    assert "feasible" in page.locator("#router-status").inner_text()
    assert "honoured" in page.locator("#router-verification").inner_text()
    assert "check_constraints" in page.locator("#router-code").inner_text()
