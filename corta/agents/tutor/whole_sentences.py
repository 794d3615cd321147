"""A reply cut by its token budget ends mid-sentence, or inside a code block: keep its whole sentences only."""

import re

# What a finished reply ends with: a sentence mark (English or Chinese), a citation, a closing bracket or quote.
_FINISHED = tuple(".?!。？！)]）」`\"'*:：")
_SENTENCE_END = re.compile(r"[.?!](?=\s)|[。？！]")


def whole_sentences(reply: str) -> str:
    """`reply` without an unclosed code block and without the unfinished sentence it ends with, if any; a reply
    with no finished sentence is returned as it is."""
    text = _closed(reply.rstrip())
    if not text or text.endswith(_FINISHED):
        return text or reply.rstrip()
    ends = [match.end() for match in _SENTENCE_END.finditer(text)]
    fences = [match.end() for match in re.finditer("```", text)]
    last = max([*ends, *fences[1::2]], default=0)  # after a sentence, or after a closed code block
    return _closed(text[:last].rstrip()) if last else text


def _closed(text: str) -> str:
    """`text` up to its last opening fence when that block is not closed (the budget ran out inside it)."""
    return text[: text.rfind("```")].rstrip() if text.count("```") % 2 else text
