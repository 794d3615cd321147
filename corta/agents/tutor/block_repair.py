"""Repairing one failing code block of a reply. Two faults are mended without the model: a line of prose caught
inside the block becomes a comment, and a standard module used without its import gets the import. Otherwise the
model's rewrite of the block is taken only if it keeps the block's lines but a few.

Measured on the 40 QACP explain drafts with the first version (the model's rewrite, taken as it came): both blocks it
changed ran afterwards because the rewrite cut them, not because it fixed them. One dropped a whole second example
after a Chinese sentence written inside the fence (the sentence was the syntax error), the other dropped two lines of
a seven-line example; the judge scored both answers below their drafts. A rewrite that cuts is no repair: the next
round samples again, and the draft keeps its block if none keeps it whole. With that guard, two rounds of rewriting a
block that uses `sys.argv` without `import sys` never added the import (the rewrite kept renamed an exception)."""

import re
import sys
import textwrap
from collections import Counter

from corta.agents.tutor.code_blocks import syntax_error, undefined_name

_SYNTAX_LINE = re.compile(r"^syntax: line (\d+):")
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_SENTENCE = re.compile(r"^[A-Za-z][A-Za-z,' ]+[:.]$")
# A rewrite may drop (or change) this share of the block's non-blank lines, and at least one.
DROPPABLE_SHARE = 0.2


def comment_out_prose(code: str, fault: str) -> str | None:
    """`code` with the line its syntax error points at turned into a comment, when that line is prose (Chinese text,
    or an English sentence of four words or more ending in ":" or ".", with no quotes) and the block then parses;
    else None. `fault` is the review's "kind: message" of the block."""
    located = _SYNTAX_LINE.match(fault)
    lines = textwrap.dedent(code).splitlines()
    number = int(located.group(1)) if located else 0
    if not 0 < number <= len(lines):
        return None
    line = lines[number - 1]
    text = line.strip()
    prose = not any(quote in text for quote in "'\"#") and (
        bool(_CJK.search(text)) or (bool(_SENTENCE.match(text)) and len(text.split()) >= 4)
    )
    if not prose:
        return None
    indent = line[: len(line) - len(line.lstrip())]
    lines[number - 1] = f"{indent}# {text}"
    repaired = "\n".join(lines) + "\n"
    return repaired if syntax_error(repaired) is None else None


def mended_without_the_model(code: str, fault: str) -> str | None:
    """`code` mended by a rule (prose commented out, a missing standard import added), or None if no rule applies."""
    return comment_out_prose(code, fault) or add_missing_import(code, fault)


def add_missing_import(code: str, fault: str) -> str | None:
    """`code` with `import NAME` first, when its fault is a NameError for NAME and NAME is a standard module."""
    kind, _, message = fault.partition(": ")
    name = undefined_name(message) if kind == "exception" else None
    if name is None or name not in sys.stdlib_module_names:
        return None
    return f"import {name}\n" + textwrap.dedent(code)


def keeps_the_block(old: str, new: str) -> bool:
    """Whether the rewrite `new` keeps the non-blank lines of `old`, but for a few (`DROPPABLE_SHARE`, at least
    one) that it may change or drop: a fix, not a cut."""
    old_lines = Counter(line.strip() for line in old.splitlines() if line.strip())
    new_lines = Counter(line.strip() for line in new.splitlines() if line.strip())
    dropped = sum((old_lines - new_lines).values())
    return dropped <= max(1, int(DROPPABLE_SHARE * sum(old_lines.values())))
