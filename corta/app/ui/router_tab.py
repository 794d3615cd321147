"""The Router tab: an instance (uploaded, or picked from the shared data, RoutBench's variants filling the
description), side constraints in words, and back the route plot, the constraint code and its verification."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from corta.agents.router.agent import RouterResult
from corta.app.services import AgentServices
from corta.app.ui.errors import error_markdown
from corta.app.ui.result_files import result_folder
from corta.app.ui.routing_data import (
    ROUTBENCH_INSTANCE,
    ROUTING_DATA,
    instance_files,
    routbench_variants,
    variant_label,
)
from corta.errors import CortaError
from corta.solvers.routing.instance import InstanceError, read_instance
from corta.solvers.routing.plot import plot_routes


def build_router_tab(services: AgentServices, data_dir: Path = ROUTING_DATA) -> None:
    """The tab's components and events, inside the caller's `gr.Tab`; instances are offered from `data_dir`."""
    instances = instance_files(data_dir)
    variants = routbench_variants(data_dir)
    with gr.Row():
        with gr.Column(scale=2):
            upload = gr.File(
                label="Instance file (Solomon or CVRPLIB)",
                file_types=[".txt", ".vrp"],
                elem_id="router-upload",
            )
            picked = gr.Dropdown(
                list(instances), value=ROUTBENCH_INSTANCE if ROUTBENCH_INSTANCE in instances else None,
                label="…or an instance from the shared data", elem_id="router-instance",
                info=f"Found under {data_dir}." if instances else f"No instances under {data_dir}: upload one.",
            )  # fmt: skip
            variant = gr.Dropdown(
                [(variant_label(item), item.id) for item in variants.values()], value=None,
                label="RoutBench variant (fills the description)", elem_id="router-variant",
            )  # fmt: skip
            description = gr.Textbox(
                label="Side constraints in words", lines=6, elem_id="router-description",
                placeholder="Customers 7 and 8 must be served by different vehicles…",
            )  # fmt: skip
            with gr.Row():
                seconds = gr.Slider(0.5, 60, value=5, step=0.5, label="Search seconds")
                rounds = gr.Slider(0, 5, value=3, step=1, label="Repair rounds at most")
            solve = gr.Button("Solve", variant="primary", elem_id="router-solve")
        with gr.Column(scale=3):
            status = gr.Markdown(elem_id="router-status")
            plot = gr.Image(label="Routes", type="filepath", interactive=False, elem_id="router-plot")
            verification = gr.Markdown(elem_id="router-verification")
    code = gr.Code(
        language="python", label="Generated constraint code", interactive=False, elem_id="router-code"
    )

    def describe(variant_id: str | None, instance: str | None) -> dict[Any, Any]:
        """A RoutBench variant's constraints into the description, with a RoutBench instance picked."""
        if not variant_id or variant_id not in variants:
            return {}
        keep = instance if instance and instance.startswith("routbench/") else ROUTBENCH_INSTANCE
        return {description: variants[variant_id].description, picked: keep}

    def run(
        uploaded: str | None, instance: str | None, text: str, search_seconds: float, repair_rounds: float
    ) -> Iterator[dict[Any, Any]]:
        """Route the instance under the described constraints."""
        empty = {plot: None, code: "", verification: ""}
        path = Path(uploaded) if uploaded else instances.get(instance or "")
        if path is None:
            yield {**empty, status: error_markdown(CortaError("Upload an instance file or pick one."))}
            return
        yield {
            **empty,
            status: f"Routing **{path.name}** (reading the constraints, testing the code, searching)…",
        }
        try:
            data = read_instance(path)
            result = services.route(text, path, seconds=float(search_seconds), rounds=int(repair_rounds))
        except (CortaError, InstanceError) as failure:
            yield {**empty, status: error_markdown(failure)}
            return
        picture = None
        if "node_coord" in data:
            picture = result_folder("router") / "routes.png"
            title = f"{path.name}: {result.outcome.cost:.1f}"
            plot_routes(data, result.outcome.routes, picture, result.violations, title=title)
        yield {
            status: _summary(result) + ("" if picture else "\n\nThe instance has no coordinates to draw."),
            plot: picture,
            code: _code(result),
            verification: _verification(result),
        }

    variant.input(describe, [variant, picked], [description, picked], api_name="router_variant")
    solve.click(
        run,
        [upload, picked, description, seconds, rounds],
        [status, plot, code, verification],
        api_name="router_solve",
    )


def _summary(result: RouterResult) -> str:
    verdict = "**feasible**" if result.feasible else "**NOT feasible**"
    return (
        f"{verdict} · distance {result.outcome.cost:.2f} · {len(result.outcome.routes)} routes\n\n"
        f"_{result.calls} LLM calls, {result.rounds} repair rounds, {result.seconds:.1f} s_"
    )


def _code(result: RouterResult) -> str:
    if not result.check_code and not result.penalty_code:
        return "# No constraint code: the description named no side constraint."
    return f"{result.check_code.rstrip()}\n\n\n{result.penalty_code.rstrip()}\n"


def _verification(result: RouterResult) -> str:
    lines = [
        "**Verification:** " + ("feasible: every constraint holds." if result.feasible else "not feasible.")
    ]
    for item in result.constraints:
        honoured = (
            "honoured" if item["status"] == "ok" else f"not honoured: {item['problem'] or item['status']}"
        )
        lines.append(f"- `{item['template']}` {_params(item['params'] or {})}: {honoured}")
    lines += [f"- violation: {violation}" for violation in result.violations]
    lines += [f"- note: {finding}" for finding in result.findings]
    return "\n".join(lines)


def _params(params: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in params.items())
