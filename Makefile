# Two commands matter: `make run` (the demo on SQLite) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# The one public address (QR codes, flyers, invite links). The demo follows the address
# it serves; a real installation sets CONCERTED_PUBLIC_BASE_URL to its domain.
PUBLIC_URL ?= $(or $(CONCERTED_PUBLIC_BASE_URL),http://$(HOST):$(PORT))

.PHONY: run deploy serve install install-dev system-deps test test-sqlite test-postgres lint bench mutation-check messages clean

$(VENV)/.installed: requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -r requirements.txt
	# Python 3.11's venv ships setuptools 65, which can't build this pyproject (SPDX license, no bdist_wheel).
	$(PIP) install -q --disable-pip-version-check setuptools==80.9.0
	$(PIP) install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

install-dev: install $(VENV)/.installed-dev system-deps

# Debian packages the tests use: chromium (browser tests), zbar-tools (QR decoding),
# poppler-utils (PDF to PNG/text), postgresql (the PostgreSQL run), DejaVu fonts,
# memcached (the shared rate-limiter drill); caddy, tor, age, curl, faketime, systemd
# (systemd-analyze) for the deploy tests.
system-deps:
	@bash scripts/system-deps

run: install
	$(PY) -Wd manage.py migrate --noinput -v0
	CONCERTED_PUBLIC_BASE_URL=$(PUBLIC_URL) $(PY) manage.py demo
	@echo "  Serving on http://$(HOST):$(PORT)/, public address $(PUBLIC_URL)/ (Ctrl-C to stop)"
	CONCERTED_PUBLIC_BASE_URL=$(PUBLIC_URL) OPENBLAS_NUM_THREADS=1 $(VENV)/bin/gunicorn concerted.wsgi --config python:concerted.gunicorn_conf --bind $(HOST):$(PORT)

# On a Debian 12 server, as root: install or upgrade the production site (docs/DEPLOY.md).
# Debian's python3 runs it: the app gets its own virtual environment under /opt/concerted.
deploy: node_modules/.installed
	python3 -m concerted.ops.deploy $(DEPLOY_ARGS)

test: install-dev
	$(MAKE) --no-print-directory lint
	@# The two databases run side by side (CI has 2 cores and 90 minutes for both);
	@# each run's output is printed whole when it ends.
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

test-sqlite:
	$(PY) -Wall -m pytest -q $(PYTEST_ARGS)

test-postgres:
	bash scripts/with-postgres $(PY) -Wall -m pytest -q $(PYTEST_ARGS)

lint:
	$(VENV)/bin/ruff check concerted bench tests

# Each patch in mutations/ breaks one invariant; the test it names must fail.
mutation-check: install-dev
	$(PY) scripts/mutation_check.py --table docs/SECURITY.md

# Translations (docs/TRANSLATING.md): extract every marked string into the es/de/pt
# catalogs, then compile them. The compiled .mo files are committed, so running the app
# never needs gettext; concerted/core/tests/test_catalogs.py fails if one is stale.
MESSAGES_ARGS := -i node_modules -i .venv -i var -i tests -i bench -i build
messages: install
	$(PY) manage.py makemessages -l es -l de -l pt --no-obsolete $(MESSAGES_ARGS)
	$(PY) manage.py makemessages -d djangojs -l es -l de -l pt --no-obsolete $(MESSAGES_ARGS)
	$(PY) manage.py compilemessages $(MESSAGES_ARGS)

bench: install-dev
	bash scripts/bench-all

clean:
	rm -rf $(VENV) node_modules var
