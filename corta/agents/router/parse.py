"""Read what a description states before any model does: its sentences, the nodes it names, the numbers it gives.

The nodes named are those written after "node"/"nodes" ("Nodes [13, 23]", "node 7", "At Node [24]"); bracketed
lists elsewhere ("deliveries of [70, 80] units", "a window of [900, 950]") are amounts, not nodes. The agent checks
the LLM's parameters against this: every node must exist in the instance and be named in the text, every number
must be one the text gives (or spells out: "three", "halved").
"""

import re
from dataclasses import dataclass, field

_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[A-Z\[(])")
_NAMED_NODES = re.compile(
    r"\bnodes?\s*(?:\[([^\]]*)\]|(\d+(?:\s*(?:,|and|or)\s*\d+)*))"
    r"|(?<=\()?\[(\d+(?:\s*,\s*\d+)*)\]\s*\((?:highest|lowest)",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?")
_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "once": 1, "twice": 2, "half": 0.5, "halved": 0.5, "double": 2, "doubled": 2, "quarter": 0.25,
    "first": 1, "second": 2, "third": 3,
}  # fmt: skip
ALWAYS_PLAUSIBLE = frozenset({0.0, 1.0})


@dataclass(frozen=True)
class Parsed:
    """A description's sentences, the nodes it names (node: the sentences naming it), and its numbers."""

    sentences: list[str]
    nodes: dict[int, list[int]] = field(default_factory=dict)
    numbers: frozenset[float] = frozenset()

    def sentences_naming(self, node: int) -> list[str]:
        return [self.sentences[index] for index in self.nodes.get(node, [])]

    def gives(self, value: float) -> bool:
        """Whether the text gives this number (as digits or in words), or it is 0 or 1."""
        return float(value) in self.numbers or float(value) in ALWAYS_PLAUSIBLE


def sentences(text: str) -> list[str]:
    """The sentences of a text (split after . ; ! ? before a capital, a bracket or a parenthesis)."""
    return [part.strip() for part in _SENTENCE_END.split(text.strip()) if part.strip()]


def _node_ids(match: re.Match[str]) -> list[int]:
    text = next(group for group in match.groups() if group is not None)
    return [int(number) for number in re.findall(r"\d+", text)]


def parse_description(text: str) -> Parsed:
    """The sentences, named nodes and numbers of a description."""
    parts = sentences(text)
    nodes: dict[int, list[int]] = {}
    numbers: set[float] = set()
    for index, sentence in enumerate(parts):
        for match in _NAMED_NODES.finditer(sentence):
            for node in _node_ids(match):
                if index not in nodes.setdefault(node, []):
                    nodes[node].append(index)
        numbers.update(float(number) for number in _NUMBER.findall(sentence))
        numbers.update(
            float(_WORDS[word]) for word in re.findall(r"[a-z]+", sentence.lower()) if word in _WORDS
        )
    return Parsed(parts, nodes, frozenset(numbers))


def missing_nodes(parsed: Parsed, customers: int) -> list[int]:
    """The named nodes that are not in an instance with `customers` customers (the depot 0 exists)."""
    return sorted(node for node in parsed.nodes if node > customers)
