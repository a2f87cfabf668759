# The two commands of the README: `make serve` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: serve test install lint

$(BIN)/sandan: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/sandan

# Installs, migrates the embedded SQLite database, loads the demo town once, serves GraphQL.
serve: install
	$(BIN)/sandan serve --demo

# Lint, types, migrations in step with models, then the suite on SQLite and PostgreSQL.
test: install
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/test
