#!/usr/bin/env bash
# The HTML report's cost against the combine itself, on one generated
# corpus: `bench/html.sh CORPUS [RUNS] [BIN] [INPUT]` (CORPUS from
# `gen_corpus CORPUS 64 1000`, as bench/run.sh makes it; INPUT a folder in
# it, default json: the coverage.py reports; a folder of covmerge data
# files recorded with platforms gives the each-mode report with its
# per-platform columns and marks). Runs in CORPUS so the pages find the
# sources under src/. Prints each run's wall time and the medians: the
# combine alone, then with --report html.
set -euo pipefail
corpus=$(cd "$1" && pwd)
runs=${2:-5}
input=${4:-json}
bin=$(cd "$(dirname "${3:-target/release/covmerge}")" && pwd)/$(basename "${3:-target/release/covmerge}")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$corpus"
wall() { # prints the wall seconds of "$@"
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f\n", b - a}'
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
: >"$out/plain"
: >"$out/html"
for ((i = 0; i < runs; i++)); do
  p=$(wall "$bin" combine -q --map '*/proj/src/=src/' "$input")
  h=$(wall "$bin" combine -q --map '*/proj/src/=src/' "$input" --report "html:$out/htmlcov")
  echo "run $((i + 1)): combine ${p}s, combine + html ${h}s (load $(cut -d' ' -f1 /proc/loadavg))"
  echo "$p" >>"$out/plain"
  echo "$h" >>"$out/html"
done
pages=$(find "$out/htmlcov" -name '*.html' | wc -l)
size=$(du -sh "$out/htmlcov" | cut -f1)
echo "median: combine $(median <"$out/plain")s, combine + html $(median <"$out/html")s; $pages pages, $size (nproc $(nproc))"
