# covmerge developer targets. `make demo` and `make test` need only cargo.
CARGO ?= cargo
BIN := target/release/covmerge
DEMO := target/demo

.PHONY: all build test demo testdata testdata-formats clean fuzz bench bench-peers

all: build

build:
	$(CARGO) build --release

## test: formatting, lints, unit tests and the golden tests against real coverage.py output
test:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings
	$(CARGO) test

## fuzz: random and mutated inputs for every reader, FUZZ_SECONDS each (debug build: overflow checks on)
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(CARGO) test --test fuzz -- --nocapture fuzz_every_reader

## demo: record the bundled example workers and print the combined tables (load and each mode)
demo: build
	@bash testdata/examples/demo.sh $(BIN) $(DEMO)

## testdata: regenerate testdata/golden with the real coverage.py, pytest-cov and pytest-xdist (needs PyPI)
testdata:
	bash testdata/regen.sh

## testdata-formats: regenerate testdata/samples/regen with real coverage.py, gcovr, gcc, lcov, nyc, go (needs PyPI/npm)
testdata-formats:
	bash testdata/formats-regen.sh

## bench-peers: install the tools `make bench` compares against (apt lcov + time, coverage.py in a venv, grcov)
bench-peers:
	bash bench/peers.sh

## bench: covmerge vs cat, coverage.py, lcov and grcov on generated corpora; rewrites docs/BENCHMARKS.md
## (not part of `make test`; needs `make bench-peers`; see bench/run.sh for BENCH_* knobs)
bench:
	$(CARGO) build --release --bin covmerge --example gen_corpus
	bash bench/run.sh

clean:
	$(CARGO) clean
	rm -rf $(DEMO)
