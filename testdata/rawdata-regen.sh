#!/usr/bin/env bash
# Regenerate testdata/rawdata/: raw coverage.py data files (`.coverage`,
# SQLite) from real pytest-cov + pytest-xdist runs of testdata/rawdata/project
# on two interpreters, and what the real `coverage combine` + `coverage report`
# print for them. tests/rawdata.rs compares covmerge with these files.
#
#   bash testdata/rawdata-regen.sh        (or: make testdata-rawdata)
#
# The project has multi-line statements whose first instruction sits on a
# continuation line, so the tracer records lines and arc ends that are not
# statement starts; coverage.py's report maps them to their statements.
# Temporary files live under ${COVMERGE_REGEN_DIR:-/tmp/covmerge-rawdata-regen};
# the raw files name sources absolutely under that directory.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
PROJECT="$HERE/rawdata/project"
OUT="$HERE/rawdata"
log() { printf '[rawdata-regen] %s\n' "$*" >&2; }
die() { printf '[rawdata-regen] ERROR: %s\n' "$*" >&2; exit 1; }

# Interpreters, pins and venvs: shared with the other raw-data regen script.
source "$HERE/rawdata-venvs.sh"

rm -rf "$REGEN/hosts" "$REGEN/controller" "$OUT/workers" "$OUT/expected"
mkdir -p "$OUT/workers" "$OUT/expected"

# worker <id> <venv> <tests...>: a CI job of its own (own checkout root),
# pytest with two xdist workers; pytest-cov combines them into .coverage.
worker() {
  local id="$1" venv="$2"; shift 2
  local root="$REGEN/hosts/$id/proj" out="$OUT/workers/$id"
  log "worker $id ($("$venv/bin/python" -c 'import sys; print(sys.version.split()[0])')): $*"
  mkdir -p "$root" "$out"
  cp -a "$PROJECT/." "$root/"
  (cd "$root" && "$venv/bin/python" -m pytest -q -n 2 -p no:cacheprovider \
      --cov=mlpkg --cov-branch --cov-report= "$@") >"$REGEN/$id.log" 2>&1 \
    || die "pytest failed for $id, see $REGEN/$id.log"
  cp "$root/.coverage" "$out/raw.coverage"
  (cd "$root" && "$venv/bin/coverage" json -q -o "$out/coverage.json")
  cmp -s "$root/.coverage" "$out/raw.coverage" || die "$id: reporting modified the data file"
  {
    printf 'ROOT=%s\n' "$root"
    printf 'PYTHON=%s\n' "$("$venv/bin/python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
  } >"$out/worker.env"
}
worker wA "$REGEN/venv311" tests/test_one.py
worker wB "$REGEN/venv312" tests/test_two.py

# The combine job: a checkout (the sources), the raw files as uploaded
# artifacts, [paths] mapping the workers' roots onto it.
ctl="$REGEN/controller"
mkdir -p "$ctl"
cp -a "$PROJECT/mlpkg" "$ctl/"
cat >"$OUT/coveragerc" <<'RC'
[run]
branch = True

[paths]
source =
    mlpkg/
    */hosts/*/proj/mlpkg/
RC
cp "$OUT/coveragerc" "$ctl/.coveragerc"
cp "$OUT/workers/wA/raw.coverage" "$ctl/.coverage.wA"
cp "$OUT/workers/wB/raw.coverage" "$ctl/.coverage.wB"
(cd "$ctl" && "$REGEN/venv312/bin/coverage" combine --keep -q) || die "coverage combine failed"
(cd "$ctl" && "$REGEN/venv312/bin/coverage" report -m) >"$OUT/expected/report-m.txt" || true
(cd "$ctl" && "$REGEN/venv312/bin/coverage" report) >"$OUT/expected/report.txt" || true
(cd "$ctl" && "$REGEN/venv312/bin/coverage" report -m --skip-covered --precision=2) \
  >"$OUT/expected/report-skip-covered-precision2.txt" || true

for kind in json lcov; do
  (cd "$ctl" && "$REGEN/venv312/bin/coverage" "$kind" -q -o "$OUT/expected/coverage.$kind") \
    || die "coverage $kind failed"
done

# The multi-line mapping must really be exercised: some recorded arc ends
# are not statement starts in the worker's own report.
"$REGEN/venv312/bin/python" - "$OUT" <<'PY'
import json, sqlite3, sys
out = sys.argv[1]
odd = 0
for w in ("wA", "wB"):
    report = json.load(open(f"{out}/workers/{w}/coverage.json"))["files"]
    con = sqlite3.connect(f"file:{out}/workers/{w}/raw.coverage?mode=ro", uri=True)
    for fid, path in con.execute("select id, path from file"):
        name = "mlpkg/" + path.split("/mlpkg/")[1]
        f = report[name]
        stmts = set(f["executed_lines"]) | set(f["missing_lines"]) | set(f["excluded_lines"])
        for a, b in con.execute("select fromno, tono from arc where file_id = ?", (fid,)):
            odd += (a > 1 and a not in stmts) or (b > 1 and b not in stmts)
assert odd > 0, "no arc ends inside multi-line statements: the test data proves nothing"
print(f"[rawdata-regen] {odd} recorded arc ends inside multi-line statements", file=sys.stderr)
PY
{
  echo "coverage.py 7.17.5, pytest-cov 7.1.0, pytest 9.2.0, pytest-xdist 3.8.0 (-n 2)"
  echo "wA: $(grep PYTHON "$OUT/workers/wA/worker.env"), tests/test_one.py"
  echo "wB: $(grep PYTHON "$OUT/workers/wB/worker.env"), tests/test_two.py"
  echo "expected/: coverage combine --keep + coverage report [args] with Python 3.12, coveragerc as .coveragerc"
} >"$OUT/VERSIONS.txt"
log "done: $OUT"
