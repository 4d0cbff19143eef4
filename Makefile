# The two set-up commands of the README: `make run` (install, migrate, load courses, demo users, serve) and
# `make test` (install the test tools, pass the tests). Everything lands in .venv; nothing is installed by hand.

VENV   ?= .venv
PYTHON ?= python3
PY      = $(VENV)/bin/python
FLASK   = $(VENV)/bin/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000
PYTEST_ARGS ?= -n 2

.PHONY: install install-test translations system-deps migrate demo run test test-postgres bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# The browser libraries of package.json (scorm-again, the SCORM player's run-time API), exactly as package-lock.json
# pins them, into node_modules/ (git-ignored), from where the LMS serves them.
NODE_DEPS = $(if $(wildcard package.json),node_modules/.package-lock.json)

install: $(VENV)/.installed translations $(NODE_DEPS)

install-test: $(VENV)/.installed-test translations $(NODE_DEPS)

node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --omit=dev --no-audit --no-fund; \
	else echo "npm is missing: install Node.js and npm, then run make install again (the SCORM player needs them)." >&2; fi

# Compiled catalogues are build products (git-ignored): made from the .po files at every install.
translations: $(VENV)/.installed
	$(VENV)/bin/pybabel compile --use-fuzzy -d lms/translations -D messages --statistics 2>&1 | tail -n 1

# Debian's Chromium for the browser tests and PostgreSQL for the second database run; only as root (CI, or a
# developer's container), and only what is missing. Elsewhere the browser tests skip and say why.
system-deps:
	@if [ "$$(id -u)" = "0" ] && { [ ! -x /usr/bin/chromium ] || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium postgresql >/dev/null; \
	fi

migrate: install
	$(FLASK) lms db upgrade

demo: migrate
	$(FLASK) lms courses sync courses
	$(FLASK) lms demo-users

run: demo
	@echo "Serving the LMS on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(VENV)/bin/gunicorn --workers 2 --bind $(HOST):$(PORT) --access-logfile - wsgi:app

test: install-test system-deps
	$(PY) -m pytest $(PYTEST_ARGS)

# The same suite on a real PostgreSQL server, started on loopback for the run (scripts/pg-test-server).
test-postgres: install-test system-deps
	bash scripts/pg-test-server run $(PY) -m pytest $(PYTEST_ARGS)

bench: install-test
	$(PY) bench/pages.py

clean:
	rm -rf $(VENV) instance .pytest_cache node_modules
	find lms -name '*.mo' -delete
