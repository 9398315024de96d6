# reportflow — every command a developer or operator needs. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(PYTHON) -m uv
QUEUES ?= reports,default
CONCURRENCY ?= 2
PYTEST_ARGS ?=
FLOWER_ADDRESS ?= 127.0.0.1
FLOWER_PORT ?= 5555

.DEFAULT_GOAL := help
.PHONY: help install run web worker beat migrate test test-fast test-chaos bench lint fmt token demo worker-health flower

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: $(VENV)/.installed ## create .venv exactly as uv.lock says (idempotent)

$(VENV)/.installed: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check "uv>=0.5"
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

run: install migrate ## web + worker + beat on http://127.0.0.1:8000 (Ctrl-C stops all)
	$(VENV)/bin/honcho start -f Procfile

web: install ## the web process alone (gunicorn)
	$(VENV)/bin/honcho start -f Procfile web

worker: install ## a worker alone; QUEUES=reports,default CONCURRENCY=2
	QUEUES=$(QUEUES) CONCURRENCY=$(CONCURRENCY) $(VENV)/bin/honcho start -f Procfile worker

beat: install ## the scheduler alone (run exactly one per deployment)
	$(VENV)/bin/honcho start -f Procfile beat

worker-health: ## exit 0 while this host's worker heartbeat file is fresh, 1 otherwise (a liveness probe)
	@$(PY) scripts/worker_health.py

flower: install ## Flower, the Celery monitor, against the configured broker on FLOWER_ADDRESS:FLOWER_PORT
	exec $(VENV)/bin/celery -A config flower --address=$(FLOWER_ADDRESS) --port=$(FLOWER_PORT)

migrate: install ## apply database migrations
	$(PY) manage.py migrate --no-input

test: install lint ## lint, then the whole suite (unit, integration, API, e2e)
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: install ## unit tests only: no services needed
	$(PY) -m pytest tests/unit -q

test-chaos: install ## fault-injection suite on real processes (CHAOS_SIZE=full for the full size)
	CHAOS=1 $(PY) -m pytest tests/chaos -v -p no:cacheprovider

bench: install ## report engine throughput and peak memory, as ratios to a reference run alongside
	$(PY) bench/report_engine.py $(BENCH_ARGS)

lint: install ## ruff, mypy, import-linter (the layering contracts)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy domain application adapters config
	$(VENV)/bin/lint-imports

fmt: install ## format and autofix
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

token: install ## create USER if needed and print its API token (last line)
	@$(PY) manage.py issue_token "$(USER)"

demo: install ## upload samples/sample.csv to a running `make run`, print job and result
	$(PY) scripts/demo.py
