//! The fast coverage.py JSON reader: serde `Visitor`s and `DeserializeSeed`s
//! that build each file's flat records while the parser walks the text,
//! with no intermediate `Report`: line lists go straight into the
//! `(line, hits)` lists the records want, region names are borrowed from
//! the text when they have no escapes, and each region's lines are
//! gathered into one scratch list, sorted and handed over as a list (the
//! running result builds a set only for a region it has not seen).
//!
//! It accepts only what it reads exactly as the derive-based reader does
//! (objects where that reader takes a struct, no repeated field in one
//! object); anything else is an error here, and the caller then reads the
//! text again with the derive-based reader, which gives serde's exact
//! message or reads the odd shape. Nothing is handed over before the whole
//! text parsed, so a reader that fails still fails before its first file.
//! Bounded: every list is at most as long as the text that spells it.

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserializer as _;

use super::{sorted_union, JsonReport, Meta, Summary};
use crate::error::Result;
use crate::formats::{Diagnostics, FileRecords, RegionRecord};
use crate::model::{FileCoverage, Function, RegionKind, Source};

/// A parsed report, its files converted, waiting to be handed over.
pub(super) struct Parsed<'a> {
    pub(super) meta: Meta,
    pub(super) files: Vec<ParsedFile<'a>>,
}

/// One file's records, with the out-of-range numbers found in it.
pub(super) struct ParsedFile<'a> {
    records: FileRecords<'a>,
    /// (which list, number), in the order the derive-based reader warns.
    bad: Vec<(Bad, i64)>,
    has_branch_lists: bool,
}

/// Which list an out-of-range number was in, in the order of the warnings.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Bad {
    Executed,
    Missing,
    Excluded,
    ExecutedArc,
    MissingArc,
}

impl Bad {
    fn what(self) -> &'static str {
        match self {
            Bad::Executed => "executed",
            Bad::Missing => "missing",
            Bad::Excluded => "excluded",
            Bad::ExecutedArc | Bad::MissingArc => "branch source",
        }
    }
}

/// Parse the whole text. Any error means "read it the careful way".
pub(super) fn read(text: &str) -> serde_json::Result<Parsed<'_>> {
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = de.deserialize_map(ReportVisitor)?;
    de.end()?;
    Ok(parsed)
}

impl<'a> Parsed<'a> {
    /// Check the format, then warn and hand over file by file as the
    /// derive-based reader does.
    pub(super) fn hand_over(
        self,
        path: &Path,
        diag: &mut Diagnostics,
        on_file: &mut dyn FnMut(&mut FileRecords<'a>),
    ) -> Result<JsonReport> {
        let format = super::check_format(path, &self.meta)?;
        let mut branch_coverage = self.meta.branch_coverage.unwrap_or(false);
        for mut file in self.files {
            file.bad.sort_by_key(|(which, _)| *which);
            for (which, n) in file.bad {
                diag.warn(
                    None,
                    format!(
                        "{}: {} line number {n} is out of range, ignored",
                        file.records.name,
                        which.what()
                    ),
                );
            }
            branch_coverage |= file.has_branch_lists;
            on_file(&mut file.records);
        }
        Ok(JsonReport {
            branch_coverage,
            source: Source {
                converted_from: Some(format!("coverage.py json {format}")),
                producer: self.meta.version.map(|v| format!("coverage.py {v}")),
                ..Default::default()
            },
        })
    }
}

/// A positive line number, as the model keeps it.
fn valid(n: i64) -> Option<u32> {
    u32::try_from(n).ok().filter(|l| *l > 0)
}

/// A repeated field: the derive-based reader refuses it with serde's
/// message, so the fast one only has to stop.
fn once<E: de::Error>(seen: &mut bool, field: &'static str) -> std::result::Result<(), E> {
    if std::mem::replace(seen, true) {
        return Err(E::duplicate_field(field));
    }
    Ok(())
}

/// An object key, borrowed from the text unless it has escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_str(crate::formats::TextVisitor)
    }
}

/// The report object: `meta` and `files`, the rest ignored.
struct ReportVisitor;

impl<'de> Visitor<'de> for ReportVisitor {
    type Value = Parsed<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("struct Report")
    }
    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut meta = None;
        let mut files = None;
        while let Some(key) = map.next_key_seed(Key)? {
            match &*key {
                "meta" => {
                    once(&mut meta.is_some(), "meta")?;
                    meta = Some(map.next_value::<Meta>()?);
                }
                "files" => {
                    once(&mut files.is_some(), "files")?;
                    files = Some(map.next_value_seed(FilesSeed)?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Parsed {
            meta: meta.unwrap_or_default(),
            files: files.ok_or_else(|| de::Error::missing_field("files"))?,
        })
    }
}

/// The `files` object, every entry kept in order (repeats too).
struct FilesSeed;

impl<'de> DeserializeSeed<'de> for FilesSeed {
    type Value = Vec<ParsedFile<'de>>;
    fn deserialize<D: de::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FilesSeed {
    type Value = Vec<ParsedFile<'de>>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        let mut scratch = Scratch::default();
        while let Some(name) = map.next_key::<String>()? {
            out.push(map.next_value_seed(FileSeed {
                name,
                scratch: &mut scratch,
            })?);
        }
        Ok(out)
    }
}

/// Buffers reused from file to file and region to region.
#[derive(Default)]
struct Scratch {
    arcs: Vec<(i64, i64)>,
    lines: Vec<u32>,
}

/// Calls `each` for every integer of a list of line numbers. A missing
/// list is the same as an empty one; `null` is an error, as for the
/// derive-based reader's `Vec<i64>`.
struct EachLine<F>(F);

impl<'de, F: FnMut(i64)> DeserializeSeed<'de> for EachLine<F> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(i64)> Visitor<'de> for EachLine<F> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sequence")
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(n) = seq.next_element::<i64>()? {
            (self.0)(n);
        }
        Ok(())
    }
}

/// A branch list (`Option<Vec<(i64, i64)>>` for the derive-based reader)
/// into `out`, cleared first; true when it was there and not `null`.
struct ArcList<'b>(&'b mut Vec<(i64, i64)>);

impl<'de> DeserializeSeed<'de> for ArcList<'_> {
    type Value = bool;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<bool, D::Error> {
        self.0.clear();
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for ArcList<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("option")
    }
    fn visit_none<E: de::Error>(self) -> std::result::Result<bool, E> {
        Ok(false)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<bool, D::Error> {
        struct Pairs<'b>(&'b mut Vec<(i64, i64)>);
        impl<'de> Visitor<'de> for Pairs<'_> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
                while let Some(pair) = seq.next_element::<(i64, i64)>()? {
                    self.0.push(pair);
                }
                Ok(())
            }
        }
        d.deserialize_seq(Pairs(self.0))?;
        Ok(true)
    }
}

/// One file's object, converted as the derive-based reader converts it.
struct FileSeed<'s> {
    name: String,
    scratch: &'s mut Scratch,
}

impl<'de> DeserializeSeed<'de> for FileSeed<'_> {
    type Value = ParsedFile<'de>;
    fn deserialize<D: de::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FileSeed<'_> {
    type Value = ParsedFile<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("struct File")
    }
    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let scratch = self.scratch;
        let mut file = FileBuilder::default();
        let mut seen = [false; 8];
        while let Some(key) = map.next_key_seed(Key)? {
            match &*key {
                "executed_lines" => {
                    once(&mut seen[0], "executed_lines")?;
                    map.next_value_seed(EachLine(|n| file.executed_line(n)))?;
                }
                "missing_lines" => {
                    once(&mut seen[1], "missing_lines")?;
                    map.next_value_seed(EachLine(|n| file.missing_line(n)))?;
                }
                "excluded_lines" => {
                    once(&mut seen[2], "excluded_lines")?;
                    map.next_value_seed(EachLine(|n| file.excluded_line(n)))?;
                }
                "executed_branches" => {
                    once(&mut seen[3], "executed_branches")?;
                    let present = map.next_value_seed(ArcList(&mut scratch.arcs))?;
                    file.arcs(&scratch.arcs, true, present);
                }
                "missing_branches" => {
                    once(&mut seen[4], "missing_branches")?;
                    let present = map.next_value_seed(ArcList(&mut scratch.arcs))?;
                    file.arcs(&scratch.arcs, false, present);
                }
                "functions" => {
                    once(&mut seen[5], "functions")?;
                    file.functions = map.next_value_seed(RegionsSeed(scratch))?;
                }
                "classes" => {
                    once(&mut seen[6], "classes")?;
                    file.classes = map.next_value_seed(RegionsSeed(scratch))?;
                }
                "summary" => {
                    once(&mut seen[7], "summary")?;
                    file.summary = map.next_value::<Option<Summary>>()?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(file.finish(self.name))
    }
}

/// One file's lists as they are read, in whatever order its fields come.
#[derive(Default)]
pub(super) struct FileBuilder<'de> {
    bad: Vec<(Bad, i64)>,
    executed: Vec<(u32, u64)>,
    missing: Vec<(u32, u64)>,
    excluded: Vec<u32>,
    executed_arcs: Vec<((u32, i64), Option<u64>)>,
    missing_arcs: Vec<((u32, i64), Option<u64>)>,
    has_branch_lists: bool,
    pub(super) summary: Option<Summary>,
    pub(super) functions: Vec<(Cow<'de, str>, ParsedRegion)>,
    pub(super) classes: Vec<(Cow<'de, str>, ParsedRegion)>,
}

impl<'de> FileBuilder<'de> {
    /// A number of `executed_lines`.
    pub(super) fn executed_line(&mut self, n: i64) {
        match valid(n) {
            Some(l) => self.executed.push((l, 1)),
            None => self.bad.push((Bad::Executed, n)),
        }
    }

    /// A number of `missing_lines`.
    pub(super) fn missing_line(&mut self, n: i64) {
        match valid(n) {
            Some(l) => self.missing.push((l, 0)),
            None => self.bad.push((Bad::Missing, n)),
        }
    }

    /// A number of `excluded_lines`.
    pub(super) fn excluded_line(&mut self, n: i64) {
        match valid(n) {
            Some(l) => self.excluded.push(l),
            None => self.bad.push((Bad::Excluded, n)),
        }
    }

    /// `executed_branches` (or `missing_branches`), whole; `present` is
    /// false when it was `null`.
    pub(super) fn arcs(&mut self, list: &[(i64, i64)], executed: bool, present: bool) {
        self.has_branch_lists |= present;
        let (taken, which, out) = if executed {
            (1, Bad::ExecutedArc, &mut self.executed_arcs)
        } else {
            (0, Bad::MissingArc, &mut self.missing_arcs)
        };
        out.clear();
        for &(from, to) in list {
            match valid(from) {
                Some(l) => out.push(((l, to), Some(taken))),
                None => self.bad.push((which, from)),
            }
        }
    }

    /// The file's records, converted as the derive-based reader does.
    pub(super) fn finish(self, name: String) -> ParsedFile<'de> {
        let FileBuilder {
            bad,
            executed,
            missing,
            excluded,
            executed_arcs,
            missing_arcs,
            has_branch_lists,
            summary,
            functions,
            classes,
        } = self;
        let mut file = FileCoverage {
            excluded: excluded.into_iter().collect(),
            ..Default::default()
        };
        let lines = sorted_union(executed, missing, |a, b| a.max(b));
        let arcs = sorted_union(executed_arcs, missing_arcs, |a, b| a.max(b));
        file.declared_branches = summary
            .and_then(|s| s.num_branches)
            .map(u64::from)
            .filter(|n| *n as usize > arcs.len());
        let all_borrowed = functions
            .iter()
            .all(|(name, _)| matches!(name, Cow::Borrowed(_)));
        let mut borrowed: Vec<(&'de str, Function)> = Vec::new();
        let mut owned = std::collections::BTreeMap::new();
        let mut regions = Vec::with_capacity(functions.len() + classes.len());
        for (name, region) in functions {
            // "" is the part of the module outside any function.
            if let Some(function) = region.function().filter(|_| !name.is_empty()) {
                match &name {
                    Cow::Borrowed(name) if all_borrowed => borrowed.push((*name, function)),
                    name => {
                        owned.insert(name.to_string(), function);
                    }
                }
            }
            regions.push(region.record(RegionKind::Function, name));
        }
        // Functions sort before classes, each list by name.
        for (name, region) in classes {
            regions.push(region.record(RegionKind::Class, name));
        }
        file.functions = owned;
        ParsedFile {
            records: FileRecords {
                name: name.into(),
                functions: borrowed,
                lines,
                arcs,
                regions,
                file: Some(file),
                ..Default::default()
            },
            bad,
            has_branch_lists,
        }
    }
}

/// One function or class region, with what the function list needs.
pub(super) struct ParsedRegion {
    /// As the model's [`Region`], its lines sorted and unique.
    region_start: u32,
    lines: Vec<u32>,
    declared_branches: Option<u64>,
    /// The smallest and largest executed or missing line, as written.
    first: Option<i64>,
    last: Option<i64>,
    start_line: Option<i64>,
    executed_any: bool,
}

impl ParsedRegion {
    /// The region as the records hand it over.
    fn record<'de>(self, kind: RegionKind, name: Cow<'de, str>) -> RegionRecord<'de> {
        RegionRecord {
            kind,
            name,
            start_line: self.region_start,
            lines: self.lines,
            declared_branches: self.declared_branches,
        }
    }

    /// The function this region stands for, as the derive-based reader
    /// makes it; `None` when it has no usable start line.
    fn function(&self) -> Option<Function> {
        let start = self
            .start_line
            .or(self.first)
            .and_then(|n| u32::try_from(n).ok())
            .filter(|s| *s > 0)?;
        Some(Function {
            start,
            end: self.last.and_then(|n| u32::try_from(n).ok()),
            hits: u64::from(self.executed_any),
        })
    }
}

/// A `functions` or `classes` object: its regions sorted by name, a
/// repeated name keeping its last value (as a map would).
struct RegionsSeed<'s>(&'s mut Scratch);

impl<'de> DeserializeSeed<'de> for RegionsSeed<'_> {
    type Value = Vec<(Cow<'de, str>, ParsedRegion)>;
    fn deserialize<D: de::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RegionsSeed<'_> {
    type Value = Vec<(Cow<'de, str>, ParsedRegion)>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map")
    }
    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut out: Vec<(Cow<'de, str>, ParsedRegion)> = Vec::new();
        while let Some(name) = map.next_key_seed(Key)? {
            let region = map.next_value_seed(RegionSeed(&mut *self.0))?;
            out.push((name, region));
        }
        Ok(finish_regions(out))
    }
}

/// A region list sorted by name, a repeated name keeping its last value
/// (as the derive-based reader's map keeps it).
pub(super) fn finish_regions<'de>(
    mut out: Vec<(Cow<'de, str>, ParsedRegion)>,
) -> Vec<(Cow<'de, str>, ParsedRegion)> {
    if !out.windows(2).all(|w| w[0].0 < w[1].0) {
        // Stable: of equal names the last one written ends up last.
        out.sort_by(|a, b| a.0.cmp(&b.0));
        let mut kept: Vec<(Cow<'de, str>, ParsedRegion)> = Vec::with_capacity(out.len());
        for entry in out {
            match kept.last_mut() {
                Some(last) if last.0 == entry.0 => *last = entry,
                _ => kept.push(entry),
            }
        }
        out = kept;
    }
    out
}

/// One region's object, as the derive-based reader's `Region::to_model`
/// (`crate::model::Region`).
struct RegionSeed<'s>(&'s mut Scratch);

impl<'de> DeserializeSeed<'de> for RegionSeed<'_> {
    type Value = ParsedRegion;
    fn deserialize<D: de::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RegionSeed<'_> {
    type Value = ParsedRegion;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("struct Region")
    }
    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let scratch = self.0;
        let mut lines = std::mem::take(&mut scratch.lines);
        lines.clear();
        let mut region = RegionBuilder::default();
        let mut seen = [false; 7];
        while let Some(key) = map.next_key_seed(Key)? {
            match &*key {
                "executed_lines" => {
                    once(&mut seen[0], "executed_lines")?;
                    map.next_value_seed(EachLine(|n| region.line(n, true, &mut lines)))?;
                }
                "missing_lines" => {
                    once(&mut seen[1], "missing_lines")?;
                    map.next_value_seed(EachLine(|n| region.line(n, false, &mut lines)))?;
                }
                "excluded_lines" => {
                    once(&mut seen[2], "excluded_lines")?;
                    map.next_value_seed(EachLine(|n| region.excluded_line(n, &mut lines)))?;
                }
                "start_line" => {
                    once(&mut seen[3], "start_line")?;
                    region.start_line = map.next_value::<Option<i64>>()?;
                }
                "executed_branches" => {
                    once(&mut seen[4], "executed_branches")?;
                    map.next_value_seed(ArcList(&mut scratch.arcs))?;
                    region.listed += scratch.arcs.len();
                }
                "missing_branches" => {
                    once(&mut seen[5], "missing_branches")?;
                    map.next_value_seed(ArcList(&mut scratch.arcs))?;
                    region.listed += scratch.arcs.len();
                }
                "summary" => {
                    once(&mut seen[6], "summary")?;
                    region.summary = map.next_value::<Option<Summary>>()?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let region = region.finish(&mut lines);
        scratch.lines = lines;
        Ok(region)
    }
}

/// One region's fields as they are read.
#[derive(Default)]
pub(super) struct RegionBuilder {
    first: Option<i64>,
    last: Option<i64>,
    executed_any: bool,
    pub(super) start_line: Option<i64>,
    /// How many branches its lists name.
    pub(super) listed: usize,
    pub(super) summary: Option<Summary>,
}

impl RegionBuilder {
    /// A number of `executed_lines` (or `missing_lines`); its valid lines
    /// go to `lines`.
    pub(super) fn line(&mut self, n: i64, executed: bool, lines: &mut Vec<u32>) {
        self.executed_any |= executed;
        self.first = Some(self.first.map_or(n, |f| f.min(n)));
        self.last = Some(self.last.map_or(n, |l| l.max(n)));
        if let Some(l) = valid(n) {
            lines.push(l);
        }
    }

    /// A number of `excluded_lines`.
    pub(super) fn excluded_line(&mut self, n: i64, lines: &mut Vec<u32>) {
        if let Some(l) = valid(n) {
            lines.push(l);
        }
    }

    /// The region, its lines (all three lists) sorted and unique.
    pub(super) fn finish(self, lines: &mut Vec<u32>) -> ParsedRegion {
        lines.sort_unstable();
        lines.dedup();
        ParsedRegion {
            region_start: self.start_line.and_then(valid).unwrap_or(1),
            lines: lines.to_vec(),
            declared_branches: self
                .summary
                .and_then(|s| s.num_branches)
                .map(u64::from)
                .filter(|n| *n as usize > self.listed),
            first: self.first,
            last: self.last,
            start_line: self.start_line,
            executed_any: self.executed_any,
        }
    }
}
