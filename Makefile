# Min plan. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
IDPORTEN_PORT ?= 5001
IDPORTEN_LOGIN_PORT ?= 5002
REGISTER_PORT ?= 5003
HOST ?= 127.0.0.1
APP_URL := http://$(HOST):$(PORT)
ISSUER := http://$(HOST):$(IDPORTEN_PORT)
# The stand-in's login and logout pages have an origin of their own, as ID-porten's do.
IDPORTEN_LOGIN_URL := http://$(HOST):$(IDPORTEN_LOGIN_PORT)
REGISTER_URL := http://$(HOST):$(REGISTER_PORT)
FLASK := FLASK_APP=patient_app OIDC_ISSUER=$(ISSUER) POPULATION_REGISTER_URL=$(REGISTER_URL) $(BIN)/flask
VENDOR := patient_app/static/vendor
STAMPS := .make

.DEFAULT_GOAL := help

.PHONY: help
help: ## Show this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMPS):
	mkdir -p $(STAMPS)

$(STAMPS)/python: pyproject.toml | $(STAMPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# --ignore-scripts: the only install script is vnu-jar's, which downloads a Java runtime from
# GitHub outside the lock file; `make java` installs Debian's instead.
$(STAMPS)/npm: package.json package-lock.json | $(STAMPS)
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	touch $@

$(STAMPS)/translations: $(wildcard patient_app/translations/*/LC_MESSAGES/messages.po) $(STAMPS)/python
	$(BIN)/pybabel compile --use-fuzzy -d patient_app/translations
	touch $@

# Static files with content hashes in their names, gzipped, and a manifest (patient_app/assets.py).
$(STAMPS)/assets: $(shell find patient_app/static -type f -not -path 'patient_app/static/dist/*' 2>/dev/null) patient_app/assets.py $(STAMPS)/python $(STAMPS)/npm
	$(FLASK) build-assets
	touch $@

.PHONY: bootstrap
bootstrap: $(STAMPS)/python $(STAMPS)/npm $(STAMPS)/translations $(STAMPS)/assets ## Install Python and front-end packages, compile translations, build static assets

.PHONY: database
database: bootstrap ## Migrate the database and load the demo people (safe to repeat)
	$(FLASK) db-upgrade
	$(FLASK) seed-demo
	$(FLASK) standin-config instance/standin --app-url $(APP_URL)

.PHONY: run
run: database ## Set everything up and start the stand-in ID-porten and population register, the push worker and the app with demo data
	@echo
	@echo "  Min plan:             $(APP_URL)"
	@echo "  Stand-in ID-porten:   $(ISSUER) (login pages on $(IDPORTEN_LOGIN_URL))"
	@echo "  Stand-in register:    $(REGISTER_URL)"
	@echo "  Demo logins (pick one on the ID-porten page):"
	@$(BIN)/python -c "from patient_app.demo.people import DEMO_PEOPLE; [print(f'    {p.pid}  {p.name}, {p.description}') for p in DEMO_PEOPLE]"
	@echo
	@# Ctrl-C stops every process started here. The trap clears itself first: `kill 0` signals
	@# this shell too, and a trap that ran again on its own signal recursed until it crashed.
	@trap 'trap - EXIT INT TERM; kill 0' EXIT INT TERM; \
	IDPORTEN_STANDIN_PORT=$(IDPORTEN_PORT) IDPORTEN_STANDIN_ISSUER=$(ISSUER) \
	IDPORTEN_STANDIN_LOGIN_PORT=$(IDPORTEN_LOGIN_PORT) IDPORTEN_STANDIN_LOGIN_URL=$(IDPORTEN_LOGIN_URL) \
	IDPORTEN_STANDIN_CLIENTS=instance/standin/clients.json IDPORTEN_STANDIN_PERSONS=instance/standin/persons.json \
	$(BIN)/python -m idporten_standin & \
	POPULATION_REGISTER_STANDIN_PORT=$(REGISTER_PORT) POPULATION_REGISTER_STANDIN_PERSONS=instance/standin/population-register.json \
	$(BIN)/python -m population_register_standin & \
	$(FLASK) push-worker & \
	$(FLASK) run --host $(HOST) --port $(PORT)

.PHONY: migration
migration: bootstrap ## Write a migration for changed models: make migration MESSAGE="add messages"
	rm -f instance/migration-check.sqlite
	DATABASE_URL=sqlite:///$(CURDIR)/instance/migration-check.sqlite $(FLASK) db-revision "$(MESSAGE)"
	rm -f instance/migration-check.sqlite

.PHONY: translations-update
translations-update: $(STAMPS)/python ## Extract texts and update the nn and en catalogues
	$(BIN)/pybabel extract -F babel.cfg -k _l -o patient_app/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i patient_app/translations/messages.pot -d patient_app/translations --no-fuzzy-matching

.PHONY: browser
browser: ## Make sure Debian's Chromium is installed (browser tests need it)
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

# The W3C HTML checker (vnu.jar, from npm into node_modules) runs on Java: the browser tests
# validate every page with it (tests/browser/html_validator.py).
.PHONY: java
java: ## Make sure Debian's Java runtime is installed (the W3C HTML checker in the browser tests needs it)
	@command -v java >/dev/null || (apt-get update -qq && apt-get install -y -qq default-jre-headless)

# nginx ends TLS in front of the app servers in `make cluster` and in tests/production.
.PHONY: nginx
nginx: ## Make sure Debian's nginx is installed (make cluster and the production-shaped tests need it)
	@test -x /usr/sbin/nginx || (apt-get update -qq && apt-get install -y -qq nginx-light) || apt-get install -y -qq nginx

.PHONY: cluster
cluster: bootstrap nginx ## Min plan as production runs it on 127.0.0.1: nginx (TLS) in front of two gunicorn servers, two push workers, PostgreSQL, Redis and the stand-in; Ctrl-C stops it all
	$(BIN)/python tools/cluster.py run

PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres

# Not part of `make test`: timings belong in a benchmark. BENCH_ARGS="--runs 5 --soak 600" etc. (bench/run.py --help).
BENCH_ARGS ?=

# Lighthouse has its own package.json: its ~200 packages (185 MB, a minute of npm ci) are for
# `make bench` only, so `make bootstrap` and `make test` do not install them.
$(STAMPS)/lighthouse: bench/lighthouse/package.json bench/lighthouse/package-lock.json | $(STAMPS)
	npm ci --prefix bench/lighthouse --no-audit --no-fund --loglevel=error
	touch $@

.PHONY: bench
bench: bootstrap browser ## Benchmarks on 127.0.0.1: pages under gunicorn vs a constant page, 100 vs 100,000 plans, Lighthouse, memory, push, reminders; appends bench/RESULTS.md
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk) \
	  || echo "wrk could not be installed: bench/run.py uses its Python load generator"
	@$(MAKE) --no-print-directory $(STAMPS)/lighthouse || echo "Lighthouse could not be installed: the bench runs without it"
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Needs the network (PyPI's and npm's advisory data). Fails on a known vulnerability with a fix;
# offline it warns and passes, except on CI (CI or AUDIT_REQUIRED set), where it fails. README: Dependencies.
.PHONY: audit
audit: bootstrap ## Known vulnerabilities in the Python and npm packages (pip-audit, npm audit); fails when a fix exists
	$(BIN)/python tools/audit_dependencies.py

.PHONY: soak
soak: bootstrap ## Soak test: 50 people for 10 minutes against gunicorn; 5xx, lost or doubled messages, memory growth; appends bench/RESULTS.md (SOAK_ARGS="--short" for a quick check, "--cluster" through nginx to two servers while killing and restarting them)
	@if [[ " $(SOAK_ARGS) " == *" --cluster "* ]]; then $(MAKE) --no-print-directory nginx; fi
	$(BIN)/python bench/soak.py $(SOAK_ARGS)

SOAK_ARGS ?=

.PHONY: test
test: bootstrap browser java nginx audit ## Audit the dependencies, then run every test (SQLite, then the database tests again on PostgreSQL)
	$(BIN)/python -m pytest
	@if pg_isready -q -h 127.0.0.1 -p 5432; then \
	  echo "== The database-backed tests again, on PostgreSQL =="; \
	  DATABASE_URL_TEST=$(PG_TEST_URL) $(BIN)/python -m pytest -m "not browser" tests/views tests/auth tests/unit tests/notify; \
	elif [ -n "$$CI" ]; then echo "PostgreSQL is not running on 127.0.0.1:5432" >&2; exit 1; \
	else echo "PostgreSQL is not running: skipped the PostgreSQL pass (CI runs it)."; fi

.PHONY: clean
clean: ## Remove installed packages and local data
	rm -rf $(VENV) node_modules bench/lighthouse/node_modules $(VENDOR) $(STAMPS) instance
