#!/usr/bin/env python3
"""Render docs/BENCHMARKS.md from bench/run.sh's results directory.

    render.py RESULTS_DIR DOC

Everything from a "## Profile" heading on in the existing DOC is kept (it
is written by hand from callgrind/perf runs), the rest is regenerated.
Ratios between two tools are taken per round (both ran in the same round,
one after the other) and shown as the median with the min-max over rounds.
"""

import csv
import os
import statistics
import sys

TOOLS = [
    ("cat-lcov", "cat (LCOV inputs)", "`cat lcov/*.info > /dev/null`"),
    ("floor-lcov", "floor: read + count records, 1 thread", "`floor lcov` (`bench/floor.rs`)"),
    ("floor-parse-lcov", "floor: read + every number a merge needs, 1 thread", "`floor --parse lcov` (`bench/floor.rs`)"),
    ("covmerge-lcov", "covmerge, LCOV", "`covmerge combine -q --map '*/proj/src/=src/' lcov`"),
    ("covmerge-lcov-1t", "covmerge, LCOV, 1 thread", "same, `RAYON_NUM_THREADS=1`"),
    ("grcov", "grcov", "`grcov lcov-flat -t lcov --branch -p /ci/proj/ -o OUT`"),
    ("grcov-2t", "grcov, 2 threads", "same, `--threads 2`"),
    ("lcov-a", "lcov -a", "`lcov -q --rc lcov_branch_coverage=1 -a F1 -a F2 ... -o OUT`"),
    ("cat-json", "cat (JSON inputs)", "`cat json/*.json > /dev/null`"),
    ("floor-json", "floor: read + check JSON syntax (serde `IgnoredAny`), 1 thread", "`floor_json json` (`bench/floor_json.rs`)"),
    ("floor-json-simd", "floor: read + parse with simdjson (SIMD) + walk every integer, 1 thread", "`floor_simdjson json/*.json` (`bench/floor_simdjson.cpp`)"),
    ("covmerge-json", "covmerge, JSON", "`covmerge combine -q --map '*/proj/src/=src/' json`"),
    ("covmerge-json-1t", "covmerge, JSON, 1 thread", "same, `RAYON_NUM_THREADS=1`"),
    ("floor-sqlite", "floor: SQLite steps every row, 1 thread", "`python bench/floor_sqlite.py sqlite` (sums inside SQLite)"),
    ("covmerge-sqlite", "covmerge, SQLite", "`covmerge combine -q --python VENV/bin/python --map '*/proj/src/=src/' sqlite`"),
    ("covmerge-sqlite-o", "covmerge, SQLite to one data file (`coverage combine`'s job)", "`covmerge combine -q --no-config --map '*/proj/src/=src/' -o OUT sqlite` (no --python: no table)"),
    ("coverage-combine", "coverage.py combine", "`coverage combine --keep -q --rcfile=paths.coveragerc sqlite`"),
    ("coverage-report", "coverage.py report", "`coverage report --rcfile=paths.coveragerc`"),
    ("coverage-total", "coverage.py combine + report", "per round, the sum of the two (RSS: the larger)"),
]
VIEWS = [
    ("view-json", "covmerge-lcov", "`--report json:F`"),
    ("view-lcov", "covmerge-lcov", "`--report lcov:F`"),
    ("view-xml", "covmerge-lcov", "`--report xml:F` (Cobertura)"),
    ("view-csv", "covmerge-lcov", "`--report csv:F`"),
    ("view-markdown", "covmerge-lcov", "`--report markdown:F`"),
    ("view-o", "covmerge-lcov", "`-o F` (covmerge data file)"),
    ("view-by-platform", "recorded", "`--by-platform` (on `recorded/`, 4 platforms)"),
    ("view-by-worker", "recorded", "`--by-platform --by worker` (on `recorded/`, a column per worker)"),
]
# Measured for the record: the targets name the exports,
# `--by-platform` and `-o`.
NOT_TARGETS = {"view-by-worker"}
VIEW_FILES = {
    "view-json": "out.json",
    "view-lcov": "out.lcov",
    "view-xml": "out.xml",
    "view-csv": "out.csv",
    "view-markdown": "out.md",
    "view-o": "out.covmerge.json",
}
LABEL = {k: l for k, l, _ in TOOLS}
LABEL["recorded"] = "covmerge, the same tracefiles recorded (`recorded/`)"


def read_tsv(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def fmt_s(x):
    if x is None:
        return "–"
    return f"{x:.2f}" if x < 10 else f"{x:.1f}"


def fmt_mb(kb):
    return "–" if kb is None else f"{kb / 1024:.0f}" if kb >= 10240 else f"{kb / 1024:.1f}"


def fmt_ratio(x):
    if x is None:
        return "–"
    if x < 10:
        return f"{x:.2f}×"
    return f"{x:.1f}×" if x < 100 else f"{x:.0f}×"


def label(s):
    w, m = s.split(":")
    f = ""
    if "x" in m:
        m, f = m.split("x")
        f = f", {f}× functions"
    return f"W={w}/M={m}{f}"


def main():
    res, doc = sys.argv[1], sys.argv[2]
    meta = {}
    with open(os.path.join(res, "meta.txt")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            meta[k] = v
    walls = read_tsv(os.path.join(res, "walls.tsv"))
    notes = {(r["scale"], r["tool"]): r["note"] for r in read_tsv(os.path.join(res, "notes.tsv"))}
    checks = read_tsv(os.path.join(res, "checks.tsv"))
    curves = read_tsv(os.path.join(res, "curves.tsv"))
    sizes = {}
    views_out = {}
    with open(os.path.join(res, "sizes.tsv")) as f:
        next(f)
        for line in f:
            p = line.rstrip("\n").split("\t")
            sizes[(p[0], p[1])] = p[2:]
    if os.path.exists(os.path.join(res, "views.tsv")):
        with open(os.path.join(res, "views.tsv")) as f:
            for line in f:
                p = line.rstrip("\n").split("\t")
                views_out[(p[0], p[2])] = int(p[3])

    scales = []
    rounds = {}  # (scale, tool) -> {round: (wall, rss)}
    loads = []
    for r in walls:
        if r["scale"] not in scales:
            scales.append(r["scale"])
        rounds.setdefault((r["scale"], r["tool"]), {})[int(r["round"])] = (
            float(r["wall_s"]),
            float(r["rss_kb"]),
        )
        loads.append(float(r["load1"]))
    for s in scales:
        c, p = rounds.get((s, "coverage-combine")), rounds.get((s, "coverage-report"))
        if c and p:
            rounds[(s, "coverage-total")] = {
                k: (c[k][0] + p[k][0], max(c[k][1], p[k][1])) for k in c if k in p
            }

    def walls_of(s, t):
        return [w for w, _ in rounds.get((s, t), {}).values()]

    def med(s, t):
        w = walls_of(s, t)
        return statistics.median(w) if w else None

    def rng(s, t):
        w = walls_of(s, t)
        return (min(w), max(w)) if w else None

    def rss(s, t):
        r = [x for _, x in rounds.get((s, t), {}).values()]
        return statistics.median(r) if r else None

    def ratio(s, a, b):
        """a / b per round: (median, min, max) over the rounds both ran."""
        ra, rb = rounds.get((s, a), {}), rounds.get((s, b), {})
        q = [ra[k][0] / rb[k][0] for k in ra if k in rb and rb[k][0] > 0]
        if not q:
            return None
        return statistics.median(q), min(q), max(q)

    def fmt_rr(x):
        if x is None:
            return "–"
        m, lo, hi = x
        if lo == hi:
            return fmt_ratio(m)
        return f"{fmt_ratio(m)} ({fmt_ratio(lo)[:-1]}–{fmt_ratio(hi)})"

    def mbytes(s, kind):
        v = sizes.get((s, kind))
        return int(v[1]) / 1e6 if v else None

    out = []
    p = out.append
    p("# Benchmarks")
    p("")
    p(f"Generated by `make bench` (`bench/run.sh`, rendered by `bench/render.py`) on **{meta['date']}**.")
    p("Everything above the *Profile* section is regenerated by each run; the *Profile*")
    p("section and what follows it are written by hand and kept.")
    p("")
    lo, hi = (min(loads), max(loads)) if loads else (0, 0)
    p(f"> **Load.** A shared 2-core machine: the 1-minute load average before each")
    p(f"> command of this run was {lo:.2f}–{hi:.2f} (start {meta.get('load_start', '?')}, end")
    p(f"> {meta.get('load_end', '?')}; per scale below). Every scale's commands ran interleaved")
    p("> (round 1: each command once, round 2: each again, ...), so the ratios compare tools")
    p("> under the same load; they are per-round ratios, median (min–max). Wall times are")
    p("> `/usr/bin/time` centiseconds, so anything under 0.1 s is coarse.")
    p("")
    p("## Machine and tools")
    p("")
    p("| | |")
    p("| --- | --- |")
    p(f"| CPUs (`nproc`) | {meta['nproc']} |")
    p(f"| CPU model | {meta['cpu']} |")
    p(f"| memory | {meta['mem']} |")
    p(f"| kernel | {meta['kernel']} |")
    loads_s = "; ".join(f"{label(s)}: {meta.get('load_' + s, '?')}" for s in scales)
    p(f"| load average (1/5/15 min) | start: {meta.get('load_start')}; {loads_s}; end: {meta.get('load_end')} |")
    p(f"| covmerge | {meta['covmerge']}, {meta['rustc']}, release profile (thin LTO) |")
    p(f"| coverage.py | {meta['coverage']} |")
    p(f"| lcov | {meta['lcov']} |")
    p(f"| grcov | {meta['grcov']} (`cargo install --locked`) |")
    p(f"| simdjson | {meta.get('simdjson', '?')} (Debian's `libsimdjson-dev`; the implementation it picked) |")
    p(f"| timing | {meta['time']}, `-f '%e %M'` (wall seconds, peak RSS) |")
    p("")
    p(f"Each cell is the median of {meta['runs']} interleaved rounds with a warm page cache (every")
    p("input is read once before a scale is measured), with the min–max; a command whose")
    p(f"first run took over {meta['slow_limit']} s ran once (`n` column). Corpus seed {meta['seed']},")
    p(f"LCOV shape `{meta['shape']}` (`BENCH_SHAPE`; the default, `llvm`, imitates `llvm-cov export")
    p("-format=lcov`, which writes every record kind: `FN`, `FNDA`, `FNF`/`FNH`, `DA`, `BRDA`,")
    p("`BRF`/`BRH`, `LF`/`LH`; `bench/shapes.sh` compares the shapes against `cat`).")
    p("")
    p("## Corpus and commands")
    p("")
    p("`bench/gen_corpus.rs` writes, for W workers and M modules (~150 statements, ~25")
    p("functions and ~25 two-way branches each, a third of them an `if` ending its function,")
    p("whose false arm is an exit arc; with `xF`, F−1 two-line helper functions before each")
    p("block, so ten times the functions), one report per worker in three formats")
    p("that carry the same data: LCOV (`lcov/wNNNN.info`) in the chosen producer's shape,")
    p("coverage.py JSON (`json/coverage-wNNNN.json`, branch mode, with the `summary`,")
    p("`functions` and `classes` regions and `totals` that coverage.py 7.x's `coverage json`")
    p("writes) and, through `bench/make_sqlite.py` and coverage.py's `CoverageData` API,")
    p("coverage.py SQLite data files (`sqlite/.coverage.wNNNN`, arcs). Each worker imports")
    p("about half of the modules and runs about 2/3 of their lines. Every worker has its own")
    p("path prefix (`/ci/hostH/wW/proj/src/pkg/...`), so every input needs path remapping.")
    p("The JSON and SQLite inputs and coverage.py are measured only at the scales in")
    p(f"`BENCH_PY_SCALES` ({meta.get('py_scales', '')}): coverage.py takes about a minute per")
    p("run at W=512, and the JSON with regions is 7–11 times the size of the LCOV.")
    p("")
    p("grcov strips one literal prefix (`-p`) and `lcov -a` merges records by exact `SF:`")
    p("path, so neither can unify per-worker prefixes; they read `lcov-flat/`, a copy of the")
    p("LCOV corpus with the common prefix `/ci/proj/src/pkg/...` (same records, same merge")
    p("work). covmerge and coverage.py do the remapping (`--map`, `[paths]`) themselves.")
    p("Raw coverage.py SQLite data says what ran, not what the statements are. For the table,")
    p("covmerge has the user's coverage.py analyse the sources (`--python`: one Python process")
    p("per core), so that row includes Python's start and the analysis `coverage report` also")
    p("does; it is compared with coverage.py's combine + report. The row \"SQLite to one data")
    p("file\" is `coverage combine`'s own job (read the raw data, write one combined file, no")
    p("analysis) and is compared with it.")
    p("")
    p("| scale | LCOV files | LCOV MB | LCOV lines | functions in the sources | JSON MB | SQLite MB |")
    p("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for s in scales:
        lc = sizes.get((s, "lcov"), ["", "0", "0"])
        fn = sizes.get((s, "functions"), ["?"])
        j, q = mbytes(s, "json"), mbytes(s, "sqlite")
        p(
            f"| {label(s)} | {lc[0]} | {int(lc[1]) / 1e6:.0f} | {int(lc[2]):,} | {fn[0]} | "
            f"{'–' if j is None else f'{j:.0f}'} | {'–' if q is None else f'{q:.0f}'} |"
        )
    p("")
    p("| key | what | command (from the corpus directory) |")
    p("| --- | --- | --- |")
    for k, l, c in TOOLS:
        p(f"| `{k}` | {l} | {c} |")
    p("")
    p("covmerge's table goes to `/dev/null`; grcov and lcov write their merged LCOV to a")
    p("file (checked below); coverage.py's report goes to a file.")
    p("")
    p("## Results")
    for s in scales:
        p("")
        p(f"### {label(s)}")
        p("")
        ins = []
        for kind in ("lcov", "json", "sqlite"):
            v = sizes.get((s, kind))
            if v:
                ins.append(f"{kind.upper() if kind != 'sqlite' else 'SQLite'} {v[0]} files, {int(v[1]) / 1e6:.0f} MB")
        p(f"Inputs: {'; '.join(ins)}. Load average before: {meta.get('load_' + s, '?')}.")
        p("")
        p("| tool | n | wall s (median) | min–max | peak RSS MB | wall vs covmerge (same format, per round) | note |")
        p("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
        for k, l, _ in TOOLS:
            if (s, k) not in rounds and (s, k) not in notes:
                continue
            b = "covmerge-lcov"
            if k in ("cat-json", "floor-json", "floor-json-simd", "covmerge-json", "covmerge-json-1t", "coverage-total", "coverage-report"):
                b = "covmerge-json"
            if k == "covmerge-sqlite":
                b = "covmerge-sqlite"
            if k in ("covmerge-sqlite-o", "coverage-combine", "floor-sqlite"):
                b = "covmerge-sqlite-o"
            r = rng(s, k)
            name = f"**{l}**" if k in ("covmerge-lcov", "covmerge-json", "covmerge-sqlite") else l
            p(
                f"| {name} | {len(walls_of(s, k))} | {fmt_s(med(s, k))} | "
                f"{'–' if r is None else f'{fmt_s(r[0])}–{fmt_s(r[1])}'} | {fmt_mb(rss(s, k))} | "
                f"{fmt_rr(ratio(s, k, b))} | {notes.get((s, k), '')} |"
            )

    p("")
    p("## Ratios")
    p("")
    p("Per-round ratios of wall times, median (min–max over the rounds); > 1× in the peer")
    p("columns means covmerge is faster. Single-thread throughput is LCOV MB over the")
    p("median 1-thread wall time.")
    p("")
    p(
        "| scale | covmerge LCOV ÷ cat | covmerge 1t ÷ floor 1t | grcov ÷ covmerge | grcov ÷ covmerge 1t | grcov 2t ÷ covmerge | "
        "lcov -a ÷ covmerge | coverage.py combine+report ÷ covmerge JSON | coverage combine ÷ covmerge SQLite | "
        "covmerge 1t MB/s | floor MB/s |"
    )
    p("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for s in scales:
        mb = mbytes(s, "lcov")
        t1, fl = med(s, "covmerge-lcov-1t"), med(s, "floor-lcov")
        p(
            f"| {label(s)} | {fmt_rr(ratio(s, 'covmerge-lcov', 'cat-lcov'))} | "
            f"{fmt_rr(ratio(s, 'covmerge-lcov-1t', 'floor-lcov'))} | {fmt_rr(ratio(s, 'grcov', 'covmerge-lcov'))} | "
            f"{fmt_rr(ratio(s, 'grcov', 'covmerge-lcov-1t'))} | "
            f"{fmt_rr(ratio(s, 'grcov-2t', 'covmerge-lcov'))} | {fmt_rr(ratio(s, 'lcov-a', 'covmerge-lcov'))} | "
            f"{fmt_rr(ratio(s, 'coverage-total', 'covmerge-json'))} | {fmt_rr(ratio(s, 'coverage-combine', 'covmerge-sqlite-o'))} | "
            f"{'–' if not t1 else f'{mb / t1:.0f}'} | {'–' if not fl else f'{mb / fl:.0f}'} |"
        )

    big = "512:1000" if "512:1000" in scales else scales[-1]
    py_scales = [s for s in scales if (s, "covmerge-json") in rounds]
    # the scale for the coverage.py targets, else the largest measured
    pybig = "64:1000" if "64:1000" in py_scales else None
    for s in py_scales:
        if pybig != "64:1000" and (pybig is None or (mbytes(s, "json") or 0) > (mbytes(pybig, "json") or 0)):
            pybig = s
    p("")
    p("### Targets (issue 16)")
    p("")
    p("| target | scale | measured (per round: median, min–max) | met? |")
    p("| --- | --- | ---: | --- |")

    def target(name, s, rr, ok):
        if rr is None:
            p(f"| {name} | {label(s) if s else '–'} | – | not measured |")
            return
        p(f"| {name} | {label(s)} | {fmt_rr(rr)} | {'yes' if ok(rr[0]) else '**no**'} |")

    target("covmerge LCOV within 5× of `cat`", big, ratio(big, "covmerge-lcov", "cat-lcov"), lambda x: x <= 5)
    target("covmerge LCOV ≥ 7× faster than grcov", big, ratio(big, "grcov", "covmerge-lcov"), lambda x: x >= 7)
    target(
        "(the same, both on one thread: less exposed to the load)",
        big,
        ratio(big, "grcov", "covmerge-lcov-1t"),
        lambda x: x >= 7,
    )
    t1 = med(big, "covmerge-lcov-1t")
    if t1:
        mbs = mbytes(big, "lcov") / t1
        p(f"| single-thread LCOV ≥ 400 MB/s | {label(big)} | {mbs:.0f} MB/s | {'yes' if mbs >= 400 else '**no**'} |")
    if pybig:
        target(
            "covmerge JSON ≥ 30× faster than coverage.py combine + report",
            pybig,
            ratio(pybig, "coverage-total", "covmerge-json"),
            lambda x: x >= 30,
        )
        target(
            "covmerge SQLite ≥ 10× faster than `coverage combine` (both: raw data to one data file)",
            pybig,
            ratio(pybig, "coverage-combine", "covmerge-sqlite-o"),
            lambda x: x >= 10,
        )
        target(
            "(covmerge SQLite against `coverage combine` + `report`, the same output)",
            pybig,
            ratio(pybig, "coverage-total", "covmerge-sqlite"),
            lambda x: x >= 10,
        )
    for k in ("covmerge-lcov", "covmerge-lcov-1t"):
        a, b = rss("64:1000", k), rss("512:1000", k)
        if a and b:
            p(
                f"| peak RSS at W=512 ≤ 1.5× W=64 ({LABEL[k]}) | M=1000 | {b / a:.2f}× "
                f"({fmt_mb(a)} → {fmt_mb(b)} MB) | {'yes' if b / a <= 1.5 else '**no**'} |"
            )
    for k, b, _ in VIEWS:
        for s in scales:
            if (s, k) in rounds and k not in NOT_TARGETS:
                rr = ratio(s, k, b)
                if rr:
                    extra = tuple(x - 1 for x in rr)
                    p(
                        f"| `{k}` costs no more than the combine | {label(s)} | "
                        f"{fmt_rr(extra)} of the combine | {'yes' if extra[0] <= 1 else '**no**'} |"
                    )

    vscales = [s for s in scales if (s, "view-json") in rounds]
    if vscales:
        p("")
        p("## Exports and views")
        p("")
        p("Each is the same combine with one option added, in the same rounds as the plain")
        p("combine (LCOV inputs; `--by-platform` against a combine of the same tracefiles")
        p("recorded as each-mode workers of 4 platforms). Extra cost = the run's wall time minus")
        p("the plain combine's in the same round, over the plain combine's.")
        for s in vscales:
            p("")
            p(f"### {label(s)}")
            p("")
            p("| option | wall s (median) | min–max | peak RSS MB | extra ÷ combine (per round) | written |")
            p("| --- | ---: | ---: | ---: | ---: | ---: |")
            for base in ("covmerge-lcov", "recorded"):
                r = rng(s, base)
                if r:
                    p(f"| {LABEL[base]} (baseline) | {fmt_s(med(s, base))} | {fmt_s(r[0])}–{fmt_s(r[1])} | {fmt_mb(rss(s, base))} | – | – |")
            for k, b, what in VIEWS:
                r = rng(s, k)
                if not r:
                    continue
                rr = ratio(s, k, b)
                extra = None if rr is None else tuple(x - 1 for x in rr)
                w = views_out.get((s, VIEW_FILES.get(k, "")))
                p(
                    f"| {what} | {fmt_s(med(s, k))} | {fmt_s(r[0])}–{fmt_s(r[1])} | {fmt_mb(rss(s, k))} | "
                    f"{fmt_rr(extra)} | {'–' if w is None else f'{w / 1e6:.1f} MB'} |"
                )

    p("")
    p("## Peak memory")
    p("")
    p("Median peak RSS (MB) of the rounds, by scale.")
    p("")
    keys = ["covmerge-lcov", "covmerge-lcov-1t", "grcov", "grcov-2t", "covmerge-json", "covmerge-sqlite", "covmerge-sqlite-o", "coverage-combine", "coverage-report"]
    p("| scale | " + " | ".join(LABEL[k] for k in keys) + " |")
    p("| --- |" + " ---: |" * len(keys))
    for s in scales:
        p(f"| {label(s)} | " + " | ".join(fmt_mb(rss(s, k)) for k in keys) + " |")

    p("")
    p("## Time against input size")
    p("")
    p("covmerge LCOV's median wall time against the size of its inputs (sorted by size),")
    p("with throughput, and the floors' throughput in the same rounds.")
    p("")
    p("| scale | LCOV MB | covmerge s | covmerge MB/s | covmerge 1t MB/s | floor 1t MB/s | cat MB/s |")
    p("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")

    def mbs(mb, t):
        return "–" if not t else f"{mb / t:.0f}"

    for s in sorted(scales, key=lambda s: mbytes(s, "lcov") or 0):
        mb = mbytes(s, "lcov")
        p(
            f"| {label(s)} | {mb:.0f} | {fmt_s(med(s, 'covmerge-lcov'))} | {mbs(mb, med(s, 'covmerge-lcov'))} | "
            f"{mbs(mb, med(s, 'covmerge-lcov-1t'))} | {mbs(mb, med(s, 'floor-lcov'))} | {mbs(mb, med(s, 'cat-lcov'))} |"
        )

    if curves:
        p("")
        p("## Linearity (instructions)")
        p("")
        p("`bench/curves.sh`: instructions counted by `valgrind --tool=callgrind` (independent")
        p("of the machine's load), one thread, on corpora of M=200 modules. Per-byte and")
        p("per-line figures that stay flat mean time linear in that input dimension.")
        p("")
        p("| curve | scale | input | MB | lines | tool | instructions (M) | per byte | per line |")
        p("| --- | --- | --- | ---: | ---: | --- | ---: | ---: | ---: |")
        for r in curves:
            b, n, ln = int(r["bytes"]), int(r["instructions"] or 0), int(r["lines"])
            p(
                f"| {r['curve']} | {label(r['scale'])} | {r['kind']} | {b / 1e6:.1f} | {ln:,} | {r['tool']} | "
                f"{n / 1e6:,.0f} | {n / b:.1f} | {'–' if not ln else f'{n / ln:.0f}'} |"
            )

    p("")
    p("## Correctness check")
    p("")
    p("TOTAL of each tool's merged result. covmerge and coverage.py print")
    p("`Stmts Miss Branch BrPart`; for grcov and lcov the columns are the sums of their")
    p("output's `LF`, `LF − LH`, `BRF` and `BRH` (branch *outcomes* and outcomes taken, a")
    p("different measure from coverage.py's `Branch` = possible exits and `BrPart` =")
    p("partially taken branch lines, so only Stmts and Miss are comparable across all).")
    p("")
    p("| scale | tool | Stmts | Miss | Branch / BRF | BrPart / BRH | Stmts, Miss = coverage.py (or covmerge LCOV)? |")
    p("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    ref = {}
    for r in checks:
        if r["tool"] == "coverage.py":
            ref[r["scale"]] = (r["stmts"], r["miss"])
    for r in checks:
        if r["tool"] == "covmerge-lcov" and r["scale"] not in ref:
            ref[r["scale"]] = (r["stmts"], r["miss"])
    for r in checks:
        same = "–"
        if r["scale"] in ref and r["tool"] != "coverage.py":
            same = "yes" if (r["stmts"], r["miss"]) == ref[r["scale"]] else "**no**"
        p(f"| {label(r['scale'])} | {r['tool']} | {r['stmts']} | {r['miss']} | {r['branch']} | {r['branch2']} | {same} |")
    p("")

    kept = ""
    if os.path.exists(doc):
        with open(doc) as f:
            text = f.read()
        i = text.find("\n## Profile")
        if i >= 0:
            kept = text[i + 1 :]
    with open(doc, "w") as f:
        f.write("\n".join(out))
        if kept:
            f.write("\n" + kept)


if __name__ == "__main__":
    main()
