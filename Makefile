# reportflow — every command a developer or operator needs. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(PYTHON) -m uv
QUEUES ?= high,default,bulk,notifications,engine
CONCURRENCY ?= 2
PORT ?= 8000
BIND ?= 127.0.0.1:$(PORT)
WEB_WORKERS ?= 2
VAR_DIR ?= var
PYTEST_ARGS ?=
FLOWER_ADDRESS ?= 127.0.0.1
FLOWER_PORT ?= 5555

# One command per supervised process. `make web`, `make worker` and `make beat` exec it, so
# the process a supervisor starts and signals is gunicorn or Celery itself, not a wrapper.
WEB = $(VENV)/bin/gunicorn config.wsgi --bind $(BIND) --workers $(WEB_WORKERS) --access-logfile -
WORKER = $(VENV)/bin/celery -A config worker --loglevel INFO --queues $(QUEUES) --concurrency $(CONCURRENCY)
BEAT = $(VENV)/bin/celery -A config beat --loglevel INFO --schedule $(VAR_DIR)/celerybeat-schedule

.DEFAULT_GOAL := help
.PHONY: help install install-runtime run web worker beat migrate db test test-fast test-chaos bench lint fmt audit token admin demo worker-health flower

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

install: $(VENV)/.installed-dev ## .venv with the runtime and the development dependencies, as uv.lock says

install-runtime: $(VENV)/.installed-runtime ## .venv with the runtime dependencies only (what `make run` needs)

# --compile-bytecode: every process (each gunicorn worker, each pool process) then loads the
# libraries' bytecode instead of compiling their sources, which it cannot cache where
# PYTHONDONTWRITEBYTECODE is set or site-packages is read-only.
# Two markers, so switching works both ways: a runtime sync removes the development
# packages (and their marker); a development sync brings them back and satisfies both.
$(VENV)/.installed-runtime: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check "uv>=0.5"
	$(UV) sync --frozen --no-dev --compile-bytecode --python $(PYTHON)
	@rm -f $(VENV)/.installed-dev
	@touch $@

$(VENV)/.installed-dev: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check "uv>=0.5"
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	@touch $(VENV)/.installed-runtime $@

# `make run` serves plain http on 127.0.0.1, so it does not redirect to https (README, "Deploying"),
# and the admin console's session and CSRF cookies are not https-only there.
run: export SECURE_SSL_REDIRECT ?= false
run: export SECURE_COOKIES ?= false
run: install-runtime migrate ## web + worker + beat on http://127.0.0.1:$PORT (8000); Ctrl-C stops all three
	exec $(PY) scripts/run_all.py "web=$(WEB)" "worker=$(WORKER)" "beat=$(BEAT)"

web: install-runtime ## the web process: gunicorn on BIND (127.0.0.1:$PORT); WEB_WORKERS=2
	exec $(WEB)

worker: install-runtime ## a Celery worker; QUEUES=high,default,bulk,notifications,engine CONCURRENCY=2
	exec $(WORKER)

worker-health: ## exit 0 while this host's worker heartbeat file is fresh, 1 otherwise (a liveness probe)
	@$(PY) scripts/worker_health.py

flower: install-runtime ## Flower, the Celery monitor, against the configured broker on FLOWER_ADDRESS:FLOWER_PORT
	exec $(VENV)/bin/celery -A config flower --address=$(FLOWER_ADDRESS) --port=$(FLOWER_PORT)

beat: install-runtime ## the scheduler, Celery beat (exactly one per deployment)
	exec $(BEAT)

migrate: install-runtime ## apply database migrations
	$(PY) manage.py migrate --no-input

db: install-runtime ## create the PostgreSQL database DATABASE_URL names, if it does not exist
	$(PY) scripts/create_database.py

test: install lint ## lint, then the whole suite (unit, integration, API, e2e)
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: install ## unit tests only: no services needed
	$(PY) -m pytest tests/unit -q

test-chaos: install ## fault-injection suite on real processes (CHAOS_SIZE=full for the full size)
	CHAOS=1 $(PY) -m pytest tests/chaos -v -p no:cacheprovider

bench: install ## reportflow beside the naive references on PostgreSQL + Redis (PARTS=submit,drain BASELINE=<commit> BENCH_ARGS=...)
	$(PY) -m bench $(if $(PARTS),--parts $(PARTS)) $(if $(BASELINE),--baseline $(BASELINE)) $(BENCH_ARGS)

lint: install ## ruff, mypy, import-linter (the layering contracts)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy domain application adapters config
	$(VENV)/bin/lint-imports

fmt: install ## format and autofix
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

audit: install ## known vulnerabilities in every locked package (exceptions: audit-exceptions.toml)
	UV="$(UV)" $(PY) scripts/audit.py

# The shell sets USER to the login name, so only a USER given on the command line (or
# TOKEN_USER) names the token's user; the name goes through the environment, unquoted by make.
token: export TOKEN_USER := $(or $(TOKEN_USER),$(if $(filter command line,$(origin USER)),$(USER)))
token: install-runtime ## issue an API token for USER=name (created if needed), last line; ROTATE=1 revokes its others
	@if [ -z "$${TOKEN_USER//[[:space:]]/}" ]; then echo "make token: say whose token it is: make token USER=alice" >&2; exit 2; fi
	@$(PY) manage.py issue_token "$$TOKEN_USER" $(if $(filter 1 yes true,$(ROTATE)),--rotate)

# As for `make token`: only a USER given on the command line (or ADMIN_USER) names the account.
admin: export ADMIN_USER := $(or $(ADMIN_USER),$(if $(filter command line,$(origin USER)),$(USER)))
admin: install-runtime ## a staff superuser USER=name for the console at /admin/; asks its password (or PASSWORD=...)
	@if [ -z "$${ADMIN_USER//[[:space:]]/}" ]; then echo "make admin: name the account: make admin USER=alice" >&2; exit 2; fi
	@$(PY) manage.py create_operator "$$ADMIN_USER"

demo: export REPORTFLOW_URL ?= http://127.0.0.1:$(PORT)
demo: install-runtime ## upload samples/sample.csv to a running `make run`, print job and result
	$(PY) scripts/demo.py
