# The two commands of the README: `make run` serves the shop, `make test` runs the suite.
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PYTHON ?= python3
export FLASK_APP := wsgi

.PHONY: run test fuzz lint bench bench-scale audit install install-dev db seed clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

db: install
	$(BIN)/flask db upgrade

seed: db
	$(BIN)/flask seed-demo

run: seed
	@echo ""
	@echo "  The shop:      http://$(HOST):$(PORT)/"
	@echo "  An owner:      $(BIN)/flask create-admin you@example.com --role owner"
	@echo "  The admin:     http://$(HOST):$(PORT)/admin/login"
	@echo ""
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: install-dev db
	$(BIN)/pytest

# Every form fuzzed with 400 cases instead of `make test`'s 50, fresh random ones each run;
# counts of cases and statuses per database go to test-artifacts/fuzz-summary.json.
fuzz: install-dev
	FUZZ_PROFILE=forms-deep $(BIN)/pytest -p no:cacheprovider tests/test_fuzz_forms.py

lint: install-dev
	$(BIN)/ruff check .

# Writes JSON to BENCH_OUT (default test-artifacts/bench.json); BENCH_DATABASE_URL and
# BENCH_REDIS_URL run it against PostgreSQL and Redis.
bench: install-dev
	$(BIN)/python -m benchmarks.run

# Seeds SCALE_SIZES (default S,M) into a separate PostgreSQL database, storefront_scale by
# default (SCALE_DATABASE_URL), and prints latency and bytes of every list and detail page;
# JSON to SCALE_OUT (default test-artifacts/bench-scale.json).
bench-scale: install-dev
	$(BIN)/python -m benchmarks.scale

# Lighthouse (mobile) on the public pages of a freshly seeded shop, then axe and the Nu HTML
# Checker with the cart empty and filled; needs Node and Chromium (and Java for the Nu checker).
audit: install-dev
	$(BIN)/python -m benchmarks.lighthouse
	$(BIN)/python -m benchmarks.standards

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
