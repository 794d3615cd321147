"""The router graph's nodes: plain functions from state to a partial state, given the LLM and the pre-filter."""

from collections.abc import Callable
from dataclasses import dataclass

from corta.agents.router.constraint_db import TEMPLATES
from corta.agents.router.detect import detect
from corta.agents.router.fill import (
    Constraint,
    node_ids,
    read_parameters,
    review_parameters,
    without_repeats,
)
from corta.agents.router.fill_examples import EXAMPLES
from corta.agents.router.freeform import write_constraint_code
from corta.agents.router.parse import Parsed, missing_nodes, parse_description
from corta.agents.router.programs import Program, assemble, defines
from corta.agents.router.prompts import OTHER
from corta.agents.router.select import choose_templates
from corta.agents.router.state import CodeVersion, RouterState
from corta.agents.router.testing import CodeTest, evaluate_parts, run_tests
from corta.errors import LLMOutputError
from corta.models.llm import LLM
from corta.solvers.routing.instance import read_instance
from corta.solvers.routing.sandboxed import solve_with_code

SAMPLING_TEMPERATURE = 0.7  # every reading after the first samples: at temperature 0 the model repeats itself


@dataclass
class RouterNodes:
    llm: LLM
    prefilter: Callable[[str], list[str]] | None = None  # None: every template is a candidate
    read_wording: bool = True  # choose templates from the description's wording first (`detect`)

    def parse(self, state: RouterState) -> RouterState:
        """Read the instance and what the text states: sentences, named nodes (which must exist), numbers."""
        data = read_instance(state["instance_path"])
        parsed = parse_description(state["description"])
        customers = len(data["demand"]) - 1
        findings = [
            f"The text names node {node}, which does not exist in this {customers}-customer instance: "
            f"{_quote(parsed.sentences_naming(node))}"
            for node in missing_nodes(parsed, customers)
        ]
        return {
            "data": data, "parsed": parsed, "findings": findings, "constraints": [], "versions": [], "round": 0,
            "free_form": False, "free_code": None, "free_failure": None, "free_attempts": 0, "free_abandoned": None,
        }  # fmt: skip

    def select(self, state: RouterState) -> RouterState:
        """Read the templates from the description's wording; when it names no family, pre-filter the templates by
        embeddings and let one LLM call choose among them (sampled on a retry)."""
        description = state["description"]
        detection = detect(description) if self.read_wording else None
        if detection and detection.templates:
            return {
                "candidates": detection.templates,
                "selected_by": "wording",
                "select_error": None,
                "constraints": [Constraint(key, evidence=text) for key, text in detection.evidence.items()],
                "free_form": False,
            }
        candidates = self.prefilter(description) if self.prefilter else list(TEMPLATES)
        retry = state["round"] > 0
        try:
            chosen = choose_templates(
                self.llm, description, candidates, SAMPLING_TEMPERATURE if retry else 0.0, state["seed"] + 7 * state["round"]
            )  # fmt: skip
        except LLMOutputError as error:
            # With rounds left the choice is made again; after the last, free-form code is all there is.
            last = state["round"] >= state["max_rounds"]
            return {
                "candidates": candidates,
                "selected_by": "llm",
                "select_error": str(error),
                "constraints": [],
                "free_form": last,
            }
        constraints = [Constraint(key) for key in chosen if key != OTHER]
        return {
            "candidates": candidates,
            "selected_by": "llm",
            "select_error": None,
            "constraints": constraints,
            "free_form": OTHER in chosen or not constraints,
        }

    def fill(self, state: RouterState) -> RouterState:
        """Read the parameters of every constraint not read yet, or read wrongly; review each reading."""
        data, parsed = state["data"], state["parsed"]
        for index, constraint in enumerate(state["constraints"]):
            if constraint.status not in ("pending", "retry"):
                continue
            again = constraint.status == "retry"
            try:
                params = read_parameters(
                    self.llm, constraint.evidence or state["description"], TEMPLATES[constraint.key],
                    constraint.problem if again else None, SAMPLING_TEMPERATURE if again else 0.0,
                    state["seed"] + 1000 * state["round"] + index,
                ).model_dump(mode="json")  # fmt: skip
            except LLMOutputError as error:
                constraint.readings.append({"error": str(error)})
                constraint.status, constraint.problem = (
                    "retry",
                    f"the reply did not fit the parameters ({error})",
                )
                continue
            params = without_repeats(params)
            constraint.readings.append({"params": params})
            rule = parse_description(constraint.evidence) if constraint.evidence else None
            review = review_parameters(params, parsed, data, rule, EXAMPLES[constraint.key][1])
            constraint.params, constraint.notes = params, review.notes
            if review.fatal:
                constraint.status, constraint.problem = "dropped", "; ".join(review.fatal)
            elif review.fixable:
                constraint.status, constraint.problem = "retry", "; ".join(review.fixable)
            else:
                constraint.status, constraint.problem = "ok", None
        return {"constraints": state["constraints"]}

    def generate(self, state: RouterState) -> RouterState:
        """Compose the filled templates (and free-form code for a rule none covers) into one program."""
        findings = state["findings"]
        usable: list[int] = []
        for index, constraint in enumerate(state["constraints"]):
            if constraint.status == "retry" and constraint.params is None:
                constraint.status = "dropped"
            if constraint.status == "retry":  # no rounds left: the last reading is the best there is
                findings.append(f"{constraint.key} was used as read, although {constraint.problem}.")
                constraint.status = "ok"
            if constraint.status == "ok":
                usable.append(index)
        update: RouterState = {"findings": findings}
        free_code = state["free_code"]
        if state["free_form"] and free_code is None:
            free_code = write_constraint_code(
                self.llm, state["description"], [state["constraints"][index].key for index in usable],
                state["free_failure"], state["free_attempts"], state["seed"],
            )  # fmt: skip
            update |= {"free_code": free_code, "free_attempts": state["free_attempts"] + 1}
        templates = [
            (state["constraints"][index].key, state["constraints"][index].params or {}) for index in usable
        ]
        owners: list[int | None] = list(usable)
        code, test = (free_code if state["free_form"] else None), None
        if code is not None and defines(code, "check_constraints", "penalty"):
            missing = " and ".join(defines(code, "check_constraints", "penalty"))
            code, test = None, CodeTest([f"the free-form code does not define {missing} (or is not Python)"])
        if code is not None:
            owners.append(None)
        program = assemble(templates, code) if templates or code else None
        version = CodeVersion(
            state["round"], program, [{"template": key, "params": params} for key, params in templates], owners,
            state["free_form"], test=test or _tested(state["versions"], program),
        )  # fmt: skip
        return update | {"versions": [*state["versions"], version]}

    def test(self, state: RouterState) -> RouterState:
        """Run the program's tests in the sandbox (once per distinct program)."""
        version = state["versions"][-1]
        if version.test is None and version.program is not None:
            mentioned = sorted(node for node in state["parsed"].nodes if node < len(state["data"]["demand"]))
            version.test = run_tests(state["instance_path"], version.program, mentioned, seed=state["seed"])
        elif version.test is None:
            version.test = CodeTest([])
        return {"versions": state["versions"]}

    def solve(self, state: RouterState) -> RouterState:
        """Run the backbone under the latest program; free-form code that never passed its tests is left out."""
        versions = state["versions"]
        version = versions[-1]
        update: RouterState = {}
        if version.outcome is not None:  # solved before: again with a new seed and twice the time
            version = version.again(state["round"])
            version.seconds = 2 * versions[-1].seconds
            versions = [*versions, version]
        elif version.free_form_failed():
            abandoned = (
                "Could not honour the rule no template covers: its code never passed its tests "
                f"({version.test.summary() if version.test else 'no test'})."
            )
            update["free_abandoned"] = abandoned
            templates = [(item["template"], item["params"]) for item in version.constraints]
            version = CodeVersion(
                state["round"], assemble(templates) if templates else None, version.constraints,
                [owner for owner in version.owners if owner is not None], test=CodeTest([]),
            )  # fmt: skip
            versions = [*versions, version]
        version.seconds = version.seconds or state["seconds"]
        version.seed = state["seed"] + state["round"]
        program = version.program
        version.outcome = solve_with_code(
            state["instance_path"], program.check if program else None, program.penalty if program else None,
            seconds=version.seconds, seed=version.seed,
        )  # fmt: skip
        return update | {"versions": versions}

    def verify(self, state: RouterState) -> RouterState:
        """Find which parts the plan breaks when the search returned no feasible plan."""
        version = state["versions"][-1]
        assert version.outcome is not None
        if version.program is not None and not version.outcome.feasible:
            version.parts = evaluate_parts(state["instance_path"], version.program, version.outcome.routes)
        return {"versions": state["versions"]}

    def repair(self, state: RouterState) -> RouterState:
        """Decide what to redo from the latest failure: choose again, read parameters again (sampled, told what
        was wrong), write new free-form code (sampled, without the old code), or search again."""
        constraints, version = state["constraints"], (state["versions"] or [None])[-1]
        update: RouterState = {"round": state["round"] + 1}
        if state.get("select_error") and not constraints:
            return update | {"redo": "select"}
        if any(constraint.status == "retry" for constraint in constraints):
            return update | {"redo": "fill"}
        assert version is not None
        test = version.test
        if test is not None and not test.passed:
            redo = "generate"
            for part, failures in enumerate(test.part_failures):
                owner = version.owners[part]
                if failures and owner is not None:
                    constraint = constraints[owner]
                    constraint.status, constraint.problem = (
                        "retry",
                        "with that reading " + "; ".join(failures),
                    )
                    redo = "fill"
            if version.free_form_failed():
                update |= {"free_code": None, "free_failure": test.summary()}
            return update | {"redo": redo}
        solved_before = any(
            earlier.outcome is not None and earlier.program == version.program
            for earlier in state["versions"][:-1]
        )
        if not solved_before:
            return update | {"redo": "solve"}
        redo = "solve"
        for part in version.violated():
            owner = version.owners[part]
            penalty = (version.parts or [])[part][1]
            broken = (
                f"the search found no plan that meets it (penalty {penalty:g} on the best plan)"
                if penalty
                else ("the search found no plan that meets it")
            )
            if owner is None:
                update |= {"free_code": None, "free_failure": broken}
                redo = "generate"
            else:
                constraints[owner].status, constraints[owner].problem = "retry", broken
                redo = "fill"
        return update | {"redo": redo}

    def answer(self, state: RouterState) -> RouterState:
        """Choose the best plan of every version solved (feasible, then fewest broken parts, then shortest) and
        say which constraints it could not honour, and why."""
        versions, parsed, constraints = state["versions"], state["parsed"], state["constraints"]
        solved = [index for index, version in enumerate(versions) if version.outcome is not None]
        best = max(solved, key=lambda index: _rank(versions[index]))
        version = versions[best]
        unhonoured = [
            f"Could not honour {constraint.key}{_quoted(constraint, parsed)}: {constraint.problem}."
            for constraint in constraints
            if constraint.status == "dropped"
        ]
        for part in version.violated():
            owner = version.owners[part]
            label = "the rule no template covers" if owner is None else constraints[owner].key
            penalty = (version.parts or [])[part][1]
            amount = f" (penalty {penalty:g})" if penalty else ""
            quoted = "" if owner is None else _quoted(constraints[owner], parsed)
            unhonoured.append(f"Could not honour {label}{quoted}: the best plan found breaks it{amount}.")
        if state.get("free_abandoned"):
            unhonoured.append(state["free_abandoned"])
        customers = len(state["data"]["demand"]) - 1
        for node in missing_nodes(parsed, customers):
            if not any(f"node {node} " in sentence for sentence in unhonoured):
                unhonoured.append(
                    f"Could not honour {_quote(parsed.sentences_naming(node))}: node {node} does not exist in this "
                    f"{customers}-customer instance."
                )
        findings = list(state["findings"])
        if state.get("select_error"):
            findings.append(f"The constraint templates could not be chosen: {state['select_error']}")
        findings += [f"{constraint.key}: {note}." for constraint in constraints for note in constraint.notes]
        return {"answer": {"version": best, "unhonoured": unhonoured, "findings": findings}}


def _rank(version: CodeVersion) -> tuple[bool, int, int, float]:
    assert version.outcome is not None
    outcome = version.outcome
    return (outcome.feasible, -len(version.violated()), -len(outcome.violations), -outcome.cost)


def _quoted(constraint: Constraint, parsed: Parsed) -> str:
    """The sentences naming the constraint's nodes, quoted (empty when none do)."""
    indices = sorted(
        {index for node in node_ids(constraint.params or {}) for index in parsed.nodes.get(node, [])}
    )
    return " (" + _quote([parsed.sentences[index] for index in indices]) + ")" if indices else ""


def _quote(sentences: list[str]) -> str:
    return " ".join(f'"{sentence}"' for sentence in sentences) or "(in the text)"


def _tested(versions: list[CodeVersion], program: Program | None) -> CodeTest | None:
    """The tests of an earlier identical program, which need not run again."""
    return next((version.test for version in versions if version.program == program and version.test), None)
