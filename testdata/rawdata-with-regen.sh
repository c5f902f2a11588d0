#!/usr/bin/env bash
# Regenerate testdata/rawdata-with/: raw coverage.py data (real `coverage run`
# of testdata/rawdata-with/project on Python 3.12) of code whose branch lines
# end `with` bodies, the `coverage json` of the first run, and what the real
# `coverage combine` + `coverage report -m` print for pairs of runs.
# tests/rawdata.rs combines one run's raw data with another run's JSON report
# and compares.
#
#   bash testdata/rawdata-with-regen.sh
#
# On Python 3.10+ the tracer records a with body's last line -> the `with`
# line (the context manager's exit) -> the next statement; coverage.py's
# report shows the body's last line -> the next statement. Each run has its
# own checkout root under ${COVMERGE_REGEN_DIR:-/tmp/covmerge-rawdata-regen}
# (the raw files name sources absolutely there); coveragerc maps them.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
PROJECT="$HERE/rawdata-with/project"
OUT="$HERE/rawdata-with"
REGEN="${COVMERGE_REGEN_DIR:-/tmp/covmerge-rawdata-regen}/with-hosts"
eval "$(bash "$HERE/rawdata-pythons.sh")"
PY="${COVMERGE_TEST_PYTHON_3_12:?no Python 3.12 venv}"
export PYTHONDONTWRITEBYTECODE=1 PYTHONHASHSEED=0
unset COVERAGE_FILE COVERAGE_RCFILE COVERAGE_PROCESS_START || true

rm -rf "$REGEN" "$OUT/runs" "$OUT/expected"
mkdir -p "$OUT/runs" "$OUT/expected"
cat >"$OUT/coveragerc" <<'RC'
[run]
branch = True

[paths]
source =
    withpkg/
    */with-hosts/*/proj/withpkg/
RC

for run in r1 r2 r3; do
  root="$REGEN/$run/proj"
  mkdir -p "$root"
  cp -a "$PROJECT/withpkg" "$root/"
  cp "$PROJECT/runs/$run.py" "$root/"
  (cd "$root" && "$PY" -m coverage run --branch --source=withpkg "$run.py" >/dev/null)
  cp "$root/.coverage" "$OUT/runs/$run.coverage"
done
(cd "$REGEN/r1/proj" && "$PY" -m coverage json -q -o "$OUT/runs/r1.json")

# What coverage.py says of r1 with r2, and of r1 with r3.
for other in r2 r3; do
  ctl="$REGEN/controller-$other"
  mkdir -p "$ctl"
  cp -a "$PROJECT/withpkg" "$ctl/"
  cp "$OUT/coveragerc" "$ctl/.coveragerc"
  cp "$OUT/runs/r1.coverage" "$ctl/.coverage.r1"
  cp "$OUT/runs/$other.coverage" "$ctl/.coverage.$other"
  (cd "$ctl" && "$PY" -m coverage combine -q && "$PY" -m coverage report -m) \
    >"$OUT/expected/r1+$other.txt"
done
"$PY" -c 'import sys, coverage; print(f"Python {sys.version.split()[0]}, coverage.py {coverage.__version__}")' \
  >"$OUT/VERSIONS.txt"
echo "[rawdata-with-regen] wrote $OUT" >&2
