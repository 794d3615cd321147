"""The choice of templates: its schema, and the entries a chosen one replaces."""

import jsonschema
import pytest

from corta.agents.router.select import catalogue, selection_schema, without_replaced


def test_the_schema_allows_only_candidates_and_other() -> None:
    schema = selection_schema(["priority.first", "priority.strict"])
    jsonschema.validate({"entries": ["priority.first", "other"]}, schema)
    for bad in ({"entries": ["capacity.limit"]}, {"entries": []}, {"entries": ["other", "other"]}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)
    assert catalogue(["priority.first"]).startswith("- priority.first: Priority points:")


def test_a_template_used_instead_of_another_drops_it() -> None:
    chosen = ["time_windows.windows", "time_windows.extra_windows", "priority.first"]
    assert without_replaced(chosen) == ["time_windows.extra_windows", "priority.first"]
    assert without_replaced(["time_windows.windows", "other"]) == ["time_windows.windows", "other"]
