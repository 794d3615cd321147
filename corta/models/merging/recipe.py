"""Merge recipes in mergekit's YAML schema, for the methods both have, plus corta's own keys.

Shared with mergekit: ``merge_method``, ``base_model``, ``models`` (each ``model`` with ``parameters`` ``weight`` and
``density``), ``parameters`` (method-wide: ``lambda``, ``normalize``, ``rescale``, ``int8_mask``), ``dtype`` and
``tokenizer_source`` (``base`` or one of the models). corta's own: the aim/sens/lore parameters (``omega``,
``inner_method``, ``alpha``, ``temperature``, ``mu_ratio``, …) under ``parameters``, ``calibration`` (prompts for
aim and sens) and ``seed``. Values are scalars: mergekit's per-layer gradients are refused with a clear message.
"""

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from corta.errors import ConfigError

DTYPES = ("float32", "float16", "bfloat16")


class ModelEntry(BaseModel):
    """One model of the merge: a Hugging Face folder or a GGUF file, with its weight and density."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1)
    parameters: dict[str, float] = Field(default_factory=dict)

    @field_validator("parameters", mode="before")
    @classmethod
    def _scalars_only(cls, value: Any) -> Any:
        if isinstance(value, dict):
            for key, item in value.items():
                if key not in ("weight", "density"):
                    raise ValueError(f"unknown model parameter {key!r} (models take weight and density)")
                if isinstance(item, list | dict):
                    raise ValueError(f"{key} must be one number: per-layer gradients are not supported")
        return value

    @property
    def weight(self) -> float:
        return float(self.parameters.get("weight", 1.0))

    @property
    def density(self) -> float:
        return float(self.parameters.get("density", 1.0))


class Calibration(BaseModel):
    """Prompts that aim and sens measure the models on (the built-in math prompts when empty)."""

    model_config = ConfigDict(extra="forbid")

    prompts: list[str] = Field(default_factory=list)
    prompts_file: str | None = None
    max_tokens: int = Field(default=256, ge=8, le=4096)


class Recipe(BaseModel):
    """A merge recipe.

    Raises
    ------
    ConfigError
        From `load_recipe`: the YAML is unreadable or a key is unknown or out of range (the message names it).
    """

    model_config = ConfigDict(extra="forbid")

    merge_method: str = Field(min_length=1)
    base_model: str | None = None
    models: list[ModelEntry] = Field(min_length=1)
    parameters: dict[str, Any] = Field(default_factory=dict)
    dtype: Literal["float32", "float16", "bfloat16"] | None = None
    tokenizer_source: str | None = None
    calibration: Calibration = Field(default_factory=Calibration)
    seed: int = 0

    @field_validator("parameters", mode="before")
    @classmethod
    def _method_scalars(cls, value: Any) -> Any:
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, list):
                    raise ValueError(f"{key} must be one value: per-layer gradients are not supported")
        return value

    @model_validator(mode="after")
    def _base_not_among_models(self) -> "Recipe":
        """mergekit recipes often list the base among the models too; it is the base, not a model to merge."""
        self.models = [entry for entry in self.models if entry.model != self.base_model]
        if not self.models:
            raise ValueError("the recipe names no model besides the base")
        if self.tokenizer_source not in (None, "base") and self.tokenizer_source not in self.paths():
            raise ValueError(
                f"tokenizer_source {self.tokenizer_source!r} is neither 'base' nor one of the models"
            )
        return self

    def paths(self) -> list[str]:
        """The base (if any) and the models, as written."""
        return ([self.base_model] if self.base_model else []) + [entry.model for entry in self.models]

    def resolved(self, folder: Path) -> "Recipe":
        """The recipe with relative model paths made relative to `folder` (the recipe file's folder)."""

        def resolve(path: str) -> str:
            candidate = Path(path).expanduser()
            return str(candidate if candidate.is_absolute() else (folder / candidate).resolve())

        data = self.model_dump()
        data["base_model"] = resolve(self.base_model) if self.base_model else None
        data["models"] = [{**entry, "model": resolve(entry["model"])} for entry in data["models"]]
        if self.tokenizer_source not in (None, "base"):
            data["tokenizer_source"] = resolve(self.tokenizer_source)
        return Recipe.model_validate(data)


def load_recipe(path: Path) -> Recipe:
    """Read and check a YAML recipe; model paths are taken relative to the recipe's folder."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"Cannot read recipe {path} ({error.strerror or error}).") from error
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"Recipe {path} is not UTF-8 text ({error.reason} at byte {error.start})."
        ) from error
    except yaml.YAMLError as error:
        raise ConfigError(f"Recipe {path} is not valid YAML ({str(error).splitlines()[0]}).") from error
    return parse_recipe(data, Path(path).resolve().parent, str(path))


def parse_recipe(data: Any, folder: Path, source: str = "recipe") -> Recipe:
    """Check recipe data (a dict as YAML gives it)."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source} must be a YAML mapping with merge_method and models.")
    try:
        recipe = Recipe.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "recipe"
        raise ConfigError(f"{source}: {where}: {first['msg']}.") from error
    try:
        return recipe.resolved(folder)
    # A NUL in a path (ValueError); `~user` for a user this machine does not know (RuntimeError).
    except (ValueError, RuntimeError) as error:
        raise ConfigError(f"{source}: a model path cannot be resolved ({error}).") from error
