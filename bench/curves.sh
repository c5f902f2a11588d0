#!/usr/bin/env bash
# Linearity curves in instructions (valgrind --tool=callgrind), which unlike
# wall time do not depend on the load other processes put on the machine:
#   size       covmerge LCOV (one thread) and the counting floor
#              (bench/floor.rs) at W=8, 32, 128, 512 workers x M=200 modules;
#   functions  covmerge LCOV and coverage.py JSON (one thread) at W=16/M=200
#              with 1x and 10x functions per file.
# Prints a TSV on stdout: curve scale kind bytes lines tool instructions.
# Environment: BENCH_DIR [/tmp/covmerge-bench], SHAPE [llvm], SEED [42],
# COVMERGE [target/release/covmerge], CURVE_SIZES ["8 32 128 512"].
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/covmerge-bench}
SHAPE=${SHAPE:-llvm}
SEED=${SEED:-42}
COVMERGE=${COVMERGE:-$ROOT/target/release/covmerge}
SIZES=${CURVE_SIZES:-"8 32 128 512"}
GEN=$ROOT/target/release/examples/gen_corpus
FLOOR=$ROOT/target/release/examples/floor
command -v valgrind >/dev/null || { echo "curves: valgrind missing (apt-get install valgrind)" >&2; exit 1; }

corpus() { # W M F [lcov-only] -> echoes the dir
    local dir=$BENCH_DIR/curves/seed$SEED/$SHAPE/w$1-m$2-f$3 stamp lcov_only=${4:-0}
    stamp=$(cksum <"$ROOT/bench/gen_corpus.rs" | cut -d' ' -f1)
    # a size-curve corpus (LCOV only) is not reused for JSON and the other way round
    stamp="$stamp-$lcov_only"
    if [ "$(cat "$dir/.complete" 2>/dev/null)" != "$stamp" ]; then
        rm -rf "$dir"
        GEN_LCOV_ONLY=$lcov_only "$GEN" "$dir" "$1" "$2" "$SEED" "$SHAPE" "$3"
        rm -rf "$dir/lines"
        echo "$stamp" >"$dir/.complete"
    fi
    echo "$dir"
}

# instructions CMD...: instructions executed by CMD on one rayon thread
# (RAYON_NUM_THREADS=1: the count is the same on any thread count, give or
# take the merge of per-thread results, and one thread is faster to simulate)
instructions() {
    local out
    out=$(mktemp)
    RAYON_NUM_THREADS=1 valgrind --tool=callgrind --dump-instr=no --callgrind-out-file="$out" "$@" >/dev/null 2>"$out.log" ||
        { echo "curves: $* failed:" >&2; tail -5 "$out.log" >&2; rm -f "$out" "$out.log"; return 1; }
    awk '/^(summary|totals):/ {print $2; exit}' "$out"
    rm -f "$out" "$out.log"
}

row() { # curve scale kind dir tool CMD...
    local curve=$1 scale=$2 kind=$3 dir=$4 tool=$5 bytes lines n
    shift 5
    bytes=$(find "$dir/$kind" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
    lines=$(find "$dir/$kind" -type f -exec cat {} + | wc -l)
    n=$(cd "$dir" && instructions "$@")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$curve" "$scale" "$kind" "$bytes" "$lines" "$tool" "$n"
    echo "curves: $curve $scale $kind $tool $n instructions" >&2
}

printf 'curve\tscale\tkind\tbytes\tlines\ttool\tinstructions\n'
MAP=(--map '*/proj/src/=src/')
for w in $SIZES; do
    d=$(corpus "$w" 200 1 1)
    row size "$w:200" lcov "$d" covmerge "$COVMERGE" combine -q "${MAP[@]}" lcov
    row size "$w:200" lcov "$d" floor "$FLOOR" lcov
done
for f in 1 10; do
    d=$(corpus 16 200 "$f")
    row functions "16:200x$f" lcov "$d" covmerge "$COVMERGE" combine -q "${MAP[@]}" lcov
    row functions "16:200x$f" json "$d" covmerge "$COVMERGE" combine -q "${MAP[@]}" json
    row functions "16:200x$f" lcov "$d" floor "$FLOOR" lcov
done
