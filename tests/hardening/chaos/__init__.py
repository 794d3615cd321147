"""The chaos scenarios of issue 10, each driven for real (a SIGKILLed server or evaluation, a second process holding
SQLite's write lock, a full tmpfs): `tests/hardening/test_chaos_*.py` run each once in CI, `benchmarks/chaos.py` runs
each many times and counts what went wrong. Every driver returns an `Outcome`."""
