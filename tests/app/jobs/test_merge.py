"""Merges started from the app: a shipped recipe or YAML text, checked in one sentence before the merge, run by
`run_merge` into a new folder, its progress read from the bytes written."""

from pathlib import Path

import pytest

from corta.app.jobs.merge import SHIPPED_RECIPES, plan_merge, read_recipe, shipped_recipes
from corta.errors import ConfigError
from tests.models.merging.tiny_models import fine_tuned_copy, save_tiny_llama, tensors_of

LINEAR_RECIPE = """merge_method: linear
models:
  - model: one
    parameters: {weight: 0.5}
  - model: two
    parameters: {weight: 0.5}
dtype: float32
"""


@pytest.fixture
def pair(tmp_path: Path) -> Path:
    """A folder holding a tiny Llama `one` and a fine-tuned-looking copy `two`."""
    base = save_tiny_llama(tmp_path / "models" / "one")
    fine_tuned_copy(base, tmp_path / "models" / "two", seed=1)
    return tmp_path / "models"


def test_the_shipped_recipes_are_listed_and_read() -> None:
    recipes = shipped_recipes()
    assert SHIPPED_RECIPES / "l2s" / "qwen2.5-math-1.5b-ties.yaml" in recipes
    recipe = read_recipe(SHIPPED_RECIPES / "l2s" / "qwen2.5-math-1.5b-ties.yaml", "")
    assert recipe.merge_method == "ties"
    assert recipe.base_model == str(SHIPPED_RECIPES / "l2s" / "models" / "Qwen2.5-Math-1.5B")


def test_yaml_text_reads_its_models_beside_the_chosen_recipe_or_the_working_folder(
    pair: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    beside = read_recipe(pair / "chosen.yaml", LINEAR_RECIPE)
    assert [entry.model for entry in beside.models] == [str(pair / "one"), str(pair / "two")]
    monkeypatch.chdir(pair)
    assert read_recipe(None, LINEAR_RECIPE).models[1].model == str(pair / "two")


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("merge_method: [linear", "The recipe is not valid YAML (while parsing a flow sequence)."),
        ("just words", "The recipe must be a YAML mapping with merge_method and models."),
        ("merge_method: linear\nmodels: []\n", "The recipe: models: List should have at least 1 item"),
        ("", "Choose a shipped recipe or paste one."),
    ],
)
def test_a_bad_recipe_is_one_sentence(text: str, sentence: str) -> None:
    with pytest.raises(ConfigError) as refused:
        read_recipe(None, text)
    assert str(refused.value).startswith(sentence)


def test_the_output_folder_must_be_new(pair: Path) -> None:
    recipe = read_recipe(pair / "chosen.yaml", LINEAR_RECIPE)
    with pytest.raises(ConfigError, match=r"one exists and is not empty: choose a new output folder\.$"):
        plan_merge(recipe, str(pair / "one"), pair)
    with pytest.raises(ConfigError, match=r"^Give the output folder of the merged model\.$"):
        plan_merge(recipe, "  ", pair)


def test_a_planned_merge_writes_the_model_and_its_report(pair: Path, tmp_path: Path) -> None:
    planned = plan_merge(read_recipe(pair / "chosen.yaml", LINEAR_RECIPE), str(tmp_path / "merged"), tmp_path)
    assert planned.progress().text == "0.0 MB of merged tensors written"
    report = planned.run()
    assert report["out_dir"] == str(tmp_path / "merged")
    assert report["method"] == "average"  # mergekit's linear is corta's average
    assert report["tensors"] == len(tensors_of(pair / "one")) and report["dtype"] == "float32"
    assert report["parameters"] > 0 and report["warnings"] == []
    written = (tmp_path / "merged" / "model.safetensors").stat().st_size
    assert planned.progress().text == f"{written / 1e6:.1f} MB of merged tensors written"
