#!/usr/bin/env bash
# Install the peers `make bench` measures covmerge against:
#   apt: lcov (1.16 on Debian bookworm), time (GNU /usr/bin/time), valgrind
#        (bench/curves.sh counts instructions with callgrind), libsimdjson-dev
#        and g++ (bench/floor_simdjson.cpp, the JSON floor of a SIMD parser)
#   pip, in a venv under $BENCH_DIR: coverage==7.17.5
#   cargo install grcov (pinned, --locked) under $BENCH_DIR/cargo
# Idempotent: what is already there is kept.
set -euo pipefail

BENCH_DIR=${BENCH_DIR:-/tmp/covmerge-bench}
COVERAGE_VERSION=${COVERAGE_VERSION:-7.17.5}
GRCOV_VERSION=${GRCOV_VERSION:-0.10.7}
mkdir -p "$BENCH_DIR"

need_apt=()
command -v lcov >/dev/null 2>&1 || need_apt+=(lcov)
[ -x /usr/bin/time ] || need_apt+=(time)
command -v valgrind >/dev/null 2>&1 || need_apt+=(valgrind)
command -v g++ >/dev/null 2>&1 || need_apt+=(g++)
[ -f /usr/include/simdjson.h ] || need_apt+=(libsimdjson-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

VENV="$BENCH_DIR/venv"
if ! "$VENV/bin/coverage" --version 2>/dev/null | grep -q "Coverage.py, version $COVERAGE_VERSION "; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "coverage==$COVERAGE_VERSION"
fi

GRCOV="$BENCH_DIR/cargo/bin/grcov"
if ! "$GRCOV" --version 2>/dev/null | grep -q "$GRCOV_VERSION"; then
    cargo install grcov --version "$GRCOV_VERSION" --locked --root "$BENCH_DIR/cargo"
fi

FLOOR_SIMDJSON="$BENCH_DIR/floor_simdjson"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -x "$FLOOR_SIMDJSON" ] || [ "$ROOT/bench/floor_simdjson.cpp" -nt "$FLOOR_SIMDJSON" ]; then
    g++ -std=c++17 -O3 -march=native -o "$FLOOR_SIMDJSON" "$ROOT/bench/floor_simdjson.cpp" -lsimdjson
fi

echo "lcov:     $(lcov --version | head -1)"
echo "time:     $(/usr/bin/time --version 2>&1 | head -1)"
echo "valgrind: $(valgrind --version)"
echo "coverage: $("$VENV/bin/coverage" --version | head -1)"
echo "grcov:    $("$GRCOV" --version)"
echo "simdjson: $(dpkg-query -W -f '${Version}' libsimdjson-dev 2>/dev/null || echo '?')"
