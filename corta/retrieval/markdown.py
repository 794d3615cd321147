"""Markdown → sections: ATX headings (``#`` to ``######``) outside code fences; fenced code kept whole."""

import re

from corta.retrieval.chunking import Block, Section

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def parse_markdown(text: str) -> list[Section]:
    """The document's sections in order, each under the path of headings above it."""
    stack: list[tuple[int, str]] = []
    sections = [Section(())]
    body: list[str] = []
    fence: str | None = None
    for line in text.splitlines():
        opener = _FENCE.match(line)
        if opener and (fence is None or opener.group(1) == fence):
            fence = opener.group(1) if fence is None else None
        heading = _HEADING.match(line) if fence is None and not opener else None
        if heading is None:
            body.append(line)
            continue
        sections[-1].blocks = markdown_blocks(body)
        body = []
        level = len(heading.group(1))
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, _plain(heading.group(2))))
        sections.append(Section(tuple(title for _, title in stack)))
    sections[-1].blocks = markdown_blocks(body)
    return sections


def markdown_blocks(lines: list[str]) -> list[Block]:
    """Paragraphs (split at blank lines, line breaks kept) and fenced code blocks (without their fences)."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    code: list[str] | None = None
    fence = ""
    for line in [*lines, ""]:
        opener = _FENCE.match(line)
        if code is not None:
            if opener and opener.group(1) == fence:
                blocks.append(Block("\n".join(code).strip("\n"), code=True))
                code = None
            else:
                code.append(line.rstrip())
        elif opener:
            blocks += _prose(paragraph)
            paragraph, code, fence = [], [], opener.group(1)
        elif line.strip():
            paragraph.append(line.rstrip())
        else:
            blocks += _prose(paragraph)
            paragraph = []
    if code:  # an unclosed fence runs to the end
        blocks.append(Block("\n".join(code).strip("\n"), code=True))
    return blocks


def _prose(lines: list[str]) -> list[Block]:
    return [Block(_plain("\n".join(lines)))] if lines else []


def _plain(text: str) -> str:
    """Links and images to their text; emphasis markers dropped (inline code keeps its backticks)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"(\*\*|__)(\S(?:.*?\S)?)\1", r"\2", text)
