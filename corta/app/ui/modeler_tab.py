"""The Modeler tab: a word problem in, the search tree with its PRM scores as a picture, the chosen model in LaTeX,
the solution table and the model as an LP file out."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from corta.agents.modeler.agent import ModelerResult
from corta.agents.modeler.methods import METHODS
from corta.agents.modeler.tree_plot import chosen_node, plot_search_tree
from corta.app.services import AgentServices
from corta.app.ui.errors import error_markdown
from corta.app.ui.result_files import result_folder
from corta.errors import CortaError
from corta.solvers.optmodel.explain import write_model_file
from corta.solvers.optmodel.instance import expand
from corta.solvers.optmodel.schema import load_model

LATEX_DELIMITERS = [{"left": "$$", "right": "$$", "display": True}]
SOLUTION_HEADERS = ["variable", "value"]
METHOD_HELP = (
    "cot: one call writes the model · sc: five votes · tot: a tree pruned at random · beam: a tree pruned by the "
    "reward model · bpp: beam with a pairwise judge for near ties and a Pyomo program as a witness · code: a Pyomo program"
)


def build_modeler_tab(services: AgentServices) -> None:
    """The tab's components and events, inside the caller's `gr.Tab`."""
    from corta.models.reward.scorer import default_scorer_path

    trained = default_scorer_path(services.settings).is_dir()
    with gr.Row():
        with gr.Column(scale=2):
            problem = gr.Textbox(
                label="Problem", lines=7, elem_id="modeler-problem",
                placeholder="A bakery makes cakes and pies… How many of each should be made to maximize profit?",
            )  # fmt: skip
            method = gr.Dropdown(
                list(METHODS), value="cot", label="Method", info=METHOD_HELP, elem_id="modeler-method"
            )
            prm = gr.Radio(
                ["scorer", "judge"], value="scorer" if trained else "judge", label="Reward model (beam, bpp)",
                info="scorer: the cross-encoder `corta prm train` makes · judge: the served model asked step by step",
            )  # fmt: skip
            with gr.Row():
                width = gr.Slider(1, 8, value=2, step=1, label="Beam width (nodes kept per level)")
                children = gr.Slider(1, 8, value=3, step=1, label="Children per node")
            time_limit = gr.Number(30, minimum=1, maximum=600, label="Solver time limit (s)")
            solve = gr.Button("Solve", variant="primary", elem_id="modeler-solve")
        with gr.Column(scale=3):
            status = gr.Markdown(elem_id="modeler-status")
            latex = gr.Markdown(latex_delimiters=LATEX_DELIMITERS, elem_id="modeler-latex")
            solution = gr.Dataframe(
                headers=SOLUTION_HEADERS,
                label="Solution (nonzero values)",
                interactive=False,
                elem_id="modeler-solution",
            )
            lp_file = gr.DownloadButton("Download the LP file", interactive=False, elem_id="modeler-lp")
    tree = gr.Image(label="Search tree", type="filepath", interactive=False, elem_id="modeler-tree")

    def run(
        question: str,
        chosen_method: str,
        reward: str,
        beam_width: float,
        branching: float,
        seconds: float | None,
    ) -> Iterator[dict[Any, Any]]:
        """Model and solve the problem; the tree, the model, the values and the LP file once it is done."""
        empty = {
            tree: None,
            latex: "",
            solution: [],
            lp_file: gr.DownloadButton(value=None, interactive=False),
        }
        if not question.strip():
            yield {**empty, status: error_markdown(CortaError("Write the problem first."))}
            return
        yield {
            **empty,
            status: f"Modeling with **{chosen_method}**… (minutes with a tree method on the CPU model)",
        }
        try:
            result = services.model_problem(
                question, chosen_method, reward, children=int(branching), width=int(beam_width),
                time_limit_s=float(seconds or 30),
            )  # fmt: skip
            files = _files(result)
        except CortaError as failure:
            yield {**empty, status: error_markdown(failure)}
            return
        yield {
            status: _summary(result),
            tree: files.get("tree"),
            latex: _shown_model(result),
            solution: [[name, value] for name, value in result.values.items() if abs(value) > 1e-9],
            lp_file: gr.DownloadButton(value=files.get("lp"), interactive="lp" in files),
        }

    solve.click(
        run, [problem, method, prm, width, children, time_limit], [status, tree, latex, solution, lp_file],
        api_name="modeler_solve",
    )  # fmt: skip


def _files(result: ModelerResult) -> dict[str, Path]:
    """The tree picture (when the search made one) and the LP file (when a model was chosen), in a new folder.

    Raises
    ------
    corta.errors.ModelError
        When the chosen model cannot be expanded for the LP file.
    """
    folder = result_folder("modeler")
    files = {}
    if len(result.tree) > 1:
        files["tree"] = plot_search_tree(
            result.tree, folder / "tree.png", chosen_node(result.tree, result.model)
        )
    if result.latex is not None and result.model is not None:
        files["lp"] = write_model_file(expand(load_model(result.model)), folder / "model.lp")
    return files


def _shown_model(result: ModelerResult) -> str:
    """The chosen model in LaTeX; when the answer is the witness program's, that program."""
    if result.latex:
        return f"$$\n{result.latex}\n$$"
    if result.model is None and result.objective is not None:
        programs = [node["program"] for node in result.tree if node["level"] == "program" and node["program"]]
        if programs:
            return f"The answer comes from this program:\n\n```python\n{programs[-1]}\n```"
    return ""


def _summary(result: ModelerResult) -> str:
    headline = f"**{result.status}**"
    if result.objective is not None:
        headline += f" · objective **{result.objective:.10g}**"
    cost = (
        f"{result.method}: {result.policy_calls} policy calls, {result.tokens:,} tokens, {result.seconds:.1f} s, "
        f"{len(result.tree)} tree nodes"
    )
    return f"{headline}\n\n{result.message}\n\n_{cost}_"
