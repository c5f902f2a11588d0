#!/usr/bin/env bash
# `make bench`: covmerge against cat and a counting-only reader (the floors),
# coverage.py, lcov 1.16 and grcov on the same generated corpora, in the same
# run; writes docs/BENCHMARKS.md.
#
# Every measurement of a scale is interleaved: round 1 runs every command of
# the scale once, round 2 again, and so on, so that load from other processes
# falls on all tools alike; ratios are taken per round and their spread shown.
#
# Environment:
#   BENCH_DIR          cache for corpora, peers and results   [/tmp/covmerge-bench]
#   BENCH_RUNS         rounds per scale (median, min-max)     [3]
#   BENCH_SCALES       W:M or W:MxF (F = functions per file multiplier)
#                      [8:200 64:200 64:200x10 64:1000 512:1000 64:5000]
#   BENCH_PY_SCALES    scales where the coverage.py JSON and SQLite inputs are
#                      measured too (coverage.py takes a minute per run at
#                      W=512; its JSON with regions is 7-11x the LCOV size)
#                      [8:200 64:200 64:200x10 64:1000]
#   BENCH_VIEW_SCALES  scales where the exports and views are measured [64:1000]
#   BENCH_SEED         generator seed                           [42]
#   BENCH_SHAPE        LCOV producer the tracefiles imitate: plain (DA/BRDA/LF/LH
#                      only, the original corpus), geninfo, llvm, coveragepy, nyc
#                      (bench/gen_corpus.rs)                     [llvm]
#   BENCH_SKIP_LCOV    scales where lcov -a is not run        [512:1000 64:5000]
#                      (lcov 1.16 takes minutes there; "" runs it everywhere)
#   BENCH_SLOW_LIMIT   a command whose first run takes longer than this many
#                      seconds is not repeated (n=1 in the table) [40]
#   BENCH_CURVES       1: also run bench/curves.sh (callgrind instruction
#                      counts against input size and functions) [1]
#   BENCH_DOC          where to write the report                [docs/BENCHMARKS.md]
#   COVMERGE           the binary under test                    [target/release/covmerge]
# Needs `make bench-peers` first.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/covmerge-bench}
RUNS=${BENCH_RUNS:-3}
SCALES=${BENCH_SCALES:-"8:200 64:200 64:200x10 64:1000 512:1000 64:5000"}
PY_SCALES=${BENCH_PY_SCALES-"8:200 64:200 64:200x10 64:1000"}
VIEW_SCALES=${BENCH_VIEW_SCALES-"64:1000"}
SEED=${BENCH_SEED:-42}
SHAPE=${BENCH_SHAPE:-llvm}
SKIP_LCOV=${BENCH_SKIP_LCOV-"512:1000 64:5000"}
SLOW_LIMIT=${BENCH_SLOW_LIMIT:-40}
CURVES=${BENCH_CURVES:-1}
DOC=${BENCH_DOC:-$ROOT/docs/BENCHMARKS.md}
COVMERGE=${COVMERGE:-$ROOT/target/release/covmerge}
GEN=$ROOT/target/release/examples/gen_corpus
FLOOR=$ROOT/target/release/examples/floor
FLOOR_JSON=$ROOT/target/release/examples/floor_json
FLOOR_SIMDJSON=$BENCH_DIR/floor_simdjson
VENV=$BENCH_DIR/venv
GRCOV=$BENCH_DIR/cargo/bin/grcov
TIME=/usr/bin/time

for tool in "$COVMERGE" "$GEN" "$FLOOR" "$FLOOR_JSON" "$FLOOR_SIMDJSON" "$VENV/bin/coverage" "$GRCOV" "$TIME"; do
    [ -x "$tool" ] || { echo "bench: $tool missing (run make build and make bench-peers)" >&2; exit 1; }
done
command -v lcov >/dev/null || { echo "bench: lcov missing (run make bench-peers)" >&2; exit 1; }

RES=$BENCH_DIR/results
WORK=$BENCH_DIR/work
rm -rf "$RES" "$WORK"
mkdir -p "$RES" "$WORK"
WALLS=$RES/walls.tsv          # scale tool round wall_s rss_kb load1 (1-min load average before)
NOTES=$RES/notes.tsv          # scale tool note
CHECKS=$RES/checks.tsv        # scale tool stmts miss branch branch2
SIZES=$RES/sizes.tsv          # scale kind files bytes lines
printf 'scale\ttool\tround\twall_s\trss_kb\tload1\n' >"$WALLS"
printf 'scale\ttool\tnote\n' >"$NOTES"
printf 'scale\ttool\tstmts\tmiss\tbranch\tbranch2\n' >"$CHECKS"
printf 'scale\tkind\tfiles\tbytes\tlines\n' >"$SIZES"

log() { echo "bench: $*" >&2; }
in_list() { local x=$1 s; shift; for s in $*; do [ "$s" = "$x" ] && return 0; done; return 1; }

# The corpus is cached per shape, scale and seed; a stamp with the checksum of
# the generator and of make_sqlite.py says it is complete and current.
corpus_stamp() { cat "$ROOT/bench/gen_corpus.rs" "$ROOT/bench/make_sqlite.py" | cksum | cut -d' ' -f1; }

prepare_corpus() { # SCALE -> echoes the corpus dir
    local scale=$1 w m f dir stamp
    w=${scale%%:*} m=${scale#*:} f=1
    case $m in *x*) f=${m#*x} m=${m%x*} ;; esac
    dir=$BENCH_DIR/corpus/seed$SEED/$SHAPE/w$w-m$m-f$f
    stamp=$(corpus_stamp)
    if [ "$(cat "$dir/.complete" 2>/dev/null)" != "$stamp" ]; then
        log "generating $scale ($SHAPE) in $dir"
        rm -rf "$dir"
        if in_list "$scale" "$PY_SCALES"; then
            "$GEN" "$dir" "$w" "$m" "$SEED" "$SHAPE" "$f"
            "$VENV/bin/python" "$ROOT/bench/make_sqlite.py" "$dir" >&2
        else
            # JSON never measured at this scale: spare the disk
            GEN_LCOV_ONLY=1 "$GEN" "$dir" "$w" "$m" "$SEED" "$SHAPE" "$f"
        fi
        # grcov strips one literal prefix (-p) and lcov -a merges by exact SF
        # path, so neither can unify per-host prefixes: give them a copy with
        # one common prefix, /ci/proj/src/pkg/... (their merge work is the same).
        mkdir -p "$dir/lcov-flat"
        for f in "$dir"/lcov/*.info; do
            sed -E 's#^SF:/ci/host[0-9]+/w[0-9]+/proj/#SF:/ci/proj/#' "$f" >"$dir/lcov-flat/$(basename "$f")"
        done
        if in_list "$scale" "$VIEW_SCALES"; then
            # The same tracefiles recorded as each-mode workers on 4 platforms,
            # for --by-platform (the platform view needs platforms).
            for f in "$dir"/lcov/*.info; do
                local n=${f##*/w} py
                n=$((10#${n%.info}))
                py=$((10 + n % 4))
                "$COVMERGE" record -q --no-config --data-dir "$dir/recorded" --worker "w$n" --mode each \
                    --host "host$((n / 8))" --platform "platform linux, python 3.$py.0-final-0" "$f" >&2
            done
        fi
        echo "$stamp" >"$dir/.complete"
    fi
    echo "$dir"
}

MAP=(--map '*/proj/src/=src/')
# cmd KEY: sets CMD (the command, run in the corpus dir $DIR) and OUT (its stdout).
cmd() {
    OUT=/dev/null
    case $1 in
    cat-lcov) CMD=(cat "$DIR"/lcov/*.info) ;;
    cat-json) CMD=(cat "$DIR"/json/*.json) ;;
    floor-lcov) CMD=("$FLOOR" lcov) ;;
    floor-parse-lcov) CMD=("$FLOOR" --parse lcov) ;;
    floor-json) CMD=("$FLOOR_JSON" json) ;;
    floor-json-simd) CMD=("$FLOOR_SIMDJSON" "$DIR"/json/*.json) ;;
    floor-sqlite) CMD=("$VENV/bin/python" "$ROOT/bench/floor_sqlite.py" sqlite) ;;
    covmerge-lcov) CMD=("$COVMERGE" combine -q "${MAP[@]}" lcov) ;;
    covmerge-lcov-1t) CMD=(env RAYON_NUM_THREADS=1 "$COVMERGE" combine -q "${MAP[@]}" lcov) ;;
    covmerge-json) CMD=("$COVMERGE" combine -q "${MAP[@]}" json) ;;
    covmerge-json-1t) CMD=(env RAYON_NUM_THREADS=1 "$COVMERGE" combine -q "${MAP[@]}" json) ;;
    covmerge-sqlite) CMD=("$COVMERGE" combine -q --python "$VENV/bin/python" "${MAP[@]}" sqlite) ;;
    # The job `coverage combine` does: read the raw data, write one combined
    # data file. Without --python the table has nothing to show and covmerge
    # exits 1 ("No data to report."), so success is the file written.
    covmerge-sqlite-o)
        CMD=(sh -c 'rm -f "$1"; "$0" combine -q --no-config --map "*/proj/src/=src/" -o "$1" sqlite >/dev/null 2>&1; test -s "$1"'
            "$COVMERGE" "$WORK/raw.covmerge.json")
        ;;
    coverage-combine) CMD=("$VENV/bin/coverage" combine --keep -q --rcfile=paths.coveragerc sqlite) ;;
    coverage-report)
        CMD=("$VENV/bin/coverage" report --rcfile=paths.coveragerc)
        OUT=$WORK/coverage-report.txt
        ;;
    grcov) CMD=("$GRCOV" lcov-flat -t lcov --branch -p /ci/proj/ -o "$WORK/grcov.info") ;;
    grcov-2t) CMD=("$GRCOV" lcov-flat -t lcov --branch -p /ci/proj/ --threads 2 -o "$WORK/grcov.info") ;;
    lcov-a)
        CMD=(lcov -q --rc lcov_branch_coverage=1)
        local f
        for f in "$DIR"/lcov-flat/*.info; do CMD+=(-a "$f"); done
        CMD+=(-o "$WORK/lcov.info")
        ;;
    view-json) CMD=("$COVMERGE" combine -q "${MAP[@]}" lcov --report "json:$WORK/out.json") ;;
    view-lcov) CMD=("$COVMERGE" combine -q "${MAP[@]}" lcov --report "lcov:$WORK/out.lcov") ;;
    view-xml) CMD=("$COVMERGE" combine -q "${MAP[@]}" lcov --report "xml:$WORK/out.xml") ;;
    view-csv) CMD=("$COVMERGE" combine -q "${MAP[@]}" lcov --report "csv:$WORK/out.csv") ;;
    view-markdown) CMD=("$COVMERGE" combine -q "${MAP[@]}" lcov --report "markdown:$WORK/out.md") ;;
    view-o) CMD=("$COVMERGE" combine -q "${MAP[@]}" lcov -o "$WORK/out.covmerge.json") ;;
    recorded) CMD=("$COVMERGE" combine -q --no-config "${MAP[@]}" recorded) ;;
    view-by-platform) CMD=("$COVMERGE" combine -q --no-config "${MAP[@]}" --by-platform recorded) ;;
    view-by-worker) CMD=("$COVMERGE" combine -q --no-config "${MAP[@]}" --by-platform --by worker recorded) ;;
    *)
        echo "bench: unknown key $1" >&2
        exit 1
        ;;
    esac
}

# run_rounds SCALE DIR KEY...: RUNS rounds of every KEY in turn, each under
# /usr/bin/time, appended to $WALLS. A command that fails is noted and not
# run again; one whose first run took over $SLOW_LIMIT s is run once.
run_rounds() {
    local scale=$1 dir=$2 r key wall rss load
    shift 2
    DIR=$dir
    local -A done=()
    for ((r = 1; r <= RUNS; r++)); do
        for key in "$@"; do
            [ -n "${done[$key]:-}" ] && continue
            cmd "$key"
            load=$(cut -d' ' -f1 /proc/loadavg)
            [ "$key" = coverage-combine ] && rm -f "$dir/.coverage"
            if ! (cd "$dir" && "$TIME" -f '%e %M' -o "$WORK/time" "${CMD[@]}" >"$OUT" 2>"$WORK/stderr"); then
                printf '%s\t%s\tfailed: %s\n' "$scale" "$key" "$(grep -v '^Command exited' "$WORK/stderr" | tail -1)" >>"$NOTES"
                log "$scale $key failed:"
                tail -5 "$WORK/stderr" >&2
                done[$key]=1
                continue
            fi
            read -r wall rss <"$WORK/time"
            printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$scale" "$key" "$r" "$wall" "$rss" "$load" >>"$WALLS"
            log "$(printf '%-12s round %s %-20s %7ss %8s KB  load %s' "$scale" "$r" "$key" "$wall" "$rss" "$load")"
            if [ "$r" = 1 ] && awk -v w="$wall" -v l="$SLOW_LIMIT" 'BEGIN {exit !(w > l)}'; then
                printf '%s\t%s\trun once (over %ss)\n' "$scale" "$key" "$SLOW_LIMIT" >>"$NOTES"
                done[$key]=1
            fi
        done
    done
}

# TOTAL line of a coverage.py-style table -> "stmts miss branch brpart"
table_total() { awk '$1 == "TOTAL" {print $2 "\t" $3 "\t" $4 "\t" $5}' "$1"; }
# LCOV output -> "stmts miss brf brh" from its LF/LH/BRF/BRH records
lcov_total() {
    awk -F: '$1=="LF"{lf+=$2} $1=="LH"{lh+=$2} $1=="BRF"{brf+=$2} $1=="BRH"{brh+=$2}
             END {printf "%d\t%d\t%d\t%d\n", lf, lf-lh, brf, brh}' "$1"
}

main() {
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
    echo "simdjson=$(dpkg-query -W -f '${Version}' libsimdjson-dev 2>/dev/null || echo '?') ($("$FLOOR_SIMDJSON" 2>/dev/null | sed 's/.*(\(.*\))/\1/' || echo '?'))"
    echo "time=$("$TIME" --version 2>&1 | head -1)"
    echo "runs=$RUNS"
    echo "slow_limit=$SLOW_LIMIT"
    echo "skip_lcov=$SKIP_LCOV"
    echo "py_scales=$PY_SCALES"
    echo "view_scales=$VIEW_SCALES"
    echo "seed=$SEED"
    echo "shape=$SHAPE"
} >"$RES/meta.txt"

for scale in $SCALES; do
    dir=$(prepare_corpus "$scale")
    py=0 views=0 lcov_ran=1
    in_list "$scale" "$PY_SCALES" && py=1
    in_list "$scale" "$VIEW_SCALES" && views=1
    in_list "$scale" "$SKIP_LCOV" && lcov_ran=0
    kinds=(lcov)
    [ "$py" = 1 ] && kinds+=(json sqlite)
    for kind in "${kinds[@]}"; do
        printf '%s\t%s\t%s\t%s\t%s\n' "$scale" "$kind" "$(find "$dir/$kind" -type f | wc -l)" \
            "$(find "$dir/$kind" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')" \
            "$([ "$kind" = sqlite ] && echo 0 || find "$dir/$kind" -type f -exec cat {} + | wc -l)" >>"$SIZES"
    done
    printf '%s\tfunctions\t%s\n' "$scale" "$(grep -c '^def ' "$dir"/src/pkg/*.py | awk -F: '{s+=$2} END {print s}')" >>"$SIZES"
    echo "load_$scale=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RES/meta.txt"
    # Warm the page cache for every input of this scale.
    find "$dir" -type f -exec cat {} + >/dev/null

    keys=(cat-lcov floor-lcov floor-parse-lcov covmerge-lcov covmerge-lcov-1t grcov grcov-2t)
    [ "$lcov_ran" = 1 ] && keys+=(lcov-a)
    [ "$py" = 1 ] && keys+=(cat-json floor-json floor-json-simd floor-sqlite covmerge-json covmerge-json-1t covmerge-sqlite covmerge-sqlite-o coverage-combine coverage-report)
    [ "$views" = 1 ] && keys+=(view-json view-lcov view-xml view-csv view-markdown view-o recorded view-by-platform view-by-worker)
    [ "$lcov_ran" = 1 ] || printf '%s\tlcov-a\tskipped (BENCH_SKIP_LCOV)\n' "$scale" >>"$NOTES"
    run_rounds "$scale" "$dir" "${keys[@]}"

    # Correctness: the TOTAL of every tool's merged result (untimed runs).
    (cd "$dir" && "$COVMERGE" combine -q "${MAP[@]}" lcov) >"$WORK/covmerge-lcov.txt"
    printf '%s\tcovmerge-lcov\t%s\n' "$scale" "$(table_total "$WORK/covmerge-lcov.txt")" >>"$CHECKS"
    if [ "$py" = 1 ]; then
        (cd "$dir" && "$COVMERGE" combine -q "${MAP[@]}" json) >"$WORK/covmerge-json.txt"
        (cd "$dir" && "$COVMERGE" combine -q --python "$VENV/bin/python" "${MAP[@]}" sqlite) >"$WORK/covmerge-sqlite.txt"
        printf '%s\tcovmerge-json\t%s\n' "$scale" "$(table_total "$WORK/covmerge-json.txt")" >>"$CHECKS"
        printf '%s\tcovmerge-sqlite\t%s\n' "$scale" "$(table_total "$WORK/covmerge-sqlite.txt")" >>"$CHECKS"
        printf '%s\tcoverage.py\t%s\n' "$scale" "$(table_total "$WORK/coverage-report.txt")" >>"$CHECKS"
        rm -f "$dir/.coverage"
    fi
    [ -f "$WORK/grcov.info" ] && printf '%s\tgrcov\t%s\n' "$scale" "$(lcov_total "$WORK/grcov.info")" >>"$CHECKS"
    [ "$lcov_ran" = 1 ] && [ -f "$WORK/lcov.info" ] && printf '%s\tlcov-a\t%s\n' "$scale" "$(lcov_total "$WORK/lcov.info")" >>"$CHECKS"
    if [ "$views" = 1 ]; then
        # What the exports wrote, so that the table says what was measured.
        for f in out.json out.lcov out.xml out.csv out.md out.covmerge.json; do
            [ -f "$WORK/$f" ] && printf '%s\tview-file\t%s\t%s\n' "$scale" "$f" "$(stat -c %s "$WORK/$f")" >>"$RES/views.tsv"
        done
    fi
    rm -f "$WORK"/grcov.info "$WORK"/lcov.info "$WORK"/out.*
done
echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RES/meta.txt"

if [ "$CURVES" = 1 ]; then
    BENCH_DIR=$BENCH_DIR SHAPE=$SHAPE SEED=$SEED COVMERGE=$COVMERGE bash "$ROOT/bench/curves.sh" >"$RES/curves.tsv"
fi

python3 "$ROOT/bench/render.py" "$RES" "$DOC"
log "wrote $DOC (raw results in $RES)"
}

# All of the above is read before anything runs, and bash reads this whole
# line before running it, so editing this file during a run does not change
# the run.
main "$@"; exit
