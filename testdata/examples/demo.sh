#!/usr/bin/env bash
# The demo behind `make demo`: each example directory holds the reports of
# workers that ran on different hosts (different checkout roots) and, in
# "each" mode, on different Python versions. Every worker is recorded into
# a shared directory, as `covmerge record` would do on the worker itself,
# then the shared directory is combined.
set -euo pipefail
bin=${1:-target/release/covmerge}
out=${2:-target/demo}
here=$(cd "$(dirname "$0")" && pwd)

rm -rf "$out"
for mode in load each; do
  shared="$out/$mode/covmerge-data"
  for worker in "$here/$mode"/*/; do
    get() { sed -n "s/^$1=//p" "$worker/worker.env"; }
    "$bin" record -q --data-dir "$shared" \
      --host "$(get HOST)" --platform "$(get PLATFORM)" --worker "$(get WORKER)" \
      --root "$(get ROOT)" --mode "$(get MODE)" "$worker/coverage.json"
  done
  echo
  echo "\$ covmerge combine $shared -m        # $mode mode: $(ls "$shared" | wc -l) worker files"
  "$bin" combine --width 90 -m "$shared"
done
echo
echo "\$ covmerge combine $out/each/covmerge-data --platform-diff   # what only one interpreter covers"
"$bin" combine -q --width 90 --header none --platform-diff "$out/each/covmerge-data"

