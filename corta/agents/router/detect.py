"""Read which constraint templates a description states from its wording, before any model reads it.

The 1.5B model chooses templates badly: on 20 RoutBench variants it chose the wrong set for 14 (a sibling instead
of the right one, a family dropped or added). Yet the families are named by plain words ("capacity", "time
window", "picked up", "same route", "priority", a route's "length" or "range"), and the siblings by the rule they
add ("at least 3 routes", "square root", "halved", "consecutively", "d-relaxed"). So this reads them
deterministically:

1. Each sentence is tagged with the families its words name. A pickup sentence mentions capacity ("reduces the
   vehicle's available capacity") and may mention a route, so pickup and delivery silences those two.
2. A sentence that names no family belongs to a neighbour: to the one before when it continues it ("Specifically",
   "Additionally", "Each node", "Both", "Other nodes", …), otherwise to the next family sentence ("Nodes [12, 14]
   require deliveries of a new type of goods. At Node [24], I pick up …"), or to the one before at the end. Such a
   sentence is understood only when it opens with a continuation or carries a cue of its neighbour's family; any
   other ("Node 3 is urgent.") may be a rule of its own that no cue knows, so the whole choice goes to the LLM.
3. A family's sentences form one rule, unless a sentence opens with the nodes it is about ("Nodes [7, 8] must not
   be on the same route."): that starts another rule of the family.
4. Within each rule's sentences, the sibling whose cues match most is chosen; with none, the family's plain
   template (capacity.limit, time_windows.windows, …).

The cues were written from the families' definitions and RoutBench's phrasing, so on RoutBench they are a parser of
its language, not a test of understanding. Text they do not fully recognise leaves the choice to the LLM: `detect`
returns no templates when no sentence names a family or one sentence is not understood, and the agent then asks
the model (`select.choose_templates`).
"""

import re
from dataclasses import dataclass

from corta.agents.router.constraint_db import templates_for
from corta.agents.router.parse import sentences


def _cue(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(patterns), re.IGNORECASE)


FAMILY_CUES: dict[str, re.Pattern[str]] = {
    "pickup_delivery": _cue(r"\bpick(?:ed|s|ing)?[\s-]?ups?\b", r"\bpickups?\b"),
    "capacity": _cue(
        r"\bcapacity\b", r"\bload limit\b", r"\bcarr(?:y|ies) (?:at most|up to|no more than) \d"
    ),
    "distance_limit": _cue(
        r"\bin length\b", r"\b(?:route|tour|total) length\b", r"\blength of (?:each|every|a|the) (?:route|tour)",
        r"\bremaining (?:\w+ ){0,2}(?:range|distance)\b", r"\bdriving (?:range|distance)\b", r"\brange\b",
        r"\brecharg", r"\bdistance limit\b", r"\b(?:longer|further) than \d",
        r"\b(?:drive|travel|cover)s? (?:at most|no more than|more than|over|up to) \d",
    ),
    "time_windows": _cue(r"\btime[\s-]?windows?\b"),
    "same_vehicle": _cue(
        r"\bsame (?:route|vehicle|truck|tour)\b", r"\bconsecutive", r"\btogether\b",
        r"\b(?:separate|different) (?:routes|vehicles|trucks)\b", r"\bshare (?:a|one|the same) (?:route|vehicle|truck)",
        r"\b(?:on|in) (?:one|a single) (?:route|vehicle|truck)\b",
    ),
    "priority": _cue(r"\bpriorit"),
}  # fmt: skip
SILENCES: dict[str, frozenset[str]] = {"pickup_delivery": frozenset({"capacity", "same_vehicle"})}
NEW_RULE = _cue(r"^(?:the )?nodes?\s*[\[\d]")
CONTINUES = _cue(
    r"^(?:specifically|additionally|also|moreover|furthermore|in addition|however|here|this|these|it|its|they|"
    r"both|each|every|other|higher|lower|then|after|before|when|while|if|unlike)\b"
)
TEMPLATE_CUES: dict[str, re.Pattern[str]] = {
    "capacity.light_routes": _cue(r"\bat least (?:\w+ ){1,2}routes?\b"),
    "capacity.distance_surcharge": _cue(
        r"\bsquare root\b", r"\baugmented\b", r"\b(?:grows?|increases?) with the (?:\w+ ){0,2}distance"
    ),
    "capacity.second_product": _cue(
        r"\bnew (?:type of )?goods\b", r"\b(?:second|another|other) (?:product|type of goods)\b"
    ),
    "distance_limit.short_routes": _cue(r"\bat least (?:\w+ ){1,2}routes?\b"),
    "distance_limit.recharge": _cue(r"\brecharg", r"\breset to\b", r"\brestor"),
    "distance_limit.range_drop": _cue(
        r"\bhalved\b", r"\b(?:range|distance) (?:\w+ ){0,3}(?:cut|reduced|drops?|decreases?)\b"
    ),
    "time_windows.delayed_start": _cue(
        r"\bstart time\b", r"\bstarts? (?:with|at) time\b", r"\blater start\b", r"\b(?:leave|leaves|depart\w*) "
        r"(?:the depot )?(?:at|later)\b",
    ),
    "time_windows.extra_windows": _cue(
        r"\b(?:additional|second|another|extra|alternative) (?:time )?windows?\b", r"\bmultiple time windows\b"
    ),
    "time_windows.growing_service": _cue(r"\bservice time (?:\w+ ){0,3}(?:increas|grow|extend)"),
    "pickup_delivery.light_returns": _cue(r"\bat least (?:\w+ ){1,2}routes?\b"),
    "pickup_delivery.two_products": _cue(
        r"\bnew (?:type of )?goods\b", r"\b(?:second|another) product\b", r"\btwo (?:types|kinds) of goods\b",
        r"\bstored separately\b",
    ),
    "pickup_delivery.paired": _cue(
        r"\bits delivery node\b", r"\bdelivered (?:to|at) node\b", r"\bpickup[- ]and[- ]delivery pairs?\b"
    ),
    "same_vehicle.consecutive": _cue(
        r"\bconsecutive", r"\bone (?:right )?after another\b", r"\bno other node between\b", r"\bin a block\b"
    ),
    "same_vehicle.ordered": _cue(
        r"\bvisited before node\b", r"\bbefore (?:node|customer)\b", r"\bin (?:this|that|the given) order\b",
        r"\bprecede", r"\bcomes? first\b"
    ),
    "same_vehicle.apart": _cue(
        r"\bnot (?:be )?on the same\b", r"\b(?:separate|different) (?:routes|vehicles|trucks)\b",
        r"\bincompatib", r"\bnever (?:share|be together)\b",
    ),
    "priority.strict": _cue(r"\bstrictly decreasing\b", r"\bhigher-priority nodes must be visited before\b"),
    "priority.d_relaxed": _cue(r"\bd-relaxed\b", r"\bone level later\b", r"\blevel early\b"),
    "priority.early_position": _cue(
        r"\bfirst (?:\w+ )?positions?\b", r"\bamong the first\b", r"\bfirst \w+ stops\b"
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Detection:
    """The templates read from a description, and the sentences each was read from (what its parameters are read
    from)."""

    templates: list[str]
    evidence: dict[str, str]
    unread: list[str]  # sentences that name no family, continue none and carry no cue of their neighbour's


def families_named(sentence: str) -> list[str]:
    """The families a sentence's words name, after the silencing rules."""
    named = [family for family, cue in FAMILY_CUES.items() if cue.search(sentence)]
    silenced = {quiet for family in named for quiet in SILENCES.get(family, ())}
    return [family for family in named if family not in silenced]


def group_sentences(parts: list[str]) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """The rules of a description, as (family, sentences): family sentences grouped, and those that name no family
    attached to a neighbour (see the module doc); and the attached sentences not understood."""
    tags = [families_named(part) for part in parts]
    tagged = [index for index, families in enumerate(tags) if families]
    unread: list[str] = []
    anchors: dict[int, list[int]] = {index: [] for index in tagged}
    for index, part in enumerate(parts):
        if tags[index]:
            continue
        before = [anchor for anchor in tagged if anchor < index]
        after = [anchor for anchor in tagged if anchor > index]
        continues = bool(CONTINUES.match(part))
        if before and (continues or not after):
            anchor = before[-1]
        elif after:
            anchor = after[0]
        else:
            continue
        anchors[anchor].append(index)
        if not continues and not any(carries_cue(family, part) for family in tags[anchor]):
            unread.append(part)
    rules: list[tuple[str, list[str]]] = []
    latest: dict[str, int] = {}  # family → its rule being read
    for index in tagged:
        own = sorted([index, *anchors[index]])
        for family in tags[index]:
            if family in latest and not NEW_RULE.match(parts[index]):
                rules[latest[family]][1].extend(parts[place] for place in own)
            else:
                latest[family] = len(rules)
                rules.append((family, [parts[place] for place in own]))
    return rules, unread


def carries_cue(family: str, text: str) -> bool:
    """Whether `text` carries a cue of one of the family's templates."""
    return any(cue.search(text) for key, cue in TEMPLATE_CUES.items() if key.startswith(f"{family}."))


def choose_sibling(family: str, text: str) -> str:
    """The family's template whose cues match `text` most often (the plain template when none match)."""
    keys = [template.key for template in templates_for(family)]
    hits = {key: len(TEMPLATE_CUES[key].findall(text)) for key in keys if key in TEMPLATE_CUES}
    best = max(hits.values(), default=0)
    if best == 0:
        return next(key for key in keys if key not in TEMPLATE_CUES)
    return next(key for key in keys if hits.get(key) == best)


def detect(description: str) -> Detection:
    """The templates a description states, one per rule it gives (distinct), in the order they appear."""
    rules, unread = group_sentences(sentences(description) or [description])
    if unread:
        return Detection([], {}, unread)
    evidence: dict[str, str] = {}
    for family, parts in rules:
        key = choose_sibling(family, " ".join(parts))
        evidence[key] = " ".join(filter(None, [evidence.get(key), *parts]))
    return Detection(list(evidence), evidence, unread)
