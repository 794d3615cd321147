"""Give each declared name one meaning before a model compiles: the deterministic repair of a name declared twice.

A compact model lists a datum twice, or declares the data `vans` (step 1) and then the decision `vans` (step 2); the
compiler then rejects the whole model. A repeat of the same kind keeps its first declaration. A variable that reuses
a set's or parameter's name is renamed when no function is written yet (`num_vans`: the step that writes the
functions then sees two names); once functions use the name, they mean the decision, so the datum is renamed.
"""

from typing import Any

_KINDS = ("sets", "parameters", "variables")


def mend_repeated_names(partial: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """`partial` with each name declared once, and one note per change ("parameter vans → vans_value")."""
    notes: list[str] = []
    mended = dict(partial)
    for kind in _KINDS:
        if kind in mended:
            mended[kind], dropped = _first_of_each(mended[kind])
            notes += [f"dropped the repeated {kind[:-1]} {name}" for name in dropped]
    data_names = {item["name"] for kind in ("sets", "parameters") for item in mended.get(kind, [])}
    clashing = [item["name"] for item in mended.get("variables", []) if item["name"] in data_names]
    if not clashing:
        return mended, notes
    taken = data_names | {item["name"] for item in mended.get("variables", [])}
    if "objective" in mended:
        for kind in ("sets", "parameters"):
            mended[kind] = [
                _renamed(item, clashing, taken, notes, kind[:-1]) for item in mended.get(kind, [])
            ]
    else:
        mended["variables"] = [
            _renamed(item, clashing, taken, notes, "variable") for item in mended["variables"]
        ]
    return mended, notes


def _first_of_each(items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    kept: dict[str, dict[str, Any]] = {}
    dropped: list[str] = []
    for item in items:
        if item["name"] in kept:
            dropped.append(item["name"])
        else:
            kept[item["name"]] = item
    return list(kept.values()), dropped


def _renamed(
    item: dict[str, Any], clashing: list[str], taken: set[str], notes: list[str], kind: str
) -> dict[str, Any]:
    if item["name"] not in clashing:
        return item
    new = _fresh_name(item, taken, kind)
    taken.add(new)
    notes.append(f"{kind} {item['name']} → {new}")
    return {**item, "name": new}


def _fresh_name(item: dict[str, Any], taken: set[str], kind: str) -> str:
    name = item["name"]
    if kind != "variable":
        stem = f"{name}_value"
    elif item.get("type") == "BINARY":
        stem = f"choose_{name}"
    elif item.get("type") == "INTEGER":
        stem = f"num_{name}"
    else:
        stem = f"{name}_amount"
    candidate, number = stem, 2
    while candidate in taken:
        candidate, number = f"{stem}{number}", number + 1
    return candidate
