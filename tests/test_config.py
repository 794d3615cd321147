"""Settings: defaults, corta.toml, CORTA_* variables, in that order of precedence."""

import pytest
from pydantic import ValidationError

from corta.config import Settings


def test_toml_then_environment(tmp_path, monkeypatch):
    config = tmp_path / "corta.toml"
    config.write_text('llm_engine = "tiny"\nllm_context = 2048\nsandbox_cpu_s = 3\n')
    monkeypatch.setenv("CORTA_CONFIG", str(config))
    monkeypatch.setenv("CORTA_SANDBOX_CPU_S", "7")
    settings = Settings()
    assert settings.llm_engine == "tiny" and settings.llm_context == 2048
    assert settings.sandbox_cpu_s == 7


def test_defaults_without_a_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CORTA_CONFIG", str(tmp_path / "absent.toml"))
    settings = Settings()
    assert settings.llm_engine == "embedded" and settings.llm_structured_output == "auto"


def test_invalid_values_are_rejected(monkeypatch):
    monkeypatch.setenv("CORTA_LLM_ENGINE", "gpt-5")
    with pytest.raises(ValidationError, match="llm_engine"):
        Settings()
