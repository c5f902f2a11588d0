#!/usr/bin/env bash
# Interpreters for the raw-data tests (tests/rawdata.rs): a venv with
# coverage==7.17.5 for each Python version the test workers ran (3.11, 3.12),
# where such a Python exists here. Prints the variables to export:
#
#   eval "$(bash testdata/rawdata-pythons.sh)"    # then: make test
#
# A version that cannot be found or installed is reported on stderr and left
# out; its tests then skip with a message. Venvs are reused while they have
# the pinned coverage.py.
set -uo pipefail
VENVS="${COVMERGE_PY_VENVS:-/tmp/covmerge-test-venvs}"
PIN="coverage==7.17.5"
mkdir -p "$VENVS"

find_python() {  # find_python 3.11 -> a path, or nothing
  local v="$1" p
  for p in "${HOME:-/root}"/.pyenv/versions/"$v".*/bin/python3 "$(command -v "python$v" 2>/dev/null)"; do
    [ -x "$p" ] || continue
    [ "$("$p" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$v" ] && { echo "$p"; return; }
  done
}

for v in 3.11 3.12; do
  py="$(find_python "$v")"
  if [ -z "$py" ]; then
    echo "rawdata-pythons: no Python $v here; its raw-data tests will skip" >&2
    continue
  fi
  venv="$VENVS/py$v"
  if ! "$venv/bin/python" -c 'import coverage, sys; sys.exit(coverage.__version__ != "7.17.5")' 2>/dev/null; then
    rm -rf "$venv"
    if ! { "$py" -m venv "$venv" && "$venv/bin/python" -m pip install -q --disable-pip-version-check "$PIN"; } >&2; then
      echo "rawdata-pythons: cannot install $PIN for Python $v; its raw-data tests will skip" >&2
      continue
    fi
  fi
  echo "export COVMERGE_TEST_PYTHON_${v/./_}=$venv/bin/python"
  # The combine side uses the newest one found.
  echo "export COVMERGE_TEST_PYTHON=$venv/bin/python"
done
