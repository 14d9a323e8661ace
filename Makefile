# One place for every routine task. Each target bootstraps .venv from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SHARED ?= ../shared

JS_STAMP := tests/js/node_modules/.installed-stamp

.PHONY: venv test check format lint typecheck unit js-deps browser-deps etcd-deps bench bench-transfers-baseline devnet run clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## venv: create .venv with khala and its test tools (then: source .venv/bin/activate).
venv: $(STAMP)

## test: lint, type-check and run every test (what CI runs).
test: lint typecheck unit

## check: the same suite as test; kept as the name STYLE.md uses.
check: test

lint: $(STAMP)
	$(BIN)/ruff format --check src tests tools
	$(BIN)/ruff check src tests tools

typecheck: $(STAMP)
	$(BIN)/mypy src

unit: $(STAMP) $(JS_STAMP) browser-deps etcd-deps
	$(BIN)/pytest -n 2

## browser-deps: headless Chromium and its driver from Debian, for the console's browser test.
browser-deps:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
		command -v apt-get >/dev/null || { echo "the console test needs chromium and chromedriver"; exit 1; }; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium chromium-driver; }

## etcd-deps: etcd from Debian (etcd-server), for the clustered engine's tests and `khala cluster up`.
etcd-deps:
	@command -v etcd >/dev/null || { \
		command -v apt-get >/dev/null || { echo "the cluster tests need etcd (etcd-server)"; exit 1; }; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -q && $$SUDO apt-get install -y -q etcd-server; }

## js-deps: @polkadot/api (pinned by tests/js/package-lock.json) for the polkadot.js tests.
js-deps: $(JS_STAMP)

$(JS_STAMP): tests/js/package.json tests/js/package-lock.json
	@command -v npm >/dev/null || { echo "npm is required for the polkadot.js tests (Node.js >= 18)"; exit 1; }
	cd tests/js && npm ci --no-audit --no-fund
	touch $(JS_STAMP)

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
	$(MAKE) bench-transfers-baseline
	$(BIN)/khala bench attestation --json | tee bench-results/attestation.json
	$(BIN)/khala bench sync --json | tee bench-results/sync.json
	$(BIN)/khala bench growth --json | tee bench-results/growth.json
	$(BIN)/khala bench rpc --json | tee bench-results/rpc.json
	$(BIN)/khala bench snapshot --json | tee bench-results/snapshot.json
	$(BIN)/khala bench pools --json | tee bench-results/pools.json
	$(BIN)/khala bench devnet --json | tee bench-results/devnet.json
	$(BIN)/khala bench contracts --shared $(SHARED) --json | tee bench-results/contracts.json
	$(MAKE) etcd-deps
	$(BIN)/khala bench cluster --transfers 20000 --senders 32 --connections 8 --json | tee bench-results/cluster.json
	for workers in 1000 10000 30000 100000; do \
		$(BIN)/khala bench tokenomics --workers $$workers --json | tee bench-results/tokenomics-$$workers.json; \
	done
	$(BIN)/khala bench tokenomics --workers 30000 --unresponsive-percent 5 --json | tee bench-results/tokenomics-30000-unresponsive.json

## bench-transfers-baseline: transfers at 10k and 1M accounts, three rounds each alternating
## with a node from TRANSFERS_BASELINE (issue 12's starting commit); the median ratio.
TRANSFERS_BASELINE ?= f328e40^
bench-transfers-baseline: $(STAMP)
	mkdir -p bench-results
	rm -rf bench-results/baseline && git worktree prune
	git worktree add --detach bench-results/baseline $(TRANSFERS_BASELINE)
	$(BIN)/khala bench transfers --accounts 10000,1000000 --baseline-src bench-results/baseline/src --rounds 3 --json | tee bench-results/transfers-scale.json
	rm -rf bench-results/baseline && git worktree prune

## devnet: the whole network on this machine (node, gatekeepers, workers, relayer, console),
## seeded and shown live; data under .khala/devnet (Ctrl-C stops, run again to resume).
devnet: $(STAMP)
	$(BIN)/khala devnet

## run: a dev chain node with its data under .khala/ and JSON-RPC on 127.0.0.1:9944.
run: $(STAMP)
	$(BIN)/khala node --dev --base-path .khala --rpc-port 9944

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis bench-results tests/js/node_modules
