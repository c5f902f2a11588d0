#!/usr/bin/env bash
# `make bench`: covmerge against cat (the floor), coverage.py, lcov 1.16 and
# grcov on the same generated corpora, in the same run; writes docs/BENCHMARKS.md.
#
# Environment:
#   BENCH_DIR        cache for corpora, peers and results   [/tmp/covmerge-bench]
#   BENCH_RUNS       timed runs per measurement (median)     [5]
#   BENCH_SCALES     W:M pairs                                [8:200 64:1000 512:1000 64:5000]
#   BENCH_SEED       generator seed                           [42]
#   BENCH_SKIP_LCOV  W:M scales where lcov -a is not run      [512:1000 64:5000]
#                    (lcov 1.16 takes minutes there; "" runs it everywhere)
#   BENCH_SLOW_LIMIT a measurement whose first run takes longer than this many
#                    seconds is not repeated (n=1 in the table) [60]
#   BENCH_DOC        where to write the report                [docs/BENCHMARKS.md]
#   COVMERGE         the binary under test                    [target/release/covmerge]
# Needs `make bench-peers` first.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/covmerge-bench}
RUNS=${BENCH_RUNS:-5}
SCALES=${BENCH_SCALES:-"8:200 64:1000 512:1000 64:5000"}
SEED=${BENCH_SEED:-42}
SKIP_LCOV=${BENCH_SKIP_LCOV-"512:1000 64:5000"}
SLOW_LIMIT=${BENCH_SLOW_LIMIT:-60}
DOC=${BENCH_DOC:-$ROOT/docs/BENCHMARKS.md}
COVMERGE=${COVMERGE:-$ROOT/target/release/covmerge}
GEN=$ROOT/target/release/examples/gen_corpus
VENV=$BENCH_DIR/venv
GRCOV=$BENCH_DIR/cargo/bin/grcov
TIME=/usr/bin/time

for tool in "$COVMERGE" "$GEN" "$VENV/bin/coverage" "$GRCOV" "$TIME"; do
    [ -x "$tool" ] || { echo "bench: $tool missing (run make build and make bench-peers)" >&2; exit 1; }
done
command -v lcov >/dev/null || { echo "bench: lcov missing (run make bench-peers)" >&2; exit 1; }

RES=$BENCH_DIR/results
WORK=$BENCH_DIR/work
rm -rf "$RES" "$WORK"
mkdir -p "$RES" "$WORK"
RESULTS=$RES/results.tsv      # scale tool n wall_s rss_kb note
CHECKS=$RES/checks.tsv        # scale tool stmts miss branches branch_info
SIZES=$RES/sizes.tsv          # scale kind files bytes
printf 'scale\ttool\tn\twall_s\trss_kb\tnote\n' >"$RESULTS"
printf 'scale\ttool\tstmts\tmiss\tbranch\tbranch2\n' >"$CHECKS"
printf 'scale\tkind\tfiles\tbytes\n' >"$SIZES"

log() { echo "bench: $*" >&2; }

# The corpus is cached per scale and seed; a stamp with the checksum of the
# generator and of make_sqlite.py says it is complete and current.
corpus_stamp() { cat "$ROOT/bench/gen_corpus.rs" "$ROOT/bench/make_sqlite.py" | cksum | cut -d' ' -f1; }

prepare_corpus() { # W M -> echoes the corpus dir
    local w=$1 m=$2 dir=$BENCH_DIR/corpus/seed$SEED/w$1-m$2
    local stamp
    stamp=$(corpus_stamp)
    if [ "$(cat "$dir/.complete" 2>/dev/null)" != "$stamp" ]; then
        log "generating W=$w M=$m in $dir"
        rm -rf "$dir"
        "$GEN" "$dir" "$w" "$m" "$SEED"
        "$VENV/bin/python" "$ROOT/bench/make_sqlite.py" "$dir" >&2
        # grcov strips one literal prefix (-p) and lcov -a merges by exact SF
        # path, so neither can unify per-host prefixes: give them a copy with
        # one common prefix, /ci/proj/src/pkg/... (their merge work is the same).
        mkdir -p "$dir/lcov-flat"
        for f in "$dir"/lcov/*.info; do
            sed -E 's#^SF:/ci/host[0-9]+/w[0-9]+/proj/#SF:/ci/proj/#' "$f" >"$dir/lcov-flat/$(basename "$f")"
        done
        echo "$stamp" >"$dir/.complete"
    fi
    echo "$dir"
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# measure SCALE KEY CMD...: run CMD up to $RUNS times under /usr/bin/time,
# stdout to $STDOUT (default /dev/null); append the medians to $RESULTS.
measure() {
    local scale=$1 key=$2
    shift 2
    local out=${STDOUT:-/dev/null} n=0 note=""
    : >"$WORK/walls"
    : >"$WORK/rss"
    for ((i = 0; i < RUNS; i++)); do
        if ! "$TIME" -f '%e %M' -o "$WORK/time" "$@" >"$out" 2>"$WORK/stderr"; then
            note="failed: $(grep -v '^Command exited' "$WORK/stderr" | tail -1)"
            log "$key failed:"
            tail -5 "$WORK/stderr" >&2
            break
        fi
        local wall rss
        read -r wall rss <"$WORK/time"
        echo "$wall" >>"$WORK/walls"
        echo "$rss" >>"$WORK/rss"
        n=$((n + 1))
        if awk -v w="$wall" -v l="$SLOW_LIMIT" 'BEGIN {exit !(w > l)}'; then
            [ "$i" -eq 0 ] && note="run once (over ${SLOW_LIMIT}s)"
            break
        fi
    done
    local mw="" mr=""
    if [ "$n" -gt 0 ]; then
        mw=$(median <"$WORK/walls")
        mr=$(median <"$WORK/rss")
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$scale" "$key" "$n" "$mw" "$mr" "$note" >>"$RESULTS"
    log "$(printf '%-10s %-24s n=%s %8ss %8s KB %s' "$scale" "$key" "$n" "$mw" "$mr" "$note")"
}

# TOTAL line of a coverage.py-style table -> "stmts miss branch brpart"
table_total() { awk '$1 == "TOTAL" {print $2 "\t" $3 "\t" $4 "\t" $5}' "$1"; }
# LCOV output -> "stmts miss brf brh" from its LF/LH/BRF/BRH records
lcov_total() {
    awk -F: '$1=="LF"{lf+=$2} $1=="LH"{lh+=$2} $1=="BRF"{brf+=$2} $1=="BRH"{brh+=$2}
             END {printf "%d\t%d\t%d\t%d\n", lf, lf-lh, brf, brh}' "$1"
}

# Machine and versions, for the report.
{
    echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "nproc=$(nproc)"
    echo "cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
    echo "mem=$(free -g | awk '/^Mem:/ {print $2}') GiB"
    echo "kernel=$(uname -r)"
    echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "covmerge=$("$COVMERGE" --version 2>/dev/null || echo covmerge) ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))"
    echo "rustc=$(rustc --version 2>/dev/null || echo '?')"
    echo "coverage=$("$VENV/bin/coverage" --version | sed -n 1p) ($("$VENV/bin/python" --version))"
    echo "lcov=$(lcov --version | sed -n 1p)"
    echo "grcov=$("$GRCOV" --version)"
    echo "time=$("$TIME" --version 2>&1 | head -1)"
    echo "runs=$RUNS"
    echo "slow_limit=$SLOW_LIMIT"
    echo "skip_lcov=$SKIP_LCOV"
    echo "seed=$SEED"
} >"$RES/meta.txt"

MAP=(--map '*/proj/src/=src/')
for scale in $SCALES; do
    w=${scale%:*}
    m=${scale#*:}
    dir=$(prepare_corpus "$w" "$m")
    for kind in lcov json sqlite; do
        printf '%s\t%s\t%s\t%s\n' "$scale" "$kind" "$(find "$dir/$kind" -type f | wc -l)" \
            "$(find "$dir/$kind" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')" >>"$SIZES"
    done
    echo "load_$scale=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RES/meta.txt"
    # Warm the page cache for every input of this scale.
    cat "$dir"/lcov/* "$dir"/lcov-flat/* "$dir"/json/* "$dir"/sqlite/.coverage.* "$dir"/src/pkg/* >/dev/null

    measure "$scale" cat-lcov cat "$dir"/lcov/*.info
    measure "$scale" cat-json cat "$dir"/json/*.json
    measure "$scale" covmerge-lcov "$COVMERGE" combine -q "${MAP[@]}" "$dir/lcov"
    measure "$scale" covmerge-lcov-1t env RAYON_NUM_THREADS=1 "$COVMERGE" combine -q "${MAP[@]}" "$dir/lcov"
    measure "$scale" covmerge-json "$COVMERGE" combine -q "${MAP[@]}" "$dir/json"
    measure "$scale" covmerge-json-1t env RAYON_NUM_THREADS=1 "$COVMERGE" combine -q "${MAP[@]}" "$dir/json"
    # One untimed run each for the correctness check.
    "$COVMERGE" combine -q "${MAP[@]}" "$dir/lcov" >"$WORK/covmerge-lcov.txt"
    "$COVMERGE" combine -q "${MAP[@]}" "$dir/json" >"$WORK/covmerge-json.txt"

    # coverage.py: combine (keeping the inputs) then report, from the corpus
    # directory so that [paths] maps to src/ where the sources are.
    rm -f "$dir/.coverage"
    (cd "$dir" && measure "$scale" coverage-combine "$VENV/bin/coverage" combine --keep -q --rcfile=paths.coveragerc sqlite)
    (cd "$dir" && STDOUT=$WORK/coverage-report.txt measure "$scale" coverage-report "$VENV/bin/coverage" report --rcfile=paths.coveragerc)
    rm -f "$dir/.coverage"

    measure "$scale" grcov "$GRCOV" "$dir/lcov-flat" -t lcov --branch -p /ci/proj/ -o "$WORK/grcov.info"
    measure "$scale" grcov-2t "$GRCOV" "$dir/lcov-flat" -t lcov --branch -p /ci/proj/ --threads 2 -o "$WORK/grcov.info"

    lcov_ran=1
    for s in $SKIP_LCOV; do [ "$s" = "$scale" ] && lcov_ran=0; done
    if [ "$lcov_ran" = 1 ]; then
        args=()
        for f in "$dir"/lcov-flat/*.info; do args+=(-a "$f"); done
        measure "$scale" lcov-a lcov -q --rc lcov_branch_coverage=1 "${args[@]}" -o "$WORK/lcov.info"
    else
        printf '%s\tlcov-a\t0\t\t\tskipped (BENCH_SKIP_LCOV)\n' "$scale" >>"$RESULTS"
        log "$scale lcov -a skipped (BENCH_SKIP_LCOV)"
    fi

    printf '%s\tcovmerge-lcov\t%s\n' "$scale" "$(table_total "$WORK/covmerge-lcov.txt")" >>"$CHECKS"
    printf '%s\tcovmerge-json\t%s\n' "$scale" "$(table_total "$WORK/covmerge-json.txt")" >>"$CHECKS"
    printf '%s\tcoverage.py\t%s\n' "$scale" "$(table_total "$WORK/coverage-report.txt")" >>"$CHECKS"
    printf '%s\tgrcov\t%s\n' "$scale" "$(lcov_total "$WORK/grcov.info")" >>"$CHECKS"
    [ "$lcov_ran" = 1 ] && printf '%s\tlcov-a\t%s\n' "$scale" "$(lcov_total "$WORK/lcov.info")" >>"$CHECKS"
    rm -f "$WORK/grcov.info" "$WORK/lcov.info"
done
echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RES/meta.txt"

python3 "$ROOT/bench/render.py" "$RES" "$DOC"
log "wrote $DOC (raw results in $RES)"
