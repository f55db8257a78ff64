# Everything a fresh machine with Python 3.11 and pip needs: `make demo`, `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(shell command -v uv 2>/dev/null || echo $(VENV)/bin/uv)
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: install demo test lint schema pins bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/bin/uv: | $(VENV)/bin/python
	$(PY) -m pip install --quiet uv

$(STAMP): requirements/dev.txt pyproject.toml | $(VENV)/bin/python $(if $(filter $(VENV)/bin/uv,$(UV)),$(VENV)/bin/uv)
	$(UV) pip install --python $(PY) --quiet -r requirements/dev.txt
	$(UV) pip install --python $(PY) --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

demo: install
	cd example_project && ../$(PY) manage.py migrate --noinput
	cd example_project && ../$(PY) manage.py seed_demo --port $(PORT)
	cd example_project && ../$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PY) -m pytest -q $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check mizan tests example_project bench
	$(PY) -m ruff format --check mizan tests example_project bench
	$(PY) -m mypy

schema: install
	cd example_project && ../$(PY) manage.py export_graphql_schema --output ../schema.graphql

# Re-resolve the pinned versions after changing pyproject.toml's dependencies.
pins: | $(VENV)/bin/python $(if $(filter $(VENV)/bin/uv,$(UV)),$(VENV)/bin/uv)
	$(UV) pip compile pyproject.toml --extra dev --extra channels --extra redis \
		--python-version 3.11 --no-header -o requirements/dev.txt

# Load tests run against 127.0.0.1 only, each bounded in time (see bench/run.py).
bench: install
	$(UV) pip install --python $(PY) --quiet -r requirements/bench.txt
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV)
