"""The PRM registry: each kind by name, the options it needs, one sentence for what is missing."""

import pytest

from corta.config import Settings
from corta.errors import ConfigError
from corta.models.reward.base import PRM_KINDS, make_prm
from corta.models.reward.judge import JudgePRM
from corta.models.reward.served import ServedPRM


def test_kinds():
    assert set(PRM_KINDS) == {"auto", "judge", "served", "scorer"}


def test_judge_and_served_from_their_options():
    llm = object()
    judge = make_prm("judge", llm=llm, settings=Settings())
    assert isinstance(judge, JudgePRM) and judge.llm is llm
    served = make_prm("served", base_url="http://gpu:8000/v1", model="Qwen/Qwen2.5-Math-PRM-7B", llm=llm)
    assert isinstance(served, ServedPRM) and served.url == "http://gpu:8000/pooling"


def test_missing_options_and_unknown_kinds_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="needs the chat model"):
        make_prm("judge")
    with pytest.raises(ConfigError, match="base_url"):
        make_prm("served", model="m")
    with pytest.raises(ConfigError, match="Unknown PRM kind 'oracle'; known: auto, judge, served, scorer"):
        make_prm("oracle")
    with pytest.raises(ConfigError, match="corta prm train"):
        make_prm("scorer", settings=Settings(cache_dir=tmp_path))


def test_auto_is_the_judge_until_a_scorer_is_trained(tmp_path, monkeypatch):
    from corta.models.reward import scorer

    llm = object()
    assert isinstance(make_prm("auto", llm=llm, settings=Settings(cache_dir=tmp_path)), JudgePRM)
    trained = scorer.default_scorer_path(Settings(cache_dir=tmp_path))
    trained.mkdir(parents=True)
    (trained / scorer.INFO_FILE).write_text("{}")
    monkeypatch.setattr(scorer.ScorerPRM, "load", classmethod(lambda cls, path=None: ("scorer at", path)))
    assert make_prm("auto", llm=llm, settings=Settings(cache_dir=tmp_path)) == ("scorer at", trained)
