#!/usr/bin/env bash
# Quick LCOV-only measurement without peers: covmerge (default threads and
# RAYON_NUM_THREADS=1) against `cat` of the same files, per corpus shape and
# scale, N runs each; prints median, min and max wall seconds and MB/s.
#
#   bash bench/shapes.sh                 # shapes "plain geninfo", scales "64:1000 512:1000"
#   SHAPES="llvm nyc" SCALES=64:1000 RUNS=7 bash bench/shapes.sh
# Environment: BENCH_DIR [/tmp/covmerge-bench], SEED [42], COVMERGE [target/release/covmerge].
# Corpora are cached as in bench/run.sh (same directory layout, without the
# SQLite files and the flat copies the peers need).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/covmerge-bench}
SHAPES=${SHAPES:-"plain geninfo"}
SCALES=${SCALES:-"64:1000 512:1000"}
RUNS=${RUNS:-5}
SEED=${SEED:-42}
COVMERGE=${COVMERGE:-$ROOT/target/release/covmerge}
GEN=$ROOT/target/release/examples/gen_corpus
[ -x "$COVMERGE" ] && [ -x "$GEN" ] || { echo "shapes: run cargo build --release --bin covmerge --example gen_corpus" >&2; exit 1; }

# wall seconds of one run of "$@" (output discarded)
wall() {
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc
}
stats() { sort -g | awk '{a[NR]=$1} END {m = NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "%.3f %.3f %.3f\n", m, a[1], a[NR]}'; }

printf '%-10s %-9s %-18s %8s %8s %8s %8s\n' shape scale tool median min max MB/s
for shape in $SHAPES; do
    for scale in $SCALES; do
        w=${scale%:*} m=${scale#*:}
        dir=$BENCH_DIR/shapes/seed$SEED/$shape/w$w-m$m
        stamp=$(cksum <"$ROOT/bench/gen_corpus.rs" | cut -d' ' -f1)
        if [ "$(cat "$dir/.complete" 2>/dev/null)" != "$stamp" ]; then
            rm -rf "$dir"
            GEN_LCOV_ONLY=1 "$GEN" "$dir" "$w" "$m" "$SEED" "$shape"
            echo "$stamp" >"$dir/.complete"
        fi
        bytes=$(find "$dir/lcov" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
        cat "$dir"/lcov/* >/dev/null
        for tool in cat covmerge covmerge-1t; do
            : >/tmp/shapes.$$
            for ((i = 0; i < RUNS; i++)); do
                case $tool in
                cat) wall cat "$dir"/lcov/*.info ;;
                covmerge) wall "$COVMERGE" combine -q --map '*/proj/src/=src/' "$dir/lcov" ;;
                covmerge-1t) wall env RAYON_NUM_THREADS=1 "$COVMERGE" combine -q --map '*/proj/src/=src/' "$dir/lcov" ;;
                esac >>/tmp/shapes.$$
            done
            read -r med lo hi < <(stats </tmp/shapes.$$)
            printf '%-10s %-9s %-18s %8s %8s %8s %8.0f\n' "$shape" "$scale" "$tool" "$med" "$lo" "$hi" \
                "$(echo "$bytes / 1000000 / $med" | bc -l)"
        done
        printf '%-10s %-9s %-18s %s bytes in %s files\n' "$shape" "$scale" size "$bytes" "$w"
    done
done
rm -f /tmp/shapes.$$
