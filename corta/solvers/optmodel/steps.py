"""A partial model as reasoning steps in words: one step per level, what the process reward models read."""

from typing import Any


def render_steps(partial: dict[str, Any]) -> list[str]:
    """One text per level present in `partial` (L1 data, L2 variables, L3 objective and constraints), in order."""
    steps = []
    if "parameters" in partial:
        steps.append(render_data(partial))
    if "variables" in partial:
        steps.append(render_variables(partial))
    if "objective" in partial:
        steps.append(render_formulation(partial))
    return steps


def render_data(partial: dict[str, Any]) -> str:
    lines = ["Data."]
    for item in partial.get("sets", []):
        elements = ", ".join(map(str, item["elements"]))
        lines.append(f"Set {item['name']} = {{{elements}}}{_about(item)}")
    for item in partial["parameters"]:
        domain = f" over {item['domain']}" if item.get("domain") else ""
        lines.append(f"Parameter {item['name']}{domain} = {_numbers(item['data'])}{_about(item)}")
    return "\n".join(lines)


def render_variables(partial: dict[str, Any]) -> str:
    lines = ["Variables."]
    for item in partial["variables"]:
        domain = f" for {item['domain']}" if item.get("domain") else ""
        lower, upper = item.get("lower"), item.get("upper")
        bounds = (
            f", {_number(lower) if lower is not None else '-inf'} to {_number(upper) if upper is not None else 'inf'}"
            if item.get("type") != "BINARY"
            else ""
        )
        lines.append(
            f"{item['name']}{domain}: {item.get('type', 'CONTINUOUS').lower()}{bounds}{_about(item)}"
        )
    return "\n".join(lines)


def render_formulation(partial: dict[str, Any]) -> str:
    objective = partial["objective"]
    lines = [
        f"{'Maximize' if objective['sense'] == 'max' else 'Minimize'} {objective['function']}",
        "Subject to:",
    ]
    for item in partial.get("constraints", []):
        domain = f" for all {item['domain']}" if item.get("domain") else ""
        lines.append(f"{item['name']}: {item['function']}{domain}{_about(item)}")
    return "\n".join(lines)


def _about(item: dict[str, Any]) -> str:
    return f" ({item['description']})" if item.get("description") else ""


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def _numbers(data: Any) -> str:
    if isinstance(data, list):
        return "[" + ", ".join(_numbers(item) for item in data) + "]"
    return _number(data)
