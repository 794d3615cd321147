"""A toy OR benchmark in the layout `load_benchmark` reads: the bakery problem, three times, in NL4OPT's file."""

import json
from pathlib import Path

from tests.agents.modeler.scripted import BEST, QUESTION

TOY_FILE = Path("nl4opt") / "llmopt_nl4opt_test_230.jsonl"


def write_toy_or_data(root: Path, items: int = 3) -> Path:
    """`root` holding nl4opt with `items` copies of the bakery problem (ids nl4opt/llmopt/toy-<n>); returns root."""
    path = root / TOY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"index": f"toy-{n}", "question": QUESTION, "answer": BEST}) for n in range(items)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


SOCRATIC_DIALOGUE = """<problem>
Write `add(a, b)` that returns the sum of `a` and `b`.
</problem>
<bug_code>
1. def add(a, b):
2.     return a - b
</bug_code>
<bug_desc>
On line 2 the function subtracts instead of adding.
</bug_desc>
<bug_fixes>
Replace `a - b` with `a + b` on line 2.
</bug_fixes>
<unit_tests>
assert add(1, 2) == 3
</unit_tests>
<dialogue>
User: My add function gives the wrong answer.
</dialogue>
"""


def write_toy_tutor_data(root: Path) -> Path:
    """`root` holding one Socratic debugging dialogue (id socratic/0_0_add) where `load_socratic` reads them."""
    from corta.datasets.tutoring import SOCRATIC_FOLDER

    folder = root / SOCRATIC_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "0_0_add_socratic_dialogue.txt").write_text(SOCRATIC_DIALOGUE, encoding="utf-8")
    return root
