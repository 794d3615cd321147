"""One `Settings` object: defaults, then `corta.toml` (or the file named by CORTA_CONFIG), then CORTA_* variables."""

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

Engine = Literal["embedded", "tiny", "vllm", "url"]


def _config_file() -> Path:
    return Path(os.environ.get("CORTA_CONFIG", "corta.toml"))


class Settings(BaseSettings):
    """Everything corta can be told; each field is also the variable CORTA_<FIELD> and a key of corta.toml."""

    model_config = SettingsConfigDict(env_prefix="CORTA_", extra="ignore")

    cache_dir: Path = Field(
        Path.home() / ".cache" / "corta", description="Assembled models, indexes, server state."
    )
    log_level: str = Field("WARNING", description="Level of the log written to stderr.")

    llm_engine: Engine = Field("embedded", description="embedded | tiny | vllm | url")
    llm_base_url: str | None = Field(
        None, description="OpenAI-compatible endpoint for the url and vllm engines."
    )
    llm_model: str | None = Field(None, description="Model name at that endpoint (or a model path for vllm).")
    llm_api_key: str = Field("not-needed", description="API key sent to the endpoint.")
    llm_timeout_s: float = Field(300.0, gt=0, description="Timeout of one LLM request.")
    llm_structured_output: Literal["auto", "llama_cpp", "openai"] = Field(
        "auto",
        description="How JSON schemas are sent: llama.cpp's json_object+schema or OpenAI's json_schema.",
    )
    llm_threads: int | None = Field(
        None, ge=1, description="llama.cpp threads; by default chosen from the load."
    )
    llm_context: int = Field(4096, ge=512, description="Context length of the embedded server.")
    llm_port: int = Field(8736, ge=1, le=65535, description="Preferred port of the embedded server.")
    llm_startup_timeout_s: float = Field(180.0, gt=0, description="How long to wait for a server to come up.")
    usage_ledger: Path | None = Field(
        None, description="JSONL file to which every LLM call's usage is appended."
    )

    docs_dir: Path = Field(
        Path("../shared/data/tutor"),
        description="Folder holding the Python docs (python311_docs_rst, python_docs_zh_cn_3.11) for `corta index`.",
    )
    index_dir: Path | None = Field(
        None,
        description="Where `corta index` keeps the knowledge base (default: <cache_dir>/knowledge_base).",
    )

    sandbox_cpu_s: int = Field(10, ge=1, description="CPU seconds a sandboxed run may use.")
    sandbox_wall_s: float = Field(20.0, gt=0, description="Wall-clock seconds a sandboxed run may take.")
    sandbox_memory_mb: int = Field(1024, ge=64, description="Address space a sandboxed run may map.")

    def knowledge_base_dir(self) -> Path:
        """The knowledge base's folder: `index_dir`, else `knowledge_base` in the cache."""
        return self.index_dir or self.cache_dir / "knowledge_base"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Order of precedence: arguments, environment, corta.toml, defaults."""
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=_config_file())
