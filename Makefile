PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-storage lint bench bench-storage fuzz clean

$(BIN)/cost-agent: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(BIN)/cost-agent

demo: $(BIN)/cost-agent
	$(BIN)/cost-agent demo

test: $(BIN)/cost-agent
	$(BIN)/ruff check agent tools tests bench
	$(BIN)/mypy
	$(BIN)/pytest -q

test-storage: $(BIN)/cost-agent
	$(BIN)/pytest -q tests/storage

lint: $(BIN)/cost-agent
	$(BIN)/ruff check agent tools tests bench
	$(BIN)/mypy

bench: $(BIN)/cost-agent
	$(BIN)/python bench/collection_bench.py

bench-storage: $(BIN)/cost-agent
	$(BIN)/python bench/storage_bench.py

fuzz: $(BIN)/cost-agent
	bench/fuzz_api.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
