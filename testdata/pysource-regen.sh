#!/usr/bin/env bash
# Regenerate testdata/pysource/: coverage.py's own multi-line maps (its
# PythonParser, coverage 7.17.5) of a corpus of real Python files, on Python
# 3.11 and 3.12. tests/pysource.rs compares covmerge's logical-line scanner
# (src/pysource.rs) with them, file by file and version by version.
#
#   bash testdata/pysource-regen.sh
#
# The corpus: files copied from the CPython standard library of the
# interpreters used (PSF licence), the project's own testdata Python sources
# (read in place), and hand-written tricky cases (tricky*.py; the CRLF, CR,
# BOM and form-feed variants are written here, so no editor rewrites them).
# Venvs come from testdata/rawdata-pythons.sh.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
OUT="$HERE/pysource"
eval "$(bash "$HERE/rawdata-pythons.sh")"
: "${COVMERGE_TEST_PYTHON_3_11:?no Python 3.11 venv}" "${COVMERGE_TEST_PYTHON_3_12:?no Python 3.12 venv}"

# The standard library files, copied once (from the 3.12 interpreter, a few
# from 3.11); kept as they are so the maps stay comparable.
stdlib() {  # stdlib <python> <version tag> <files...>
  local py="$1" tag="$2" lib; shift 2
  lib="$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
  for f in "$@"; do
    cp "$lib/$f" "$OUT/corpus/$tag-${f//\//-}"
  done
}
mkdir -p "$OUT/corpus"
rm -f "$OUT"/corpus/*.py
stdlib "$COVMERGE_TEST_PYTHON_3_12" py312 bisect.py colorsys.py reprlib.py graphlib.py string.py \
  json/decoder.py shlex.py json/encoder.py csv.py tokenize.py textwrap.py gettext.py \
  tomllib/_parser.py heapq.py pprint.py calendar.py dis.py fractions.py functools.py \
  re/_parser.py dataclasses.py
stdlib "$COVMERGE_TEST_PYTHON_3_11" py311 ast.py string.py tokenize.py

# Line-end variants of the tricky cases.
python3 - "$OUT" <<'PY'
import sys
out = sys.argv[1]
text = open(f"{out}/tricky.py", newline="").read()
open(f"{out}/corpus/tricky-crlf-bom.py", "w", newline="").write("\ufeff" + text.replace("\n", "\r\n"))
open(f"{out}/corpus/tricky-cr.py", "w", newline="").write(text.replace("\n", "\r"))
# Form feeds between definitions, and no newline at the end of the file.
ff = text.replace("\n\n\ndef ", "\n\n\x0c\ndef ").rstrip("\n") + "\nlast = (1,\n        2)"
open(f"{out}/corpus/tricky-formfeed-noeol.py", "w", newline="").write(ff)
PY

# The files, relative to the repository, in a stable order.
cd "$HERE/.."
mapfile -t FILES < <({ ls testdata/pysource/tricky*.py testdata/pysource/corpus/*.py; \
  find testdata -name '*.py' -not -path 'testdata/pysource/*'; } | LC_ALL=C sort)

for v in 3.11 3.12; do
  var="COVMERGE_TEST_PYTHON_${v/./_}"
  "${!var}" "$HERE/pysource/maps.py" "${FILES[@]}" >"$OUT/maps-$v.txt"
  echo "[pysource-regen] $v: $(grep -c . "$OUT/maps-$v.txt") files, $(grep -c ' error' "$OUT/maps-$v.txt" || true) not parsed" >&2
done

# coverage.py's own reports of the corpus files as never-run files (their
# statements, function regions and branch arcs come from its static analysis,
# on 3.12): `coverage json` is the input and `coverage lcov` the expected LCOV
# export, function end lines and exit words included (tests/pysource.rs).
STATIC="$OUT/static-3.12"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/corpus" "$STATIC"
cp testdata/pysource/corpus/*.py "$WORK/corpus/"
(
  cd "$WORK"
  : >empty.py
  py="$COVMERGE_TEST_PYTHON_3_12"
  "$py" -m coverage run --branch --source=corpus empty.py 2>/dev/null
  "$py" -m coverage json -q -o "$STATIC/coverage.json"
  "$py" -m coverage lcov -q -o "$STATIC/coverage.lcov"
)
echo "[pysource-regen] static reports: $(grep -c '^SF:' "$STATIC/coverage.lcov") files, $(grep -c '^FN:' "$STATIC/coverage.lcov") functions" >&2
