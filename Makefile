# covmerge developer targets. `make demo` and `make test` need only cargo.
CARGO ?= cargo
BIN := target/release/covmerge
DEMO := target/demo

.PHONY: bench-check-corpus testdata-rawdata testdata-pysource all build test demo wheel testdata testdata-globs testdata-formats clean fuzz bench bench-peers screenshots

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

## screenshots: the HTML report of the each-mode example in headless Chromium -> docs/html-*.png
screenshots: build
	@bash docs/screenshots.sh $(BIN) target/screenshots

## testdata: regenerate testdata/golden with the real coverage.py, pytest-cov and pytest-xdist (needs PyPI)
testdata:
	bash testdata/regen.sh

## testdata-globs: regenerate testdata/globs/cases.json with the real coverage.py (needs PyPI)
testdata-globs:
	bash testdata/globs-regen.sh

## testdata-formats: regenerate testdata/samples/regen with real coverage.py, gcovr, gcc, lcov, nyc, go (needs PyPI/npm)
testdata-formats:
	bash testdata/formats-regen.sh

## testdata-rawdata: regenerate testdata/rawdata (raw .coverage files of pytest-cov/xdist workers on 3.11 and 3.12, coverage combine + report) and testdata/rawdata-with
testdata-rawdata:
	bash testdata/rawdata-regen.sh
	bash testdata/rawdata-with-regen.sh

## testdata-pysource: regenerate testdata/pysource (coverage.py's multi-line maps, 3.11 and 3.12) and testdata/rawdata-exact
testdata-pysource:
	bash testdata/pysource-regen.sh
	bash testdata/rawdata-exact-regen.sh

## bench-peers: install the tools `make bench` compares against (apt lcov + time + simdjson, coverage.py in a venv, grcov)
bench-peers:
	bash bench/peers.sh

## bench: covmerge vs cat, coverage.py, lcov and grcov on generated corpora; rewrites docs/BENCHMARKS.md
## (not part of `make test`; needs `make bench-peers`; see bench/run.sh for BENCH_* knobs)
bench:
	$(CARGO) build --release --bin covmerge --example gen_corpus --example floor --example floor_json
	bash bench/run.sh

## bench-check-corpus: the generated coverage.py LCOV and JSON equal what the real coverage.py writes for the same data (needs PyPI)
bench-check-corpus:
	bash bench/check_corpus.sh

clean:
	$(CARGO) clean
	rm -rf $(DEMO)

## wheel: the Python package (the covmerge binary, stripped, in a wheel) in target/wheels; needs maturin (pip install maturin)
MATURIN ?= maturin
wheel:
	$(MATURIN) build --release --strip --out target/wheels
