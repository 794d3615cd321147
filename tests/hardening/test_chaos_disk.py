"""Chaos (issue 10): the disk fills while an evaluation, its report or a merged model is written, on a real 2 MiB
tmpfs. The user gets one sentence, nothing at a final name is incomplete, nothing partial is left, and yesterday's
artefacts are intact."""

import pytest

from tests.hardening.chaos.disk_full import mount_methods, on_small_filesystem

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.skipif(
        not mount_methods(),
        reason="this machine lets a test mount no tmpfs, neither as root nor in a user namespace (unshare)",
    ),
]


@pytest.mark.parametrize("free_bytes", [0, 8192], ids=["no-room", "8-KiB-left"])
def test_an_evaluation_and_its_report_on_a_full_disk(tmp_path, free_bytes):
    outcome = on_small_filesystem("report", tmp_path, free_bytes)
    assert outcome.clean and outcome.sentences >= 1, outcome.notes


@pytest.mark.parametrize("free_bytes", [0, 40960], ids=["no-room", "40-KiB-left"])
def test_a_merge_on_a_full_disk(tmp_path, free_bytes):
    outcome = on_small_filesystem("merge", tmp_path, free_bytes)
    assert outcome.clean and outcome.sentences == 1, outcome.notes


def test_corta_merge_on_a_full_disk_says_one_sentence(tmp_path):
    outcome = on_small_filesystem("merge_cli", tmp_path, 0)
    assert outcome.clean and outcome.sentences == 1, outcome.notes


@pytest.mark.skipif("unshare" not in mount_methods(), reason="user namespaces (unshare) are not allowed here")
def test_the_report_scenario_also_runs_in_a_user_namespace(tmp_path):
    outcome = on_small_filesystem("report", tmp_path, 0, how="unshare")
    assert outcome.clean and outcome.sentences >= 1, outcome.notes
