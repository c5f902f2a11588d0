#!/usr/bin/env bash
# Regenerate testdata/golden/ by running the REAL coverage.py, pytest-cov and
# pytest-xdist over the small project in testdata/project/.
#
#   bash testdata/regen.sh          (or: make testdata)
#
# Everything temporary (venvs, host/controller copies, logs) lives under
# ${COVMERGE_REGEN_DIR:-/tmp/covmerge-regen}; golden files contain absolute
# paths under that directory, so keep the default to get identical output.
# The script deletes and rewrites testdata/golden/ on every run.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO="$(cd "$HERE/.." && pwd -P)"
PROJECT="$HERE/project"
GOLDEN="$HERE/golden"

REGEN="${COVMERGE_REGEN_DIR:-/tmp/covmerge-regen}"
mkdir -p "$REGEN"
REGEN="$(cd "$REGEN" && pwd -P)"
case "$REGEN/" in
  "$REPO/"*) echo "regen.sh: COVMERGE_REGEN_DIR must be outside the repo ($REGEN)" >&2; exit 1 ;;
esac

PY311="${COVMERGE_PY311:-/root/.pyenv/versions/3.11.7/bin/python3}"
PY312="${COVMERGE_PY312:-/root/.pyenv/versions/3.12.1/bin/python3}"
PY313="${COVMERGE_PY313:-/root/.pyenv/versions/3.13.0/bin/python3}"

# Pinned tool versions. execnet and pluggy are pinned too because they show up
# in pytest's / xdist's output.
PINS=(coverage==7.17.5 pytest-cov==7.1.0 pytest==9.2.0 pytest-xdist==3.8.0 execnet==2.1.2 pluggy==1.7.0)

CASES=(
  "report|"
  "report-m|-m"
  "markdown|--format=markdown"
  "markdown-m|--format=markdown -m"
  "skip-covered-m|-m --skip-covered"
  "skip-empty|--skip-empty"
  "precision2-m|--precision=2 -m"
  "precision1|--precision=1"
  "total|--format=total"
  "total-precision3|--format=total --precision=3"
  "sort-cover-desc|--sort=-cover"
  "sort-miss|--sort=miss"
  "sort-name-desc-m|--sort=-name -m"
  # fail-under-* arguments are computed from the combined total below.
)

# ---------------------------------------------------------------------------
# A clean, predictable environment for every tool we run.
unset PYTHONPATH PYTHONHOME PYTHONSTARTUP PYTEST_ADDOPTS PYTEST_PLUGINS \
      PYTEST_DISABLE_PLUGIN_AUTOLOAD PYTEST_XDIST_AUTO_NUM_WORKERS \
      COVERAGE_FILE COVERAGE_RCFILE COVERAGE_PROCESS_START COVERAGE_DEBUG \
      COVERAGE_CORE COV_CORE_SOURCE COV_CORE_CONFIG COV_CORE_DATAFILE \
      COLUMNS LINES FORCE_COLOR NO_COLOR VIRTUAL_ENV PIP_REQUIRE_VIRTUALENV || true
export PYTHONDONTWRITEBYTECODE=1 PYTHONHASHSEED=0 PY_COLORS=0 LC_ALL=C.UTF-8 LANG=C.UTF-8 TERM=dumb

LOGS="$REGEN/logs"
ELSEWHERE="$REGEN/elsewhere"      # an unrelated cwd, for coverage-abs.json
rm -rf "$LOGS" "$ELSEWHERE" "$REGEN/hosts" "$REGEN/controller" "$REGEN/socketserver"
mkdir -p "$LOGS" "$ELSEWHERE" "$REGEN/hosts" "$REGEN/controller" "$REGEN/socketserver"

TAB=$'\t'
log() { printf '[regen] %s\n' "$*" >&2; }
die() { printf '[regen] ERROR: %s\n' "$*" >&2; exit 1; }

# Background processes we start (execnet socket servers); killed on exit.
BG_PIDS=()
cleanup() {
  local pid
  for pid in "${BG_PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

# ---------------------------------------------------------------------------
# Virtual environments (reused when the requested pins are already installed).
make_venv() {  # make_venv <base python> <venv dir>
  local base="$1" venv="$2" want have
  [ -x "$base" ] || die "no interpreter at $base"
  want="$("$base" -c 'import sys; print(sys.version)')|${PINS[*]}"
  if [ -x "$venv/bin/python" ] && [ -f "$venv/.covmerge-pins" ]; then
    have="$(cat "$venv/.covmerge-pins")"
    if [ "$have" = "$want" ]; then
      log "reusing venv $venv"
      return 0
    fi
  fi
  log "creating venv $venv"
  rm -rf "$venv"
  "$base" -m venv "$venv"
  if ! "$venv/bin/python" -m pip install -q "${PINS[@]}" >"$LOGS/pip-$(basename "$venv").log" 2>&1; then
    # A pin is not installable: take the nearest version at or below it,
    # else whatever is available. VERSIONS.txt records what we really got.
    local pin name
    for pin in "${PINS[@]}"; do
      name="${pin%%==*}"
      "$venv/bin/python" -m pip install -q "$pin" >>"$LOGS/pip-$(basename "$venv").log" 2>&1 \
        || "$venv/bin/python" -m pip install -q "$name<=${pin#*==}" >>"$LOGS/pip-$(basename "$venv").log" 2>&1 \
        || "$venv/bin/python" -m pip install -q "$name" >>"$LOGS/pip-$(basename "$venv").log" 2>&1 \
        || die "cannot install $name into $venv"
    done
  fi
  printf '%s' "$want" >"$venv/.covmerge-pins"
}

VENV311="$REGEN/venv-py3.11.7"
VENV312="$REGEN/venv-py3.12.1"
VENV313="$REGEN/venv-py3.13.0"
make_venv "$PY311" "$VENV311"
make_venv "$PY312" "$VENV312"
make_venv "$PY313" "$VENV313"
HELPER="$VENV312/bin/python"   # runs our own little checks

platform_of() {  # pytest-cov's platform description, computed by that interpreter
  "$1" -c 'import sys; print("platform %s, python %s.%s.%s-%s-%s" % ((sys.platform,) + tuple(sys.version_info[:5])))'
}

rm -rf "$GOLDEN"
mkdir -p "$GOLDEN"

# ---------------------------------------------------------------------------
# One worker: copy the project to its root, run pytest-cov there, export data.
run_worker() {  # run_worker <scenario> <worker-id> <host> <venv> <root> <mode> <branch 0|1> <tests...>
  local s="$1" wid="$2" host="$3" venv="$4" root="$5" mode="$6" branch="$7"
  shift 7
  local out="$GOLDEN/$s/workers/$wid" wlog="$LOGS/$s-$wid"
  local extra=()
  [ "$branch" = 1 ] && extra+=(--cov-branch)
  log "$s: worker $wid ($host, $(basename "$venv")) runs: $*"
  rm -rf "$root"
  mkdir -p "$root" "$out"
  cp -a "$PROJECT/." "$root/"
  (cd "$root" && timeout 300 "$venv/bin/python" -m pytest --cov=pkg --cov-report= \
      "${extra[@]}" -p no:cacheprovider "$@") >"$wlog.pytest.log" 2>&1 \
    || die "$s/$wid: pytest failed, see $wlog.pytest.log"
  [ -f "$root/.coverage" ] || die "$s/$wid: no .coverage in $root"
  if ls "$root"/.coverage.* >/dev/null 2>&1; then die "$s/$wid: stray parallel data files in $root"; fi
  cp "$root/.coverage" "$out/raw.coverage"
  (cd "$root" && "$venv/bin/coverage" json -o "$out/coverage.json") 2>>"$wlog.report.log"
  (cd "$ELSEWHERE" && "$venv/bin/coverage" json --data-file="$root/.coverage" -o "$out/coverage-abs.json") 2>>"$wlog.report.log"
  (cd "$root" && "$venv/bin/coverage" lcov -o "$out/coverage.lcov") 2>>"$wlog.report.log"
  cmp -s "$root/.coverage" "$out/raw.coverage" || die "$s/$wid: reporting modified the data file"
  {
    printf 'HOST=%s\n' "$host"
    printf 'PLATFORM=%s\n' "$(platform_of "$venv/bin/python")"
    printf 'ROOT=%s\n' "$root"
    printf 'WORKER=%s\n' "$wid"
    printf 'MODE=%s\n' "$mode"
  } >"$out/worker.env"
  # Relative names in coverage.json, absolute names under ROOT in coverage-abs.json.
  "$HELPER" - "$out" "$root" <<'PY'
import json, sys
out, root = sys.argv[1], sys.argv[2]
rel = json.load(open(f"{out}/coverage.json"))["files"]
ab = json.load(open(f"{out}/coverage-abs.json"))["files"]
assert rel and all(n.startswith("pkg/") for n in rel), list(rel)
assert all(n.startswith(root + "/pkg/") for n in ab), list(ab)
assert sorted(n[len(root) + 1:] for n in ab) == sorted(rel), (sorted(ab), sorted(rel))
assert rel["pkg/unused.py"]["summary"]["covered_lines"] == 0
PY
}

# ---------------------------------------------------------------------------
# Controller: combine the workers' data with the real `coverage combine`,
# then record `coverage report` outputs for every case.
write_rc() {  # write_rc <scenario> <branch 0|1> <hostA root>
  local s="$1" branch="$2" rootA="$3"
  {
    if [ "$branch" = 1 ]; then
      printf '[run]\nbranch = True\n\n'
    fi
    printf '[paths]\n'
    printf 'source =\n'
    printf '    pkg/\n'
    printf '    %s/pkg/\n' "$rootA"
    printf '    */ci/checkout/proj/pkg/\n'
  } >"$GOLDEN/$s/paths.coveragerc"
}

# The same coverage.py settings in three files coverage.py accepts: an rcfile
# given with --rcfile, setup.cfg and pyproject.toml (both found by coverage.py
# on its own). [report] exercises fail_under, precision, show_missing,
# skip_covered, sort and omit.
write_config_files() {  # write_config_files <scenario> <branch 0|1> <hostA root>
  local s="$1" branch="$2" rootA="$3" g="$GOLDEN/$1"
  {
    if [ "$branch" = 1 ]; then printf '[run]\nbranch = True\n\n'; fi
    printf '[paths]\nsource =\n    pkg/\n    %s/pkg/\n    */ci/checkout/proj/pkg/\n\n' "$rootA"
    printf '[report]\nfail_under = 99.5\nprecision = 1\nshow_missing = True\nskip_covered = yes\n'
    printf 'sort = -Cover\nomit =\n    pkg/unused.py\n    */tests/*\n'
  } >"$g/config.coveragerc"
  {
    printf '[metadata]\nname = golden-project\n\n'
    if [ "$branch" = 1 ]; then printf '[coverage:run]\nbranch = 1\n\n'; fi
    printf '[coverage:paths]\nsource =\n    pkg/\n    %s/pkg/\n    */ci/checkout/proj/pkg/\n\n' "$rootA"
    printf '[coverage:report]\nfail_under = 99.5\nprecision = 1\nshow_missing = on\nskip_covered = true\n'
    printf 'sort = -Cover\nomit = pkg/unused.py, */tests/*\n'
  } >"$g/config-setup.cfg"
  {
    printf '[project]\nname = "golden-project"\nversion = "0"\n\n'
    if [ "$branch" = 1 ]; then printf '[tool.coverage.run]\nbranch = true\n\n'; fi
    printf '[tool.coverage.paths]\nsource = ["pkg/", "%s/pkg/", "*/ci/checkout/proj/pkg/"]\n\n' "$rootA"
    printf '[tool.coverage.report]\nfail_under = 99.5\nprecision = 1\nshow_missing = true\nskip_covered = true\n'
    printf 'sort = "-Cover"\nomit = ["pkg/unused.py", "*/tests/*"]\n'
  } >"$g/config-pyproject.toml"
}

# Config cases: `coverage report` reading the settings from a file.
# config-cases.tsv: name<TAB>exit<TAB>config file<TAB>how it is given<TAB>extra args,
# "how" being --rcfile (passed as --rcfile=<file>) or the name the file is
# copied to in the controller directory (setup.cfg, pyproject.toml), where
# coverage.py finds it without being told.
CONFIG_CASES=(
  "config-rc|config.coveragerc|--rcfile|"
  "config-rc-override|config.coveragerc|--rcfile|--precision=2 --fail-under=50 --sort=name --omit=pkg/unused.py,*/mod2.py --no-skip-covered"
  "config-setupcfg|config-setup.cfg|setup.cfg|"
  "config-pyproject|config-pyproject.toml|pyproject.toml|"
  "config-pyproject-include|config-pyproject.toml|pyproject.toml|--include=pkg/sub/*,pkg/flow.py --format=markdown"
)

run_config_cases() {  # run_config_cases <scenario>
  local s="$1"
  local ctl="$REGEN/controller/$s/proj" exp="$GOLDEN/$s/expected" clog="$LOGS/$s-controller"
  local c name file how args rc rest
  : >"$exp/config-cases.tsv"
  for c in "${CONFIG_CASES[@]}"; do
    name="${c%%|*}"; rest="${c#*|}"
    file="${rest%%|*}"; rest="${rest#*|}"
    how="${rest%%|*}"; args="${rest#*|}"
    rc=0
    rm -f "$ctl/setup.cfg" "$ctl/tox.ini" "$ctl/pyproject.toml" "$ctl/.coveragerc" "$ctl/.coveragerc.toml"
    if [ "$how" = --rcfile ]; then
      cp "$GOLDEN/$s/$file" "$ctl/$file"
      # shellcheck disable=SC2086  # the arguments are split on purpose
      (set -f; cd "$ctl" && "$VENV312/bin/coverage" report --rcfile="$file" $args) \
        >"$exp/$name.stdout" 2>"$clog.$name.stderr" || rc=$?
    else
      cp "$GOLDEN/$s/$file" "$ctl/$how"
      # shellcheck disable=SC2086
      (set -f; cd "$ctl" && "$VENV312/bin/coverage" report $args) \
        >"$exp/$name.stdout" 2>"$clog.$name.stderr" || rc=$?
    fi
    rm -f "$ctl/setup.cfg" "$ctl/pyproject.toml" "$ctl/$file"
    [ -s "$clog.$name.stderr" ] && die "$s/$name: unexpected stderr: $(cat "$clog.$name.stderr")"
    case "$rc" in 0|2) ;; *) die "$s/$name: coverage report exited $rc" ;; esac
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$rc" "$file" "$how" "$args" >>"$exp/config-cases.tsv"
  done
  # The three files hold the same settings, so coverage.py printed the same.
  cmp -s "$exp/config-rc.stdout" "$exp/config-setupcfg.stdout" || die "$s: setup.cfg output differs from the rcfile's"
  cmp -s "$exp/config-rc.stdout" "$exp/config-pyproject.stdout" || die "$s: pyproject.toml output differs from the rcfile's"
  grep -q "^config-rc${TAB}2${TAB}" "$exp/config-cases.tsv" || die "$s: config-rc did not fail under 99.5"
  grep -q "pkg/unused.py" "$exp/config-rc.stdout" && die "$s: omit did not omit pkg/unused.py"
  return 0
}

run_controller() {  # run_controller <scenario>
  local s="$1"
  local ctl="$REGEN/controller/$s/proj" exp="$GOLDEN/$s/expected" clog="$LOGS/$s-controller"
  log "$s: combining in $ctl"
  rm -rf "$REGEN/controller/$s"
  mkdir -p "$ctl" "$REGEN/controller/$s/inputs" "$exp"
  cp -a "$PROJECT/." "$ctl/"
  cp "$GOLDEN/$s/paths.coveragerc" "$ctl/paths.coveragerc"
  local w
  for w in "$GOLDEN/$s/workers"/*/; do
    w="$(basename "$w")"
    cp "$GOLDEN/$s/workers/$w/raw.coverage" "$ctl/.coverage.$w"
  done
  (cd "$ctl" && "$VENV312/bin/coverage" combine --keep --rcfile=paths.coveragerc) >"$clog.combine.log" 2>&1 \
    || die "$s: coverage combine failed, see $clog.combine.log"
  # Move the inputs away so that `coverage report` (which auto-combines
  # parallel files since 7.14) reads only the combined .coverage.
  mv "$ctl"/.coverage.gw* "$REGEN/controller/$s/inputs/"

  # The merge must produce one entry per module, all under the controller.
  "$HELPER" - "$ctl" "$PROJECT" <<'PY'
import os, sqlite3, sys
ctl, project = sys.argv[1], sys.argv[2]
con = sqlite3.connect(f"file:{ctl}/.coverage?mode=ro", uri=True)
paths = sorted(p for (p,) in con.execute("select path from file"))
want = sorted(
    os.path.join(ctl, os.path.relpath(os.path.join(d, f), project))
    for d, _, fs in os.walk(os.path.join(project, "pkg")) for f in fs if f.endswith(".py")
)
assert paths == want, f"combine did not merge the workers:\n{paths}\n!=\n{want}"
PY

  # Exact total, to pick the fail-under thresholds.
  local total
  total="$(cd "$ctl" && "$VENV312/bin/coverage" json --rcfile=paths.coveragerc -o - 2>/dev/null \
           | "$HELPER" -c 'import json,sys; print(repr(json.load(sys.stdin)["totals"]["percent_covered"]))')"
  local fu_pass fu_fail fu_dec
  read -r fu_pass fu_fail fu_dec < <("$HELPER" - "$total" <<'PY'
import math, sys
from decimal import Decimal
t = float(sys.argv[1])
assert 0 < t < 98, t
fu_pass = math.floor(t)                      # at or below the total: passes
fu_fail = min(fu_pass + 10, 99)              # clearly above: fails
# Just above the exact total and above round(total, 2): it fails, since
# coverage rounds the total to the number of decimals written in MIN.
d = Decimal(repr(round(t, 2))).quantize(Decimal("0.01")) + Decimal("0.01")
while str(d)[-1] == "0":                     # keep exactly 2 written decimals
    d += Decimal("0.01")
assert float(d) > t and round(t, 2) < float(d), (t, d)
print(fu_pass, fu_fail, d)
PY
)
  log "$s: total = $total (fail-under: pass $fu_pass, fail $fu_fail, decimals $fu_dec)"

  local cases=("${CASES[@]}"
    "fail-under-pass|--fail-under=$fu_pass"
    "fail-under-fail|--fail-under=$fu_fail"
    "fail-under-decimals|--fail-under=$fu_dec"
    "fail-under-100|--fail-under=100")
  : >"$exp/cases.tsv"
  local c name args rc
  for c in "${cases[@]}"; do
    name="${c%%|*}"
    args="${c#*|}"
    rc=0
    # shellcheck disable=SC2086  # the arguments are split on purpose
    (cd "$ctl" && "$VENV312/bin/coverage" report --rcfile=paths.coveragerc $args) \
      >"$exp/$name.stdout" 2>"$clog.$name.stderr" || rc=$?
    [ -s "$clog.$name.stderr" ] && die "$s/$name: unexpected stderr: $(cat "$clog.$name.stderr")"
    case "$rc" in 0|2) ;; *) die "$s/$name: coverage report exited $rc" ;; esac
    printf '%s\t%s\t%s\n' "$name" "$rc" "$args" >>"$exp/cases.tsv"
  done
  ls "$ctl"/.coverage.* >/dev/null 2>&1 && die "$s: unexpected parallel files appeared in $ctl"

  # The exports of the combined data, same rcfile, written by coverage.py
  # itself (-o a path outside the controller directory).
  local kind
  for kind in json lcov xml; do
    (cd "$ctl" && "$VENV312/bin/coverage" "$kind" --rcfile=paths.coveragerc -o "$exp/coverage.$kind") \
      >"$clog.$kind.stdout" 2>"$clog.$kind.stderr" || die "$s: coverage $kind failed, see $clog.$kind.stderr"
    [ -s "$exp/coverage.$kind" ] || die "$s: coverage $kind wrote nothing"
  done
  ls "$ctl"/.coverage.* >/dev/null 2>&1 && die "$s: unexpected parallel files appeared in $ctl"
  local want_rc
  for want_rc in report:0 fail-under-pass:0 fail-under-fail:2 fail-under-decimals:2 fail-under-100:2; do
    grep -q "^${want_rc%%:*}${TAB}${want_rc#*:}${TAB}" "$exp/cases.tsv" || die "$s: case ${want_rc%%:*} did not exit ${want_rc#*:}"
  done
  return 0
}

# ---------------------------------------------------------------------------
# pytest-cov's terminal section, from a real xdist run in the controller dir.
extract_section() {  # extract_section <full output> <section file>
  "$HELPER" - "$1" "$2" <<'PY'
import re, sys
full, dst = sys.argv[1], sys.argv[2]
lines = open(full, "rb").read().split(b"\n")
head = [i for i, l in enumerate(lines) if re.fullmatch(rb"=+ tests coverage =+", l)]
assert len(head) == 1, f"{full}: no single 'tests coverage' heading"
start = head[0] + 1
assert lines[start].startswith(b"_") and b" coverage" in lines[start], lines[start]
end = next(i for i in range(start, len(lines)) if lines[i].startswith(b"TOTAL "))
open(dst, "wb").write(b"\n".join(lines[start:end + 1]) + b"\n")
PY
}

sanitize_full() {  # keep pytest's full output, but with the run time blanked (same length)
  "$HELPER" - "$1" <<'PY'
import re, sys
p = sys.argv[1]
data = open(p, "rb").read()
data = re.sub(rb"(?m)^(=+ .* in )(\d+\.\d+)(s(?: \([0-9:]+\))? =+)$",
              lambda m: m.group(1) + re.sub(rb"\d", b"X", m.group(2)) + m.group(3), data)
open(p, "wb").write(data)
PY
}

check_section() {  # check_section <section file> <mode> <expected table file>
  "$HELPER" - "$@" <<'PY'
import sys
sec, mode, table = sys.argv[1], sys.argv[2], sys.argv[3]
lines = open(sec, encoding="utf-8").read().split("\n")
want = open(table, encoding="utf-8").read().split("\n")
if mode == "load":
    assert lines[0].startswith("_") and "coverage: platform linux, python 3.12.1-final-0" in lines[0], lines[0]
else:
    assert lines[0].strip("_ ") == "coverage", lines[0]
    plats = [l.strip() for l in lines[1:6] if l.strip()]
    assert plats == ["platform linux, python 3.11.7-final-0",
                     "platform linux, python 3.12.1-final-0"], plats
# The table must be exactly the combined `coverage report` of the golden workers.
tstart = next(i for i, l in enumerate(lines) if l.startswith("Name "))
assert lines[tstart:] == want[:len(lines) - tstart], "pytest-cov table differs from coverage report"
PY
}

run_pytest_load() {  # run_pytest_load <scenario> <branch 0|1>
  local s="$1" branch="$2"
  local ctl="$REGEN/controller/$s/proj" exp="$GOLDEN/$s/expected"
  local extra=() width table="$exp/report.stdout"
  if [ "$branch" = 1 ]; then extra+=(--cov-branch --cov-report=term-missing); table="$exp/report-m.stdout"; fi
  for width in 80 90; do
    log "$s: pytest-cov -n 2 at COLUMNS=$width"
    (cd "$ctl" && COLUMNS="$width" timeout 300 "$VENV312/bin/python" -m pytest --cov=pkg "${extra[@]}" \
        -n 2 -p no:cacheprovider tests) >"$exp/pytest-cov-$width.full.txt" 2>&1 \
      || die "$s: pytest failed at COLUMNS=$width, see $exp/pytest-cov-$width.full.txt"
    extract_section "$exp/pytest-cov-$width.full.txt" "$exp/pytest-cov-$width.txt"
    sanitize_full "$exp/pytest-cov-$width.full.txt"
    check_section "$exp/pytest-cov-$width.txt" load "$table"
  done
}

free_port() {
  "$HELPER" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Each mode: the 3.11 worker comes from execnet's socket server (run by the
# 3.11 venv), chdir'ed into the controller's own directory so that it is
# "collocated"; the 3.12 worker is a plain popen of the 3.12 venv. A fresh
# socket server is used per pytest run (it executes gateways in-process).
run_pytest_each() {  # run_pytest_each <scenario> <branch 0|1>
  local s="$1" branch="$2"
  local ctl="$REGEN/controller/$s/proj" exp="$GOLDEN/$s/expected"
  local extra=() width table="$exp/report.stdout" port sspid rc script
  if [ "$branch" = 1 ]; then extra+=(--cov-branch --cov-report=term-missing); table="$exp/report-m.stdout"; fi
  script="$("$VENV311/bin/python" -c 'import execnet.script.socketserver as m; print(m.__file__)')" || return 1
  for width in 80 90; do
    port="$(free_port)" || return 1
    log "$s: pytest-cov --dist each (3.11.7 via socketserver :$port + 3.12.1 popen) at COLUMNS=$width"
    (cd "$REGEN/socketserver" && exec timeout 300 "$VENV311/bin/python" -u "$script" "127.0.0.1:$port") \
      >"$LOGS/$s-socketserver-$width.log" 2>&1 &
    sspid=$!
    BG_PIDS+=("$sspid")
    local tries=0
    until grep -q "Entering Accept loop" "$LOGS/$s-socketserver-$width.log" 2>/dev/null; do
      tries=$((tries + 1))
      if [ "$tries" -gt 100 ]; then
        log "$s: socketserver did not start, see $LOGS/$s-socketserver-$width.log"
        kill "$sspid" 2>/dev/null || true
        return 1
      fi
      sleep 0.1
    done
    rc=0
    (cd "$ctl" && COLUMNS="$width" timeout 300 "$VENV312/bin/python" -m pytest --cov=pkg "${extra[@]}" \
        --dist each --max-worker-restart=0 \
        --tx "socket=127.0.0.1:$port//chdir=$ctl" --tx "popen//python=$VENV312/bin/python" \
        --rsyncdir="$ctl/pkg" --rsyncdir="$ctl/tests" \
        -p no:cacheprovider "$ctl/tests") >"$exp/pytest-cov-$width.full.txt" 2>&1 || rc=$?
    kill "$sspid" 2>/dev/null || true
    wait "$sspid" 2>/dev/null || true
    # xdist rsyncs pytest's own packages into the socket worker's chdir.
    rm -rf "$ctl/pytest" "$ctl/_pytest"
    if [ "$rc" != 0 ]; then
      log "$s: each-mode pytest exited $rc, see $exp/pytest-cov-$width.full.txt"
      return 1
    fi
    extract_section "$exp/pytest-cov-$width.full.txt" "$exp/pytest-cov-$width.txt" || return 1
    sanitize_full "$exp/pytest-cov-$width.full.txt" || return 1
    check_section "$exp/pytest-cov-$width.txt" each "$table" || return 1
  done
}

# ---------------------------------------------------------------------------
ALL_TESTS=(tests/test_core.py tests/test_misc.py tests/test_text.py)
for S in load load-branch each each-branch each3-branch; do
  case "$S" in *-branch) BR=1 ;; *) BR=0 ;; esac
  case "$S" in load*) MODE=load ;; *) MODE=each ;; esac
  ROOT_A="$REGEN/hosts/$S/hostA/proj"
  ROOT_B="$REGEN/hosts/$S/hostB/ci/checkout/proj"
  mkdir -p "$GOLDEN/$S"
  if [ "$MODE" = load ]; then
    run_worker "$S" gw0 hostA "$VENV312" "$ROOT_A" load "$BR" tests/test_core.py tests/test_text.py
    run_worker "$S" gw1 hostB "$VENV312" "$ROOT_B" load "$BR" tests/test_misc.py
  else
    run_worker "$S" gw0 hostA "$VENV311" "$ROOT_A" each "$BR" "${ALL_TESTS[@]}"
    run_worker "$S" gw1 hostB "$VENV312" "$ROOT_B" each "$BR" "${ALL_TESTS[@]}"
    if [ "$S" = each3-branch ]; then
      # A third interpreter for the per-platform views (no pytest-cov run:
      # xdist cannot mix three interpreters here, see run_pytest_each).
      run_worker "$S" gw2 hostC "$VENV313" "$REGEN/hosts/$S/hostC/ci/checkout/proj" each "$BR" "${ALL_TESTS[@]}"
    fi
  fi
  write_rc "$S" "$BR" "$ROOT_A"
  write_config_files "$S" "$BR" "$ROOT_A"
  run_controller "$S"
  run_config_cases "$S"
  if [ "$S" = each3-branch ]; then
    :
  elif [ "$MODE" = load ]; then
    run_pytest_load "$S" "$BR"
  else
    if ! run_pytest_each "$S" "$BR"; then
      log "$S: each-mode pytest-cov run FAILED; writing PYTEST-COV-FAILED.txt"
      {
        echo "The each-mode pytest-cov run failed, so expected/pytest-cov-*.txt are missing."
        echo "Tried: a 3.11.7 worker from execnet's socketserver.py (run by the 3.11.7 venv),"
        echo "--tx socket=127.0.0.1:<port>//chdir=<controller proj> plus --tx popen//python=<3.12.1 venv python>,"
        echo "--rsyncdir=<abs>/pkg --rsyncdir=<abs>/tests, --dist each (see run_pytest_each in testdata/regen.sh)."
        echo "(--tx popen//python=<3.11> is known not to work with xdist 3.8: spec section 2.7.)"
        for f in "$GOLDEN/$S/expected"/pytest-cov-*.full.txt; do
          [ -f "$f" ] || continue
          echo
          echo "---- last lines of $(basename "$f") ----"
          tail -n 60 "$f"
        done
      } >"$GOLDEN/$S/PYTEST-COV-FAILED.txt"
      rm -f "$GOLDEN/$S/expected"/pytest-cov-*.txt
    fi
  fi
done

# ---------------------------------------------------------------------------
# Sanity checks across scenarios.
"$HELPER" - "$GOLDEN" <<'PY'
import json, sys
g = sys.argv[1]
def executed(s, w):
    return set(json.load(open(f"{g}/{s}/workers/{w}/coverage.json"))["files"]["pkg/compat.py"]["executed_lines"])
for s in ("each", "each-branch"):
    a, b = executed(s, "gw0"), executed(s, "gw1")
    assert a != b and a - b and b - a, (s, sorted(a), sorted(b))
for s in ("load", "load-branch", "each", "each-branch"):
    rep = open(f"{g}/{s}/expected/report.stdout").read()
    row = next(l for l in rep.splitlines() if l.startswith("pkg/unused.py "))
    assert row.endswith(" 0%"), row
PY

# ---------------------------------------------------------------------------
# VERSIONS.txt and README.md
versions_of() {  # versions_of <venv>
  "$1/bin/python" - <<'PY'
import sys
from importlib.metadata import version
print("python " + "%d.%d.%d-%s-%d" % tuple(sys.version_info[:5]))
for name in ("coverage", "pytest-cov", "pytest", "pytest-xdist", "execnet", "pluggy"):
    print(f"{name}=={version(name)}")
PY
}
{
  echo "# Versions actually used by testdata/regen.sh"
  echo "requested: ${PINS[*]}"
  echo
  echo "[venv $(basename "$VENV312")]  (load workers, each worker gw1, controller, combine, report, pytest controller)"
  versions_of "$VENV312"
  echo
  echo "[venv $(basename "$VENV311")]  (each worker gw0, execnet socketserver)"
  versions_of "$VENV311"
  echo
  echo "[venv $(basename "$VENV313")]  (each3-branch worker gw2)"
  versions_of "$VENV313"
  echo
  echo "platform: $("$HELPER" -c 'import sys; print(sys.platform)')"
  echo "regen dir: $REGEN"
} >"$GOLDEN/VERSIONS.txt"

COV_V="$("$VENV312/bin/python" -c 'from importlib.metadata import version as v; print(v("coverage"))')"
PCOV_V="$("$VENV312/bin/python" -c 'from importlib.metadata import version as v; print(v("pytest-cov"))')"
PYT_V="$("$VENV312/bin/python" -c 'from importlib.metadata import version as v; print(v("pytest"))')"
XD_V="$("$VENV312/bin/python" -c 'from importlib.metadata import version as v; print(v("pytest-xdist"))')"
cat >"$GOLDEN/README.md" <<EOF
# Golden data for covmerge

Generated by \`testdata/regen.sh\` (\`make testdata\`) from the project in
\`testdata/project/\`, using the real coverage.py $COV_V, pytest-cov $PCOV_V,
pytest $PYT_V and pytest-xdist $XD_V on CPython 3.11.7 and 3.12.1 (see
\`VERSIONS.txt\`). Do not edit by hand; rerun the script. Absolute paths in
the data are under \`$REGEN\` (the script's work directory).

## Scenarios

| dir | workers | measurement |
| --- | --- | --- |
| \`load\` | gw0 (hostA) runs tests/test_core.py + tests/test_text.py, gw1 (hostB) runs tests/test_misc.py; both CPython 3.12.1 | statements |
| \`load-branch\` | same as \`load\` | \`--cov-branch\` |
| \`each\` | gw0 = CPython 3.11.7 (hostA), gw1 = CPython 3.12.1 (hostB); each runs all tests | statements |
| \`each-branch\` | same as \`each\` | \`--cov-branch\` |
| \`each3-branch\` | as \`each-branch\`, plus gw2 = CPython 3.13.0 (hostC); no pytest-cov section | \`--cov-branch\` |

Worker roots: hostA = \`<regen>/hosts/<S>/hostA/proj\`, hostB =
\`<regen>/hosts/<S>/hostB/ci/checkout/proj\` (different depths on purpose).
\`pkg/compat.py\` executes different lines on 3.11 and 3.12, \`pkg/unused.py\` is
imported by no test (0%), \`pkg/__init__.py\` is empty.

## Files

- \`S/paths.coveragerc\`: \`[paths]\` mapping (\`pkg/\` first, then hostA's literal
  absolute \`pkg/\` dir, then the glob \`*/ci/checkout/proj/pkg/\` for hostB), plus
  \`[run] branch = True\` in the branch scenarios.
- \`S/workers/<id>/\`: each worker ran
  \`python -m pytest --cov=pkg --cov-report= -p no:cacheprovider [--cov-branch] <tests>\`
  in its root. \`raw.coverage\` is the resulting SQLite data file;
  \`coverage.json\` and \`coverage.lcov\` were made with cwd = the root (relative
  names); \`coverage-abs.json\` with cwd elsewhere (absolute names). Each worker's
  own venv made its reports (3.11 for each/gw0). \`worker.env\` holds HOST,
  PLATFORM (pytest-cov's description), ROOT, WORKER, MODE.
- \`S/expected/\`: the project was copied to \`<regen>/controller/<S>/proj\`, the
  workers' data files copied in as \`.coverage.<id>\`, then
  \`coverage combine --keep --rcfile=paths.coveragerc\` (3.12.1) and, per line of
  \`cases.tsv\` (\`name<TAB>exit code<TAB>report args\`),
  \`coverage report --rcfile=paths.coveragerc <args>\`, whose stdout is
  \`<name>.stdout\` (bytes untouched). The fail-under thresholds are computed
  from the combined total.
- \`S/expected/coverage.json\`, \`coverage.lcov\`, \`coverage.xml\`: in the same
  controller directory, \`coverage json|lcov|xml --rcfile=paths.coveragerc -o <file>\`
  of the combined data (bytes untouched; JSON \`meta.timestamp\` and the XML
  \`timestamp\` attribute differ from run to run).
- \`S/config.coveragerc\`, \`S/config-setup.cfg\`, \`S/config-pyproject.toml\`: the
  same settings (the \`[paths]\` above, \`[run] branch\` in the branch scenarios,
  and \`[report]\` \`fail_under = 99.5\`, \`precision = 1\`, \`show_missing\`,
  \`skip_covered\`, \`sort = -Cover\`, \`omit = pkg/unused.py, */tests/*\`) in
  the three syntaxes. Per line of \`expected/config-cases.tsv\`
  (\`name<TAB>exit code<TAB>file<TAB>how<TAB>report args\`) the controller ran
  \`coverage report --rcfile=<file> <args>\` (how = \`--rcfile\`) or copied the
  file into the controller directory as \`setup.cfg\` / \`pyproject.toml\` and
  ran \`coverage report <args>\`, so that coverage.py found it itself; stdout
  is \`expected/<name>.stdout\`.
- \`S/expected/pytest-cov-<W>.full.txt\` / \`pytest-cov-<W>.txt\`: a real pytest-cov
  run over xdist in the controller directory at \`COLUMNS=<W>\` (80, 90).
  The \`.txt\` file is the coverage section, from the line after
  \`=== tests coverage ===\` down to the TOTAL row, bytes untouched. In the
  \`.full.txt\` file only the run time on pytest's last line is blanked to
  \`X.XXs\` (same length) so that reruns are identical.
  - load: \`pytest --cov=pkg -n 2 -p no:cacheprovider tests\` (3.12.1), plus
    \`--cov-branch --cov-report=term-missing\` in load-branch.
  - each: \`pytest --cov=pkg --dist each --max-worker-restart=0
    --tx socket=127.0.0.1:<port>//chdir=<controller proj>
    --tx popen//python=<3.12.1 venv python> --rsyncdir=<abs>/pkg
    --rsyncdir=<abs>/tests -p no:cacheprovider <abs>/tests\`, the socket worker
    being execnet's \`socketserver.py\` run by the 3.11.7 venv (both workers are
    collocated with the controller). each-branch adds
    \`--cov-branch --cov-report=term-missing\`.

Apart from JSON \`meta.timestamp\` values and the XML \`timestamp\` attribute, a rerun with the same regen directory
gives identical files.
EOF

log "done: $(du -sh "$GOLDEN" | cut -f1) in $GOLDEN"
