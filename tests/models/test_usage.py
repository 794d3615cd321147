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
