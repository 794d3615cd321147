"""The Long-to-Short pair: System 1 from the base, System 2 from System 1, the paper's recipes on the pair, and a
merge by every method."""

import json
from pathlib import Path

import pytest
import yaml

from corta.datasets.l2s_problems import generate_problems
from corta.errors import ConfigError
from corta.models.merging import l2s_pair
from corta.models.merging.checkpoint import Checkpoint
from corta.models.merging.finetune import fine_tune
from corta.models.merging.l2s_pair import build_pair, merge_pair, write_recipes, write_weight_sweep
from tests.models.merging.tiny_models import save_tiny_llama


def test_the_recipes_are_the_papers_with_the_pair_in_place(tmp_path: Path) -> None:
    written = write_recipes(tmp_path)
    assert sorted(path.stem for path in written) == [
        "aim",
        "dare-ties",
        "lore",
        "sens",
        "task-arithmetic",
        "ties",
    ]
    ties = yaml.safe_load((tmp_path / "recipes" / "ties.yaml").read_text())
    assert ties["base_model"] == "../system1" and ties["models"][0]["model"] == "../system2"
    assert ties["models"][0]["parameters"] == {"weight": 1.0, "density": 0.2} and ties["dtype"] == "float32"
    lore = yaml.safe_load((tmp_path / "recipes" / "lore.yaml").read_text())
    assert "base_model" not in lore and [m["model"] for m in lore["models"]] == ["../system1", "../system2"]


def test_a_pair_is_grown_and_merged_by_every_method(tmp_path: Path) -> None:
    base = save_tiny_llama(tmp_path / "base", vocab=320, hidden=32, tokenizer=True)
    out = tmp_path / "pair"
    reports = build_pair(base, out, tmp_path / "cache", problems=8, short_steps=2, long_steps=3, batch_size=2,
                         progress=False)  # fmt: skip
    assert reports["system1"].steps == 2 and reports["system2"].steps == 3
    assert (out / "pair.json").is_file()
    system1, system2 = Checkpoint(out / "system1"), Checkpoint(out / "system2")
    name = "model.layers.1.mlp.down_proj.weight"
    assert not system1.tensor(name).equal(system2.tensor(name))
    merged = merge_pair(out, progress=False)
    assert sorted(report.out_dir.name for report in merged) == sorted(
        p.stem for p in (out / "recipes").glob("*.yaml")
    )
    for report in merged:
        assert set(Checkpoint(report.out_dir).names) == set(system1.names)
    assert merge_pair(out, progress=False) == []  # made already: skipped


def test_an_interrupted_build_reuses_the_members_already_fine_tuned_with_the_same_steps(
    tmp_path: Path,
) -> None:
    base = save_tiny_llama(tmp_path / "base", vocab=320, hidden=32, tokenizer=True)
    out = tmp_path / "pair"
    build_pair(
        base, out, tmp_path / "cache", problems=8, short_steps=2, long_steps=3, batch_size=2, progress=False
    )
    system1_written = (out / "system1" / "model.safetensors").stat().st_mtime_ns
    system2_written = (out / "system2" / "model.safetensors").stat().st_mtime_ns

    reports = build_pair(base, out, tmp_path / "cache", problems=8, short_steps=2, long_steps=4, batch_size=2,
                         progress=False)  # fmt: skip
    assert (out / "system1" / "model.safetensors").stat().st_mtime_ns == system1_written
    assert (out / "system2" / "model.safetensors").stat().st_mtime_ns != system2_written
    assert reports["system1"].steps == 2 and reports["system2"].steps == 4


def test_a_steps_pair_learns_worked_steps_then_checked_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = save_tiny_llama(tmp_path / "base", vocab=320, hidden=32, tokenizer=True)
    taught: dict[str, list[tuple[str, str]]] = {}

    def recording_fine_tune(source, examples, out_dir, steps, batch_size, progress=True):
        taught[out_dir.name] = examples
        return fine_tune(source, examples, out_dir, steps, batch_size, progress=progress)

    monkeypatch.setattr(l2s_pair, "fine_tune", recording_fine_tune)
    build_pair(base, tmp_path / "pair", tmp_path / "cache", problems=4, short_steps=1, long_steps=1, batch_size=2,
               progress=False, style="steps")  # fmt: skip
    problems = generate_problems(4, seed=l2s_pair.TRAIN_SEED)
    assert taught["system1"] == [(p.question, p.long) for p in problems]
    assert taught["system2"] == [(p.question, p.reflective) for p in problems]
    assert json.loads((tmp_path / "pair" / "pair.json").read_text())["style"] == "steps"


def test_a_weight_sweep_merges_each_point_between_the_pair(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="corta l2s pair"):
        write_weight_sweep(tmp_path, [0.5])
    save_tiny_llama(tmp_path / "system1", seed=1, tokenizer=True)
    save_tiny_llama(tmp_path / "system2", seed=2, tokenizer=True)
    write_recipes(tmp_path)
    with pytest.raises(ConfigError, match="in \\(0, 2\\]"):
        write_weight_sweep(tmp_path, [0.0])
    swept = write_weight_sweep(tmp_path, [0.25, 0.6])
    assert [path.stem for path in swept] == ["task-arithmetic-w0.25", "task-arithmetic-w0.6"]
    merged = merge_pair(tmp_path, [path.stem for path in swept], progress=False)
    assert [report.out_dir.name for report in merged] == ["task-arithmetic-w0.25", "task-arithmetic-w0.6"]
    name = "model.layers.0.mlp.up_proj.weight"
    system1, system2 = (
        Checkpoint(tmp_path / "system1").tensor(name),
        Checkpoint(tmp_path / "system2").tensor(name),
    )
    for weight, report in zip((0.25, 0.6), merged, strict=True):
        expected = system1 + weight * (system2 - system1)
        assert Checkpoint(report.out_dir).tensor(name).float().allclose(expected.float(), atol=1e-6)
