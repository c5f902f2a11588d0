#!/usr/bin/env bash
# Regenerate testdata/rawdata-exact/: raw coverage.py data where mapping a
# recorded line to "the nearest statement above" gives other numbers than
# coverage.py's multi-line map (the project's first instructions sit on
# continuation lines of excluded statements), from real pytest-cov runs on two
# interpreters, and what the real tools print for them:
#
#   expected/report-m.txt        coverage combine (both raw files) + coverage report -m
#   workers/wA/coverage.{json,lcov}  coverage json and coverage lcov of wA's own run
#                                (functions ending in multi-line statements: FN end lines)
#
#   bash testdata/rawdata-exact-regen.sh
#
# Uses the venvs of testdata/rawdata-regen.sh (same pins), made if missing.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
PROJECT="$HERE/rawdata-exact/project"
OUT="$HERE/rawdata-exact"
log() { printf '[rawdata-exact-regen] %s\n' "$*" >&2; }
die() { printf '[rawdata-exact-regen] ERROR: %s\n' "$*" >&2; exit 1; }

# Interpreters, pins and venvs: shared with the other raw-data regen script.
source "$HERE/rawdata-venvs.sh"

HOSTS="$REGEN/exact-hosts"
rm -rf "$HOSTS" "$REGEN/exact-controller" "$OUT/workers" "$OUT/expected"
mkdir -p "$OUT/workers" "$OUT/expected"

# worker <id> <venv> <tests...>: a CI job with its own checkout root.
worker() {
  local id="$1" venv="$2"; shift 2
  local root="$HOSTS/$id/proj" out="$OUT/workers/$id"
  log "worker $id ($("$venv/bin/python" -c 'import sys; print(sys.version.split()[0])')): $*"
  mkdir -p "$root" "$out"
  cp -a "$PROJECT/." "$root/"
  (cd "$root" && "$venv/bin/python" -m pytest -q -p no:cacheprovider \
      --cov=exactpkg --cov-branch --cov-report= "$@") >"$REGEN/exact-$id.log" 2>&1 \
    || die "pytest failed for $id, see $REGEN/exact-$id.log"
  cp "$root/.coverage" "$out/raw.coverage"
  (cd "$root" && "$venv/bin/coverage" json -q -o "$out/coverage.json")
  (cd "$root" && "$venv/bin/coverage" lcov -q -o "$out/coverage.lcov")
  printf 'ROOT=%s\nPYTHON=%s\n' "$root" \
    "$("$venv/bin/python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')" >"$out/worker.env"
}
worker wA "$REGEN/venv312" tests/test_one.py
worker wB "$REGEN/venv311" tests/test_two.py

ctl="$REGEN/exact-controller"
mkdir -p "$ctl"
cp -a "$PROJECT/exactpkg" "$ctl/"
cat >"$OUT/coveragerc" <<'RC'
[run]
branch = True

[paths]
source =
    exactpkg/
    */exact-hosts/*/proj/exactpkg/
RC
cp "$OUT/coveragerc" "$ctl/.coveragerc"
cp "$OUT/workers/wA/raw.coverage" "$ctl/.coverage.wA"
cp "$OUT/workers/wB/raw.coverage" "$ctl/.coverage.wB"
(cd "$ctl" && "$REGEN/venv312/bin/coverage" combine --keep -q) || die "coverage combine failed"
(cd "$ctl" && "$REGEN/venv312/bin/coverage" report -m) >"$OUT/expected/report-m.txt" || true

# The case must really separate the two rules: some recorded line is
# neither a statement nor excluded in the other worker's report, and the
# nearest statement above it is not the first line of its statement.
"$REGEN/venv312/bin/python" - "$OUT" "$ctl/exactpkg/choose.py" <<'PY'
import json, sqlite3, sys
from coverage.parser import PythonParser
out, src = sys.argv[1:]
parser = PythonParser(filename=src)
parser.parse_source()
report = json.load(open(f"{out}/workers/wB/coverage.json"))["files"]["exactpkg/choose.py"]
stmts = set(report["executed_lines"]) | set(report["missing_lines"])
excluded = set(report["excluded_lines"])
con = sqlite3.connect(f"file:{out}/workers/wA/raw.coverage?mode=ro", uri=True)
ends = {abs(n) for row in con.execute("select fromno, tono from arc") for n in row}
wrong = [n for n in ends if n not in stmts and n not in excluded and
         max((s for s in stmts if s < n), default=None) != parser.first_line(n)
         and parser.first_line(n) not in stmts and any(s < n for s in stmts)]
assert wrong, "the nearest statement above agrees with coverage.py everywhere: the data proves nothing"
print(f"[rawdata-exact-regen] recorded lines the old rule misplaces: {sorted(wrong)}", file=sys.stderr)
PY
{
  echo "coverage.py 7.17.5, pytest-cov 7.1.0, pytest 9.2.0"
  echo "wA: $(grep PYTHON "$OUT/workers/wA/worker.env"), tests/test_one.py"
  echo "wB: $(grep PYTHON "$OUT/workers/wB/worker.env"), tests/test_two.py"
  echo "expected/: coverage combine --keep + coverage report -m with Python 3.12, coveragerc as .coveragerc"
} >"$OUT/VERSIONS.txt"
log "done: $OUT"
