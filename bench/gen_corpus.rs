//! Deterministic synthetic corpus for `make bench`.
//!
//! `gen_corpus OUT W M [SEED]` writes, for W workers on W/8+1 hosts and M
//! source modules:
//!   OUT/src/pkg/modNNNN.py          the sources (coverage.py's report parses them)
//!   OUT/lcov/wNNNN.info             one LCOV tracefile per worker
//!   OUT/json/coverage-wNNNN.json    one coverage.py JSON report per worker (named so
//!                                   that combine's directory search picks it up)
//!   OUT/lines/wNNNN.txt             executed lines per file, for bench/make_sqlite.py
//!   OUT/paths.coveragerc            [paths] rules mapping every host prefix to src/
//! Each worker's paths carry its own host prefix (/ci/hostH/wW/proj/src/...),
//! so every input needs remapping, as in a real multi-host run.

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

/// The shape of one module: statement lines, and branch lines with their two targets.
struct Module {
    statements: Vec<u32>,
    branches: Vec<(u32, u32, u32)>,
    source: String,
}

fn module(rng: &mut Rng) -> Module {
    // ~176 statements on average, as in the workload.
    let blocks = 15 + rng.below(20) as u32;
    let mut source = String::new();
    let mut statements = Vec::new();
    let mut branches = Vec::new();
    let mut line = 0u32;
    let emit = |text: &str, source: &mut String| {
        source.push_str(text);
        source.push('\n');
    };
    for b in 0..blocks {
        line += 1;
        emit(&format!("def f{b}(x):"), &mut source);
        statements.push(line);
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
        branches.push((cond, body, line));
        line += 1;
        emit("    return y", &mut source);
        statements.push(line);
        line += 1;
        emit("", &mut source);
    }
    Module {
        statements,
        branches,
        source,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: gen_corpus OUT WORKERS MODULES [SEED]");
        std::process::exit(2);
    }
    let out = Path::new(&args[1]);
    let workers: usize = args[2].parse().expect("WORKERS");
    let modules: usize = args[3].parse().expect("MODULES");
    let seed: u64 = args.get(4).map(|s| s.parse().expect("SEED")).unwrap_or(42);
    for dir in ["src/pkg", "lcov", "json", "lines"] {
        std::fs::create_dir_all(out.join(dir)).unwrap();
    }
    let mut rng = Rng(seed | 1);
    let mods: Vec<Module> = (0..modules).map(|_| module(&mut rng)).collect();
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
            writeln!(lcov, "SF:{path}").unwrap();
            for (k, l) in m.statements.iter().enumerate() {
                writeln!(lcov, "DA:{l},{}", hits[k]).unwrap();
            }
            let mut exec_arcs = Vec::new();
            let mut miss_arcs = Vec::new();
            for (b, (cond, t, f)) in m.branches.iter().enumerate() {
                for (k, target) in [(0, t), (1, f)] {
                    let taken = executed.contains(cond) && executed.contains(target);
                    let count = if taken {
                        "1"
                    } else if executed.contains(cond) {
                        "0"
                    } else {
                        "-"
                    };
                    writeln!(lcov, "BRDA:{cond},{b},{k},{count}").unwrap();
                    if taken {
                        exec_arcs.push((*cond, *target));
                    } else {
                        miss_arcs.push((*cond, *target));
                    }
                }
            }
            writeln!(
                lcov,
                "LF:{}\nLH:{}\nend_of_record",
                m.statements.len(),
                executed.len()
            )
            .unwrap();

            if !json.ends_with('{') {
                json.push_str(", ");
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
            write!(
                json,
                "\"{path}\": {{\"executed_lines\": [{exec}], \"summary\": {{\"covered_lines\": {}, \"num_statements\": {}}}, \"missing_lines\": [{miss}], \"excluded_lines\": [], \"executed_branches\": [{ea}], \"missing_branches\": [{ma}]}}",
                executed.len(),
                m.statements.len()
            )
            .unwrap();
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
        json.push_str("}, \"totals\": {}}");
        std::fs::File::create(out.join(format!("lcov/w{w:04}.info")))
            .unwrap()
            .write_all(lcov.as_bytes())
            .unwrap();
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
