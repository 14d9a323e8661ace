# One place for every routine task. Each target bootstraps .venv from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SHARED ?= ../shared

.PHONY: test check format lint typecheck unit bench run clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## test: lint, type-check and run every test (what CI runs).
test: lint typecheck unit

## check: the same suite as test; kept as the name STYLE.md uses.
check: test

lint: $(STAMP)
	$(BIN)/ruff format --check src tests tools
	$(BIN)/ruff check src tests tools

typecheck: $(STAMP)
	$(BIN)/mypy src

unit: $(STAMP)
	$(BIN)/pytest

## format: apply ruff's formatter and safe fixes.
format: $(STAMP)
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

## bench: run every benchmark and write JSON results under bench-results/.
bench: $(STAMP)
	mkdir -p bench-results
	$(BIN)/khala bench codec --json | tee bench-results/codec.json
	$(BIN)/khala bench trie --json | tee bench-results/trie.json
	$(BIN)/khala bench transfers --json | tee bench-results/transfers.json
	$(BIN)/khala bench attestation --json | tee bench-results/attestation.json
	$(BIN)/khala bench sync --json | tee bench-results/sync.json
	for workers in 1000 10000 30000 100000; do \
		$(BIN)/khala bench tokenomics --workers $$workers --json | tee bench-results/tokenomics-$$workers.json; \
	done

## run: a dev chain node with its data under .khala/ and JSON-RPC on 127.0.0.1:9944.
run: $(STAMP)
	$(BIN)/khala node --dev --base-path .khala --rpc-port 9944

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis bench-results
