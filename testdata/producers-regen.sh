#!/usr/bin/env bash
# Regenerate testdata/producers/ with the REAL coverage tools: several
# workers run different tests of one small project, each writes its
# report(s), and the producer's own merge gives the expected numbers.
# tests/producers.rs compares covmerge's merges of the same inputs with them.
#
#   bash testdata/producers-regen.sh        (also run by formats-regen.sh)
#
# Not needed by `make test`: the outputs are checked in.
#
# Sections (a missing tool skips its section and keeps the old outputs):
#   coveragepy  testdata/project, 3 workers (one test file each), per worker
#               `coverage xml` and `coverage json`; `coverage combine` +
#               `coverage report -m` of the three is the expected table.
#   gcc         testdata/formats-src/c/calc.c, 3 runs; per run geninfo LCOV
#               (lcov), gcovr JSON and gcov JSON; `lcov -a` and
#               `gcovr --add-tracefile` are the native merges.
#   pyexits     testdata/producers/src/py-exits, 2 workers whose branch
#               exits coverage.py's LCOV names in every way it can (function,
#               nested function, except, class, module); per worker
#               `coverage lcov` and `coverage json`; `coverage combine` +
#               `coverage lcov` is the expected LCOV export.
#   istanbul    testdata/formats-src/js, 2 runs under nyc and 2 under c8;
#               `nyc merge` is the native merge.
#
# Everything runs under ${COVMERGE_PRODUCERS_DIR:-/tmp/covmerge-producers};
# the outputs hold absolute paths under it, so keep the default to get the
# same files again. COVMERGE_PRODUCERS_ONLY="gcc istanbul" runs only those.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
OUT="$HERE/producers"
WORK="${COVMERGE_PRODUCERS_DIR:-/tmp/covmerge-producers}"
PY="${COVMERGE_PY:-/root/.pyenv/versions/3.12.1/bin/python3}"
PY_PINS=(coverage==7.17.5 pytest==9.2.0 gcovr==8.8)
NYC_PIN="nyc@18.0.0"
C8_PIN="c8@10.1.3"
ONLY="${COVMERGE_PRODUCERS_ONLY:-coveragepy pyexits gcc istanbul}"

export LC_ALL=C.UTF-8 LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1 PYTHONHASHSEED=0
unset COVERAGE_FILE COVERAGE_RCFILE COVERAGE_PROCESS_START PYTEST_ADDOPTS || true

note() { echo "producers-regen: $*" >&2; }
want() { [[ " $ONLY " == *" $1 "* ]]; }

mkdir -p "$WORK" "$OUT"
if [ ! -x "$WORK/venv/bin/gcovr" ]; then
  "$PY" -m venv "$WORK/venv"
  "$WORK/venv/bin/pip" install -q --disable-pip-version-check "${PY_PINS[@]}"
fi
BIN="$WORK/venv/bin"

# ------------------------------------------------------------------ coverage.py
# Three workers share one directory (as xdist workers on one host do), each
# with its own data file and one test file.
if want coveragepy; then
  rm -rf "$WORK/py" && mkdir -p "$WORK/py"
  cp -r "$HERE/project/pkg" "$HERE/project/tests" "$HERE/project/pytest.ini" "$WORK/py/"
  O="$OUT/coveragepy"; rm -rf "$O"; mkdir -p "$O"
  (
    cd "$WORK/py"
    i=0
    for t in test_core test_misc test_text; do
      i=$((i + 1))
      COVERAGE_FILE=".coverage.w$i" "$BIN/python" -m coverage run --branch --source=pkg \
        -m pytest -q -p no:cacheprovider "tests/$t.py" > /dev/null
      "$BIN/coverage" xml -q --data-file=".coverage.w$i" -o "$O/w$i.xml"
      "$BIN/coverage" json -q --data-file=".coverage.w$i" -o "$O/w$i.json"
      "$BIN/coverage" report -m --data-file=".coverage.w$i" > "$O/w$i-report-m.txt"
      cp ".coverage.w$i" "$O/w$i.coverage"   # raw data (combine deletes it)
    done
    "$BIN/coverage" combine -q .coverage.w1 .coverage.w2 .coverage.w3
    "$BIN/coverage" report -m > "$O/combined-report-m.txt"
    "$BIN/coverage" report > "$O/combined-report.txt"
    "$BIN/coverage" xml -q -o "$O/combined.xml"
    "$BIN/coverage" json -q -o "$O/combined.json"
  )
  echo "coverage.py $("$BIN/python" -c 'import coverage; print(coverage.__version__)'), pytest $("$BIN/python" -c 'import pytest; print(pytest.__version__)')" > "$O/VERSIONS.txt"
fi

# ------------------------------------------------------------------ coverage.py exits
# LCOV names each exit arc by its code object (`return from function 'f'`,
# `exit class 'C'`, ...); a re-export must say the same, and merging the
# workers' LCOV must give what `coverage combine` + `coverage lcov` give.
if want pyexits; then
  rm -rf "$WORK/pyexits" && cp -r "$OUT/src/py-exits" "$WORK/pyexits"
  O="$OUT/pyexits"; rm -rf "$O"; mkdir -p "$O"
  (
    cd "$WORK/pyexits"
    EXITS_VERBOSE=1 COVERAGE_FILE=.coverage.w1 "$BIN/python" -m coverage run --branch --source=exits w1.py > /dev/null
    COVERAGE_FILE=.coverage.w2 "$BIN/python" -m coverage run --branch --source=exits w2.py > /dev/null
    for w in w1 w2; do
      "$BIN/coverage" lcov -q --data-file=".coverage.$w" -o "$O/$w.lcov"
      "$BIN/coverage" json -q --data-file=".coverage.$w" -o "$O/$w.json"
    done
    "$BIN/coverage" combine -q .coverage.w1 .coverage.w2
    "$BIN/coverage" lcov -q -o "$O/combined.lcov"
    "$BIN/coverage" report -m > "$O/combined-report-m.txt"
  )
fi

# ------------------------------------------------------------------ gcc family
# testdata/producers/src/c/stats.c (loops, &&/||, switch, nested ?:), three
# runs; each run's gcda gives geninfo LCOV, gcovr JSON and gcov JSON.
if want gcc && command -v gcc > /dev/null && command -v lcov > /dev/null; then
  rm -rf "$WORK/c" && mkdir -p "$WORK/c" && cp "$OUT/src/c/stats.c" "$WORK/c/"
  O="$OUT/gcc"; rm -rf "$O"; mkdir -p "$O"
  RC=(--rc lcov_branch_coverage=1)
  (
    cd "$WORK/c"
    gcc --coverage -O0 -o stats stats.c
    run() {  # run <worker> <args...>
      local w="$1"; shift
      rm -f stats.gcda
      ./stats "$@" > /dev/null
      lcov -q --capture --directory . --output-file "$O/$w.info" --test-name "$w" "${RC[@]}" 2> /dev/null
      "$BIN/gcovr" --root . --json "$O/$w.gcovr.json" --cobertura-pretty --cobertura "$O/$w.gcovr.xml"
      gcov --json-format --branch-probabilities --branch-counts stats.c > /dev/null
      mv stats.gcov.json.gz "$O/$w.gcov.json.gz"
    }
    run w1 4 7
    run w2 -3 200 12 60 -v
    run w3
    lcov -q -a "$O/w1.info" -a "$O/w2.info" -a "$O/w3.info" -o "$O/lcov-merged.info" "${RC[@]}" 2> /dev/null
    lcov --summary "$O/lcov-merged.info" "${RC[@]}" 2>&1 | grep -v "^Reading" > "$O/lcov-merged.summary.txt"
    "$BIN/gcovr" --root . --add-tracefile "$O/w1.gcovr.json" --add-tracefile "$O/w2.gcovr.json" \
      --add-tracefile "$O/w3.gcovr.json" --json "$O/gcovr-merged.json" --lcov "$O/gcovr-merged.info" \
      --txt-metric branch --txt "$O/gcovr-merged.branches.txt"
    # What lcov -a makes of gcovr's own LCOV next to geninfo's (block ids differ).
    "$BIN/gcovr" --root . --add-tracefile "$O/w1.gcovr.json" --lcov "$O/w1.gcovr.info"
    lcov -q -a "$O/w1.gcovr.info" -a "$O/w2.info" -o "$O/lcov-mixed-w1gcovr-w2.info" "${RC[@]}" 2> /dev/null
    for f in lcov-mixed-w1gcovr-w2 gcovr-merged; do
      lcov --summary "$O/$f.info" "${RC[@]}" 2>&1 | grep -v "^Reading" > "$O/$f.summary.txt"
    done
  )
  { echo "gcc $(gcc -dumpfullversion)"; echo "lcov $(lcov --version | awk '{print $NF}')";
    "$BIN/gcovr" --version | head -1; } > "$O/VERSIONS.txt"
fi

# ------------------------------------------------------------------ Istanbul
# testdata/producers/src/js: `node run.js wN` under nyc and under c8 (two
# workers each, different branches taken); `nyc merge` of the raw files
# and `nyc report` of the merged set are the native merges.
if want istanbul && command -v npm > /dev/null && command -v node > /dev/null; then
  rm -rf "$WORK/js" && mkdir -p "$WORK/js" && cp "$OUT/src/js/lib.js" "$OUT/src/js/run.js" "$WORK/js/"
  O="$OUT/istanbul"; rm -rf "$O"; mkdir -p "$O"
  (
    cd "$WORK/js"
    echo '{"name": "covdemo", "version": "1.0.0", "private": true}' > package.json
    npm install -s --no-audit --no-fund --no-save "$NYC_PIN" "$C8_PIN" > /dev/null
    for w in w1 w2; do
      ./node_modules/.bin/nyc --silent --temp-dir=".nyc_$w" node run.js "$w"
      ./node_modules/.bin/nyc report --temp-dir=".nyc_$w" --reporter=json --reporter=lcovonly \
        --report-dir="nyc-$w" > /dev/null
      cp "nyc-$w/coverage-final.json" "$O/nyc-$w.json"
      cp "nyc-$w/lcov.info" "$O/nyc-$w.info"
      ./node_modules/.bin/c8 --reporter=json --reporter=lcovonly --report-dir="c8-$w" \
        --temp-directory=".c8_$w" node run.js "$w"
      cp "c8-$w/coverage-final.json" "$O/c8-$w.json"
      cp "c8-$w/lcov.info" "$O/c8-$w.info"
    done
    mkdir merge-in && cp "$O/nyc-w1.json" merge-in/a.json && cp "$O/nyc-w2.json" merge-in/b.json
    ./node_modules/.bin/nyc merge merge-in "$O/nyc-merged.json" > /dev/null
    mkdir c8-in && cp "$O/c8-w1.json" c8-in/a.json && cp "$O/c8-w2.json" c8-in/b.json
    ./node_modules/.bin/nyc merge c8-in "$O/c8-nyc-merged.json" > /dev/null
    for m in nyc-merged c8-nyc-merged; do
      mkdir -p "rep-$m" && cp "$O/$m.json" "rep-$m/out.json"
      ./node_modules/.bin/nyc report --temp-dir="rep-$m" --reporter=lcovonly --reporter=text-summary \
        --report-dir="rep-$m/out" > "$O/$m.summary.txt"
      cp "rep-$m/out/lcov.info" "$O/$m.info"
    done
    # lcov -a on c8's tracefiles: keyed by c8's per-run numbering.
    if command -v lcov > /dev/null; then
      lcov -q -a "$O/c8-w1.info" -a "$O/c8-w2.info" -o "$O/c8-lcov-add.info" --rc lcov_branch_coverage=1 2> /dev/null
      lcov --summary "$O/c8-lcov-add.info" --rc lcov_branch_coverage=1 2>&1 | grep -v "^Reading" > "$O/c8-lcov-add.summary.txt"
    fi
    { echo "node $(node --version)"; echo "nyc $(node -p "require('./node_modules/nyc/package.json').version")";
      echo "c8 $(node -p "require('./node_modules/c8/package.json').version")"; } > "$O/VERSIONS.txt"
  )
fi

note "wrote $OUT"
