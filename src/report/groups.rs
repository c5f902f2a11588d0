//! Views of attribution: which platform (worker, label) covered what.
//!
//! `--by-platform`: one row per file, a cover column per group plus the
//! union. `--platform-diff`: lines and branches covered by some groups but
//! not all, grouped by the set of groups that covered them, in the Missing
//! column's range notation. `--only-on`: what one group alone covers.

use std::collections::{BTreeMap, BTreeSet};

use tabled::builder::Builder;
use tabled::settings::object::Columns;
use tabled::settings::peaker::Priority;
use tabled::settings::{Alignment, Style, Width};

use super::numbers::Numbers;
use super::sort::human_cmp;
use crate::attribution::abbreviate;
use crate::error::{Error, Result};
use crate::model::{CoverageData, FileCoverage, GroupCoverage, Mode};

/// Layout of the `--by-platform` table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupTableFormat {
    Text,
    Markdown,
    Csv,
    Json,
}

/// The groups of a combined result: full names (sorted) and short names.
pub struct Groups {
    pub names: Vec<String>,
    pub short: Vec<String>,
}

impl Groups {
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

/// The numbers of `file` as `group` alone covered it. The statements and
/// branch outcomes are the union's: the source is the same everywhere.
pub fn group_numbers(file: &FileCoverage, group: Option<&GroupCoverage>) -> Numbers {
    let empty = GroupCoverage::default();
    let g = group.unwrap_or(&empty);
    let statements = file.lines.len();
    let covered = file.lines.keys().filter(|l| g.lines.contains(l)).count();
    let listed = file.arcs.len() + file.branches.len();
    let missing_branches = file.arcs.keys().filter(|k| !g.arcs.contains(k)).count()
        + file
            .branches
            .keys()
            .filter(|k| !g.branches.contains(*k))
            .count();
    let branches = listed.max(file.declared_branches.unwrap_or(0) as usize);
    Numbers {
        files: 1,
        statements,
        missing: statements - covered,
        branches,
        missing_branches,
        ..Default::default()
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

/// The `--by-platform` table.
pub fn table(
    data: &CoverageData,
    precision: usize,
    format: GroupTableFormat,
    width: usize,
    missing: &[String],
) -> Result<String> {
    let groups = Groups::of(data);
    let mut names: Vec<&String> = data.files.keys().collect();
    names.sort_by(|a, b| human_cmp(a, b).then_with(|| a.cmp(b)));
    let mut header = vec!["Name".to_string()];
    header.extend(groups.short.iter().cloned());
    // Expected platforms that sent nothing: a column of "-", not silence.
    header.extend(missing.iter().map(|m| format!("{m} (no data)")));
    header.push("all".to_string());
    let mut rows = vec![header];
    let mut totals = vec![Numbers::default(); groups.names.len() + 1];
    for name in names {
        let file = &data.files[name];
        let mut row = vec![name.clone()];
        for (i, group) in groups.names.iter().enumerate() {
            let n = group_numbers(file, file.covered_by.get(group));
            totals[i] += n;
            row.push(format!("{}%", n.display_covered(precision)));
        }
        row.extend(missing.iter().map(|_| "-".to_string()));
        let union = super::analysis::Analysis::new(file).numbers;
        totals[groups.names.len()] += union;
        row.push(format!("{}%", union.display_covered(precision)));
        rows.push(row);
    }
    let mut total_row = vec!["TOTAL".to_string()];
    total_row.extend(
        totals[..groups.names.len()]
            .iter()
            .map(|n| format!("{}%", n.display_covered(precision))),
    );
    total_row.extend(missing.iter().map(|_| "-".to_string()));
    total_row.push(format!(
        "{}%",
        totals[groups.names.len()].display_covered(precision)
    ));
    rows.push(total_row);

    match format {
        GroupTableFormat::Json => {
            // {"groups": {short: full}, "files": {name: {short: {...numbers}}}, "totals": {...}}
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
            let mut files = serde_json::Map::new();
            for (name, file) in &data.files {
                let mut per = serde_json::Map::new();
                for (short, group) in groups.short.iter().zip(&groups.names) {
                    per.insert(
                        short.clone(),
                        numbers(&group_numbers(file, file.covered_by.get(group))),
                    );
                }
                per.insert(
                    "all".into(),
                    numbers(&super::analysis::Analysis::new(file).numbers),
                );
                files.insert(name.clone(), serde_json::Value::Object(per));
            }
            let mut total_map = serde_json::Map::new();
            for (i, short) in groups.short.iter().enumerate() {
                total_map.insert(short.clone(), numbers(&totals[i]));
            }
            total_map.insert("all".into(), numbers(&totals[groups.names.len()]));
            let legend: serde_json::Map<String, serde_json::Value> = groups
                .short
                .iter()
                .zip(&groups.names)
                .map(|(s, n)| (s.clone(), serde_json::Value::String(n.clone())))
                .collect();
            let value = serde_json::json!({
                "dimension": data.attribution.clone().unwrap_or_default(),
                "groups": legend,
                "files": files,
                "totals": total_map,
                "no_data": missing,
            });
            Ok(format!(
                "{}\n",
                serde_json::to_string_pretty(&value).expect("json")
            ))
        }
        GroupTableFormat::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            for row in &rows {
                let cells: Vec<String> = row
                    .iter()
                    .map(|c| c.trim_end_matches('%').to_string())
                    .collect();
                writer
                    .write_record(&cells)
                    .map_err(|e| Error::Other(format!("csv: {e}")))?;
            }
            let bytes = writer
                .into_inner()
                .map_err(|e| Error::Other(format!("csv: {e}")))?;
            Ok(String::from_utf8_lossy(&bytes).into_owned())
        }
        GroupTableFormat::Markdown | GroupTableFormat::Text => {
            let mut builder = Builder::default();
            for row in rows {
                builder.push_record(row);
            }
            let mut table = builder.build();
            if format == GroupTableFormat::Markdown {
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
            let legend = groups.legend();
            if !legend.is_empty() {
                out.push('\n');
                out.push_str(&legend);
            }
            out.push_str(&no_data_note(missing));
            Ok(out)
        }
    }
}

/// One item of the diff: a line range or an arc, with its sort position.
type Item = (u32, String);

/// The `--platform-diff` (and, with `only_on`, `--only-on`) listing.
pub fn diff(data: &CoverageData, only_on: Option<&str>, missing: &[String]) -> Result<String> {
    let groups = Groups::of(data);
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
    let mut names: Vec<&String> = data.files.keys().collect();
    names.sort_by(|a, b| human_cmp(a, b).then_with(|| a.cmp(b)));
    let mut rows: Vec<(String, String, String)> = Vec::new();
    for name in names {
        let file = &data.files[name];
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
        let statements: Vec<u32> = file.lines.keys().copied().collect();
        for (set, lines) in line_sets {
            items
                .entry(set)
                .or_default()
                .extend(ranges(&statements, &lines));
        }
        for key in file.arcs.keys() {
            let set = member(&|g| g.arcs.contains(key));
            if !set.is_empty() && set != all {
                let (from, to) = *key;
                let dest = if to > 0 {
                    to.to_string()
                } else {
                    "exit".to_string()
                };
                items
                    .entry(set)
                    .or_default()
                    .push((from, format!("{from}->{dest}")));
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
        for (set, mut list) in items {
            if let Some(o) = only {
                if set.len() != 1 || !set.contains(&o) {
                    continue;
                }
            }
            list.sort();
            let text = list
                .into_iter()
                .map(|(_, t)| t)
                .collect::<Vec<_>>()
                .join(", ");
            let who = set
                .iter()
                .map(|i| groups.short[*i].as_str())
                .collect::<Vec<_>>()
                .join(", ");
            rows.push((name.clone(), text, who));
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

/// Runs of consecutive statements that are all in `lines`, as `a-b`.
fn ranges(statements: &[u32], lines: &BTreeSet<u32>) -> Vec<Item> {
    let mut out = Vec::new();
    let mut run: Option<(u32, u32)> = None;
    for &s in statements {
        if lines.contains(&s) {
            run = Some(match run {
                Some((a, _)) => (a, s),
                None => (s, s),
            });
        } else if let Some((a, b)) = run.take() {
            out.push((a, range_text(a, b)));
        }
    }
    if let Some((a, b)) = run {
        out.push((a, range_text(a, b)));
    }
    out
}

fn range_text(a: u32, b: u32) -> String {
    if a == b {
        a.to_string()
    } else {
        format!("{a}-{b}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let text = diff(&data, None, &[]).unwrap();
        assert!(
            text.contains("m.py   2-3   covered only on: 3.11.7\n"),
            "{text}"
        );
        assert!(
            text.contains("m.py   4   covered only on: 3.12.1\n"),
            "{text}"
        );
        let only = diff(&data, Some("3.12.1"), &[]).unwrap();
        assert!(!only.contains("2-3"), "{only}");
        assert!(diff(&data, Some("nope"), &[]).is_err());
        let f = &data.files["m.py"];
        let n = group_numbers(f, f.covered_by.get("platform linux, python 3.12.1-final-0"));
        assert_eq!((n.statements, n.missing), (5, 3));
    }
}
