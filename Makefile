# The two commands of the README. Both install what they need first (scripts/setup.sh).
.PHONY: run test lint bench

run:
	scripts/setup.sh
	.venv/bin/corta app

test:
	scripts/setup.sh dev
	scripts/install_browser.sh
	.venv/bin/ruff check corta tests benchmarks
	.venv/bin/python -m pytest -ra

bench:
	scripts/setup.sh
	.venv/bin/python benchmarks/llm_overhead.py
