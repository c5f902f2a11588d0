#!/usr/bin/env bash
# Regenerate testdata/samples/regen/ with the REAL coverage tools, run over
# the small programs in testdata/formats-src/ (the same programs as the
# reference samples; see testdata/samples/PROGRAMS.md).
#
#   bash testdata/formats-regen.sh
#
# Not needed by `make test`: its outputs are checked in, and
# tests/readers.rs reads them like the other samples. At the end it runs
# testdata/producers-regen.sh (multi-worker runs and native merges for
# tests/producers.rs).
#
# Tools: coverage.py and gcovr from PyPI (pinned, in a venv), gcc/gcov from
# the system, nyc from npm (pinned, in the work folder) if npm is present,
# go if installed (apt: golang-go), lcov if installed. A tool that is
# missing is skipped with a message, and its old outputs are kept.
# JaCoCo is skipped: it needs a JDK plus the agent and Ant, slow to set up.
#
# Everything runs under ${COVMERGE_FORMATS_DIR:-/tmp/covmerge-formats}; the
# outputs hold absolute paths under it, so keep the default to get the same
# files again. Each run also writes VERSIONS.txt with the tool versions.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
SRC="$HERE/formats-src"
OUT="$HERE/samples/regen"
WORK="${COVMERGE_FORMATS_DIR:-/tmp/covmerge-formats}"
PY="${COVMERGE_PY:-/root/.pyenv/versions/3.12.1/bin/python3}"
PY_PINS=(coverage==7.17.5 gcovr==8.8)
NYC_PIN="nyc@18.0.0"

export LC_ALL=C.UTF-8 LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1 PYTHONHASHSEED=0
unset COVERAGE_FILE COVERAGE_RCFILE COVERAGE_PROCESS_START || true

rm -rf "$WORK"
mkdir -p "$WORK" "$OUT"
VERSIONS="$OUT/VERSIONS.txt.new"
: > "$VERSIONS"
note() { echo "formats-regen: $*" >&2; }

# ------------------------------------------------------------------ Python tools
"$PY" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q --disable-pip-version-check "${PY_PINS[@]}"
BIN="$WORK/venv/bin"
echo "python $("$PY" -c 'import sys; print(sys.version.split()[0])')" >> "$VERSIONS"
echo "coverage.py $("$BIN/python" -c 'import coverage; print(coverage.__version__)')" >> "$VERSIONS"
echo "gcovr $("$BIN/gcovr" --version | head -1 | awk '{print $2}')" >> "$VERSIONS"

# ------------------------------------------------------------------ coverage.py
# Two runs with contexts, raw data kept (coverage.py 7.14+ deletes parallel
# files when it reports, so they are copied first), then the reports.
cp -r "$SRC/py" "$WORK/py"
(
  cd "$WORK/py"
  "$BIN/coverage" run -p --context=run1 -m shapes.core 5 > /dev/null
  "$BIN/coverage" run -p --context=run2 -m shapes.core -7 > /dev/null
  mkdir raw
  i=0
  for f in $(ls -tr .coverage.*); do i=$((i + 1)); cp "$f" "raw/.coverage.run$i"; done
  "$BIN/coverage" combine -q
  "$BIN/coverage" report -m > report-m.txt
  "$BIN/coverage" json -q -o coverage.json
  "$BIN/coverage" xml -q -o coverage.xml
  "$BIN/coverage" lcov -q -o coverage.lcov
)
rm -rf "$OUT/coveragepy"; mkdir -p "$OUT/coveragepy"
cp "$WORK/py/raw/.coverage.run1" "$WORK/py/raw/.coverage.run2" \
   "$WORK/py/report-m.txt" "$WORK/py/coverage.json" "$WORK/py/coverage.xml" \
   "$WORK/py/coverage.lcov" "$OUT/coveragepy/"

# ------------------------------------------------------------------ gcc, gcov, gcovr
# Run 1: ./calc 4. Run 2: ./calc -3 and ./calc 0 a b c d e.
if command -v gcc > /dev/null && command -v gcov > /dev/null; then
  echo "gcc $(gcc -dumpfullversion)" >> "$VERSIONS"
  mkdir -p "$WORK/c" && cp "$SRC/c/calc.c" "$WORK/c/"
  (
    cd "$WORK/c"
    gcc --coverage -O0 -o calc calc.c
    ./calc 4 > /dev/null
    # -b: without it gcc 12 leaves every branches[] empty; writes calc.gcov.json.gz
    gcov --json-format --branch-probabilities --branch-counts calc.c > /dev/null
    "$BIN/gcovr" --root . --json run1.gcovr.json
    if command -v lcov > /dev/null; then
      lcov -q --capture --directory . --output-file run1.info --test-name run1 \
        --rc lcov_branch_coverage=1 2> /dev/null
    fi
    rm -f calc.gcda
    ./calc -3 > /dev/null; ./calc 0 a b c d e > /dev/null || true
    "$BIN/gcovr" --root . --json run2.gcovr.json
    if command -v lcov > /dev/null; then
      lcov -q --capture --directory . --output-file run2.info --test-name run2 \
        --rc lcov_branch_coverage=1 2> /dev/null
      lcov -q --add-tracefile run1.info --add-tracefile run2.info --output-file merged.info \
        --rc lcov_branch_coverage=1 2> /dev/null
    fi
    "$BIN/gcovr" --root . --add-tracefile run1.gcovr.json --add-tracefile run2.gcovr.json \
      --cobertura-pretty --cobertura merged.gcovr.cobertura.xml --lcov merged.gcovr.info
  )
  rm -rf "$OUT/gcc"; mkdir -p "$OUT/gcc"
  cp "$WORK/c/calc.gcov.json.gz" "$WORK/c/run1.gcovr.json" "$WORK/c/run2.gcovr.json" \
     "$WORK/c/merged.gcovr.cobertura.xml" "$WORK/c/merged.gcovr.info" "$OUT/gcc/"
  if [ -f "$WORK/c/merged.info" ]; then
    echo "lcov $(lcov --version | awk '{print $NF}')" >> "$VERSIONS"
    cp "$WORK/c/run1.info" "$WORK/c/run2.info" "$WORK/c/merged.info" "$OUT/gcc/"
  fi
else
  note "gcc/gcov not found: C samples kept as they are"
fi

# ------------------------------------------------------------------ nyc (Istanbul)
if command -v npm > /dev/null && command -v node > /dev/null; then
  mkdir -p "$WORK/js" && cp "$SRC/js/calc.js" "$SRC/js/test.js" "$WORK/js/"
  (
    cd "$WORK/js"
    echo '{"name": "covdemo", "version": "1.0.0", "private": true}' > package.json
    npm install -s --no-audit --no-fund --no-save "$NYC_PIN" > /dev/null
    NYC=./node_modules/.bin/nyc
    $NYC --silent --temp-dir=.nyc_run1 node test.js > /dev/null
    $NYC --silent --temp-dir=.nyc_run2 node calc.js 0 > /dev/null
    mkdir .nyc_all && cp .nyc_run1/*.json .nyc_run2/*.json .nyc_all/
    $NYC report --temp-dir=.nyc_all --reporter=json --reporter=lcovonly --reporter=cobertura \
      --report-dir=nyc-merged > /dev/null
    $NYC report --temp-dir=.nyc_run1 --reporter=json --report-dir=nyc-run1 > /dev/null
    $NYC report --temp-dir=.nyc_run2 --reporter=json --report-dir=nyc-run2 > /dev/null
  )
  echo "node $(node --version)" >> "$VERSIONS"
  echo "nyc $(node -p "require('$WORK/js/node_modules/nyc/package.json').version")" >> "$VERSIONS"
  rm -rf "$OUT/istanbul"; mkdir -p "$OUT/istanbul"
  cp "$WORK/js/nyc-run1/coverage-final.json" "$OUT/istanbul/run1-coverage-final.json"
  cp "$WORK/js/nyc-run2/coverage-final.json" "$OUT/istanbul/run2-coverage-final.json"
  cp "$WORK/js/nyc-merged/coverage-final.json" "$OUT/istanbul/merged-coverage-final.json"
  cp "$WORK/js/nyc-merged/lcov.info" "$OUT/istanbul/merged-lcov.info"
  cp "$WORK/js/nyc-merged/cobertura-coverage.xml" "$OUT/istanbul/merged-cobertura-coverage.xml"
else
  note "npm/node not found: Istanbul samples kept as they are"
fi

# ------------------------------------------------------------------ Go
if command -v go > /dev/null; then
  echo "$(go version | awk '{print $3}')" >> "$VERSIONS"
  cp -r "$SRC/go" "$WORK/go"
  (
    cd "$WORK/go"
    export GOFLAGS=-mod=mod GOCACHE="$WORK/gocache" GOPATH="$WORK/gopath" GOTOOLCHAIN=local
    go test -covermode=set -coverprofile=cover-set.out ./... > /dev/null
    go test -covermode=count -coverprofile=cover-count.out ./... > /dev/null
    go test -covermode=atomic -coverprofile=cover-atomic.out ./... > /dev/null
    go test -covermode=count -coverpkg=./... -coverprofile=cover-count-coverpkg.out ./... > /dev/null
    go tool cover -func=cover-count-coverpkg.out > cover-count-coverpkg.func.txt
  )
  rm -rf "$OUT/go"; mkdir -p "$OUT/go"
  cp "$WORK/go"/cover-*.out "$WORK/go/cover-count-coverpkg.func.txt" "$OUT/go/"
else
  note "go not found (apt: golang-go): Go samples kept as they are"
fi

mv "$VERSIONS" "$OUT/VERSIONS.txt"
note "wrote $OUT"

# Several workers per producer and each producer's own merge of them.
bash "$HERE/producers-regen.sh"
