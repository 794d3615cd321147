"""reST → sections: headings found by their adornment, directives and comments dropped or unwrapped, roles made plain.

Not a full reST parser: enough of Sphinx's conventions to turn the Python docs (and pydoc's rendered topics) into
readable text, with literal blocks kept line by line and a glossary's terms made sections of their own.
"""

import re

from corta.retrieval.chunking import Block, Section

_ADORNMENT = re.compile(r"^([!-/:-@\[-`{-~\ue000])\1+\s*$")
_TERM_MARK = "\ue000"
"""Underlines the headings made from a glossary's terms: a character no document uses, so it is the deepest level."""
_DIRECTIVE = re.compile(r"^\.\.\s+([\w:-]+)::\s*(.*)$")
_FOOTNOTE = re.compile(r"^\.\.\s+\[[^\]]*\]\s*(.*)$")
_OPTION = re.compile(r"^:[\w-]+:")
_BULLET = re.compile(r"^(?:[*+-]|#\.|\d+\.|\(?[a-z0-9]\))\s")

_DROPPED = {
    "index", "toctree", "highlight", "sectionauthor", "moduleauthor", "codeauthor", "testsetup", "testcleanup",
    "raw", "image", "figure", "literalinclude", "tabularcolumns", "only", "include", "contents", "sectnum",
    "currentmodule", "default-role", "program", "cssclass", "rst-class", "csv-table", "audit-event-table",
    "availability", "c:function", "c:macro", "c:type", "c:member", "c:var",
}  # fmt: skip
_CODE = {
    "code-block",
    "sourcecode",
    "code",
    "doctest",
    "testcode",
    "testoutput",
    "productionlist",
    "parsed-literal",
}
_LABELS = {
    "versionadded": "New in version {}.",
    "versionchanged": "Changed in version {}:",
    "deprecated": "Deprecated since version {}:",
    "deprecated-removed": "Deprecated since version {}:",
    "seealso": "See also:",
    "impl-detail": "CPython implementation detail:",
    "audit-event": "Raises an auditing event {}.",
}


def parse_rest(text: str) -> list[Section]:
    """The document's sections in order (the first, before any heading, has no headings); empty ones included."""
    lines = _glossary_terms(text.expandtabs(8).splitlines())
    styles: list[tuple[str, bool]] = []
    sections = [Section(())]
    body: list[str] = []
    index = 0
    while index < len(lines):
        heading = _heading_at(lines, index)
        if heading is None:
            body.append(lines[index])
            index += 1
            continue
        title, style, index = heading
        sections[-1].blocks = rest_blocks(body)
        body = []
        if style not in styles:
            styles.append(style)
        level = styles.index(style)
        sections.append(Section((*sections[-1].headings[:level], clean_inline(title))))
    sections[-1].blocks = rest_blocks(body)
    return sections


def clean_inline(text: str) -> str:
    """Inline markup made plain: ``:func:`len``` → ``len``, ````x```` → ``x``, links and emphasis to their text."""
    literals: list[str] = []

    def keep(literal: str) -> str:
        literals.append(literal)
        return f"\x00{len(literals) - 1}\x00"

    text = re.sub(r"``(.+?)``", lambda match: keep(match.group(1)), text)
    text = re.sub(r":([\w:.+-]+):`([^`]+)`", lambda match: keep(_role_text(match)), text)
    text = re.sub(r"`([^`<]+?)\s*<[^`>]+>`__?", r"\1", text)
    text = re.sub(r"`([^`]+)`__?", r"\1", text)
    text = re.sub(r"`([^`]+)`", r"\1", text)
    text = re.sub(r"\s*\[(?:#\w*|\d+)\]_", "", text)
    text = re.sub(r"\*\*(\S(?:.*?\S)?)\*\*", r"\1", text)
    text = re.sub(r"(?<![\w*\\])\*(\S(?:[^*]*?\S)?)\*(?![\w*])", r"\1", text)
    text = text.replace("\\ ", "").replace("\\*", "*").replace("\\", "")
    return re.sub(r"\x00(\d+)\x00", lambda match: literals[int(match.group(1))], text)


def _role_text(match: re.Match[str]) -> str:
    """A role's visible text: its explicit title, else its target (``~a.b`` → ``b``, ``!x`` → ``x``)."""
    role, content = match.group(1), match.group(2)
    titled = re.fullmatch(r"(.+?)\s*<[^<>]+>", content, re.S)
    if titled:
        content = titled.group(1)
    elif content.startswith("~"):
        content = content[1:].rsplit(".", 1)[-1]
    content = content.lstrip("!")
    if role in ("pep", "rfc") and not titled:
        content = f"{role.upper()} {content}"
    return content


def rest_blocks(lines: list[str]) -> list[Block]:
    """The paragraphs and literal blocks of a stretch of reST without headings."""
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if not stripped or stripped.startswith("__ "):
            index += 1
            continue
        indent = _indent(line)
        if stripped == ".." or stripped.startswith(".. "):
            content, index = _indented(lines, index + 1, indent)
            blocks += _directive(stripped, content)
            continue
        paragraph = []
        while index < len(lines) and lines[index].strip():
            paragraph.append(lines[index])
            index += 1
        literal_follows = paragraph[-1].rstrip().endswith("::")
        if literal_follows:
            last = paragraph.pop().rstrip()
            if last.strip() != "::":
                paragraph.append(last[:-2].rstrip() if last.endswith(" ::") else last[:-1])
        blocks += _paragraph(_dedent(paragraph), indented=indent > 0)
        if literal_follows:
            content, index = _indented(lines, index, indent)
            if content:
                blocks.append(Block("\n".join(_dedent(content)), code=True))
    return blocks


def _paragraph(lines: list[str], indented: bool) -> list[Block]:
    """Doctests kept as they are; an indented paragraph (a block quote, pydoc's rendered code) line by line."""
    if not any(line.strip() for line in lines):
        return []
    if lines[0].startswith(">>>"):
        return [Block("\n".join(lines), code=True)]
    if indented:
        return [Block(clean_inline("\n".join(lines)), code=True)]
    joined: list[str] = []
    for line in lines:
        if joined and not _BULLET.match(line):
            joined[-1] += " " + line.strip()
        else:
            joined.append(line.strip())
    return [Block(clean_inline("\n".join(joined)))]


def _directive(first: str, content: list[str]) -> list[Block]:
    footnote = _FOOTNOTE.match(first)
    if footnote:
        return rest_blocks([footnote.group(1), *_dedent(content)])
    directive = _DIRECTIVE.match(first)
    if directive is None:  # a comment, a hyperlink target, a substitution
        return []
    name, argument = directive.group(1), clean_inline(directive.group(2).strip())
    while content and (_OPTION.match(content[0].strip()) or not content[0].strip()):
        content = content[1:]
    if name in _DROPPED:
        return []
    body = _dedent(content)
    if name == "productionlist":  # grammar rules mark the names they refer to with backticks
        body = [line.replace("`", "") for line in body]
    if name in _CODE:
        return [Block("\n".join(body), code=True)] if body else []
    blocks = rest_blocks(body)
    label = _LABELS.get(name, "{}").format(argument) if name in _LABELS else argument
    if name not in _LABELS and name in (
        "note",
        "warning",
        "tip",
        "important",
        "caution",
        "attention",
        "hint",
    ):
        label = f"{name.capitalize()}:"
    if not label:
        return blocks
    if blocks and not blocks[0].code:
        return [Block(f"{label} {blocks[0].text}"), *blocks[1:]]
    return [Block(label), *blocks]


def _glossary_terms(lines: list[str]) -> list[str]:
    """A ``.. glossary::`` directive rewritten as one heading per entry, so each term becomes its own section."""
    rewritten: list[str] = []
    index = 0
    while index < len(lines):
        if lines[index].strip() != ".. glossary::":
            rewritten.append(lines[index])
            index += 1
            continue
        content, index = _indented(lines, index + 1, _indent(lines[index]))
        while content and _OPTION.match(content[0].strip()):
            content = content[1:]
        entries = _dedent(content)
        terms: list[str] = []
        body: list[str] = []
        for line in [*entries, "", "end"]:
            if line.strip() and _indent(line) == 0:
                if body:
                    title = ", ".join(terms)
                    rewritten += ["", title, _TERM_MARK * max(len(title), 2), "", *_dedent(body), ""]
                    terms, body = [], []
                terms.append(line.strip())
            elif terms:
                body.append(line)
    return rewritten


def _heading_at(lines: list[str], index: int) -> tuple[str, tuple[str, bool], int] | None:
    """(title, (adornment character, has an overline), index after the heading) when a heading starts here."""
    if index > 0 and lines[index - 1].strip():
        return None
    line = lines[index]
    following = lines[index + 1] if index + 1 < len(lines) else ""
    over = _ADORNMENT.match(line)
    if over and index + 2 < len(lines) and following.strip():
        under = _ADORNMENT.match(lines[index + 2])
        if under and under.group(1) == over.group(1):
            return following.strip(), (over.group(1), True), index + 3
        return None
    under = _ADORNMENT.match(following)
    if (
        under is None
        or not line.strip()
        or line[0].isspace()
        or over
        or following.strip() == "::"
        or len(following.rstrip()) < min(len(line.rstrip()), 2)
    ):
        return None
    return line.strip(), (under.group(1), False), index + 2


def _indented(lines: list[str], start: int, indent: int) -> tuple[list[str], int]:
    """The lines from `start` indented deeper than `indent` (blank lines inside included), and the index after."""
    end = start
    while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > indent):
        end += 1
    content = lines[start:end]
    while content and not content[-1].strip():
        content.pop()
    while content and not content[0].strip():
        content.pop(0)
    return content, end if content else start


def _dedent(lines: list[str]) -> list[str]:
    depth = min((_indent(line) for line in lines if line.strip()), default=0)
    return [line[depth:].rstrip() for line in lines]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))
