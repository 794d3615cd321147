"""Running recipes end to end on tiny real Llama checkpoints: the streamed merge equals the method applied to
each tensor, loads in transformers, matches mergekit on the same recipe, and every kind of bad input is refused
with one sentence and no output left behind."""

import json
from pathlib import Path
from typing import Any

import pytest
import torch
from safetensors.torch import load_file, save_file
from transformers import LlamaForCausalLM
from typer.testing import CliRunner

from corta.cli import app
from corta.errors import ConfigError, MergeError
from corta.models.merging.calibration import activation_stats, layer_sensitivities
from corta.models.merging.calibration_prompts import MATH_CALIBRATION_PROMPTS
from corta.models.merging.methods.base import CalibrationStats, TensorGroup
from corta.models.merging.methods.registry import get_method
from corta.models.merging.recipe import parse_recipe
from corta.models.merging.run import run_merge
from tests.models.merging.tiny_models import fine_tuned_copy, save_tiny_llama, tensors_of


@pytest.fixture
def family(tmp_path: Path) -> dict[str, Path]:
    """A base and two models fine-tuned from it."""
    base = save_tiny_llama(tmp_path / "base")
    return {
        "base": base,
        "system1": fine_tuned_copy(base, tmp_path / "system1", seed=1),
        "system2": fine_tuned_copy(base, tmp_path / "system2", seed=2),
    }


def ties_recipe(family: dict[str, Path], **extra: Any) -> dict[str, Any]:
    return {
        "merge_method": "ties",
        "base_model": str(family["base"]),
        "models": [
            {"model": str(family["system1"]), "parameters": {"weight": 0.7, "density": 0.5}},
            {"model": str(family["system2"]), "parameters": {"weight": 0.3, "density": 0.8}},
        ],
        "parameters": {"normalize": True},
        **extra,
    }


def merge(recipe: dict[str, Any], out: Path, **options: Any) -> Any:
    return run_merge(parse_recipe(recipe, out.parent), out, progress=False, **options)


def test_the_streamed_merge_is_the_method_applied_to_each_tensor(
    family: dict[str, Path], tmp_path: Path
) -> None:
    report = merge(ties_recipe(family), tmp_path / "merged")
    merged = tensors_of(tmp_path / "merged")
    base, one, two = (tensors_of(family[k]) for k in ("base", "system1", "system2"))
    ties, parameters = get_method("ties"), get_method("ties").parameters.model_validate({"normalize": True})
    assert set(merged) == set(base) and report.tensors == len(base) and report.method == "ties"
    for name, tensor in merged.items():
        group = TensorGroup(name, base[name], [one[name], two[name]], [0.7, 0.3], [0.5, 0.8])
        assert torch.allclose(tensor, ties.merge(group, parameters), atol=1e-7), name
    assert report.parameters == sum(t.numel() for t in base.values()) and report.warnings == []
    written = json.loads((tmp_path / "merged" / "config.json").read_text())
    assert written["model_type"] == "llama" and written["dtype"] == "float32"
    assert (tmp_path / "merged" / "tokenizer_config.json").read_bytes() == (
        family["base"] / "tokenizer_config.json"
    ).read_bytes()
    assert "merge_method: ties" in (tmp_path / "merged" / "corta_merge.yaml").read_text()
    model = LlamaForCausalLM.from_pretrained(tmp_path / "merged")
    logits = model(torch.tensor([[1, 2, 3]])).logits
    assert logits.shape == (1, 3, 96) and torch.isfinite(logits).all()


def test_dtype_and_shards_follow_the_recipe_and_options(family: dict[str, Path], tmp_path: Path) -> None:
    report = merge(ties_recipe(family, dtype="bfloat16"), tmp_path / "bf16", max_shard_bytes=4_000)
    shards = sorted((tmp_path / "bf16").glob("*.safetensors"))
    assert len(shards) > 1 and (tmp_path / "bf16" / "model.safetensors.index.json").is_file()
    assert {t.dtype for t in tensors_of(tmp_path / "bf16").values()} == {torch.bfloat16}
    assert report.dtype == "bfloat16"
    assert (
        LlamaForCausalLM.from_pretrained(tmp_path / "bf16", dtype="auto").model.embed_tokens.weight.dtype
        == torch.bfloat16
    )


def test_random_drops_are_reproducible_from_the_recipe_seed(family: dict[str, Path], tmp_path: Path) -> None:
    recipe = ties_recipe(family, merge_method="dare_ties")
    runs = [merge({**recipe, "seed": seed}, tmp_path / f"dare{i}") for i, seed in enumerate((5, 5, 6))]
    first, again, other = (tensors_of(r.out_dir)["model.layers.0.mlp.up_proj.weight"] for r in runs)
    assert torch.equal(first, again) and not torch.equal(first, other)


def test_a_model_with_tied_embeddings_lends_its_embedding_as_the_head(
    family: dict[str, Path], tmp_path: Path
) -> None:
    tied = family["system2"]
    tensors = load_file(tied / "model.safetensors")
    embedding = tensors.pop("lm_head.weight") * 0 + tensors["model.embed_tokens.weight"]
    del embedding
    save_file(tensors, tied / "model.safetensors", metadata={"format": "pt"})
    config = json.loads((tied / "config.json").read_text())
    (tied / "config.json").write_text(json.dumps({**config, "tie_word_embeddings": True}))
    recipe = {**ties_recipe(family), "merge_method": "task_arithmetic", "parameters": {}}
    merge(recipe, tmp_path / "merged")
    base, one = tensors_of(family["base"]), tensors_of(family["system1"])
    head = base["lm_head.weight"] + 0.7 * (one["lm_head.weight"] - base["lm_head.weight"])
    head += 0.3 * (tensors["model.embed_tokens.weight"] - base["lm_head.weight"])
    assert torch.allclose(tensors_of(tmp_path / "merged")["lm_head.weight"], head, atol=1e-6)


def grown_vocabulary(family: dict[str, Path], rows: int) -> Path:
    """system2 with `rows` extra tokens (new rows in its embedding and head)."""
    folder = family["system2"]
    tensors = load_file(folder / "model.safetensors")
    for name in ("model.embed_tokens.weight", "lm_head.weight"):
        tensors[name] = torch.cat([tensors[name], torch.randn(rows, tensors[name].shape[1])])
    save_file(tensors, folder / "model.safetensors", metadata={"format": "pt"})
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "vocab_size": config["vocab_size"] + rows}))
    return folder


def test_different_vocabularies_need_a_tokenizer_source(family: dict[str, Path], tmp_path: Path) -> None:
    grown = grown_vocabulary(family, rows=4)
    with pytest.raises(MergeError, match=r"vocabularies differ \(96 vs 100 rows.*set tokenizer_source"):
        merge(ties_recipe(family), tmp_path / "refused")
    assert not (tmp_path / "refused").exists()
    merge(ties_recipe(family, tokenizer_source=str(grown)), tmp_path / "merged")
    merged, source = tensors_of(tmp_path / "merged"), tensors_of(grown)
    assert merged["model.embed_tokens.weight"].shape == (100, 16)
    # The new tokens exist in the tokenizer source only: their rows are that model's, unchanged by the merge.
    assert torch.allclose(merged["lm_head.weight"][96:], source["lm_head.weight"][96:], atol=1e-6)
    assert json.loads((tmp_path / "merged" / "config.json").read_text())["vocab_size"] == 100
    cut = ties_recipe(family, tokenizer_source="base")
    merge(cut, tmp_path / "cut")
    assert tensors_of(tmp_path / "cut")["model.embed_tokens.weight"].shape == (96, 16)


def test_nan_in_a_model_is_refused_naming_the_tensor_and_leaves_nothing(
    family: dict[str, Path], tmp_path: Path
) -> None:
    tensors = load_file(family["system1"] / "model.safetensors")
    tensors["model.layers.1.self_attn.q_proj.weight"][0, 0] = float("nan")
    save_file(tensors, family["system1"] / "model.safetensors", metadata={"format": "pt"})
    with pytest.raises(MergeError, match=r"NaN or Inf in model.layers.1.self_attn.q_proj.weight"):
        merge(ties_recipe(family), tmp_path / "merged")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base", "system1", "system2"]


def test_models_that_do_not_fit_together_are_refused(family: dict[str, Path], tmp_path: Path) -> None:
    config = json.loads((family["system2"] / "config.json").read_text())
    (family["system2"] / "config.json").write_text(json.dumps({**config, "model_type": "qwen2"}))
    with pytest.raises(MergeError, match="different architectures"):
        merge(ties_recipe(family), tmp_path / "a")
    (family["system2"] / "config.json").write_text(json.dumps(config))
    tensors = load_file(family["system2"] / "model.safetensors")
    del tensors["model.layers.1.mlp.down_proj.weight"]
    save_file(tensors, family["system2"] / "model.safetensors", metadata={"format": "pt"})
    with pytest.raises(MergeError, match=r"lacks tensor model\.layers\.1\.mlp\.down_proj\.weight"):
        merge(ties_recipe(family), tmp_path / "b")
    tensors["model.layers.1.mlp.down_proj.weight"] = torch.zeros(16, 8)
    save_file(tensors, family["system2"] / "model.safetensors", metadata={"format": "pt"})
    with pytest.raises(MergeError, match=r"down_proj.weight has different shapes"):
        merge(ties_recipe(family), tmp_path / "c")


def test_a_base_the_models_were_not_tuned_from_is_warned_about(
    family: dict[str, Path], tmp_path: Path
) -> None:
    stranger = save_tiny_llama(tmp_path / "stranger", seed=7)
    recipe = ties_recipe(family)
    recipe["models"][1]["model"] = str(stranger)
    report = merge(recipe, tmp_path / "merged")
    assert len(report.warnings) == 1 and "stranger is far from the base" in report.warnings[0]


def test_method_and_base_rules_are_checked_before_any_work(family: dict[str, Path], tmp_path: Path) -> None:
    without_base = {**ties_recipe(family), "base_model": None}
    with pytest.raises(ConfigError, match="ties merges task vectors and needs base_model"):
        merge(without_base, tmp_path / "a")
    with pytest.raises(ConfigError, match=r"ties: parameters.densty: Extra inputs"):
        merge(ties_recipe(family, parameters={"densty": 0.5}), tmp_path / "b")
    with pytest.raises(ConfigError, match="Unknown merge method 'slerp'"):
        merge(ties_recipe(family, merge_method="slerp"), tmp_path / "c")
    assert not any((tmp_path / name).exists() for name in "abc")


def test_corta_merge_runs_a_recipe_file_and_reports_errors_in_one_line(
    family: dict[str, Path], tmp_path: Path
) -> None:
    import yaml

    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(yaml.safe_dump(ties_recipe(family)))
    runner = CliRunner()
    done = runner.invoke(app, ["merge", str(recipe), str(tmp_path / "out"), "--json"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert report["method"] == "ties" and report["tensors"] == 21 and Path(report["out_dir"]).is_dir()
    again = runner.invoke(app, ["merge", str(recipe), str(tmp_path / "out")])
    assert again.exit_code == 1 and again.stderr.strip().count("\n") == 0
    assert "exists and is not empty" in again.stderr


@pytest.mark.parametrize(
    ("method", "parameters", "densities"),
    [
        ("task_arithmetic", {}, (1.0, 1.0)),
        ("ties", {"normalize": True}, (0.5, 0.8)),
        ("ties", {"normalize": False, "lambda": 0.8}, (0.3, 0.3)),
        ("dare_linear", {}, (1.0, 1.0)),
        ("linear", {}, (1.0, 1.0)),
    ],
)
def test_the_same_recipe_run_by_mergekit_gives_the_same_tensors(
    family: dict[str, Path],
    tmp_path: Path,
    method: str,
    parameters: dict[str, Any],
    densities: tuple[float, float],
) -> None:
    mergekit_config = pytest.importorskip("mergekit.config")
    mergekit_merge = pytest.importorskip("mergekit.merge")
    recipe = ties_recipe(family, merge_method=method, parameters=parameters)
    for entry, density in zip(recipe["models"], densities, strict=True):
        entry["parameters"]["density"] = density
    if method == "linear":
        recipe["base_model"] = None
    merge(recipe, tmp_path / "corta")
    mergekit_recipe = {**recipe, "dtype": "float32"}
    if mergekit_recipe["base_model"] is None:
        del mergekit_recipe["base_model"]
    mergekit_merge.run_merge(
        mergekit_config.MergeConfiguration.model_validate(mergekit_recipe),
        str(tmp_path / "mergekit"),
        options=mergekit_merge.MergeOptions(copy_tokenizer=False, write_model_card=False, quiet=True),
    )
    ours, theirs = tensors_of(tmp_path / "corta"), tensors_of(tmp_path / "mergekit")
    assert set(ours) == set(theirs)
    for name, tensor in ours.items():
        assert torch.allclose(tensor, theirs[name].to(tensor.dtype), atol=1e-6, rtol=0), name


@pytest.fixture
def calibrated_family(tmp_path: Path) -> dict[str, Path]:
    """A base with a real tokenizer (calibration reads text) and two models fine-tuned from it."""
    base = save_tiny_llama(tmp_path / "base", vocab=320, hidden=32, tokenizer=True)
    return {
        "base": base,
        "system1": fine_tuned_copy(base, tmp_path / "system1", seed=1),
        "system2": fine_tuned_copy(base, tmp_path / "system2", seed=2),
    }


@pytest.mark.parametrize(
    ("method", "parameters"),
    [
        ("aim", {"omega": 0.4, "inner_method": "ties", "inner_parameters": {"normalize": True}}),
        ("sens", {"alpha": 0.7, "temperature": 2.0}),
        ("lore", {"mu_ratio": 0.1, "iterations": 5}),
    ],
)
def test_corta_only_methods_merge_with_their_statistics_measured_on_the_calibration_prompts(
    calibrated_family: dict[str, Path], tmp_path: Path, method: str, parameters: dict[str, Any]
) -> None:
    prompts = list(MATH_CALIBRATION_PROMPTS[:2])
    recipe = ties_recipe(calibrated_family, merge_method=method, parameters=parameters)
    recipe["calibration"] = {"prompts": prompts, "max_tokens": 32}
    if method == "lore":
        recipe["base_model"] = None
    merge(recipe, tmp_path / "merged")
    merged = tensors_of(tmp_path / "merged")
    base, one, two = (tensors_of(calibrated_family[k]) for k in ("base", "system1", "system2"))
    stats = None
    if method == "aim":
        stats = CalibrationStats(activations=activation_stats(calibrated_family["base"], prompts, 32))
    elif method == "sens":
        sensitivities = [
            layer_sensitivities(calibrated_family[k], prompts, 32) for k in ("system1", "system2")
        ]
        stats = CalibrationStats(sensitivities=sensitivities)
    chosen = get_method(method)
    validated = chosen.parameters.model_validate(parameters)
    for name, tensor in merged.items():
        group = TensorGroup(
            name, None if method == "lore" else base[name], [one[name], two[name]], [0.7, 0.3], [0.5, 0.8]
        )
        assert torch.allclose(tensor, chosen.merge(group, validated, stats), atol=1e-6), name
    assert not torch.equal(
        merged["model.layers.0.mlp.up_proj.weight"], one["model.layers.0.mlp.up_proj.weight"]
    )


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"inner_method": "ties", "inner_parameters": {"densty": 0.2}}, "densty: Extra inputs"),
        ({"inner_method": "slerp"}, "Unknown merge method 'slerp'"),
        ({"inner_method": "aim"}, "cannot wrap itself"),
    ],
)
def test_aim_checks_its_inner_method_before_any_work(
    family: dict[str, Path], tmp_path: Path, parameters: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        merge(ties_recipe(family, merge_method="aim", parameters=parameters), tmp_path / "out")
    assert not (tmp_path / "out").exists()
