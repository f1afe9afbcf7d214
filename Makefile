# Two commands: `make run` starts the bot on the embedded SQLite database,
# `make test` runs every check. Both create the virtual environment on first use.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test console lint catalogs diagram clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,secretariat]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/antragslotse run

console: $(STAMP)
	$(BIN)/antragslotse console

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

catalogs: $(STAMP)
	$(BIN)/python -m locales.sync

diagram: $(STAMP)
	$(BIN)/antragslotse diagram > docs/interview.mmd

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
