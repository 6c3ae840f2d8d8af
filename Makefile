# Two commands on a fresh machine with Python 3.11+:
#   make run    set everything up and serve the API on SQLite at http://127.0.0.1:8000
#   make test   set everything up and run the whole test suite
# Set PYTHON=/path/to/python3.x to choose the interpreter.

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
            command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo $$p && break; \
          done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# `make run PORT=8001` serves elsewhere; BASE_URL (used in links) follows it.
PORT ?= 8000
BASE_URL ?= http://127.0.0.1:$(PORT)
DEV_ENV := DEBUG=true ALLOW_PLAIN_HTTP=true
RUN_ENV := $(DEV_ENV) BASE_URL=$(BASE_URL)

.PHONY: install run serve test lint clean bench bench-smoke bench-ab bench-instructions wrk valgrind

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is required (set PYTHON=...)." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	@echo
	@echo "Serving the API at http://127.0.0.1:$(PORT) (development settings, SQLite)."
	@echo "In another terminal, create the first staff user and an API key:"
	@echo "  $(DEV_ENV) $(BIN)/python manage.py create_user you@example.com --password 'choose-one' --superuser"
	@echo "  $(DEV_ENV) $(BIN)/python manage.py create_team 'My team' --owner you@example.com   # prints TEAM_ID"
	@echo "  $(DEV_ENV) $(BIN)/python manage.py create_api_key you@example.com --team TEAM_ID --scope 'sites:provision:*'"
	@echo "Then: curl -H 'Authorization: Bearer <key>' http://127.0.0.1:$(PORT)/api/v1/sites/teams"
	@echo "The admin is at http://127.0.0.1:$(PORT)/admin/"
	@echo
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production: migrate, collect static files, gunicorn with gunicorn.conf.py.
serve: install
	PYTHON=$(BIN)/python scripts/serve

test: install
	$(BIN)/python -m pytest

# The benchmark needs wrk (Debian package), PostgreSQL and Redis on 127.0.0.1, and
# the peer library (the `bench` extra). `make bench` installs wrk and the extra.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	    if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk; \
	    else sudo apt-get update -qq && sudo apt-get install -y -qq wrk; fi; }

bench: install wrk
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m benchmarks.run

bench-smoke: install wrk valgrind
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m benchmarks.run --smoke
	$(BIN)/python -m benchmarks.ab HEAD --sites 200 --rounds 1 --duration 1
	$(BIN)/python -m benchmarks.instructions --smoke

# This checkout against REF, side by side in one run: make bench-ab REF=main~1
bench-ab: install wrk
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m benchmarks.ab $(REF)

# Instructions per read request under valgrind: steady where timings are not.
valgrind:
	@command -v valgrind >/dev/null 2>&1 || { \
	    if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq valgrind; \
	    else sudo apt-get update -qq && sudo apt-get install -y -qq valgrind; fi; }

bench-instructions: install valgrind
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m benchmarks.instructions

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
