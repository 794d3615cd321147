"""Chaos (issue 10): another process holds the store's SQLite write lock. A write waits the busy timeout, fails with
one sentence (a 503 `store_busy` through the API) having saved nothing half, and goes through once the lock is
released."""

import pytest

from tests.hardening.chaos.sqlite_locked import api_locked, store_locked

pytestmark = pytest.mark.chaos


def test_the_store_gives_up_after_its_busy_timeout_and_writes_a_pair_whole(tmp_path):
    outcome = store_locked(tmp_path, busy_timeout_s=0.5)
    assert outcome.clean and outcome.sentences == 2, outcome.notes


@pytest.mark.parametrize("mid_turn", [False, True], ids=["locked-before", "locked-mid-turn"])
def test_the_tutor_route_answers_503_then_succeeds_once_the_lock_is_released(tmp_path, mid_turn):
    outcome = api_locked(tmp_path, busy_timeout_s=0.5, mid_turn=mid_turn)
    assert outcome.clean and outcome.sentences == 1, outcome.notes
