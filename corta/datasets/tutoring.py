"""Tutoring benchmarks, read from ../shared/data/tutor (no licence: read in place, never shipped).

- QACP (Xiao et al., arXiv:2402.07913): 534 Chinese questions of Python learners with reference answers and one of
  ten knowledge points each.
- Socratic debugging (Al-Hossami et al., BEA 2023 / SIGCSE 2024), v2 final set: a problem, the student's buggy code,
  the bug, its fixes, unit tests and the student's first message.
"""

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from corta.errors import DatasetError

log = logging.getLogger(__name__)

QACP_FILE = Path("qacp") / "qacp_merged.utf8.jsonl"
SOCRATIC_FOLDER = Path("socratic_debugging") / "socratic_debugging_benchmark" / "v2_sigcse" / "final_dataset"


@dataclass(frozen=True)
class QacpItem:
    id: str
    knowledge_point: str
    question: str
    answer: str


@dataclass(frozen=True)
class SocraticItem:
    id: str
    problem: str
    buggy_code: str
    bug: str
    fixes: tuple[str, ...]
    unit_tests: str
    opening: str  # the student's first message


def load_qacp(root: Path) -> list[QacpItem]:
    """The QACP questions with their reference answers.

    Raises
    ------
    DatasetError
        If the file is missing or a line is not a QACP record.
    """
    path = root / QACP_FILE
    items = []
    for number, line in enumerate(_read(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            items.append(
                QacpItem(
                    f"qacp/{record['id']}", record["knowledge_point"], record["question"], record["answer"]
                )
            )
        except (ValueError, KeyError) as error:
            raise DatasetError(f"Line {number} of {path} is not a QACP record: {error}.") from None
    return items


def load_socratic(root: Path) -> list[SocraticItem]:
    """One item per Socratic dialogue file of the v2 final set (the conversational threads repeat the bugs).

    Raises
    ------
    DatasetError
        If the folder is missing or a file lacks a section.
    """
    folder = root / SOCRATIC_FOLDER
    if not folder.is_dir():
        raise DatasetError(f"Benchmark data not found: {folder}.")
    items = [_socratic_item(path) for path in sorted(folder.glob("*_socratic_dialogue.txt"))]
    complete = [item for item in items if item is not None]
    if len(complete) < len(items):
        log.info("%d Socratic dialogues without <bug_code> left out", len(items) - len(complete))
    return complete


def _socratic_item(path: Path) -> SocraticItem | None:
    """The item of one dialogue file; None when it has no buggy code (the code only appears inside the dialogue)."""
    text = _read(path)
    sections = {}
    for name in ("problem", "bug_code", "bug_desc", "bug_fixes", "unit_tests", "dialogue"):
        match = re.search(rf"<{name}>\n?(.*?)</{name}>", text, re.DOTALL)
        if match is None:
            if name == "bug_code":
                return None
            raise DatasetError(f"{path} has no <{name}> section.")
        sections[name] = match.group(1).strip("\n")
    code = "\n".join(re.sub(r"^\s*\d+\.\s?", "", line, count=1) for line in sections["bug_code"].splitlines())
    opening = re.search(r"^User:\s*(.*)$", sections["dialogue"], re.MULTILINE)
    return SocraticItem(
        id=f"socratic/{path.name.removesuffix('_socratic_dialogue.txt')}",
        problem=sections["problem"].strip(),
        buggy_code=code,
        bug=sections["bug_desc"].strip(),
        fixes=tuple(line.strip() for line in sections["bug_fixes"].splitlines() if line.strip()),
        unit_tests=sections["unit_tests"].strip(),
        opening=opening.group(1).strip() if opening else "My code does not work.",
    )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DatasetError(f"Benchmark data not found: {path}.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise DatasetError(f"Cannot read benchmark file {path}: {error}.") from None
