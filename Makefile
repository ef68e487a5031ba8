# The two commands: `make run` and `make test`. Everything else supports them; `make test-fast`
# is the developer's quick lane.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# pytest-xdist workers of `make test`'s in-process tests (`make test-fast` uses every core).
TEST_WORKERS ?= 2
# pytest caches its assertion-rewritten test modules in __pycache__; with bytecode writing off
# (PYTHONDONTWRITEBYTECODE=1 in some shells) every run and every xdist worker rewrites all of
# them again: most of a minute of collection on a busy 2-core machine.
unexport PYTHONDONTWRITEBYTECODE
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-fast install system-packages translations messages lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip >/dev/null

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/pybabel compile -d nattvandring/translations -D messages --statistics

# After changing user-facing texts: extract them and merge into the English catalog.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		-o nattvandring/translations/messages.pot .
	$(BIN)/pybabel update -i nattvandring/translations/messages.pot -d nattvandring/translations \
		-l en --no-fuzzy-matching --width 100

run: install
	$(BIN)/nattvandring db upgrade
	$(BIN)/nattvandring demo --if-empty
	$(BIN)/nattvandring serve --host $(HOST) --port $(PORT)

# Every test runs: a missing browser or an out-of-order journey fails instead of skipping.
# The in-process tests run on $(TEST_WORKERS) xdist workers; then the browser journeys
# (tests/e2e) and the slow tests that start real servers and threads, on two workers: one
# runs the journeys one at a time in file order, the other the HTTPS deployments and the
# server and thread tests one at a time (tests/support/scheduling.py). The journeys wait on
# the browser and the servers much of the time, so the other worker's tests fit beside them.
test: install system-packages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	NATTVANDRING_E2E_REQUIRED=1 $(BIN)/python -m pytest -n $(TEST_WORKERS) --ignore=tests/e2e \
		-m "not slow" $(PYTEST_ARGS)
	NATTVANDRING_E2E_REQUIRED=1 $(BIN)/python -m pytest -n 2 --dist loadgroup \
		-m "slow or e2e" $(PYTEST_ARGS)

# The quick lane while developing: no browser, no slow tests, no system packages, no ruff;
# every core (pytest-xdist). PYTEST_ARGS narrows it, e.g. PYTEST_ARGS=tests/booking.
test-fast: install
	$(BIN)/python -m pytest -n auto --ignore=tests/e2e -m "not slow" -q $(PYTEST_ARGS)

# The browser journeys (tests/e2e): Debian's Chromium, its Swedish UI (date and time fields
# in åååå-mm-dd and 24 hours) and fonts for the screenshots; for the HTTPS journeys, nginx in
# front of gunicorn as deployed and openssl for their self-signed certificate. Installed with
# apt-get when missing; NATTVANDRING_E2E_CHROMIUM names another browser instead.
system-packages:
	@missing=""; \
	if [ -z "$$NATTVANDRING_E2E_CHROMIUM" ]; then \
	  [ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	  [ -f /usr/lib/chromium/locales/sv.pak ] || missing="$$missing chromium-l10n"; \
	fi; \
	[ -d /usr/share/fonts/truetype/dejavu ] || missing="$$missing fonts-dejavu-core"; \
	[ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "make test needs Debian packages:$$missing (apt-get install them as root;" \
	      "NATTVANDRING_E2E_CHROMIUM may name another Chromium or Chrome)"; \
	    exit 1; \
	  fi; \
	fi

# mypy reads [tool.mypy] in pyproject.toml: the nattvandring package (tests are not checked).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The load generator is wrk (Debian's package), installed with apt-get when missing. A
# PostgreSQL run too: make bench BENCH_ARGS="--postgres postgresql://.../empty_db".
bench: install
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; \
	  else \
	    echo "make bench needs Debian's wrk (apt-get install wrk as root)"; exit 1; \
	  fi; }
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
