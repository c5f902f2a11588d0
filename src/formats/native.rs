//! covmerge's own data file (`*.covmerge.json`), described in docs/FORMAT.md.
//!
//! Versioned JSON. It holds everything the other readers produce, so
//! converting to it loses nothing, and a combined file is a valid input.

use super::Text;
use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{json_error, Diagnostics, InputFormat, RecordsInput};
use crate::error::{Error, Result};
use crate::model::{
    BranchId, CoverageData, FileCoverage, Function, GroupCoverage, Mode, Region, RegionKind, Source,
};

mod scan;

/// The data file format version this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

/// File name suffix of data files.
pub const SUFFIX: &str = ".covmerge.json";

/// The covmerge data file reader.
pub struct Native;

impl InputFormat for Native {
    fn name(&self) -> &'static str {
        "covmerge"
    }

    fn detect(&self, text: &str) -> bool {
        // We always write "covmerge" as the first key.
        let head = super::head(text);
        head.strip_prefix('{')
            .map(|rest| rest.trim_start().starts_with("\"covmerge\""))
            .unwrap_or(false)
    }

    /// By the byte scanner ([`scan`]) when it takes the text, otherwise by
    /// serde, which gives the same result or the message.
    fn read(&self, path: &Path, text: &str, diag: &mut Diagnostics) -> Result<CoverageData> {
        match scan::read(text) {
            Some(records) => Ok(records.into_data()),
            None => read_serde(path, text, diag),
        }
    }

    fn read_records<'a>(&self, text: &'a str) -> Option<RecordsInput<'a>> {
        scan::read(text)
    }
}

/// The reference reader: the whole file deserialized by serde's derive,
/// then converted.
fn read_serde(path: &Path, text: &str, diag: &mut Diagnostics) -> Result<CoverageData> {
    let raw: RawData = serde_json::from_str(text).map_err(|e| json_error(path, e))?;
    if raw.covmerge == 0 || raw.covmerge > FORMAT_VERSION {
        return Err(Error::parse(
            path,
            None,
            format!(
                "covmerge data format version {} is not supported (this covmerge reads 1 to {})",
                raw.covmerge, FORMAT_VERSION
            ),
        ));
    }
    raw.into_model(
        path,
        diag,
        &mut super::Budget::new(text.len(), COVERED_BY_PER_BYTE, COVERED_BY_FLOOR),
    )
}

#[derive(Serialize, Deserialize)]
struct RawSource {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    platform: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    worker: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    root: Option<String>,
    #[serde(default = "unknown_mode")]
    mode: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    converted_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    producer: Option<String>,
}

fn unknown_mode() -> String {
    "unknown".to_string()
}

/// Lines, arcs and branches all covered_by groups may expand to: a range
/// of a few bytes stands for many statements, and a combined file lists
/// one group per worker or platform, so this is generous.
const COVERED_BY_PER_BYTE: u64 = 32;
const COVERED_BY_FLOOR: u64 = 1 << 20;

#[derive(Serialize, Deserialize, Default)]
struct RawFile<'a> {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    lines: Vec<(u32, u64)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    excluded: Vec<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    arcs: Vec<(u32, i64, Option<u64>)>,
    /// Branch ids borrow the input's text (they are mostly `"0"`, `"1"`):
    /// no allocation per branch.
    #[serde(default, borrow, skip_serializing_if = "Vec::is_empty")]
    branches: Vec<RawBranch<'a>>,
    /// coverage.py Cobertura branch lines: `[line, total, [missed...]]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    arc_lines: Vec<(u32, u32, Vec<i64>)>,
    /// Their destinations named as missed by any input: `[line, [dest...]]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    arc_seen: Vec<(u32, Vec<i64>)>,
    /// Count-only branch lines: `[line, covered, total]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    branch_counts: Vec<(u32, u32, u32)>,
    /// Istanbul branch locations: `[line, block, [key span], [loc span]]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    branch_locs: Vec<(u32, String, [i64; 4], [i64; 4])>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    functions: Vec<(String, u32, Option<u32>, u64)>,
    /// Go blocks: `[start line, start column, end line, end column, statements, count]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    statement_blocks: Vec<(u32, u32, u32, u32, u32, u64)>,
    /// u32 on reading: larger counts overflowed the report totals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    declared_branches: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    regions: Vec<RawRegion>,
    #[serde(default, borrow, skip_serializing_if = "BTreeMap::is_empty")]
    covered_by: BTreeMap<String, RawGroup<'a>>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    statements_unknown: bool,
    /// Raw lines were put onto statements without the source (see
    /// `FileCoverage::approximate`): a later combine still warns.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    approximate: bool,
    /// coverage.py LCOV's words for exit arcs: `[line, dest, text]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    exit_labels: Vec<(u32, i64, String)>,
    /// The one content hash of a recorded file's source (its platform is
    /// the data file's source's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source_hash: Option<String>,
    /// Content hash -> platforms, when there are several hashes or sources.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    source_hashes: BTreeMap<String, Vec<String>>,
}

/// What one attribution group covered: line ranges, arcs, branches.
#[derive(Serialize, Deserialize, Default)]
struct RawGroup<'a> {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    lines: Vec<(u32, u32)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    arcs: Vec<(u32, i64)>,
    /// Borrowed, as a file's own branch ids: a recorded worker's file
    /// lists each covered branch here again.
    #[serde(default, borrow, skip_serializing_if = "Vec::is_empty")]
    branches: Vec<(u32, Text<'a>, Text<'a>)>,
    /// coverage.py Cobertura lines: `[line, [missed...]]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    arc_missed: Vec<(u32, Vec<i64>)>,
}

impl RawGroup<'_> {
    fn from_model(g: &GroupCoverage) -> RawGroup<'static> {
        let mut lines: Vec<(u32, u32)> = Vec::new();
        for &l in &g.lines {
            match lines.last_mut() {
                Some((_, end)) if *end + 1 == l => *end = l,
                _ => lines.push((l, l)),
            }
        }
        RawGroup {
            lines,
            arcs: g.arcs.iter().copied().collect(),
            branches: g
                .branches
                .iter()
                .map(|(l, b, id)| (*l, Text(b.to_string().into()), Text(id.to_string().into())))
                .collect(),
            arc_missed: g
                .arc_missed
                .iter()
                .map(|(l, m)| (*l, m.iter().copied().collect()))
                .collect(),
        }
    }

    /// `statements`: the file's lines; a group covers only statements, so a
    /// range expands to the statements inside it, not to every number.
    fn into_model(
        mut self,
        path: &Path,
        file: &str,
        statements: &BTreeMap<u32, u64>,
        budget: &mut super::Budget,
    ) -> Result<GroupCoverage> {
        let mut g = GroupCoverage::default();
        for &(start, end) in &self.lines {
            if start == 0 || end < start {
                return Err(Error::parse(
                    path,
                    None,
                    format!("{file}: bad covered_by line range [{start}, {end}]"),
                ));
            }
        }
        // Repeated and overlapping ranges cost once: merge them first.
        self.lines.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::new();
        for (start, end) in self.lines {
            match merged.last_mut() {
                Some((_, last)) if start <= last.saturating_add(1) => *last = (*last).max(end),
                _ => merged.push((start, end)),
            }
        }
        for (start, end) in merged {
            let before = g.lines.len();
            g.lines
                .extend(statements.range(start..=end).map(|(l, _)| *l));
            budget
                .take((g.lines.len() - before) as u64)
                .map_err(|m| Error::parse(path, None, format!("{file}: covered_by: {m}")))?;
        }
        budget
            .take((self.arcs.len() + self.branches.len()) as u64)
            .map_err(|m| Error::parse(path, None, format!("{file}: covered_by: {m}")))?;
        g.arcs.extend(self.arcs);
        g.branches.extend(
            self.branches
                .into_iter()
                .map(|(l, b, id)| (l, BranchId::parse(&b.0), BranchId::parse(&id.0))),
        );
        for (line, missed) in self.arc_missed {
            g.arc_missed.insert(line, missed.into_iter().collect());
        }
        Ok(g)
    }
}

/// `[line, block, branch, taken]` (`taken` null for lcov's `-`).
type RawBranch<'a> = (u32, Text<'a>, Text<'a>, Option<u64>);

/// `[kind, name, start_line, [lines], declared_branches]`.
type RawRegion = (String, String, u32, Vec<u32>, Option<u32>);

#[derive(Serialize, Deserialize)]
struct RawHeader {
    covmerge: u32,
    #[serde(default)]
    producer: Option<String>,
    #[serde(default)]
    branch_coverage: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    root: Option<String>,
    #[serde(default)]
    sources: Vec<RawSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    attribution: Option<String>,
}

#[derive(Deserialize)]
struct RawData<'a> {
    covmerge: u32,
    #[serde(default)]
    branch_coverage: bool,
    #[serde(default)]
    root: Option<String>,
    #[serde(default)]
    sources: Vec<RawSource>,
    #[serde(default, borrow, deserialize_with = "super::entries")]
    files: Vec<(String, RawFile<'a>)>,
    #[serde(default)]
    attribution: Option<String>,
}

/// The name a source without a platform description goes by in
/// `source_hashes`.
pub const UNKNOWN_PLATFORM: &str = "unknown platform";

fn platform_of(source: &Source) -> String {
    source
        .platform
        .clone()
        .unwrap_or_else(|| UNKNOWN_PLATFORM.to_string())
}

/// The sources as the model keeps them, sorted.
fn sources_of(path: &Path, raw: Vec<RawSource>) -> Result<Vec<Source>> {
    let mut sources = Vec::with_capacity(raw.len());
    for s in raw {
        let mode = Mode::parse(&s.mode).ok_or_else(|| {
            Error::parse(
                path,
                None,
                format!("source mode {:?} is not one of load, each, unknown", s.mode),
            )
        })?;
        sources.push(Source {
            host: s.host,
            platform: s.platform,
            worker: s.worker,
            root: s.root,
            mode,
            labels: s.labels,
            created: s.created,
            converted_from: s.converted_from,
            producer: s.producer,
        });
    }
    sources.sort();
    Ok(sources)
}

/// The platforms a file's one `source_hash` stands for: its data file's.
fn own_platforms(sources: &[Source]) -> std::collections::BTreeSet<String> {
    let mut platforms: std::collections::BTreeSet<String> =
        sources.iter().map(platform_of).collect();
    if platforms.is_empty() {
        platforms.insert(UNKNOWN_PLATFORM.to_string());
    }
    platforms
}

impl RawData<'_> {
    fn into_model(
        self,
        path: &Path,
        diag: &mut Diagnostics,
        budget: &mut super::Budget,
    ) -> Result<CoverageData> {
        let sources = sources_of(path, self.sources)?;
        let own_platforms = own_platforms(&sources);
        let mut files: BTreeMap<String, FileCoverage> = BTreeMap::new();
        for (name, raw) in self.files {
            let mut file = FileCoverage::default();
            if let Some(hash) = raw.source_hash {
                file.source_hashes.insert(hash, own_platforms.clone());
            }
            for (hash, platforms) in raw.source_hashes {
                file.source_hashes
                    .entry(hash)
                    .or_default()
                    .extend(platforms);
            }
            // Written sorted and unique: each map is built in one pass.
            let mut lines = raw.lines;
            for &(line, _) in &lines {
                check_line(path, &name, line)?;
            }
            crate::model::sort_and_fold(&mut lines, crate::model::add_hits);
            file.lines = lines.into_iter().collect();
            for line in raw.excluded {
                check_line(path, &name, line)?;
                file.excluded.insert(line);
            }
            let mut arcs = Vec::with_capacity(raw.arcs.len());
            for (from, to, taken) in raw.arcs {
                check_line(path, &name, from)?;
                arcs.push(((from, to), taken));
            }
            crate::model::sort_and_fold(&mut arcs, crate::model::add_taken);
            file.arcs = arcs.into_iter().collect();
            let mut branches = Vec::with_capacity(raw.branches.len());
            for (line, block, branch, taken) in raw.branches {
                check_line(path, &name, line)?;
                branches.push((
                    (line, BranchId::parse(&block.0), BranchId::parse(&branch.0)),
                    taken,
                ));
            }
            if branches.windows(2).all(|w| w[0].0 < w[1].0) {
                file.branches = branches.into_iter().collect();
            } else {
                for (key, taken) in branches {
                    let entry = file.branches.entry(key).or_insert(None);
                    *entry = crate::model::add_taken(*entry, taken);
                }
            }
            let mut seen: BTreeMap<u32, Vec<i64>> = raw.arc_seen.into_iter().collect();
            for (line, total, missed) in raw.arc_lines {
                check_line(path, &name, line)?;
                let mut al =
                    crate::model::branches::ArcLine::new(total, missed.into_iter().collect());
                al.seen.extend(seen.remove(&line).unwrap_or_default());
                let mut one = FileCoverage::default();
                one.arc_lines.insert(line, al);
                file.merge(one);
            }
            for (line, covered, total) in raw.branch_counts {
                check_line(path, &name, line)?;
                let count = crate::model::branches::BranchCount {
                    covered: covered.min(total),
                    total,
                };
                let mut one = FileCoverage::default();
                one.branch_counts.insert(line, count);
                file.merge(one);
            }
            for (line, block, key, span) in raw.branch_locs {
                check_line(path, &name, line)?;
                let loc = crate::model::branches::IstanbulLoc {
                    key: (key[0], key[1], key[2], key[3]),
                    span: (span[0], span[1], span[2], span[3]),
                };
                file.branch_locs
                    .insert((line, BranchId::parse(&block)), loc);
            }
            file.declared_branches = raw.declared_branches.map(u64::from);
            for (line, dest, text) in raw.exit_labels {
                check_line(path, &name, line)?;
                file.exit_labels.insert((line, dest), text);
            }
            for (l1, c1, l2, c2, stmts, count) in raw.statement_blocks {
                check_line(path, &name, l1)?;
                let entry = file
                    .statement_blocks
                    .entry((l1, c1, l2, c2))
                    .or_insert((0, 0));
                *entry = (entry.0.max(stmts), entry.1.saturating_add(count));
            }
            for (group, raw_group) in raw.covered_by {
                let covered = raw_group.into_model(path, &name, &file.lines, budget)?;
                file.covered_by.insert(group, covered);
            }
            file.statements_unknown = raw.statements_unknown;
            file.approximate = raw.approximate;
            for (fname, start, end, hits) in raw.functions {
                file.functions.insert(fname, Function { start, end, hits });
            }
            for (kind, rname, start_line, lines, declared_branches) in raw.regions {
                let kind = RegionKind::parse(&kind).ok_or_else(|| {
                    Error::parse(
                        path,
                        None,
                        format!("{name}: region kind {kind:?} is not one of function, class"),
                    )
                })?;
                let region = Region {
                    start_line,
                    lines: lines.into_iter().collect(),
                    declared_branches: declared_branches.map(u64::from),
                };
                match file.regions.get_mut(&(kind, rname.clone())) {
                    Some(mine) => mine.merge(region),
                    None => {
                        file.regions.insert((kind, rname), region);
                    }
                }
            }
            match files.get_mut(&name) {
                Some(existing) => {
                    diag.warn(None, format!("{name} is listed more than once; merged"));
                    existing.merge(file);
                }
                None => {
                    files.insert(name, file);
                }
            }
        }
        Ok(CoverageData {
            branch_coverage: self.branch_coverage,
            sources,
            root: self.root,
            attribution: self.attribution,
            files,
        })
    }
}

fn check_line(path: &Path, file: &str, line: u32) -> Result<()> {
    if line == 0 {
        return Err(Error::parse(
            path,
            None,
            format!("{file}: line number 0 (lines start at 1)"),
        ));
    }
    Ok(())
}

/// Serialise `data` as a data file: the header on the first lines, then
/// one source file per line, so large files stay diffable and greppable.
pub fn to_string(data: &CoverageData) -> String {
    let header = RawHeader::from_model(data);
    // Serialising plain structs of strings and numbers cannot fail.
    let mut out = serde_json::to_string(&header).expect("header serialises");
    out.pop(); // the closing brace; the files follow
    out.push_str(",\"files\":{");
    for (i, (name, file)) in data.files.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('\n');
        out.push_str(&serde_json::to_string(name).expect("string serialises"));
        out.push(':');
        let raw = RawFile::from_model(file, &data.sources);
        out.push_str(&serde_json::to_string(&raw).expect("file serialises"));
    }
    out.push_str("\n}}\n");
    out
}

impl RawHeader {
    /// Everything of `data` but its files.
    fn from_model(data: &CoverageData) -> RawHeader {
        RawHeader {
            covmerge: FORMAT_VERSION,
            producer: Some(format!("covmerge {}", env!("CARGO_PKG_VERSION"))),
            branch_coverage: data.branch_coverage,
            root: data.root.clone(),
            attribution: data.attribution.clone(),
            sources: data
                .sources
                .iter()
                .map(|s| RawSource {
                    host: s.host.clone(),
                    platform: s.platform.clone(),
                    worker: s.worker.clone(),
                    root: s.root.clone(),
                    mode: s.mode.as_str().to_string(),
                    labels: s.labels.clone(),
                    created: s.created.clone(),
                    converted_from: s.converted_from.clone(),
                    producer: s.producer.clone(),
                })
                .collect(),
        }
    }
}

impl RawFile<'_> {
    /// One file as written; `sources` decide whether its content hash is
    /// written the short way (one recorded source).
    fn from_model(file: &FileCoverage, sources: &[Source]) -> RawFile<'static> {
        let mut raw = RawFile {
            lines: file.lines.iter().map(|(l, h)| (*l, *h)).collect(),
            excluded: file.excluded.iter().copied().collect(),
            arcs: file.arcs.iter().map(|((f, t), k)| (*f, *t, *k)).collect(),
            branches: file
                .branches
                .iter()
                .map(|((l, b, id), k)| {
                    let (b, id) = (Text(b.to_string().into()), Text(id.to_string().into()));
                    (*l, b, id, *k)
                })
                .collect(),
            arc_lines: file
                .arc_lines
                .iter()
                .map(|(l, a)| (*l, a.total, a.missed.iter().copied().collect()))
                .collect(),
            arc_seen: file
                .arc_lines
                .iter()
                .filter(|(_, a)| a.seen != a.missed)
                .map(|(l, a)| (*l, a.seen.iter().copied().collect()))
                .collect(),
            branch_counts: file
                .branch_counts
                .iter()
                .map(|(l, c)| (*l, c.covered, c.total))
                .collect(),
            branch_locs: file
                .branch_locs
                .iter()
                .map(|((l, b), loc)| {
                    let (k, s) = (loc.key, loc.span);
                    (
                        *l,
                        b.to_string(),
                        [k.0, k.1, k.2, k.3],
                        [s.0, s.1, s.2, s.3],
                    )
                })
                .collect(),
            functions: file
                .functions
                .iter()
                .map(|(n, f)| (n.clone(), f.start, f.end, f.hits))
                .collect(),
            statement_blocks: file
                .statement_blocks
                .iter()
                .map(|((l1, c1, l2, c2), (n, k))| (*l1, *c1, *l2, *c2, *n, *k))
                .collect(),
            declared_branches: file
                .declared_branches
                .map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
            covered_by: file
                .covered_by
                .iter()
                .map(|(g, c)| (g.clone(), RawGroup::from_model(c)))
                .collect(),
            regions: file
                .regions
                .iter()
                .map(|((kind, n), r)| {
                    (
                        kind.as_str().to_string(),
                        n.clone(),
                        r.start_line,
                        r.lines.iter().copied().collect(),
                        r.declared_branches
                            .map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
                    )
                })
                .collect(),
            statements_unknown: file.statements_unknown,
            approximate: file.approximate,
            exit_labels: file
                .exit_labels
                .iter()
                .map(|((l, d), t)| (*l, *d, t.clone()))
                .collect(),
            source_hash: None,
            source_hashes: BTreeMap::new(),
        };
        match (sources, file.source_hash()) {
            // A recorded file: one source, one hash, that source's platform.
            ([source], Some(hash))
                if file.source_hashes[hash].len() == 1
                    && file.source_hashes[hash].contains(&platform_of(source)) =>
            {
                raw.source_hash = Some(hash.to_string());
            }
            _ => {
                raw.source_hashes = file
                    .source_hashes
                    .iter()
                    .map(|(h, p)| (h.clone(), p.iter().cloned().collect()))
                    .collect();
            }
        }
        raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_everything() {
        let mut data = CoverageData {
            branch_coverage: true,
            root: Some("/w/proj".into()),
            sources: vec![Source {
                host: Some("hostA".into()),
                platform: Some("platform linux, python 3.12.1-final-0".into()),
                worker: Some("gw0".into()),
                mode: Mode::Each,
                ..Default::default()
            }],
            ..Default::default()
        };
        let mut f = FileCoverage::default();
        f.lines.insert(1, 3);
        f.lines.insert(2, 0);
        f.excluded.insert(9);
        f.arcs.insert((1, -1), None);
        f.arcs.insert((1, 2), Some(4));
        f.branches
            .insert((5, "0".into(), "jump, with comma".into()), Some(1));
        f.functions.insert(
            "main".into(),
            Function {
                start: 1,
                end: Some(2),
                hits: 1,
            },
        );
        f.regions.insert(
            (RegionKind::Function, "main".into()),
            Region {
                start_line: 1,
                lines: [2].into_iter().collect(),
                declared_branches: Some(3),
            },
        );
        f.regions.insert(
            (RegionKind::Class, String::new()),
            Region {
                start_line: 1,
                lines: [1, 2, 9].into_iter().collect(),
                declared_branches: None,
            },
        );
        data.files.insert("pkg/a b.py".into(), f);
        let mut raw = FileCoverage {
            statements_unknown: true,
            ..Default::default()
        };
        raw.lines.insert(4, 1);
        data.files.insert("pkg/raw.py".into(), raw);
        let text = to_string(&data);
        assert!(Native.detect(&text));
        let back = Native
            .read(Path::new("x"), &text, &mut Diagnostics::default())
            .unwrap();
        assert_eq!(back, data);
    }

    #[test]
    fn future_version_is_refused_with_the_file_name() {
        let err = Native
            .read(
                Path::new("d/w.covmerge.json"),
                r#"{"covmerge": 99, "files": {}}"#,
                &mut Diagnostics::default(),
            )
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("d/w.covmerge.json:"), "{err}");
        assert!(err.contains("version 99"), "{err}");
    }
}
