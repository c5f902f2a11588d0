#!/usr/bin/env bash
# `make bench-check-corpus`: is the generated coverage.py corpus what the real
# coverage.py writes? For each worker of a small `coveragepy`-shaped corpus,
# bench/make_sqlite.py turns the worker's executed lines and arcs into a real
# coverage.py data file; the real `coverage combine` (with the corpus's
# [paths]), `coverage lcov` and `coverage json` then report it from the
# generated sources. The generator's LCOV must be byte-identical to
# `coverage lcov`'s, and its JSON report equal (as JSON) to `coverage json`'s,
# summaries, function and class regions and totals included.
#
# Environment: CHECK_WORKERS [4], CHECK_MODULES [10], CHECK_FUNCS [1 and 4],
#              CHECK_DIR [/tmp/covmerge-corpus-check], PYTHON [python3]
# Needs PyPI (coverage==7.17.5 into a venv under CHECK_DIR).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${CHECK_DIR:-/tmp/covmerge-corpus-check}
WORKERS=${CHECK_WORKERS:-4}
MODULES=${CHECK_MODULES:-10}
FUNCS=${CHECK_FUNCS:-"1 4"}
PIN=coverage==7.17.5
VENV=$DIR/venv

mkdir -p "$DIR"
if [ "$(cat "$VENV/.pin" 2>/dev/null)" != "$PIN" ]; then
    rm -rf "$VENV"
    "${PYTHON:-python3}" -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check "$PIN"
    echo "$PIN" >"$VENV/.pin"
fi
(cd "$ROOT" && cargo build -q --release --example gen_corpus </dev/null)
GEN=$ROOT/target/release/examples/gen_corpus

failed=0
for funcs in $FUNCS; do
    corpus=$DIR/corpus-f$funcs
    rm -rf "$corpus"
    "$GEN" "$corpus" "$WORKERS" "$MODULES" 7 coveragepy "$funcs" >/dev/null
    "$VENV/bin/python" "$ROOT/bench/make_sqlite.py" "$corpus" >/dev/null
    for ((w = 0; w < WORKERS; w++)); do
        ww=$(printf %04d "$w")
        real=$corpus/real-w$ww
        mkdir -p "$real"
        cp -r "$corpus/src" "$real/"
        cp "$corpus/sqlite/.coverage.w$ww" "$real/"
        printf '[run]\nbranch = True\n[paths]\nsource =\n    src/\n    */proj/src/\n' >"$real/.coveragerc"
        (cd "$real" && "$VENV/bin/coverage" combine -q &&
            "$VENV/bin/coverage" lcov -q -o real.lcov &&
            "$VENV/bin/coverage" json -q -o real.json)
        # The generator writes the worker's own absolute paths; coverage.py
        # reports the combined data under the [paths] name, src/.
        prefix="/ci/host$((w / 8))/w$w/proj/"
        sed "s#^SF:$prefix#SF:#" "$corpus/lcov/w$ww.info" >"$real/generated.lcov"
        if cmp -s "$real/real.lcov" "$real/generated.lcov"; then
            lcov=same
        else
            lcov=DIFFERENT
            failed=1
            diff "$real/real.lcov" "$real/generated.lcov" | head -10 >&2 || true
        fi
        if "$VENV/bin/python" - "$real/real.json" "$corpus/json/coverage-w$ww.json" "$prefix" <<'PY'; then
import json, sys
real, generated, prefix = sys.argv[1:]
real = json.load(open(real))
generated = json.load(open(generated))
files = {k.replace(prefix, "", 1): v for k, v in generated["files"].items()}
same = real["files"] == files and real["totals"] == generated["totals"]
for name in sorted(set(real["files"]) | set(files)):
    if real["files"].get(name) != files.get(name):
        print(f"  json differs for {name}", file=sys.stderr)
sys.exit(0 if same else 1)
PY
            json=same
        else
            json=DIFFERENT
            failed=1
        fi
        echo "FUNCS=$funcs worker $w: LCOV $lcov as coverage lcov, JSON $json as coverage json"
    done
done
exit $failed
