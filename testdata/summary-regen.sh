#!/usr/bin/env bash
# Regenerate testdata/summary/: what the real tools report as their
# summaries of the checked-in C, JavaScript and Go samples, so that
# tests/summary.rs can check `covmerge --format summary` against them.
#
#   bash testdata/summary-regen.sh
#
# Not needed by `make test` (the outputs are checked in). Tools: lcov 1.16
# (apt: lcov), gcovr 8.8 (PyPI, in a venv), go (apt: golang-go). A missing
# tool is skipped with a message and its old outputs are kept.
#
# Each case is one line of testdata/summary/cases.tsv:
#   tool <TAB> expected output <TAB> covmerge inputs (space-separated, under testdata/)
# The tool read the same files (or its own merge of them, named in the
# script below) as covmerge reads.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
OUT="$HERE/summary"
S="$HERE/samples"
WORK="${COVMERGE_SUMMARY_DIR:-/tmp/covmerge-summary}"
PY="${COVMERGE_PY:-python3}"
export LC_ALL=C.UTF-8 LANG=C.UTF-8
note() { echo "summary-regen: $*" >&2; }

rm -rf "$WORK"; mkdir -p "$WORK" "$OUT"
CASES="$OUT/cases.tsv.new"
: > "$CASES"
[ -f "$OUT/cases.tsv" ] && keep_old=1 || keep_old=0
VERSIONS="$OUT/VERSIONS.txt.new"
: > "$VERSIONS"

# ------------------------------------------------------------------ lcov
# --summary gives found/hit of each measure for the whole tracefile; a
# tracefile with two records of one file (lcov -a output) is merged by it.
lcov_case() { # name, lcov's input, covmerge's inputs...
  local name=$1 input=$2; shift 2
  # Without the "Reading tracefile <absolute path>" line: it names this checkout.
  lcov --summary "$S/$input" --rc lcov_branch_coverage=1 2>&1 | grep -v '^Reading tracefile' \
    > "$OUT/lcov-$name.txt"
  printf 'lcov\tlcov-%s.txt\t%s\n' "$name" "$*" >> "$CASES"
}
if command -v lcov > /dev/null; then
  echo "lcov $(lcov --version | awk '{print $NF}')" >> "$VERSIONS"
  # covmerge merges the two runs itself; lcov -a made merged.info from them.
  lcov_case gcc-regen-merged regen/gcc/merged.info "samples/regen/gcc/run1.info samples/regen/gcc/run2.info"
  lcov_case gcc-regen-run1 regen/gcc/run1.info "samples/regen/gcc/run1.info"
  lcov_case gcc-geninfo-merged lcov/gcc-lcov-add-merged.info \
    "samples/lcov/gcc-geninfo-run1.info samples/lcov/gcc-geninfo-run2-checksum.info"
  lcov_case clang-llvm-cov lcov/clang-llvm-cov-merged.info "samples/lcov/clang-llvm-cov-merged.info"
  lcov_case nyc-merged lcov/nyc-merged-lcov.info "samples/lcov/nyc-merged-lcov.info"
  lcov_case gcovr-lcov lcov/gcovr-merged.info "samples/lcov/gcovr-merged.info"
else
  note "lcov not found (apt: lcov): lcov cases kept as they are"
fi

# ------------------------------------------------------------------ gcovr
# --json-summary: per file and total, found ("total") and hit ("covered").
if "$PY" -m venv "$WORK/venv" && "$WORK/venv/bin/pip" install -q --disable-pip-version-check gcovr==8.8; then
  GCOVR="$WORK/venv/bin/gcovr"
  echo "gcovr $("$GCOVR" --version | head -1 | awk '{print $2}')" >> "$VERSIONS"
  gcovr_case() { # name, dir under samples, tracefiles...
    local name=$1 dir=$2; shift 2
    local args=() inputs=()
    for f in "$@"; do args+=(--add-tracefile "$f"); inputs+=("samples/$dir/$f"); done
    (cd "$S/$dir" && "$GCOVR" --root . "${args[@]}" --json-summary-pretty \
      --json-summary "$OUT/gcovr-$name.json")
    # The root gcovr writes is relative to where it ran: not a fact of the data.
    "$PY" - "$OUT/gcovr-$name.json" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d.pop("root", None)
open(p, "w").write(json.dumps(d, indent=2, sort_keys=True) + "\n")
PY
    printf 'gcovr\tgcovr-%s.json\t%s\n' "$name" "${inputs[*]}" >> "$CASES"
  }
  gcovr_case regen-merged regen/gcc run1.gcovr.json run2.gcovr.json
  gcovr_case regen-run2 regen/gcc run2.gcovr.json
  gcovr_case reference-merged gcovr-json run1.gcovr.json run2.gcovr.json
else
  GCOVR=
  note "could not install gcovr: gcovr cases kept as they are"
fi

# ------------------------------------------------------------------ two C files
# A program of two translation units run as two CI jobs, so that per-file
# numbers are checked on more than one file: each job's lcov and gcovr
# captures are kept as covmerge's inputs (testdata/summary/c-multi/), and
# lcov -a / gcovr --add-tracefile of the same captures give the expected
# summaries (lcov --list adds lcov's per-file view).
if command -v gcc > /dev/null && command -v lcov > /dev/null && [ -n "${GCOVR:-}" ]; then
  echo "gcc $(gcc -dumpfullversion)" >> "$VERSIONS"
  mkdir -p "$WORK/c-multi" && cp "$HERE/formats-src/c-multi/"* "$WORK/c-multi/"
  (
    cd "$WORK/c-multi"
    gcc --coverage -O0 -o shapes main.c shapes.c
    capture() { # job name
      lcov -q --capture --directory . --output-file "$1.info" --test-name "$1" \
        --rc lcov_branch_coverage=1 2> /dev/null
      "$GCOVR" --root . --json "$1.gcovr.json"
      rm -f ./*.gcda
    }
    ./shapes s 4 > /dev/null; ./shapes t 3 > /dev/null
    capture job1
    ./shapes x 50 > /dev/null; ./shapes s -1 > /dev/null; ./shapes > /dev/null 2>&1 || true
    capture job2
    lcov -q -a job1.info -a job2.info -o merged.info --rc lcov_branch_coverage=1 2> /dev/null
    lcov --summary merged.info --rc lcov_branch_coverage=1 2>&1 | grep -v '^Reading tracefile' \
      > "$OUT/lcov-c-multi.txt"
    lcov --list merged.info --rc lcov_branch_coverage=1 2>&1 | grep -v '^Reading tracefile' \
      > "$OUT/lcov-c-multi.list.txt"
    "$GCOVR" --root . --add-tracefile job1.gcovr.json --add-tracefile job2.gcovr.json \
      --json-summary-pretty --json-summary "$OUT/gcovr-c-multi.json"
    # The text reports' Missing columns: lines never run, lines with a
    # branch never taken.
    "$GCOVR" --root . --add-tracefile job1.gcovr.json --add-tracefile job2.gcovr.json \
      --txt "$OUT/gcovr-c-multi.txt"
    "$GCOVR" --root . --add-tracefile job1.gcovr.json --add-tracefile job2.gcovr.json \
      --txt-metric branch --txt "$OUT/gcovr-c-multi.branch.txt"
  )
  "$PY" - "$OUT/gcovr-c-multi.json" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d.pop("root", None)
open(p, "w").write(json.dumps(d, indent=2, sort_keys=True) + "\n")
PY
  rm -rf "$OUT/c-multi"; mkdir -p "$OUT/c-multi"
  cp "$WORK/c-multi/job1.info" "$WORK/c-multi/job2.info" \
     "$WORK/c-multi/job1.gcovr.json" "$WORK/c-multi/job2.gcovr.json" "$OUT/c-multi/"
  printf 'lcov\tlcov-c-multi.txt\t%s\n' "summary/c-multi/job1.info summary/c-multi/job2.info" >> "$CASES"
  printf 'lcov-list\tlcov-c-multi.list.txt\t%s\n' "summary/c-multi/job1.info summary/c-multi/job2.info" >> "$CASES"
  printf 'gcovr\tgcovr-c-multi.json\t%s\n' "summary/c-multi/job1.gcovr.json summary/c-multi/job2.gcovr.json" >> "$CASES"
  printf 'gcovr-txt\tgcovr-c-multi.txt\t%s\n' "summary/c-multi/job1.info summary/c-multi/job2.info" >> "$CASES"
  printf 'gcovr-txt-branch\tgcovr-c-multi.branch.txt\t%s\n' "summary/c-multi/job1.gcovr.json summary/c-multi/job2.gcovr.json" >> "$CASES"
else
  note "gcc, lcov or gcovr missing: the two-file C case is kept as it is"
fi

# ------------------------------------------------------------------ go
# go tool cover -func needs the module's sources: run it in a copy of the
# program the profiles were made from.
if command -v go > /dev/null; then
  echo "$(go version | awk '{print $3}')" >> "$VERSIONS"
  cp -r "$HERE/formats-src/go" "$WORK/go"
  for p in cover-set cover-count cover-atomic cover-count-coverpkg; do
    (cd "$WORK/go" && GOFLAGS=-mod=mod GOCACHE="$WORK/gocache" GOPATH="$WORK/gopath" \
      GOTOOLCHAIN=local go tool cover -func="$S/regen/go/$p.out") > "$OUT/go-$p.func.txt"
    printf 'go\tgo-%s.func.txt\t%s\n' "$p" "samples/regen/go/$p.out" >> "$CASES"
  done
else
  note "go not found (apt: golang-go): Go cases kept as they are"
fi

# Cases of tools that were skipped stay as they were.
if [ "$keep_old" = 1 ]; then
  for tool in lcov lcov-list gcovr gcovr-txt gcovr-txt-branch go; do
    grep -q "^$tool	" "$CASES" || grep "^$tool	" "$OUT/cases.tsv" >> "$CASES" || true
  done
fi
mv "$CASES" "$OUT/cases.tsv"
mv "$VERSIONS" "$OUT/VERSIONS.txt"
note "wrote $OUT"
