"""The modeler's methods as settings of one search (BPP-Search, Wang et al., ACL 2025, and its baselines).

- `cot`: one schema-constrained call writes the whole model.
- `sc`: `samples` such calls at temperature > 0; the most frequent solved objective wins (self-consistency).
- `tot`: the three-level tree, `children` per node, `width` kept per level at random (no reward model).
- `beam`: the tree, the process reward model keeps the best `width` per level.
- `bpp`: `beam` plus a pairwise preference judge between near-tied finalists (both orders, averaged), and (corta's
  addition) a Pyomo program written as a witness: finalists whose optimum it confirms come first, and its optimum
  answers when no finalist solves (`witness.py`).
- `code`: the model writes a Pyomo program, run in the sandbox (what most peers do; a baseline).
"""

from dataclasses import dataclass, replace
from typing import Literal

MethodName = Literal["cot", "sc", "tot", "beam", "bpp", "code"]


@dataclass(frozen=True)
class SearchSettings:
    """How one method searches.

    Parameters
    ----------
    one_pass
        Write the whole model in one call per sample (cot, sc) instead of level by level.
    samples
        One-pass samples voted on (sc); 1 for cot.
    children, width
        Tree: children sampled per node, nodes kept per level.
    pruning
        Tree: "prm" keeps the best-scored nodes, "random" a seeded random choice.
    preference
        Rank near-tied finalists with the pairwise judge.
    tie_margin
        Finalists whose scores differ by at most this much are near-tied.
    temperature
        Sampling temperature of the policy (cot uses 0).
    repair
        Repair rounds for a finalist that does not compile or solve.
    witness
        Also have the policy write the problem as a Pyomo program (one more call): the finalists it confirms are
        ranked first, and its optimum is the answer when no finalist solves.
    """

    method: MethodName
    one_pass: bool = False
    samples: int = 1
    children: int = 3
    width: int = 2
    pruning: Literal["prm", "random"] = "prm"
    preference: bool = False
    tie_margin: float = 0.1
    temperature: float = 0.7
    repair: int = 1
    witness: bool = False

    def with_tree(self, children: int | None, width: int | None) -> "SearchSettings":
        """These settings with another branching factor or beam width (None keeps the current one)."""
        return replace(self, children=children or self.children, width=width or self.width)


METHODS: dict[str, SearchSettings] = {
    "cot": SearchSettings("cot", one_pass=True, temperature=0.0),
    "sc": SearchSettings("sc", one_pass=True, samples=5),
    "tot": SearchSettings("tot", pruning="random"),
    "beam": SearchSettings("beam"),
    "bpp": SearchSettings("bpp", preference=True, witness=True),
    "code": SearchSettings("code", one_pass=True, temperature=0.0, repair=0),
}
