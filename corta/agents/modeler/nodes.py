"""The modeler graph's nodes: plain functions from state to a partial state, given the policy and the PRM."""

import random
from collections import Counter
from dataclasses import asdict, dataclass

from corta.agents.modeler.finalize import repair_node, solve_node, solved
from corta.agents.modeler.methods import SearchSettings
from corta.agents.modeler.name_mending import mended
from corta.agents.modeler.policy import propose
from corta.agents.modeler.preference import rank_by_preference
from corta.agents.modeler.program import solve_by_program
from corta.agents.modeler.scoring import StepScorer, score_nodes
from corta.agents.modeler.state import ModelerState
from corta.agents.modeler.tree import Node, SearchTree
from corta.agents.modeler.witness import agreeing, programs_outvote, wants_second_witness, witness_optimum
from corta.models.llm import LLM
from corta.solvers.optmodel.checks import looks_like_optimization
from corta.solvers.optmodel.levels import LEVELS


@dataclass
class ModelerNodes:
    llm: LLM
    prm: StepScorer | None

    def screen(self, state: ModelerState) -> ModelerState:
        """Refuse politely, naming what is missing, when the text is not an optimization problem."""
        missing = looks_like_optimization(state["question"])
        refusal = (
            f"This does not read as an optimization problem: {missing}. Describe the decisions, the data and the goal."
            if missing
            else None
        )
        return {"refusal": refusal, "tree": SearchTree(), "level": 0, "frontier": [0]}

    def expand(self, state: ModelerState) -> ModelerState:
        """Propose children for every kept node at the next level (or whole models, one pass), score and prune."""
        settings, tree = state["settings"], state["tree"]
        one_pass = settings.one_pass
        level = "full" if one_pass else LEVELS[state["level"]]
        count = settings.samples if one_pass else settings.children
        seed = state["seed"] + 1000 * state["level"]
        children: list[Node] = []
        for offset, parent_id in enumerate(state["frontier"]):
            parent = tree.nodes[parent_id]
            for reply, error in propose(
                self.llm,
                state["question"],
                parent.partial,
                level,
                count,
                settings.temperature,
                seed + 10 * offset,
            ):
                partial = (
                    mended({**parent.partial, **reply.model_dump()}) if reply is not None else parent.partial
                )
                children.append(tree.add(parent, level, partial, error=error))
        prm = self.prm if settings.pruning == "prm" and not one_pass else None
        score_nodes(state["question"], children, prm)
        usable = [node for node in children if node.error is None]
        if one_pass:
            kept = usable
        elif settings.pruning == "random":
            kept = random.Random(seed).sample(usable, min(settings.width, len(usable)))
        else:
            kept = sorted(usable, key=lambda node: -node.score)[: settings.width]
        for node in kept:
            node.kept = True
        return {
            "frontier": [node.id for node in kept],
            "level": len(LEVELS) if one_pass else state["level"] + 1,
        }

    def finalize(self, state: ModelerState) -> ModelerState:
        """Solve every finalist; one that fails gets a sampled repair told its defect (the repair joins the finalists)."""
        settings, tree = state["settings"], state["tree"]
        finalists: list[int] = []
        for offset, node_id in enumerate(state["frontier"]):
            node = tree.nodes[node_id]
            solve_node(node, state["time_limit_s"])
            for round_number in range(settings.repair):
                if solved(node):
                    break
                repaired = repair_node(
                    self.llm, state["question"], tree, node, state["seed"] + 500 + 10 * offset + round_number,
                    state["time_limit_s"],
                )  # fmt: skip
                if repaired is None:
                    break
                score_nodes(state["question"], [repaired], self.prm if settings.pruning == "prm" else None)
                node = repaired
            finalists.append(node.id)
        return {"finalists": finalists}

    def choose(self, state: ModelerState) -> ModelerState:
        """The answer: among the solved finalists (those a witness program confirms, when it confirms any), a vote
        on the objective (sc), else the best-scored, near ties by preference. Two witness programs that agree on an
        optimum no finalist reaches outvote the finalists. With none solved, a witness's optimum if one has it, else
        the best-scored failure."""
        settings, tree = state["settings"], state["tree"]
        nodes = [tree.nodes[node_id] for node_id in state["finalists"]]
        good = [node for node in nodes if solved(node)]
        unwitnessed = max(good, key=lambda node: node.score).id if good else None
        reached = [
            (program["node"], optimum)
            for program in (state.get("program"), state.get("second_program"))
            if (optimum := witness_optimum(program)) is not None
        ]
        if reached:
            answering, optima = reached[0][0], [optimum for _, optimum in reached]
            if not good:
                return {"chosen": None, "by_program": answering}
            if programs_outvote(good, optima):
                return {"chosen": None, "by_program": answering, "unwitnessed": unwitnessed}
            good = agreeing(good, optima) or good
        choice = self._choice(settings, state["question"], nodes, good)
        return {**choice, "unwitnessed": unwitnessed}

    def _choice(
        self, settings: SearchSettings, question: str, nodes: list[Node], good: list[Node]
    ) -> ModelerState:
        """The chosen finalist among `good` (solved), or the best-scored failure of `nodes` when none solved."""
        if not good:
            proper = [node for node in nodes if node.status in ("infeasible", "unbounded")]
            pool = proper or [node for node in nodes if node.error is None or node.status] or nodes
            return {"chosen": max(pool, key=lambda node: node.score).id if pool else None}
        if settings.samples > 1:
            votes = Counter(_vote_key(node.objective) for node in good)  # type: ignore[arg-type]
            winner = votes.most_common(1)[0][0]
            return {"chosen": next(node.id for node in good if _vote_key(node.objective) == winner)}  # type: ignore[arg-type]
        ranked = sorted(good, key=lambda node: -node.score)
        tied = [node for node in ranked if ranked[0].score - node.score <= settings.tie_margin]
        if settings.preference and len(tied) > 1:
            ranked = rank_by_preference(self.llm, question, tied)
        return {"chosen": ranked[0].id}

    def program(self, state: ModelerState) -> ModelerState:
        """The model writes a Pyomo program, which runs in the sandbox: the `code` baseline, or a search's witness
        (then also a node of the tree, under the root; a second witness is sampled, since at temperature 0 the
        same prompt returns the same program)."""
        second = state.get("program") is not None
        outcome = solve_by_program(
            self.llm,
            state["question"],
            seed=state["seed"] + (1 if second else 0),
            temperature=state["settings"].temperature if second else 0.0,
            time_limit_s=state["time_limit_s"],
        )
        written = asdict(outcome)
        if state["settings"].witness:
            tree = state["tree"]
            node = tree.add(tree.nodes[0], "program", {})
            node.program, node.status, node.objective = outcome.code, outcome.status, outcome.objective
            node.error = outcome.error
            written["node"] = node.id
        return {"second_program" if second else "program": written}

    def wants_second_witness(self, state: ModelerState) -> bool:
        """A search's second witness is due (see `witness.wants_second_witness`)."""
        if not state["settings"].witness or state.get("second_program") is not None:
            return False
        finalists = [state["tree"].nodes[node_id] for node_id in state["finalists"]]
        return wants_second_witness([node for node in finalists if solved(node)], state.get("program"))


def _vote_key(objective: float) -> float:
    """Objectives equal to 6 significant digits vote together."""
    return float(f"{objective:.6g}")
