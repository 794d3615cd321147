# The two commands of the README. Both install what they need first (scripts/setup.sh).
.PHONY: run test bench chaos

run:
	scripts/setup.sh
	.venv/bin/corta app

test:
	scripts/setup.sh dev
	scripts/install_browser.sh
	.venv/bin/ruff check corta tests benchmarks scripts
	.venv/bin/python -m pytest -ra

bench:
	scripts/setup.sh
	.venv/bin/python benchmarks/llm_overhead.py

# Hardening at full size (about 45 minutes; `make test` runs a reduced version of each): the sandbox red team, 10^4
# fuzz cases per parser test, the chaos scenarios 20 times each, and 50 API users for 5 minutes.
chaos:
	scripts/setup.sh dev
	.venv/bin/python -m pytest -q -p no:cacheprovider tests/hardening/test_sandbox_red_team.py
	.venv/bin/python benchmarks/fuzz.py
	.venv/bin/python benchmarks/chaos.py --repeats 20
	.venv/bin/python benchmarks/api_soak.py --users 50 --duration-s 300
