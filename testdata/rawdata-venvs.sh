# Sourced by testdata/rawdata-regen.sh and testdata/rawdata-exact-regen.sh:
# the one place for the interpreters, the pins and the venvs both use, so a
# pin changed here changes both (and neither remakes the other's venvs).
# Expects `log` and `die`; sets REGEN, PY311, PY312, PINS and makes
# $REGEN/venv311 and $REGEN/venv312.
REGEN="${COVMERGE_REGEN_DIR:-/tmp/covmerge-rawdata-regen}"
PY311="${COVMERGE_PY311:-/root/.pyenv/versions/3.11.7/bin/python3}"
PY312="${COVMERGE_PY312:-/root/.pyenv/versions/3.12.1/bin/python3}"
PINS=(coverage==7.17.5 pytest-cov==7.1.0 pytest==9.2.0 pytest-xdist==3.8.0 execnet==2.1.2 pluggy==1.7.0)

unset PYTHONPATH PYTHONHOME PYTEST_ADDOPTS COVERAGE_FILE COVERAGE_RCFILE COVERAGE_CORE \
      COVERAGE_PROCESS_START VIRTUAL_ENV || true
export PYTHONDONTWRITEBYTECODE=1 PYTHONHASHSEED=0 LC_ALL=C.UTF-8 LANG=C.UTF-8

mkdir -p "$REGEN"
make_venv() {  # make_venv <python> <dir>: kept while the interpreter and pins are the same
  local want
  want="$("$1" -c 'import sys; print(sys.version)')|${PINS[*]}"
  if [ -x "$2/bin/python" ] && [ "$(cat "$2/.pins" 2>/dev/null)" = "$want" ]; then return 0; fi
  log "creating venv $2"
  rm -rf "$2"
  "$1" -m venv "$2"
  "$2/bin/python" -m pip install -q "${PINS[@]}" || die "cannot install ${PINS[*]} into $2"
  printf '%s' "$want" >"$2/.pins"
}
make_venv "$PY311" "$REGEN/venv311"
make_venv "$PY312" "$REGEN/venv312"
