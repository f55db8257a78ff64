# Everything a fresh machine with Python 3.11 and pip needs: `make demo`, `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(shell command -v uv 2>/dev/null || echo $(VENV)/bin/uv)
STAMP := $(VENV)/.installed
PORT ?= 8000
EDGE_PORT ?= 6081

.PHONY: install js graphiql app dist demo edge test js-test lint docs docs-serve schema manifest client pins bench bench-edge fuzz clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/bin/uv: | $(VENV)/bin/python
	$(PY) -m pip install --quiet uv

$(STAMP): requirements/dev.txt pyproject.toml | $(VENV)/bin/python $(if $(filter $(VENV)/bin/uv,$(UV)),$(VENV)/bin/uv)
	$(UV) pip install --python $(PY) --quiet -r requirements/dev.txt
	$(UV) pip install --python $(PY) --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# JavaScript (the npm workspace in js/): installed from the committed lock with npm ci, then
# GraphiQL bundled into mizan/static/mizan/graphiql/ (built, never committed). Without
# Node.js >= 20.19 and npm, `make demo` and `make test` go on (GraphiQL then says how to build
# it; the browser and front-end tests skip); `make dist` and CI (MIZAN_REQUIRE_SERVICES=1) stop.
NODE_OK := $(shell node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a==20&&b>=19)?0:1)' 2>/dev/null && command -v npm >/dev/null && echo yes)
NPM_STAMP := js/node_modules/.installed
GRAPHIQL := mizan/static/mizan/graphiql/graphiql.js

$(NPM_STAMP): js/package-lock.json js/package.json $(wildcard js/*/package.json)
	cd js && npm ci
	touch $@

$(GRAPHIQL): $(NPM_STAMP) js/graphiql/build.mjs $(wildcard js/graphiql/src/*)
	cd js && npm run --silent build -w @mizan/graphiql

# The example project's React front end (js/app/, Vite, on the generated client), served by
# its Django views from example_project/demo/static/demo/app/ (built, never committed).
APP := example_project/demo/static/demo/app/app.js

$(APP): $(NPM_STAMP) js/app/vite.config.mjs $(wildcard js/app/src/*) $(wildcard js/example/src/mizan/*.ts js/example/src/mizan/runtime/*.ts)
	cd js && npm run --silent build -w mizan-example-app

ifeq ($(NODE_OK),yes)
js: $(NPM_STAMP)
graphiql: $(GRAPHIQL)
app: $(APP)
else
js graphiql app:
	@echo "Node.js >= 20.19 and npm are not installed: GraphiQL and the example's React app are"
	@echo "not built (the demo serves its server-rendered pages), and the browser tests skip."
	@echo "Install them, then run make $@."
	@if [ "$$MIZAN_REQUIRE_SERVICES" = 1 ]; then exit 1; fi
endif

# The wheel and the sdist as a package index would get them, GraphiQL's bundle inside: built
# (the wheel from the sdist), checked by twine, their contents checked (tests/dist.py: the
# bundle; tests/check_dist.py: every file mizan serves, everything the tests need) and a part
# of the test suite run from the unpacked sdist.
dist: install
	@test "$(NODE_OK)" = yes || { echo "make dist needs Node.js >= 20.19 and npm to bundle GraphiQL."; exit 1; }
	$(MAKE) graphiql
	rm -rf dist
	$(UV) build --quiet --out-dir dist
	$(PY) -m twine check --strict dist/*
	$(PY) -m tests.dist dist
	$(PY) -m tests.check_dist dist

demo: install graphiql app
	cd example_project && ../$(PY) manage.py migrate --noinput
	cd example_project && ../$(PY) manage.py seed_demo --port $(PORT)
	cd example_project && ../$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The example project behind Varnish (mizan's VCL) on 127.0.0.1:$(EDGE_PORT), origin on $(PORT).
edge: install
	@command -v varnishd >/dev/null || { echo "make edge needs Varnish: apt-get install varnish varnish-modules"; exit 1; }
	cd example_project && ../$(PY) manage.py migrate --noinput
	cd example_project && ../$(PY) manage.py seed_demo --port $(EDGE_PORT)
	cd example_project && ../$(PY) manage.py serve_edge --port $(EDGE_PORT) --origin-port $(PORT)

# The tests whose behaviour depends on the database's transactions or the cache backend,
# run again on PostgreSQL and Redis (skipped on a laptop without them, required in CI).
PRODUCTION_TESTS := tests/test_contexts.py tests/test_cache.py tests/test_views.py tests/models \
	tests/test_read_your_writes.py tests/channels/test_live.py

test: install js graphiql app
	$(PY) -m pytest -q $(PYTEST_ARGS)
	@echo "With django-allauth installed (mizan.contrib.allauth):"
	$(PY) -m pytest -q --ds=tests.contrib.allauth.settings tests/contrib/allauth
	@$(PY) -m tests.services postgres redis; status=$$?; \
	if [ $$status -eq 0 ]; then \
		echo "Again on PostgreSQL and Redis:"; \
		$(PY) -m pytest -q --ds=tests.settings_production $(PRODUCTION_TESTS); \
	elif [ $$status -eq 2 ]; then echo "Skipped the PostgreSQL and Redis pass."; \
	else exit 1; fi
	@$(MAKE) --no-print-directory js-test

# The generated client's tests (type check, runtime size, Vitest against a live example
# server): they need Node.js >= 20.19 and npm, skipped without them except in CI.
js-test: install
ifeq ($(NODE_OK),yes)
	@$(MAKE) --no-print-directory $(NPM_STAMP)
	cd js && MIZAN_PYTHON=$(abspath $(PY)) npm test
else
	@if [ "$$MIZAN_REQUIRE_SERVICES" = 1 ]; then \
		echo "The front-end tests need Node.js >= 20.19 and npm (MIZAN_REQUIRE_SERVICES=1)."; exit 1; \
	else echo "Skipped the front-end tests: they need Node.js >= 20.19 and npm."; fi
endif

lint: install
	$(PY) -m ruff check mizan tests example_project bench docgen
	$(PY) -m ruff format --check mizan tests example_project bench docgen
	$(PY) -m mypy

# The documentation site (MkDocs Material); --strict turns any warning (a broken link or
# anchor, a setting without its comment) into a failure. (--quiet would hide them from it.)
docs: install
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict

docs-serve: install
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs serve --dev-addr 127.0.0.1:8001

schema: install
	cd example_project && ../$(PY) manage.py export_graphql_schema --output ../schema.graphql

manifest: install
	cd example_project && ../$(PY) manage.py export_edge_manifest --output edge-manifest.json

# The example project's generated TypeScript/React client (committed; a test checks it).
client: install
	cd example_project && ../$(PY) manage.py export_client --output ../js/example/src/mizan

# Re-resolve the pinned versions after changing pyproject.toml's dependencies.
pins: | $(VENV)/bin/python $(if $(filter $(VENV)/bin/uv,$(UV)),$(VENV)/bin/uv)
	$(UV) pip compile pyproject.toml --extra dev --extra channels --extra redis --extra allauth \
		--python-version 3.11 --no-header -o requirements/dev.txt
	$(UV) pip compile requirements/bench.in -c requirements/dev.txt \
		--python-version 3.11 --no-header -o requirements/bench.txt

# Load tests run against 127.0.0.1 only, each bounded in time (see bench/run.py).
bench: install
	$(UV) pip install --python $(PY) --quiet -r requirements/bench.txt
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(PY) bench/run.py $(BENCH_ARGS)

# Hostile input against a live server (daphne): generated documents and malformed bodies
# over every transport; 0 5xx, 0 non-JSON answers, 0 internal messages (docs/guides/limits.md).
FUZZ_DOCUMENTS ?= 10000
FUZZ_BODIES ?= 3000
fuzz: install
	$(PY) -m tests.fuzz --documents $(FUZZ_DOCUMENTS) --bodies $(FUZZ_BODIES)

# Commit-to-purge latency, stale reads and over-purges behind a real Varnish (docs/guides/edge.md, "Behind Varnish").
bench-edge: install
	$(PY) bench/edge_purge.py

clean:
	rm -rf $(VENV)
