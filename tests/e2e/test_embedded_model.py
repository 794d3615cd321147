"""The README's promises on the real embedded model (Qwen2.5-Coder-1.5B-Instruct Q4_K_M), through the CLI."""

import json
import subprocess
import sys

import jsonschema
import pytest

pytestmark = pytest.mark.e2e

SCHEMA = {
    "type": "object",
    "properties": {
        "language": {"type": "string"},
        "year_created": {"type": "integer", "minimum": 1900, "maximum": 2100},
        "paradigms": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 4},
        "statically_typed": {"type": "boolean"},
    },
    "required": ["language", "year_created", "paradigms", "statically_typed"],
    "additionalProperties": False,
}


def corta(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "corta.cli", *args], capture_output=True, text=True, timeout=600
    )


def test_ask_answers_51():
    result = corta("llm", "ask", "What is 17*3? Answer with the number only.")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "51\n"


def test_ask_with_a_schema_returns_valid_json(tmp_path):
    schema = tmp_path / "language.json"
    schema.write_text(json.dumps(SCHEMA))
    result = corta("llm", "ask", "--json-schema", str(schema), "Describe the Python programming language.")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    jsonschema.validate(answer, SCHEMA)
    assert answer["language"].lower().startswith("python")
