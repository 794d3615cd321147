"""Chaos (issue 10): the LLM server SIGKILLed mid-reply. One restart and one retry complete the reply, each token
once, for the client, a plain request and the API's stream; a reply that cannot go on, or a dead server, is one
sentence. The benchmark `benchmarks/chaos.py` repeats these with random kill points."""

import pytest

from tests.hardening.chaos.llm_killed import (
    api_server_dead,
    api_stream_killed,
    chat_killed,
    stream_cannot_go_on,
    stream_killed,
)

pytestmark = pytest.mark.chaos


@pytest.mark.parametrize(
    "kill_after", [0, 1, 6], ids=["before-the-request", "after-the-first-piece", "halfway"]
)
def test_a_stream_whose_server_dies_is_completed_after_one_restart(tmp_path, kill_after):
    outcome = stream_killed(tmp_path, kill_after)
    assert outcome.clean, outcome.notes


def test_a_request_whose_server_dies_mid_reply_is_retried_once(tmp_path):
    outcome = chat_killed(tmp_path, kill_after_s=0.2)
    assert outcome.clean, outcome.notes


@pytest.mark.parametrize("case", ["no_restart", "dies_again", "differs"])
def test_a_stream_that_cannot_go_on_ends_in_one_sentence(tmp_path, case):
    outcome = stream_cannot_go_on(tmp_path, case)
    assert outcome.clean and outcome.sentences == 1, outcome.notes


def test_the_apis_stream_survives_the_servers_death(tmp_path):
    outcome = api_stream_killed(tmp_path, kill_after=4)
    assert outcome.clean, outcome.notes


def test_the_front_door_says_one_sentence_when_the_server_is_dead_for_good(tmp_path):
    outcome = api_server_dead(tmp_path)
    assert outcome.clean and outcome.sentences == 2, outcome.notes
