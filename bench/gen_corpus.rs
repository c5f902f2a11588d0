//! Deterministic synthetic corpus for `make bench`.
//!
//! `gen_corpus OUT W M [SEED [SHAPE [FUNCS]]]` writes, for W workers on W/8+1 hosts and M
//! source modules:
//!   OUT/src/pkg/modNNNN.py          the sources (coverage.py's report parses them)
//!   OUT/lcov/wNNNN.info             one LCOV tracefile per worker
//!   OUT/json/coverage-wNNNN.json    one coverage.py JSON report per worker (named so
//!                                   that combine's directory search picks it up)
//!   OUT/lines/wNNNN.txt             executed lines per file, for bench/make_sqlite.py
//!   OUT/paths.coveragerc            [paths] rules mapping every host prefix to src/
//! Each worker's paths carry its own host prefix (/ci/hostH/wW/proj/src/...),
//! so every input needs remapping, as in a real multi-host run.
//!
//! SHAPE picks the LCOV producer the tracefiles imitate (one per corpus, as a
//! project uses one producer); each follows a real sample in
//! testdata/samples/lcov/ (record order, which summaries appear, id forms):
//!   plain       DA + numeric BRDA + LF/LH only (the original corpus; default,
//!               so earlier figures stay comparable)
//!   geninfo     lcov 1.16 geninfo --checksum: TN:name, FN/FNDA interleaved,
//!               DA with a base64 MD5, BRDA mixed in after its DA, `-` on
//!               unexecuted lines, no FNF/FNH/LF/LH/BRF/BRH
//!   llvm        llvm-cov export -format=lcov: all FN, then all FNDA, FNF/FNH,
//!               DA, BRDA, BRF/BRH, LF/LH; static functions as `file.c:name`
//!   coveragepy  coverage.py 7.17 `coverage lcov`: DA (0 or 1), LF/LH, FN with
//!               end lines + FNDA (0 or 1) interleaved, FNF/FNH, BRDA with text
//!               ids (`jump to line N`, then `return from function 'fN'`) and
//!               counts 1, 0, or `-` when no arc of the line was taken, BRF/BRH
//!   nyc         nyc/Istanbul: `TN:`, all FN, FNF/FNH, all FNDA, DA, LF/LH,
//!               BRDA with one block id per branch point, BRF/BRH
//! Every function has one two-way branch; in a third of them it is an `if`
//! that ends the function, so its false arm is an exit arc (negative in the
//! JSON and SQLite data, `return from function` in coverage.py's LCOV).
//! The line lists do not depend on SHAPE. The JSON reports do only in that
//! `plain` keeps the original slim files (lines and branches per file, empty
//! `totals`); every other shape writes them as coverage.py 7.x's `coverage
//! json` does: the full `summary` per file, `functions` and `classes` regions,
//! and `totals`.
//!
//! FUNCS (default 1) multiplies the functions per file: FUNCS-1 two-line
//! helper functions (`def fN(x):` / `return x`) before each block, for the
//! ten-times-the-functions scale. With GEN_LCOV_ONLY=1 in the environment
//! only the sources and the LCOV are written.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// xorshift64*: small, fast, deterministic.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The LCOV producer a corpus imitates.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Plain,
    Geninfo,
    Llvm,
    Coveragepy,
    Nyc,
}

/// The shape of one module: statement lines, branch lines with their two
/// targets, and one function per block (first and last line). A target is
/// a line, or minus the function's `def` line for an arc that leaves the
/// function (coverage.py's exit arcs).
struct Module {
    functions: Vec<(u32, u32)>,
    statements: Vec<u32>,
    branches: Vec<(u32, u32, i64)>,
    source: String,
}

fn module(rng: &mut Rng, fns_per_block: u32) -> Module {
    // ~150 statements and ~25 functions on average.
    let blocks = 15 + rng.below(20) as u32;
    let mut source = String::new();
    let mut statements = Vec::new();
    let mut branches = Vec::new();
    let mut functions = Vec::new();
    let mut line = 0u32;
    let emit = |text: &str, source: &mut String| {
        source.push_str(text);
        source.push('\n');
    };
    for _ in 0..blocks {
        // The functions-per-file scale (FUNCS > 1) puts FUNCS-1 two-line
        // helpers before each block: ten times the functions, each a real
        // region with its own statements.
        for _ in 1..fns_per_block {
            line += 1;
            emit(&format!("def f{}(x):", functions.len()), &mut source);
            statements.push(line);
            line += 1;
            emit("    return x", &mut source);
            statements.push(line);
            functions.push((line - 1, line));
        }
        line += 1;
        let first = line;
        emit(&format!("def f{}(x):", functions.len()), &mut source);
        statements.push(line);
        if rng.below(3) == 0 {
            // A third of the functions end in an `if`: its false arm
            // leaves the function, an exit arc (`return from function`).
            line += 1;
            emit("    y = x", &mut source);
            statements.push(line);
            line += 1;
            emit("    if x:", &mut source);
            let cond = line;
            statements.push(line);
            line += 1;
            emit("        y = y + 1", &mut source);
            statements.push(line);
            branches.push((cond, line, -i64::from(first)));
            for _ in 0..rng.below(3) {
                line += 1;
                emit("        y = y * 2", &mut source);
                statements.push(line);
            }
            functions.push((first, line));
            line += 1;
            emit("", &mut source);
            continue;
        }
        line += 1;
        emit("    if x:", &mut source);
        let cond = line;
        statements.push(line);
        line += 1;
        emit("        x = x + 1", &mut source);
        statements.push(line);
        let body = line;
        for _ in 0..rng.below(4) {
            line += 1;
            emit("        x = x * 2", &mut source);
            statements.push(line);
        }
        line += 1;
        emit("    y = x", &mut source);
        statements.push(line);
        branches.push((cond, body, i64::from(line)));
        line += 1;
        emit("    return y", &mut source);
        statements.push(line);
        functions.push((first, line));
        line += 1;
        emit("", &mut source);
    }
    Module {
        functions,
        statements,
        branches,
        source,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!(
            "usage: gen_corpus OUT WORKERS MODULES [SEED [plain|geninfo|llvm|coveragepy|nyc [FUNCS]]]"
        );
        std::process::exit(2);
    }
    let out = Path::new(&args[1]);
    let workers: usize = args[2].parse().expect("WORKERS");
    let modules: usize = args[3].parse().expect("MODULES");
    let seed: u64 = args.get(4).map(|s| s.parse().expect("SEED")).unwrap_or(42);
    let shape = match args.get(5).map(String::as_str).unwrap_or("plain") {
        "plain" => Shape::Plain,
        "geninfo" => Shape::Geninfo,
        "llvm" => Shape::Llvm,
        "coveragepy" => Shape::Coveragepy,
        "nyc" => Shape::Nyc,
        other => {
            eprintln!("gen_corpus: unknown shape {other:?}");
            std::process::exit(2);
        }
    };
    let fns_per_block: u32 = args.get(6).map(|s| s.parse().expect("FUNCS")).unwrap_or(1);
    if fns_per_block == 0 || (shape == Shape::Plain && fns_per_block != 1) {
        eprintln!("gen_corpus: FUNCS must be 1 or more, and 1 for the plain shape");
        std::process::exit(2);
    }
    // GEN_LCOV_ONLY=1: no JSON reports and line lists (the scales where only
    // LCOV is measured; the JSON with regions is 7-11x the size of the LCOV).
    let lcov_only = std::env::var_os("GEN_LCOV_ONLY").is_some_and(|v| v == "1");
    let dirs: &[&str] = if lcov_only {
        &["src/pkg", "lcov"]
    } else {
        &["src/pkg", "lcov", "json", "lines"]
    };
    for dir in dirs {
        std::fs::create_dir_all(out.join(dir)).unwrap();
    }
    let mut rng = Rng(seed | 1);
    let mods: Vec<Module> = (0..modules)
        .map(|_| module(&mut rng, fns_per_block))
        .collect();
    for (i, m) in mods.iter().enumerate() {
        std::fs::write(out.join(format!("src/pkg/mod{i:04}.py")), &m.source).unwrap();
    }
    std::fs::write(out.join("src/pkg/__init__.py"), "").unwrap();
    let mut rc =
        String::from("[run]\nbranch = True\n\n[paths]\nsource =\n    src/\n    */proj/src/\n");
    rc.push('\n');
    std::fs::write(out.join("paths.coveragerc"), rc).unwrap();

    for w in 0..workers {
        let host = w / 8;
        let prefix = format!("/ci/host{host}/w{w}/proj/src/pkg");
        let mut lcov = String::with_capacity(1 << 20);
        let mut json = String::with_capacity(1 << 20);
        let mut lines_txt = String::with_capacity(1 << 18);
        json.push_str("{\"meta\": {\"format\": 3, \"version\": \"7.17.5\", \"timestamp\": \"2026-01-01T00:00:00\", \"branch_coverage\": true, \"show_contexts\": false}, \"files\": {");
        let mut totals = Summary::default();
        // Each worker runs a different slice of the tests: it touches about
        // half of the modules and runs each touched block with probability 1/2.
        for (i, m) in mods.iter().enumerate() {
            let path = format!("{prefix}/mod{i:04}.py");
            // A worker's report lists only the modules its tests imported.
            if rng.below(2) != 0 {
                continue;
            }
            let mut hits = vec![0u64; m.statements.len()];
            let mut executed = std::collections::BTreeSet::new();
            {
                for (k, l) in m.statements.iter().enumerate() {
                    if rng.below(3) != 0 {
                        hits[k] = 1 + rng.below(20);
                        executed.insert(*l);
                    }
                }
            }
            let mut exec_arcs = Vec::new();
            let mut miss_arcs = Vec::new();
            for branch in &m.branches {
                let (cond, t, f) = *branch;
                for target in [i64::from(t), f] {
                    if taken(branch, target, &executed) {
                        exec_arcs.push((cond, target));
                    } else {
                        miss_arcs.push((cond, target));
                    }
                }
            }
            // coverage.py lists arcs sorted: an exit (negative) first.
            exec_arcs.sort_unstable();
            miss_arcs.sort_unstable();
            write_lcov(&mut lcov, shape, w, &path, m, &hits, &executed);

            if !json.ends_with('{') {
                json.push_str(", ");
            }
            if shape != Shape::Plain {
                totals.add(&json_file(
                    &mut json, &path, m, &executed, &exec_arcs, &miss_arcs,
                ));
            }
            let list = |v: &mut dyn Iterator<Item = String>| v.collect::<Vec<_>>().join(", ");
            let exec = list(&mut executed.iter().map(|l| l.to_string()));
            let miss = list(
                &mut m
                    .statements
                    .iter()
                    .filter(|l| !executed.contains(l))
                    .map(|l| l.to_string()),
            );
            let ea = list(&mut exec_arcs.iter().map(|(a, b)| format!("[{a}, {b}]")));
            let ma = list(&mut miss_arcs.iter().map(|(a, b)| format!("[{a}, {b}]")));
            if shape == Shape::Plain {
                write!(
                json,
                "\"{path}\": {{\"executed_lines\": [{exec}], \"summary\": {{\"covered_lines\": {}, \"num_statements\": {}}}, \"missing_lines\": [{miss}], \"excluded_lines\": [], \"executed_branches\": [{ea}], \"missing_branches\": [{ma}]}}",
                executed.len(),
                m.statements.len()
            )
            .unwrap();
            }
            if !executed.is_empty() {
                writeln!(
                    lines_txt,
                    "{path}\t{}",
                    list(&mut executed.iter().map(|l| l.to_string())).replace(", ", " ")
                )
                .unwrap();
                let arcs: Vec<String> = exec_arcs.iter().map(|(a, b)| format!("{a},{b}")).collect();
                writeln!(lines_txt, "{path}\tarcs\t{}", arcs.join(" ")).unwrap();
            }
        }
        if shape == Shape::Plain {
            json.push_str("}, \"totals\": {}}");
        } else {
            json.push_str("}, \"totals\": ");
            totals.write(&mut json);
            json.push('}');
        }
        std::fs::File::create(out.join(format!("lcov/w{w:04}.info")))
            .unwrap()
            .write_all(lcov.as_bytes())
            .unwrap();
        if lcov_only {
            continue;
        }
        std::fs::File::create(out.join(format!("json/coverage-w{w:04}.json")))
            .unwrap()
            .write_all(json.as_bytes())
            .unwrap();
        std::fs::File::create(out.join(format!("lines/w{w:04}.txt")))
            .unwrap()
            .write_all(lines_txt.as_bytes())
            .unwrap();
    }
}

/// Did this worker take the arc from the branch's line to `target`? A line
/// target when both ends ran; the exit arc when the branch line ran and its
/// `if` body did not (the false arm, which leaves the function).
fn taken(
    branch: &(u32, u32, i64),
    target: i64,
    executed: &std::collections::BTreeSet<u32>,
) -> bool {
    let (cond, body, _) = *branch;
    if !executed.contains(&cond) {
        return false;
    }
    match u32::try_from(target) {
        Ok(line) => executed.contains(&line),
        Err(_) => !executed.contains(&body),
    }
}

/// One file's LCOV section in the producer's shape (see the module comment).
fn write_lcov(
    out: &mut String,
    shape: Shape,
    worker: usize,
    path: &str,
    m: &Module,
    hits: &[u64],
    executed: &std::collections::BTreeSet<u32>,
) {
    let hit = |line: u32| -> u64 {
        m.statements
            .binary_search(&line)
            .map(|k| hits[k])
            .unwrap_or(0)
    };
    // A function runs as often as the first line of its body. coverage.py
    // counts it as run (1) when any line of its body ran.
    let fn_count = |(first, last): (u32, u32)| match shape {
        Shape::Coveragepy => u64::from(executed.range(first + 1..=last).next().is_some()),
        _ => hit(first + 1),
    };
    let fn_name = |b: usize| match shape {
        // llvm-cov names static functions file:name; make every other one static.
        Shape::Llvm if b % 2 == 1 => format!("mod.c:f{b}"),
        _ => format!("f{b}"),
    };
    let fnh = m.functions.iter().filter(|f| fn_count(**f) > 0).count();
    // The function an exit arc leaves: minus its `def` line.
    let exit_name = |target: i64| {
        let b = m
            .functions
            .iter()
            .position(|(first, _)| -i64::from(*first) == target)
            .expect("an exit arc leaves one of the module's functions");
        fn_name(b)
    };
    // BRDA records of one branch, in the producer's id form and counts.
    let brda = |out: &mut String, b: usize, branch: &(u32, u32, i64)| {
        let (cond, t, f) = *branch;
        let targets = [(0, i64::from(t)), (1, f)];
        // `-`: the C tools when the branch line never ran; coverage.py when
        // no arc from it was taken.
        let unknown = match shape {
            Shape::Coveragepy => !targets.iter().any(|(_, to)| taken(branch, *to, executed)),
            _ => !executed.contains(&cond),
        };
        for (k, target) in targets {
            let taken = taken(branch, target, executed);
            let count = if unknown {
                "-".to_string()
            } else if taken && matches!(shape, Shape::Plain | Shape::Coveragepy) {
                // coverage.py records arcs, not counts: 1 for a taken arc.
                "1".to_string()
            } else if taken {
                // How often the target ran, or for an exit the branch line.
                hit(u32::try_from(target).unwrap_or(cond)).to_string()
            } else {
                "0".to_string()
            };
            match shape {
                // coverage.py 7.6+ describes each arc in words.
                Shape::Coveragepy if target < 0 => writeln!(
                    out,
                    "BRDA:{cond},0,return from function '{}',{count}",
                    exit_name(target)
                )
                .unwrap(),
                Shape::Coveragepy => {
                    writeln!(out, "BRDA:{cond},0,jump to line {target},{count}").unwrap()
                }
                Shape::Plain | Shape::Nyc => writeln!(out, "BRDA:{cond},{b},{k},{count}").unwrap(),
                Shape::Geninfo | Shape::Llvm => writeln!(out, "BRDA:{cond},0,{k},{count}").unwrap(),
            }
        }
    };
    let brf = m.branches.len() * 2;
    let brh = m
        .branches
        .iter()
        .flat_map(|b| [(b, i64::from(b.1)), (b, b.2)])
        .filter(|(b, target)| taken(b, *target, executed))
        .count();
    let da = |out: &mut String, k: usize, l: u32| {
        if shape == Shape::Coveragepy {
            // coverage.py knows whether a line ran, not how often.
            writeln!(out, "DA:{l},{}", u64::from(hits[k] > 0)).unwrap();
        } else if shape == Shape::Geninfo {
            // geninfo --checksum: an MD5 of the source line as 22 base64 characters
            // (no padding); readers skip it, so any 22 characters of that alphabet do.
            let x = (l as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (k as u64);
            writeln!(out, "DA:{l},{},{:016x}{:06x}", hits[k], x, l).unwrap();
        } else {
            writeln!(out, "DA:{l},{}", hits[k]).unwrap();
        }
    };
    let lf_lh = |out: &mut String| {
        writeln!(out, "LF:{}\nLH:{}", m.statements.len(), executed.len()).unwrap();
    };
    match shape {
        Shape::Plain => {
            writeln!(out, "SF:{path}").unwrap();
            for (k, l) in m.statements.iter().enumerate() {
                da(out, k, *l);
            }
            for (b, branch) in m.branches.iter().enumerate() {
                brda(out, b, branch);
            }
            lf_lh(out);
        }
        Shape::Geninfo => {
            writeln!(out, "TN:w{worker}\nSF:{path}").unwrap();
            for (b, (first, last)) in m.functions.iter().enumerate() {
                writeln!(
                    out,
                    "FN:{first},{}\nFNDA:{},{}",
                    fn_name(b),
                    fn_count((*first, *last)),
                    fn_name(b)
                )
                .unwrap();
            }
            let mut next_branch = 0;
            for (k, l) in m.statements.iter().enumerate() {
                da(out, k, *l);
                if let Some(branch) = m.branches.get(next_branch) {
                    if branch.0 == *l {
                        brda(out, next_branch, branch);
                        next_branch += 1;
                    }
                }
            }
        }
        Shape::Llvm => {
            writeln!(out, "SF:{path}").unwrap();
            for (b, (first, _)) in m.functions.iter().enumerate() {
                writeln!(out, "FN:{first},{}", fn_name(b)).unwrap();
            }
            for (b, function) in m.functions.iter().enumerate() {
                writeln!(out, "FNDA:{},{}", fn_count(*function), fn_name(b)).unwrap();
            }
            writeln!(out, "FNF:{}\nFNH:{fnh}", m.functions.len()).unwrap();
            for (k, l) in m.statements.iter().enumerate() {
                da(out, k, *l);
            }
            for (b, branch) in m.branches.iter().enumerate() {
                brda(out, b, branch);
            }
            writeln!(out, "BRF:{brf}\nBRH:{brh}").unwrap();
            lf_lh(out);
        }
        Shape::Coveragepy => {
            writeln!(out, "SF:{path}").unwrap();
            for (k, l) in m.statements.iter().enumerate() {
                da(out, k, *l);
            }
            lf_lh(out);
            for (b, (first, last)) in m.functions.iter().enumerate() {
                writeln!(
                    out,
                    "FN:{first},{last},{}\nFNDA:{},{}",
                    fn_name(b),
                    fn_count((*first, *last)),
                    fn_name(b)
                )
                .unwrap();
            }
            writeln!(out, "FNF:{}\nFNH:{fnh}", m.functions.len()).unwrap();
            for (b, branch) in m.branches.iter().enumerate() {
                brda(out, b, branch);
            }
            writeln!(out, "BRF:{brf}\nBRH:{brh}").unwrap();
        }
        Shape::Nyc => {
            writeln!(out, "TN:\nSF:{path}").unwrap();
            for (b, (first, _)) in m.functions.iter().enumerate() {
                writeln!(out, "FN:{first},{}", fn_name(b)).unwrap();
            }
            writeln!(out, "FNF:{}\nFNH:{fnh}", m.functions.len()).unwrap();
            for (b, function) in m.functions.iter().enumerate() {
                writeln!(out, "FNDA:{},{}", fn_count(*function), fn_name(b)).unwrap();
            }
            for (k, l) in m.statements.iter().enumerate() {
                da(out, k, *l);
            }
            lf_lh(out);
            for (b, branch) in m.branches.iter().enumerate() {
                brda(out, b, branch);
            }
            writeln!(out, "BRF:{brf}\nBRH:{brh}").unwrap();
        }
    }
    out.push_str("end_of_record\n");
}

/// coverage.py's per-region `summary` numbers (branch mode).
#[derive(Default)]
struct Summary {
    statements: usize,
    covered: usize,
    branches: usize,
    covered_branches: usize,
    partial: usize,
}

impl Summary {
    fn add(&mut self, o: &Summary) {
        self.statements += o.statements;
        self.covered += o.covered;
        self.branches += o.branches;
        self.covered_branches += o.covered_branches;
        self.partial += o.partial;
    }

    /// The `summary` object as coverage.py 7.x writes it (same keys, same
    /// order, floats in Python's repr, display strings rounded as its
    /// `display_covered` does at precision 0).
    fn write(&self, out: &mut String) {
        let pct = |num: usize, den: usize| {
            if den == 0 {
                100.0
            } else {
                100.0 * num as f64 / den as f64
            }
        };
        let display = |p: f64| {
            let p = if p > 0.0 && p < 1.0 {
                1.0
            } else if p > 99.0 && p < 100.0 {
                99.0
            } else {
                p
            };
            // Python rounds half to even (62.5 -> 62).
            format!("{}", p.round_ties_even() as u64)
        };
        let total = pct(
            self.covered + self.covered_branches,
            self.statements + self.branches,
        );
        let stmts = pct(self.covered, self.statements);
        let br = pct(self.covered_branches, self.branches);
        write!(
            out,
            "{{\"covered_lines\": {}, \"num_statements\": {}, \"percent_covered\": {total:?}, \"percent_covered_display\": \"{}\", \"missing_lines\": {}, \"excluded_lines\": 0, \"percent_statements_covered\": {stmts:?}, \"percent_statements_covered_display\": \"{}\", \"num_branches\": {}, \"num_partial_branches\": {}, \"covered_branches\": {}, \"missing_branches\": {}, \"percent_branches_covered\": {br:?}, \"percent_branches_covered_display\": \"{}\"}}",
            self.covered,
            self.statements,
            display(total),
            self.statements - self.covered,
            display(stmts),
            self.branches,
            self.partial,
            self.covered_branches,
            self.branches - self.covered_branches,
            display(br),
        )
        .unwrap();
    }
}

/// One region's body: the keys coverage.py 7.x writes for a file, a function
/// or a class (`start_line` for regions only). Returns its summary.
fn json_region(
    out: &mut String,
    lines: &[u32],
    executed: &std::collections::BTreeSet<u32>,
    exec_arcs: &[(u32, i64)],
    miss_arcs: &[(u32, i64)],
    start_line: Option<u32>,
) -> Summary {
    let join = |v: &mut dyn Iterator<Item = String>| v.collect::<Vec<_>>().join(", ");
    let inside = |l: &u32| lines.binary_search(l).is_ok();
    let exec: Vec<u32> = lines
        .iter()
        .copied()
        .filter(|l| executed.contains(l))
        .collect();
    let ea: Vec<&(u32, i64)> = exec_arcs.iter().filter(|(a, _)| inside(a)).collect();
    let ma: Vec<&(u32, i64)> = miss_arcs.iter().filter(|(a, _)| inside(a)).collect();
    let summary = Summary {
        statements: lines.len(),
        covered: exec.len(),
        branches: ea.len() + ma.len(),
        covered_branches: ea.len(),
        // As coverage.py counts "partial": every missed arc whose line ran.
        partial: ma.iter().filter(|(a, _)| executed.contains(a)).count(),
    };
    write!(
        out,
        "{{\"executed_lines\": [{}], \"summary\": ",
        join(&mut exec.iter().map(|l| l.to_string()))
    )
    .unwrap();
    summary.write(out);
    write!(
        out,
        ", \"missing_lines\": [{}], \"excluded_lines\": []",
        join(
            &mut lines
                .iter()
                .filter(|l| !executed.contains(l))
                .map(|l| l.to_string())
        )
    )
    .unwrap();
    if let Some(start) = start_line {
        write!(out, ", \"start_line\": {start}").unwrap();
    }
    let arcs = |v: &[&(u32, i64)]| join(&mut v.iter().map(|(a, b)| format!("[{a}, {b}]")));
    write!(
        out,
        ", \"executed_branches\": [{}], \"missing_branches\": [{}]",
        arcs(&ea),
        arcs(&ma)
    )
    .unwrap();
    summary
}

/// One file of a coverage.py 7.x JSON report: the file's own keys, then
/// `functions` (one region per function, its body lines; the `def` lines and
/// anything outside a function in the `""` region, last) and `classes` (the
/// generated modules have none, so one `""` region with every line), as in
/// `coverage json` output (testdata/golden/*/workers/*/coverage.json).
fn json_file(
    out: &mut String,
    path: &str,
    m: &Module,
    executed: &std::collections::BTreeSet<u32>,
    exec_arcs: &[(u32, i64)],
    miss_arcs: &[(u32, i64)],
) -> Summary {
    write!(out, "\"{path}\": ").unwrap();
    let summary = json_region(out, &m.statements, executed, exec_arcs, miss_arcs, None);
    out.push_str(", \"functions\": {");
    let mut outside: Vec<u32> = Vec::new();
    let mut next = 0;
    for (k, (first, last)) in m.functions.iter().enumerate() {
        let body: Vec<u32> = m
            .statements
            .iter()
            .copied()
            .filter(|l| l > first && l <= last)
            .collect();
        while next < m.statements.len() && m.statements[next] <= *last {
            if m.statements[next] <= *first {
                outside.push(m.statements[next]);
            }
            next += 1;
        }
        write!(out, "\"f{k}\": ").unwrap();
        json_region(out, &body, executed, exec_arcs, miss_arcs, Some(*first));
        out.push_str("}, ");
    }
    outside.extend_from_slice(&m.statements[next..]);
    out.push_str("\"\": ");
    json_region(out, &outside, executed, exec_arcs, miss_arcs, Some(1));
    out.push_str("}}, \"classes\": {\"\": ");
    json_region(out, &m.statements, executed, exec_arcs, miss_arcs, Some(1));
    out.push_str("}}}");
    summary
}
