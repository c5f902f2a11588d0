//! LCOV tracefiles, in two styles chosen per file:
//!
//! - coverage.py's (`coverage lcov`, 7.17.5) for Python data: a file with
//!   arcs or regions, or whose name ends in `.py`/`.pyw`, and no generic
//!   branches. `DA` is 0/1 (coverage.py writes executed or not, never
//!   counts), `FN`/`FNDA` from the function regions, `BRDA` with
//!   coverage.py's text ids (`jump to line 6`, `exit the module`,
//!   `return from function 'f'`, `exit class 'C'`) and `-` when no exit of
//!   the line ran. No line checksums.
//! - generic (geninfo's record order) for data from other producers:
//!   real hit counts, `FN:start,name` (read alike by lcov 1.x and 2.x) and
//!   `FNDA` with counts, `BRDA` with the producer's
//!   block and branch ids and `-` for never evaluated, all summaries.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::{is_python, Export, ExportContext};
use crate::analysis::regions::regions;
use crate::analysis::{FileAnalysis, SelectedFile, Selection};
use crate::error::Result;
use crate::model::{FileCoverage, RegionKind};

/// `--report lcov`.
pub struct Lcov;

impl Export for Lcov {
    fn name(&self) -> &'static str {
        "LCOV"
    }

    fn render(&self, selection: &Selection, ctx: &ExportContext) -> Result<Vec<u8>> {
        Ok(render(selection, ctx).into_bytes())
    }
}

/// The report of `selection`, as a string.
pub fn render(selection: &Selection, ctx: &ExportContext) -> String {
    let mut out = String::new();
    // coverage.py sorts by the relative name; the selection's order is that.
    for f in &selection.files {
        if ctx.report.skip_empty && f.is_empty() {
            continue;
        }
        if is_python(f.name, f.file) {
            python_file(&mut out, f, selection.branch_coverage(), ctx);
        } else {
            generic_file(&mut out, f.name, f.file, &f.analysis);
        }
    }
    out
}

/// coverage.py's `lcov_field`: control characters become `?`.
fn field(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

fn python_file(out: &mut String, f: &SelectedFile, branches: bool, ctx: &ExportContext) {
    let (name, file, analysis) = (f.name, f.file, &f.analysis);
    let _ = writeln!(out, "SF:{}", field(name));
    for line in &analysis.statements {
        let hit = u8::from(!analysis.missing.contains(line));
        let _ = writeln!(out, "DA:{line},{hit}");
    }
    let n = &analysis.numbers;
    if n.statements > 0 {
        let _ = writeln!(out, "LF:{}", n.statements);
        let _ = writeln!(out, "LH:{}", n.executed());
    }
    // Function end lines and the words of exits from `with` blocks come
    // from the source when it is here (docs/RAWDATA.md).
    let source = crate::pysource::PythonSource::of(ctx.html.source_root.as_deref(), name, file);
    python_functions(out, file, analysis, source.as_ref());
    if branches {
        let stats = analysis.branch_stats();
        for line in &analysis.statements {
            let Some((_, taken)) = stats.get(line) else {
                continue;
            };
            let mut destinations: Vec<(i64, &str)> = Vec::new();
            let missing = analysis.missing_arcs.get(line).cloned().unwrap_or_default();
            if *taken == 0 {
                destinations.extend(missing.iter().map(|d| (*d, "-")));
            } else {
                let executed = analysis
                    .executed_arcs
                    .get(line)
                    .cloned()
                    .unwrap_or_default();
                destinations.extend(executed.iter().map(|d| (*d, "1")));
                destinations.extend(missing.iter().map(|d| (*d, "0")));
            }
            // Exits last, as coverage.py sorts them; an unnamed exit (0) too.
            destinations.sort_by_key(|(d, hit)| (*d <= 0, *d, *hit));
            for (dst, hit) in destinations {
                let _ = writeln!(
                    out,
                    "BRDA:{line},0,{},{hit}",
                    field(&exit_text(file, source.as_ref(), *line, dst))
                );
            }
        }
        let brf = n.branches;
        if brf > 0 {
            let _ = writeln!(out, "BRF:{brf}");
            let _ = writeln!(out, "BRH:{}", n.executed_branches());
        }
    }
    out.push_str("end_of_record\n");
}

fn python_functions(
    out: &mut String,
    file: &FileCoverage,
    whole: &FileAnalysis,
    source: Option<&crate::pysource::PythonSource>,
) {
    // (first line, last line, name, lines, declared branches)
    type Entry = (u32, u32, String, BTreeSet<u32>, Option<u64>);
    let mut functions: Vec<Entry> = regions(file, RegionKind::Function)
        .into_iter()
        .filter(|r| !r.name.is_empty())
        .map(|r| {
            let known_end = file.functions.get(&r.name).and_then(|f| f.end);
            let first = r.lines.iter().next().copied().unwrap_or(r.start_line);
            let last = r.lines.iter().next_back().copied().unwrap_or(r.start_line);
            let last = last.max(r.start_line).max(known_end.unwrap_or(0));
            let last = source.map_or(last, |e| e.end(r.lines.last().copied().unwrap_or(0), last));
            (
                first.min(r.start_line),
                last,
                r.name,
                r.lines,
                r.declared_branches,
            )
        })
        .collect();
    if functions.is_empty() {
        return;
    }
    functions.sort();
    let mut found = 0;
    let mut hit_count = 0;
    let mut names: BTreeSet<String> = BTreeSet::new();
    for (first, last, name, lines, declared) in functions {
        let a = whole.narrow(&lines, declared);
        if a.numbers.statements == 0 {
            continue;
        }
        found += 1;
        let hit = u8::from(a.numbers.executed() > 0);
        hit_count += usize::from(hit);
        let mut name = field(&name);
        if names.contains(&name) {
            name = format!("{name}@{first}");
        } else {
            names.insert(name.clone());
        }
        let _ = writeln!(out, "FN:{first},{last},{name}");
        let _ = writeln!(out, "FNDA:{hit},{name}");
    }
    let _ = writeln!(out, "FNF:{found}");
    let _ = writeln!(out, "FNH:{hit_count}");
}

/// The words for arc `line -> dst`: those an input gave it, else
/// [`arc_description`]'s.
fn exit_text(
    file: &FileCoverage,
    source: Option<&crate::pysource::PythonSource>,
    line: u32,
    dst: i64,
) -> String {
    match file.exit_labels.get(&(line, dst)) {
        Some(label) => label.clone(),
        // An exit through a context manager has no words of its own.
        None if dst < 0 && source.is_some_and(|s| s.inside_with(line)) => {
            "jump to the function exit".to_string()
        }
        None => arc_description(file, dst),
    }
}

/// coverage.py's `arc_description` for a branch arc: positive destinations
/// jump to a line; negative ones leave the code object starting at `-dst`,
/// found among the file's function and class regions (then its functions);
/// anything else is the module.
pub fn arc_description(file: &FileCoverage, dst: i64) -> String {
    if dst > 0 {
        return format!("jump to line {dst}");
    }
    let start = u32::try_from(-dst).unwrap_or(0);
    let short = |name: &str, start: u32| -> String {
        let name = name
            .strip_suffix(&format!("@{start}"))
            .unwrap_or(name)
            .to_string();
        name.rsplit('.').next().unwrap_or(&name).to_string()
    };
    for kind in [RegionKind::Function, RegionKind::Class] {
        let found = file
            .regions
            .iter()
            .find(|((k, n), r)| *k == kind && !n.is_empty() && r.start_line == start);
        if let Some(((_, name), _)) = found {
            let name = crate::pyfmt::py_repr(&short(name, start));
            return match kind {
                RegionKind::Function => format!("return from function {name}"),
                RegionKind::Class => format!("exit class {name}"),
            };
        }
    }
    if let Some((name, _)) = file.functions.iter().find(|(_, f)| f.start == start) {
        let name = crate::pyfmt::py_repr(&short(name, start));
        return format!("return from function {name}");
    }
    "exit the module".to_string()
}

/// Numbers sort as numbers, anything else as text.
fn id_key(id: &str) -> (u8, u64, &str) {
    match id.parse::<u64>() {
        Ok(n) => (0, n, id),
        Err(_) => (1, 0, id),
    }
}

fn generic_file(out: &mut String, name: &str, file: &FileCoverage, analysis: &FileAnalysis) {
    let _ = writeln!(out, "SF:{}", field(name));
    let mut functions: Vec<(&String, &crate::model::Function)> = file.functions.iter().collect();
    functions.sort_by(|a, b| a.1.start.cmp(&b.1.start).then(a.0.cmp(b.0)));
    // `FN:start,name`: the one form lcov 1.x (which takes `end,name` of
    // `FN:start,end,name` as the name and counts the function twice) and
    // lcov 2.x (end optional) both read. The end line is not written.
    for (fname, f) in &functions {
        let _ = writeln!(out, "FN:{},{}", f.start, field(fname));
    }
    for (fname, f) in &functions {
        let _ = writeln!(out, "FNDA:{},{}", f.hits, field(fname));
    }
    if !functions.is_empty() {
        let _ = writeln!(out, "FNF:{}", functions.len());
        let _ = writeln!(
            out,
            "FNH:{}",
            functions.iter().filter(|(_, f)| f.hits > 0).count()
        );
    }
    let mut branches: Vec<(u32, String, String, Option<u64>)> = file
        .branches
        .iter()
        .map(|((l, b, id), t)| (*l, b.to_string(), field(&id.to_string()), *t))
        .collect();
    for ((line, to), taken) in &file.arcs {
        branches.push((*line, "0".into(), exit_text(file, None, *line, *to), *taken));
    }
    branches.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| id_key(&a.1).cmp(&id_key(&b.1)))
            .then_with(|| id_key(&a.2).cmp(&id_key(&b.2)))
    });
    for (line, block, id, taken) in &branches {
        match taken {
            Some(n) => {
                let _ = writeln!(out, "BRDA:{line},{block},{id},{n}");
            }
            None => {
                let _ = writeln!(out, "BRDA:{line},{block},{id},-");
            }
        }
    }
    let n = &analysis.numbers;
    if !branches.is_empty() {
        let _ = writeln!(out, "BRF:{}", n.branches);
        let _ = writeln!(out, "BRH:{}", n.executed_branches());
    }
    for (line, hits) in &file.lines {
        let _ = writeln!(out, "DA:{line},{hits}");
    }
    if n.statements > 0 {
        let _ = writeln!(out, "LF:{}", n.statements);
        let _ = writeln!(out, "LH:{}", n.executed());
    }
    out.push_str("end_of_record\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_records_keep_counts_and_ids() {
        let mut f = FileCoverage::default();
        f.lines.insert(3, 12);
        f.lines.insert(4, 0);
        f.branches.insert((3, "0".into(), "10".into()), Some(4));
        f.branches.insert((3, "0".into(), "2".into()), None);
        f.functions.insert(
            "main".into(),
            crate::model::Function {
                start: 2,
                end: Some(5),
                hits: 7,
            },
        );
        let mut text = String::new();
        generic_file(&mut text, "src/calc.c", &f, &FileAnalysis::of(&f));
        assert_eq!(
            text,
            "SF:src/calc.c\nFN:2,main\nFNDA:7,main\nFNF:1\nFNH:1\n\
             BRDA:3,0,2,-\nBRDA:3,0,10,4\nBRF:2\nBRH:1\nDA:3,12\nDA:4,0\nLF:2\nLH:1\nend_of_record\n"
        );
        assert!(!is_python("src/calc.c", &f));
    }
}
