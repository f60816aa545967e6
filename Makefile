# warroom: `make run` starts the product, `make test` runs the whole suite, `make lint` checks,
# `make bench` runs the benchmarks of bench/ (see bench/README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install messages run test lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP) messages

# Compiled translations (.mo) are build output, made from the .po files in the package.
messages: $(STAMP)
	$(BIN)/python -m warroom.lib.compile_messages src/warroom

run: install
	$(BIN)/warroom setup
	$(BIN)/warroom run

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy src

# BENCH_ARGS e.g. "--database postgres://postgres@127.0.0.1:5432/warroom_bench
#   --redis redis://127.0.0.1:6379/14" (PostgreSQL database, Redis queue)
bench: install
	bench/run_all.sh $(BENCH_ARGS)

format: install
	$(BIN)/ruff check --fix src tests
	$(BIN)/ruff format src tests

clean:
	rm -rf $(VENV) var build *.egg-info
