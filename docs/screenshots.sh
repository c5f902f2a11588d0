#!/usr/bin/env bash
# `make screenshots`: the HTML report of the bundled each-mode example
# (two workers, CPython 3.11.7 and 3.12.1; sources in testdata/project),
# photographed by headless Chromium into docs/html-index.png and
# docs/html-file.png. Needs Chromium (apt-get install -y chromium) or
# CHROMIUM=/path/to/chrome.
set -euo pipefail
bin=${1:-target/release/covmerge}
out=${2:-target/screenshots}
here=$(cd "$(dirname "$0")/.." && pwd)
browser=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
if [ -z "$browser" ]; then
  echo "make screenshots needs Chromium: apt-get install -y chromium (or set CHROMIUM)" >&2
  exit 1
fi

rm -rf "$out"
shared="$out/covmerge-data"
for worker in "$here"/testdata/examples/each/*/; do
  get() { sed -n "s/^$1=//p" "$worker/worker.env"; }
  "$bin" record -q --data-dir "$shared" \
    --host "$(get HOST)" --platform "$(get PLATFORM)" --worker "$(get WORKER)" \
    --root "$(get ROOT)" --mode "$(get MODE)" "$worker/coverage.json"
done
"$bin" combine -q -m "$shared" --report "html:$out/htmlcov" \
  --source-root "$here/testdata/project" >/dev/null

page=$(sed -n 's/.*href="\([^"]*\)">pkg\/compat.py<.*/\1/p' "$out/htmlcov/index.html")
shoot() { # file url, png, height
  "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --disable-background-networking --user-data-dir="$out/profile" \
    --window-size="1100,$3" --screenshot="$2" "$1" 2>/dev/null >/dev/null
  echo "wrote $2"
}
abs=$(cd "$out/htmlcov" && pwd)
shoot "file://$abs/index.html" "$here/docs/html-index.png" 620
shoot "file://$abs/$page" "$here/docs/html-file.png" 1020
