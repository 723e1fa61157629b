# Fixer — `make setup`, `make test`, `make serve`. Every target is idempotent.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: setup docker sandbox-image browser postgres lint test serve demo bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# A running Docker engine, the offline base image and the default sandbox image.
docker:
	bash scripts/docker-up.sh

sandbox-image: docker
	bash sandbox_images/build.sh default

# Headless Chromium for the run-page browser test.
browser:
	bash scripts/browser-up.sh

# PostgreSQL for the several-workers tests (the default database is SQLite).
postgres:
	bash scripts/postgres-up.sh >/dev/null

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

test: setup sandbox-image browser postgres lint
	$(BIN)/pytest -q

serve: setup
	$(BIN)/fixer serve

# The whole flow offline: local GitHub, Slack and model emulations, the real sandbox.
demo: setup sandbox-image
	$(BIN)/fixer demo

# Every benchmark in turn; a table, and all figures in bench/results.json.
bench: setup sandbox-image
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
