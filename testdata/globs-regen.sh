#!/usr/bin/env bash
# Regenerate testdata/globs/cases.json with the REAL coverage.py: for each
# pattern and name below, what coverage.py's own glob regexes say.
#
#   bash testdata/globs-regen.sh
#
# Not needed by `make test` (the output is checked in; src/pathglob.rs's
# tests read it). Per pattern: the error text coverage.py gives, or per
# name: the end (in characters) of the `[paths]` prefix match
# (`globs_to_regex([p], case_insensitive=True, partial=True)`, as
# PathAliases uses it), and whether the whole name matches as include/omit
# does (`globs_to_regex([p], case_insensitive=...)`), case-sensitive (Linux,
# macOS) and case-insensitive (Windows).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
WORK="${COVMERGE_GLOBS_DIR:-/tmp/covmerge-globs}"
PY="${COVMERGE_PY:-python3}"
PIN="coverage==7.17.5"

export LC_ALL=C.UTF-8 LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1
mkdir -p "$WORK"
if [ ! -x "$WORK/venv/bin/python" ]; then
  "$PY" -m venv "$WORK/venv"
fi
"$WORK/venv/bin/pip" install -q "$PIN"

"$WORK/venv/bin/python" - "$HERE/globs/cases.json" <<'PYEOF'
import json, re, sys
import coverage
from coverage.exceptions import ConfigError
from coverage.files import globs_to_regex

patterns = [
    "*/src/", "*/src", "src/", "/home/*/proj/", "/ci/*/checkout/", "/x/**/lib/",
    "**/lib/", "*/site-packages/", "C:\\Users\\*\\proj\\", "c:/users/*/proj/",
    "/w/job[0-9]/", "/w/job[^0-9]/", "/w/job[a-c-]/", "/w/[z-a]/", "/w/?/", "/w/??x/",
    "pkg/*.py", "pkg/*", "pkg/**", "pkg/**/deep.py", "pkg/[a-c]*.py", "pkg/[^a-c]*.py",
    "unused.py", "*.py", "*/unused.py", "?kg/*", "*/tests/*", "pkg/a.py",
    "a/(x)+.py", "a/.x.py", "a/x$.py", "a/{x}.py", "a/x|y.py", "a/x^y.py",
    "**/a/**/a/**/b.py", "*/a/**/b/", "/Users/Ren\u00e9e/proj/",
    "/Users/Rene\u0301e/proj/", "pkg/caf\u00e9.py", "pkg/\u00c9t\u00e9/*.py",
    "pkg/STRASSE.py", "pkg/stra\u00dfe.py", "pkg/\u0130.py", "pkg/k.py",
    "//server/share/", "\\\\server\\share\\",
    # Errors.
    "a/***/b", "a/b**", "a/**b", "a/**/**/x", "a/[b", "a/b]", "***", "x**/y",
]
names = [
    "/home/runner/work/proj/proj/src/pkg/mathy.py",
    "C:/Users/runneradmin/work/proj/proj/src/pkg/mathy.py",
    "C:\\Users\\runneradmin\\proj\\pkg\\mathy.py",
    "/Users/RUNNER/work/proj/proj/SRC/pkg/mathy.py",
    "src/pkg/mathy.py", "/a/src/b/src/x.py", "/home/me/proj/a.py",
    "/ci/w1/checkout/a.py", "/ci/w1/w2/checkout/a.py", "/x/a/b/lib/m.py", "/x/lib/m.py",
    "/v/lib/site-packages/pkg/a.py", "/w/job7/a.py", "/w/jobx/a.py", "/w/job-/a.py",
    "/w/m/a.py", "/w/a/a.py", "/w/abx/a.py",
    "pkg/a.py", "PKG/A.PY", "pkg/sub/a.py", "pkg/deep.py", "pkg/x/y/deep.py",
    "pkg/compat.py", "pkg/unused.py", "pkg/sub/unused.py", "unused.py",
    "/elsewhere/tests/t.py", "/elsewhere/tests/sub/t.py", "tests/t.py",
    "a/(x)+.py", "a/xx.py", "a/.x.py", "a/ax.py", "a/x$.py", "a/{x}.py", "a/x|y.py",
    "a/x^y.py", "a/x", "a/a/a/b.py", "a/a/b.py", "x/a/a/a/b/c.py",
    "/Users/Ren\u00e9e/proj/a.py", "/Users/REN\u00c9E/proj/a.py",
    "pkg/caf\u00e9.py", "pkg/CAF\u00c9.py", "pkg/\u00c9t\u00e9/x.py", "pkg/\u00e9t\u00e9/x.py",
    "pkg/strasse.py", "pkg/stra\u00dfe.py", "pkg/STRA\u1e9eE.py", "pkg/i\u0307.py",
    "pkg/i.py", "pkg/\u0130.py", "pkg/K.py", "pkg/\u212a.py",
    "//server/share/a.py", "//SERVER/Share/a.py",
    "pkg/new\nline.py", "pkg/tab\t.py", "pkg/a.py/",
]

cases = []
for p in patterns:
    entry = {"pattern": p}
    try:
        prefix = globs_to_regex([p], case_insensitive=True, partial=True)
        whole_cs = globs_to_regex([p], case_insensitive=False)
        whole_ci = globs_to_regex([p], case_insensitive=True)
    except ConfigError as e:
        entry["error"] = str(e)
        cases.append(entry)
        continue
    except re.error as e:
        # Not a ConfigError: coverage.py stops with a traceback.
        entry["re_error"] = str(e)
        cases.append(entry)
        continue
    bits = lambda rx: "".join("1" if rx.match(n) else "0" for n in names)
    entry["prefix"] = [(m.end() if m else None) for m in map(prefix.match, names)]
    entry["whole"] = bits(whole_cs)
    entry["whole_ci"] = bits(whole_ci)
    cases.append(entry)

out = {"coverage": coverage.__version__, "names": names, "cases": cases}
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("{\n")
    f.write(f' "coverage": {json.dumps(out["coverage"])},\n')
    f.write(f' "names": {json.dumps(names)},\n')
    f.write(' "cases": [\n  ')
    f.write(",\n  ".join(json.dumps(c) for c in cases))
    f.write("\n ]\n}")
    f.write("\n")
PYEOF
echo "globs-regen: wrote $HERE/globs/cases.json" >&2
