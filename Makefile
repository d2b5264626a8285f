# Two commands for a new user: `make run` and `make test`. Everything else is installed here.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install assets run test test-fast typecheck lint format bench loadtest demo clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/dist/.built: node_modules/.installed $(VENV)/.installed frontend/build.mjs frontend/plotly-charts.js $(wildcard frontend/scss/*.scss)
	PYTHON=$(abspath $(PY)) npm run --silent build
	touch $@

install: $(VENV)/.installed static/dist/.built

assets: static/dist/.built

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py loaddata framework socialvalue
	$(PY) manage.py generate_demo_data --scale 0.05 --demo-users
	@# The task queue's worker (large spend imports) in the background, the server in front;
	@# Ctrl-C stops both.
	$(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

bench: install
	$(PY) bench/run.py

loadtest: install
	$(PY) -m bench.loadtest

# The whole suite, browser tests included, on SQLite (or DATABASE_URL's PostgreSQL), one
# pytest-xdist worker a core: each worker has its own test database (test_<name>_gw0, ...).
test: install
	$(VENV)/bin/pytest -n auto

# The edit-test loop: no browser tests, SQLite (DATABASE_URL ignored), one worker a core.
test-fast: $(VENV)/.installed
	env -u DATABASE_URL $(VENV)/bin/pytest -m "not browser" -n auto

# mypy with django-stubs; which modules are strict is set in pyproject.toml ([tool.mypy]).
typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy .

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Back up the database (SQLite or DATABASE_URL's PostgreSQL) to backups/; prints path and size.
.PHONY: backup restore
backup: $(VENV)/.installed
	$(PY) manage.py backup

# make restore FILE=backups/... [FORCE=1]: restore into an empty database (FORCE replaces one).
restore: $(VENV)/.installed
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=backups/<file> [FORCE=1]" >&2; exit 2; }
	$(PY) manage.py restore "$(FILE)" $(if $(FORCE),--force)

clean:
	rm -rf static/dist staticfiles node_modules $(VENV) db.sqlite3
