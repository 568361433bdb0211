# The two commands the README starts with: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv/bin
ARTICLE ?= examples/seed-article.txt
PUBLISHED_AT ?= 2025-02-20

.PHONY: setup model run test test-fast lint bench clean

.venv/.installed: pyproject.toml constraints.txt scripts/setup.sh scripts/build-llama-server.sh
	bash scripts/setup.sh
	touch $@

setup: .venv/.installed

model: setup
	$(VENV)/backchannel model install

# Extract the seed article on the embedded model; prints the result as the contract's JSON
# (`backchannel extract` alone prints a readable summary on a terminal).
run: model
	$(VENV)/backchannel extract $(ARTICLE) --published-at $(PUBLISHED_AT) --format json

# Everything: lint, the import layers, the generated CLI docs, unit tests on the scripted server
# (the store's on SQLite and on a local PostgreSQL, which scripts/postgres.sh starts; the shared
# cache on Redis, scripts/redis.sh; the pages in headless Chromium), and the real-model end-to-end
# tests. Debian's packages are installed if missing (scripts/debian-packages.sh).
test: model lint
	bash scripts/debian-packages.sh
	BACKCHANNEL_TEST_POSTGRES_URL=$${BACKCHANNEL_TEST_POSTGRES_URL:-$$(bash scripts/postgres.sh)} \
	BACKCHANNEL_TEST_REDIS_URL=$${BACKCHANNEL_TEST_REDIS_URL:-$$(bash scripts/redis.sh)} \
	BACKCHANNEL_E2E=1 $(VENV)/python -m pytest -q -rs

# Unit tests only (no model needed).
test-fast: setup
	$(VENV)/python -m pytest -q -m "not real_model"

lint: setup
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/lint-imports
	$(VENV)/python scripts/cli_docs.py --check

clean:
	rm -rf .venv .pytest_cache
