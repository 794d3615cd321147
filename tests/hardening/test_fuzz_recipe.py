"""Fuzzing merge recipes: random YAML, edited and mutated shipped recipes, random bytes; only `ConfigError` escapes
`load_recipe` and `parse_recipe`."""

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from corta.errors import ConfigError
from corta.models.merging.recipe import load_recipe, parse_recipe
from tests.hardening.fuzzing import edited, fuzz_settings, json_values, mutated, only

TARGET = "recipe"
SHIPPED = sorted((Path(__file__).parents[2] / "recipes" / "l2s").glob("*.yaml"))
TEXTS = [path.read_text(encoding="utf-8") for path in SHIPPED]
RECIPES: list[Any] = [yaml.safe_load(text) for text in TEXTS]
YAML_PIECES = st.sampled_from(
    [":", "- ", "\n", "  ", "{", "}", "[", "]", "&a", "*a", "!!python/name:os.system", "'"]
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-recipe")


@fuzz_settings()
@given(data=st.sampled_from(RECIPES).flatmap(mutated) | json_values)
def test_a_mutated_recipe_parses_or_is_a_config_error(folder: Path, data: Any):
    with only(TARGET, ConfigError):
        recipe = parse_recipe(data, folder)
        assert recipe.models and all(Path(path).is_absolute() for path in recipe.paths())


@fuzz_settings()
@given(text=st.sampled_from(TEXTS).flatmap(lambda text: edited(text, YAML_PIECES)) | st.text(max_size=80))
def test_an_edited_recipe_file_loads_or_is_a_config_error(folder: Path, text: str):
    path = folder / "recipe.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    with only(TARGET, ConfigError):
        load_recipe(path)


@fuzz_settings(share=0.25)
@example(raw=b"\xff")  # found: a UnicodeDecodeError escaped load_recipe
@given(raw=st.binary(max_size=120))
def test_a_recipe_file_of_random_bytes_is_a_config_error(folder: Path, raw: bytes):
    path = folder / "bytes.yaml"
    path.write_bytes(raw)
    with only(TARGET, ConfigError):
        load_recipe(path)


@fuzz_settings(share=0.5)
@example(model="a\x00b")  # found: ValueError (embedded null byte) escaped parse_recipe
@example(
    model="~nosuchuser42/model"
)  # found: RuntimeError (no home folder for that user) escaped parse_recipe
@given(model=st.text(max_size=20) | st.sampled_from(["~", "~/m", "~nosuchuser42", "/", ".", "..", "a\x00"]))
def test_any_model_path_resolves_or_is_a_config_error(folder: Path, model: str):
    data = {
        "merge_method": "ties",
        "base_model": "./base",
        "models": [{"model": model}],
        "tokenizer_source": model,
    }
    with only(TARGET, ConfigError):
        assert Path(parse_recipe(data, folder).models[0].model).is_absolute()
