//! Views of attribution: which platform (worker, label) covered what.
//!
//! `--by-platform`: one row per file, a cover column per group plus the
//! union. `--platform-diff`: lines and branches covered by some groups but
//! not all, grouped by the set of groups that covered them, in the Missing
//! column's range notation. `--only-on`: what one group alone covers.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use tabled::builder::Builder;
use tabled::settings::object::Columns;
use tabled::settings::peaker::Priority;
use tabled::settings::{Alignment, Style, Width};

use crate::analysis::lines::{self, arc_text, Item};
use crate::analysis::{Numbers, SelectedFile, Selection};
use crate::attribution::abbreviate;
use crate::error::{Error, Result};
use crate::model::{CoverageData, GroupCoverage, Mode};
use crate::pyfmt::human_cmp;

/// Layout of the `--by-platform` table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupTableFormat {
    /// A text table fitted to the width.
    Text,
    /// A markdown table.
    Markdown,
    /// CSV, percentages without `%`.
    Csv,
    /// JSON with the numbers of every cell.
    Json,
}

/// The groups of a combined result: full names (sorted) and short names.
pub struct Groups {
    /// Full group names, sorted.
    pub names: Vec<String>,
    /// The shortest names that still tell them apart, in the same order.
    pub short: Vec<String>,
}

impl Groups {
    /// The groups of `data`: those that covered something, and expected platforms.
    pub fn of(data: &CoverageData) -> Groups {
        let names: BTreeSet<String> = data
            .files
            .values()
            .flat_map(|f| f.covered_by.keys().cloned())
            .chain(
                data.attribution
                    .as_deref()
                    .filter(|d| *d == "platform")
                    .into_iter()
                    .flat_map(|_| data.platforms()),
            )
            .collect();
        let names: Vec<String> = names.into_iter().collect();
        let short = abbreviate(&names);
        Groups { names, short }
    }

    /// Index of a group given by full or short name.
    pub fn find(&self, wanted: &str) -> Option<usize> {
        self.names
            .iter()
            .position(|n| n == wanted)
            .or_else(|| self.short.iter().position(|s| s == wanted))
    }

    /// `short = full` lines, when abbreviations were used.
    pub fn legend(&self) -> String {
        let mut out = String::new();
        for (short, name) in self.short.iter().zip(&self.names) {
            if short != name {
                out.push_str(&format!("  {short} = {name}\n"));
            }
        }
        out
    }
}

/// When the per-platform split means nothing, say why (load mode: the
/// workers ran different tests on one platform).
pub fn not_meaningful(data: &CoverageData, dimension: &str) -> Option<String> {
    if dimension != "platform" {
        return None;
    }
    let platforms = data.platforms();
    let all_load = !data.sources.is_empty() && data.sources.iter().all(|s| s.mode == Mode::Load);
    if platforms.len() > 1 && !all_load {
        return None;
    }
    let why = match platforms.len() {
        0 => "carry no platform description (record them with --platform or --python)".to_string(),
        1 => format!(
            "all ran on one platform ({}): load mode, different tests on the same platform",
            platforms[0]
        ),
        n => format!("ran on {n} platforms but were recorded as load mode (different tests)"),
    };
    Some(format!(
        "A per-platform view needs each-mode workers, one platform each. These {} workers {why}, \
         so a per-platform split would only show how the tests were distributed. \
         Use --by worker or --by label:KEY to see that.\n",
        data.sources.len()
    ))
}

/// The numbers behind the `--by-platform` table: per file (in human
/// order) each group's alone, then the union's; and the totals likewise.
struct GroupNumbers {
    groups: Groups,
    names: Vec<String>,
    per_file: Vec<Vec<Numbers>>,
    totals: Vec<Numbers>,
}

impl GroupNumbers {
    fn of(selection: &Selection) -> GroupNumbers {
        let groups = Groups::of(selection.data);
        let files = in_human_order(selection);
        // In parallel: one analysis per file and group (64,000 with a
        // column per worker of 64 was a third of such a run, on one core).
        let per_file: Vec<Vec<Numbers>> = files
            .par_iter()
            .map(|f| {
                let mut numbers: Vec<Numbers> = groups
                    .names
                    .iter()
                    .map(|g| f.analysis.group_numbers(f.file, f.file.covered_by.get(g)))
                    .collect();
                numbers.push(f.analysis.numbers);
                numbers
            })
            .collect();
        let mut totals = vec![Numbers::default(); groups.names.len()];
        for numbers in &per_file {
            for (total, n) in totals.iter_mut().zip(numbers) {
                *total += *n;
            }
        }
        totals.push(selection.total);
        GroupNumbers {
            groups,
            names: files.iter().map(|f| f.name.to_string()).collect(),
            per_file,
            totals,
        }
    }

    /// Header, one row per file, TOTAL: cells as the text table shows them.
    fn rows(&self, precision: usize, missing: &[String]) -> Vec<Vec<String>> {
        let cells = |name: String, numbers: &[Numbers]| {
            let (groups, all) = numbers.split_at(numbers.len() - 1);
            let mut row = vec![name];
            row.extend(
                groups
                    .iter()
                    .map(|n| format!("{}%", n.display_covered(precision))),
            );
            // Expected platforms that sent nothing: a column of "-", not silence.
            row.extend(missing.iter().map(|_| "-".to_string()));
            row.push(format!("{}%", all[0].display_covered(precision)));
            row
        };
        let mut header = vec!["Name".to_string()];
        header.extend(self.groups.short.iter().cloned());
        header.extend(missing.iter().map(|m| format!("{m} (no data)")));
        header.push("all".to_string());
        let mut rows = vec![header];
        for (name, numbers) in self.names.iter().zip(&self.per_file) {
            rows.push(cells(super::display_name(name), numbers));
        }
        rows.push(cells("TOTAL".to_string(), &self.totals));
        rows
    }
}

/// The `--by-platform` table.
pub fn table(
    selection: &Selection,
    precision: usize,
    format: GroupTableFormat,
    width: usize,
    missing: &[String],
) -> Result<String> {
    let numbers = GroupNumbers::of(selection);
    match format {
        GroupTableFormat::Json => Ok(json_layout(&numbers, selection, precision, missing)),
        GroupTableFormat::Csv => csv_layout(&numbers.rows(precision, missing)),
        GroupTableFormat::Markdown | GroupTableFormat::Text => {
            let rows = numbers.rows(precision, missing);
            let mut out = text_layout(rows, format == GroupTableFormat::Markdown, width);
            let legend = numbers.groups.legend();
            if !legend.is_empty() {
                out.push('\n');
                out.push_str(&legend);
            }
            out.push_str(&no_data_note(missing));
            Ok(out)
        }
    }
}

/// `{"dimension", "groups": {short: full}, "files": {name: {short: numbers}},
/// "totals", "no_data"}`.
fn json_layout(
    g: &GroupNumbers,
    selection: &Selection,
    precision: usize,
    missing: &[String],
) -> String {
    let numbers = |n: &Numbers| {
        serde_json::json!({
            "num_statements": n.statements,
            "missing_lines": n.missing,
            "num_branches": n.branches,
            "missing_branches": n.missing_branches,
            "percent_covered": n.percent_covered(),
            "percent_covered_display": n.display_covered(precision),
        })
    };
    let keyed = |list: &[Numbers]| -> serde_json::Value {
        let mut map = serde_json::Map::new();
        for (short, n) in g.groups.short.iter().zip(list) {
            map.insert(short.clone(), numbers(n));
        }
        map.insert("all".into(), numbers(&list[list.len() - 1]));
        serde_json::Value::Object(map)
    };
    let files: serde_json::Map<String, serde_json::Value> = g
        .names
        .iter()
        .zip(&g.per_file)
        .map(|(name, list)| (name.clone(), keyed(list)))
        .collect();
    let legend: serde_json::Map<String, serde_json::Value> = g
        .groups
        .short
        .iter()
        .zip(&g.groups.names)
        .map(|(s, n)| (s.clone(), serde_json::Value::String(n.clone())))
        .collect();
    let value = serde_json::json!({
        "dimension": selection.data.attribution.clone().unwrap_or_default(),
        "groups": legend,
        "files": files,
        "totals": keyed(&g.totals),
        "no_data": missing,
    });
    format!("{}\n", serde_json::to_string_pretty(&value).expect("json"))
}

/// The rows as CSV, percentages without `%`.
fn csv_layout(rows: &[Vec<String>]) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        let cells: Vec<&str> = row.iter().map(|c| c.trim_end_matches('%')).collect();
        writer
            .write_record(&cells)
            .map_err(|e| Error::Other(format!("csv: {e}")))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| Error::Other(format!("csv: {e}")))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The rows as a text (blank-style) or markdown table, fitted to `width`.
fn text_layout(rows: Vec<Vec<String>>, markdown: bool, width: usize) -> String {
    let mut builder = Builder::default();
    for row in rows {
        builder.push_record(row);
    }
    let mut table = builder.build();
    if markdown {
        table.with(Style::markdown());
    } else {
        table.with(Style::blank());
    }
    table.modify(Columns::new(1..), Alignment::right());
    // Fit the terminal: shorten the widest column (the names) first.
    table.with(Width::truncate(width).priority(Priority::max(false)));
    let mut out = String::new();
    for line in table.to_string().lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The `--platform-diff` (and, with `only_on`, `--only-on`) listing.
pub fn diff(selection: &Selection, only_on: Option<&str>, missing: &[String]) -> Result<String> {
    let groups = Groups::of(selection.data);
    let only = match only_on {
        Some(wanted) => Some(groups.find(wanted).ok_or_else(|| {
            Error::Usage(format!(
                "--only-on {wanted:?}: no such group; known: {}",
                groups.short.join(", ")
            ))
        })?),
        None => None,
    };
    let all: BTreeSet<usize> = (0..groups.names.len()).collect();
    let mut rows: Vec<(String, String, String)> = Vec::new();
    for f in in_human_order(selection) {
        let file = f.file;
        let member = |covered: &dyn Fn(&GroupCoverage) -> bool| -> BTreeSet<usize> {
            groups
                .names
                .iter()
                .enumerate()
                .filter(|(_, g)| file.covered_by.get(*g).is_some_and(covered))
                .map(|(i, _)| i)
                .collect()
        };
        // Statements by the set of groups that covered them.
        let mut line_sets: BTreeMap<BTreeSet<usize>, BTreeSet<u32>> = BTreeMap::new();
        for &line in file.lines.keys() {
            let set = member(&|g| g.lines.contains(&line));
            if !set.is_empty() && set != all {
                line_sets.entry(set).or_default().insert(line);
            }
        }
        let mut items: BTreeMap<BTreeSet<usize>, Vec<Item>> = BTreeMap::new();
        for (set, covered) in line_sets {
            items
                .entry(set)
                .or_default()
                .extend(lines::ranges(&f.analysis.statements, &covered));
        }
        for key in file.arcs.keys() {
            let set = member(&|g| g.arcs.contains(key));
            if !set.is_empty() && set != all {
                let (from, to) = *key;
                items
                    .entry(set)
                    .or_default()
                    .push((from, arc_text(from, to)));
            }
        }
        for key in file.branches.keys() {
            let set = member(&|g| g.branches.contains(key));
            if !set.is_empty() && set != all {
                let (line, block, branch) = key;
                items
                    .entry(set)
                    .or_default()
                    .push((*line, format!("{line}:{block}/{branch}")));
            }
        }
        for (set, list) in items {
            if let Some(o) = only {
                if set.len() != 1 || !set.contains(&o) {
                    continue;
                }
            }
            let text = lines::join(list);
            let who = set
                .iter()
                .map(|i| groups.short[*i].as_str())
                .collect::<Vec<_>>()
                .join(", ");
            rows.push((super::display_name(f.name), text, who));
        }
    }
    let mut out = String::new();
    if rows.is_empty() {
        out.push_str(match only {
            Some(_) => "Nothing is covered only there.\n",
            None => "Every covered line and branch is covered by all groups.\n",
        });
    } else {
        let width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
        for (name, text, who) in rows {
            out.push_str(&format!(
                "{}   {}   covered only on: {}\n",
                super::ljust(&name, width),
                text,
                who
            ));
        }
    }
    let legend = groups.legend();
    if !legend.is_empty() {
        out.push('\n');
        out.push_str(&legend);
    }
    out.push_str(&no_data_note(missing));
    Ok(out)
}

/// The line that names expected platforms that sent no data.
fn no_data_note(missing: &[String]) -> String {
    if missing.is_empty() {
        String::new()
    } else {
        format!(
            "\nNo data from: {} (expected with --expect-platforms; not compared)\n",
            missing.join("; ")
        )
    }
}

/// The selected files in coverage.py's human name order.
fn in_human_order<'s, 'a>(selection: &'s Selection<'a>) -> Vec<&'s SelectedFile<'a>> {
    let mut files: Vec<&SelectedFile> = selection.files.iter().collect();
    files.sort_by(|a, b| human_cmp(a.name, b.name).then_with(|| a.name.cmp(b.name)));
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FileCoverage;

    fn file(lines: &[(u32, u64)], groups: &[(&str, &[u32])]) -> FileCoverage {
        let mut f = FileCoverage {
            lines: lines.iter().copied().collect(),
            ..Default::default()
        };
        for (g, covered) in groups {
            f.covered_by.insert(
                g.to_string(),
                GroupCoverage {
                    lines: covered.iter().copied().collect(),
                    ..Default::default()
                },
            );
        }
        f
    }

    #[test]
    fn diff_groups_lines_by_who_covered_them() {
        let mut data = CoverageData {
            attribution: Some("platform".into()),
            ..Default::default()
        };
        data.files.insert(
            "m.py".into(),
            file(
                &[(1, 2), (2, 1), (3, 1), (4, 1), (6, 0)],
                &[
                    ("platform linux, python 3.11.7-final-0", &[1, 2, 3]),
                    ("platform linux, python 3.12.1-final-0", &[1, 4]),
                ],
            ),
        );
        let selection = Selection::all(&data);
        let text = diff(&selection, None, &[]).unwrap();
        assert!(
            text.contains("m.py   2-3   covered only on: 3.11.7\n"),
            "{text}"
        );
        assert!(
            text.contains("m.py   4   covered only on: 3.12.1\n"),
            "{text}"
        );
        let only = diff(&selection, Some("3.12.1"), &[]).unwrap();
        assert!(!only.contains("2-3"), "{only}");
        assert!(diff(&selection, Some("nope"), &[]).is_err());
        let f = &data.files["m.py"];
        let g = f.covered_by.get("platform linux, python 3.12.1-final-0");
        let n = crate::analysis::FileAnalysis::of(f).group_numbers(f, g);
        assert_eq!((n.statements, n.missing), (5, 3));
    }
}
