# Fixer — `make setup`, `make test`, `make serve`. Every target is idempotent.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
# The lock: what the service image runs, and that plus the dev tools for `make setup` and CI.
LOCK := requirements.txt
DEV_LOCK := requirements-dev.txt
# No index in the lock files: pip's own configuration on each machine says where to look.
PIP_COMPILE = $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(LOCK_FLAGS)

.PHONY: setup bootstrap-venv lock lock-check lock-upgrade audit wheels docker sandbox-image browser postgres \
	lint test serve demo bench clean

setup: $(VENV)/.installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Exactly the locked versions, hashes checked, nothing resolved: a new venv gets the whole
# lock (pip first, so the rest installs with the locked pip); after that pip-sync installs
# what changed and removes what the lock no longer names. The project goes in editable on top.
$(VENV)/.installed: pyproject.toml $(LOCK) $(DEV_LOCK) | $(BIN)/python
	$(BIN)/python scripts/lock_check.py
	test -x $(BIN)/pip-sync || $(MAKE) --no-print-directory bootstrap-venv
	$(BIN)/pip-sync --quiet --pip-args=--no-deps $(DEV_LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

bootstrap-venv: | $(BIN)/python
	awk '/^pip==/ {p = 1; print; next} p && /^ +--hash/ {print; next} {p = 0}' $(DEV_LOCK) \
	  > $(VENV)/pip.lock
	$(BIN)/pip install --quiet --require-hashes --no-deps -r $(VENV)/pip.lock
	$(BIN)/pip install --quiet --require-hashes --no-deps -r $(DEV_LOCK)

# pyproject.toml and the lock agree (offline, instant); `make test` starts with it.
lock-check: | $(BIN)/python
	$(BIN)/python scripts/lock_check.py

# After editing pyproject.toml's dependencies: re-resolve, keeping every pin still in range.
# The image's lock first, then the dev lock constrained to the same versions.
lock: | $(BIN)/python
	test -x $(BIN)/pip-compile || $(MAKE) --no-print-directory bootstrap-venv
	$(PIP_COMPILE) --build-deps-for=wheel --output-file=$(LOCK) pyproject.toml
	$(PIP_COMPILE) --all-build-deps --extra=dev --constraint=$(LOCK) --output-file=$(DEV_LOCK) pyproject.toml
	$(BIN)/python scripts/lock_check.py

# Newest releases within pyproject.toml's ranges: all of them, or `PACKAGE=name` alone.
lock-upgrade:
	$(MAKE) lock LOCK_FLAGS="$(if $(PACKAGE),--upgrade-package=$(PACKAGE),--upgrade)"

# Known vulnerabilities in the locked set, from the advisories PyPI serves. Needs the network,
# so it is its own target and never part of `make test`.
audit: setup
	$(BIN)/pip-audit --strict --progress-spinner=off --disable-pip --require-hashes -r $(DEV_LOCK)

# The image's locked wheels for a build that cannot reach the index (see Dockerfile).
wheels: setup
	$(BIN)/pip download --quiet --require-hashes --no-deps --dest build/wheels -r $(LOCK)

# A running Docker engine, the offline base image and the sandbox images.
docker:
	bash scripts/docker-up.sh

# universal (default + Go, Rust, JDK) builds from default, and build.sh builds that parent
# first: one call builds both. Layer caching makes it a no-op once built.
sandbox-image: docker
	bash sandbox_images/build.sh universal

# Headless Chromium for the run-page browser test.
browser:
	bash scripts/browser-up.sh

# PostgreSQL for the several-workers tests (the default database is SQLite).
postgres:
	bash scripts/postgres-up.sh >/dev/null

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

# Two test processes (pytest-xdist): most of an end-to-end test is waiting on `fixer serve`,
# Docker and the emulations, so two overlap well on two cores. A test file stays on one
# process (its module fixtures are set up once, its tests run in order); every test still
# gets its own port, working directory, database and sandboxes. TEST_WORKERS=0 runs serially.
TEST_WORKERS ?= 2

test: lock-check setup sandbox-image browser postgres lint
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile

serve: setup
	$(BIN)/fixer serve

# The whole flow offline: local GitHub, Slack and model emulations, the real sandbox.
demo: setup sandbox-image
	$(BIN)/fixer demo

# Every benchmark in turn; a table, and all figures in bench/results.json. The host tools the
# benchmarks compare with or drive load from come from Debian's packages (scripts/bench-deps.sh).
bench: setup sandbox-image
	bash scripts/bench-deps.sh
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
