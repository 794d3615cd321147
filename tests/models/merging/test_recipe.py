"""Recipes in mergekit's YAML schema: what is read, what is refused, and how paths resolve."""

from pathlib import Path

import pytest

from corta.errors import ConfigError
from corta.models.merging.methods.registry import get_method
from corta.models.merging.recipe import load_recipe, parse_recipe

MERGEKIT_TIES = """
models:
  - model: ./system2
    parameters:
      density: 0.2
      weight: 1.0
  - model: ./system1
merge_method: ties
base_model: ./system1
parameters:
  normalize: true
  int8_mask: true
dtype: bfloat16
"""


def test_a_mergekit_ties_recipe_reads_with_the_base_taken_out_of_the_models(tmp_path: Path) -> None:
    path = tmp_path / "ties.yaml"
    path.write_text(MERGEKIT_TIES)
    recipe = load_recipe(path)
    assert recipe.merge_method == "ties" and recipe.dtype == "bfloat16"
    assert recipe.base_model == str(tmp_path / "system1")
    assert [entry.model for entry in recipe.models] == [str(tmp_path / "system2")]
    assert recipe.models[0].density == 0.2 and recipe.models[0].weight == 1.0
    assert recipe.parameters == {"normalize": True, "int8_mask": True}


def test_defaults_and_absolute_paths(tmp_path: Path) -> None:
    recipe = parse_recipe({"merge_method": "lore", "models": [{"model": "/m/a"}, {"model": "~/b"}]}, tmp_path)
    assert recipe.models[0].model == "/m/a" and recipe.models[1].model == str(Path.home() / "b")
    assert recipe.models[0].weight == 1.0 and recipe.models[0].density == 1.0 and recipe.seed == 0
    assert recipe.calibration.max_tokens == 256 and recipe.base_model is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"merge_method": "ties", "models": [{"model": "a"}], "slices": []}, "slices: Extra inputs"),
        (
            {"merge_method": "ties", "models": [{"model": "a", "parameters": {"wieght": 1}}]},
            "unknown model parameter 'wieght'",
        ),
        (
            {"merge_method": "ties", "models": [{"model": "a", "parameters": {"weight": [0, 1]}}]},
            "per-layer gradients are not supported",
        ),
        ({"merge_method": "ties", "models": [{"model": "a"}], "parameters": {"lambda": [1, 2]}}, "gradients"),
        (
            {"merge_method": "ties", "base_model": "a", "models": [{"model": "a"}]},
            "no model besides the base",
        ),
        ({"merge_method": "ties", "models": [{"model": "a"}], "tokenizer_source": "union"}, "neither 'base'"),
        ({"merge_method": "ties", "models": [{"model": "a"}], "dtype": "int4"}, "dtype"),
        ({"models": [{"model": "a"}]}, "merge_method: Field required"),
        (["ties"], "must be a YAML mapping"),
    ],
)
def test_bad_recipes_are_refused_naming_the_key(tmp_path: Path, data: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_recipe(data, tmp_path)


def test_unreadable_files_get_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Cannot read recipe"):
        load_recipe(tmp_path / "absent.yaml")
    (tmp_path / "bad.yaml").write_text("models: [unclosed")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_recipe(tmp_path / "bad.yaml")


def test_a_tokenizer_source_among_the_models_resolves_with_them(tmp_path: Path) -> None:
    data = {"merge_method": "ties", "base_model": "b", "models": [{"model": "a"}], "tokenizer_source": "a"}
    assert parse_recipe(data, tmp_path).tokenizer_source == str(tmp_path / "a")


SHIPPED = sorted((Path(__file__).resolve().parents[3] / "recipes" / "l2s").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[path.stem for path in SHIPPED])
def test_shipped_l2s_recipes_read_and_their_parameters_suit_their_method(path: Path) -> None:
    recipe = load_recipe(path)
    method = get_method(recipe.merge_method)
    method.parameters.model_validate(recipe.parameters)
    assert (recipe.base_model is None) == (method.base_policy == "none")
    assert recipe.tokenizer_source and "DeepSeek-R1-Distill" in recipe.tokenizer_source


def test_both_paper_pairs_are_shipped_with_every_method_of_the_study() -> None:
    methods = {"task_arithmetic", "ties", "dare_ties", "aim", "sens", "lore"}
    for size in ("1.5B", "7B"):
        pair = [load_recipe(p) for p in SHIPPED if f"-{size.lower()}-" in p.name]
        assert {recipe.merge_method for recipe in pair} == methods
        assert all(f"DeepSeek-R1-Distill-Qwen-{size}" in recipe.models[-1].model for recipe in pair)
