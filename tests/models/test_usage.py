"""The usage ledger's totals."""

from corta.models.usage import CallUsage, UsageLedger


def test_summary_and_by_purpose_add_up():
    ledger = UsageLedger()
    ledger.record(CallUsage("expand", "m", 10, 5, 1.0))
    ledger.record(CallUsage("expand", "m", 20, 15, 2.0))
    ledger.record(CallUsage("prm", "m", 30, 1, 0.5, ok=False))
    assert ledger.summary() == {
        "calls": 3,
        "failed_calls": 1,
        "prompt_tokens": 60,
        "completion_tokens": 21,
        "latency_s": 3.5,
    }
    assert ledger.by_purpose()["expand"] == {
        "calls": 2,
        "prompt_tokens": 30,
        "completion_tokens": 20,
        "latency_s": 3.0,
    }
    assert CallUsage("x", "m", 0, 10, 2.0).tokens_per_s == 5.0


def test_a_ledger_that_keeps_the_newest_calls_bounds_its_memory_but_the_file_gets_all(tmp_path):
    ledger = UsageLedger(tmp_path / "usage.jsonl", keep=3)
    for number in range(10):
        ledger.record(CallUsage(f"call-{number}", "m", 1, 1, 0.1))
    assert 3 <= len(ledger.calls) <= 6 and ledger.calls[-1].purpose == "call-9"
    assert len((tmp_path / "usage.jsonl").read_text().splitlines()) == 10
