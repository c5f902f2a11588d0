//! coverage.py JSON reports as coverage.py writes them, read by the strict
//! byte scanner ([`crate::formats::json_scan`]) into the same builders as
//! the serde reader ([`super::fast`]). It stops (`None`) where the scanner
//! does, and at a repeated field or a value of another type; the caller then
//! reads the text with serde, which gives the exact result or message.

use std::borrow::Cow;

use super::fast::{finish_regions, FileBuilder, Parsed, ParsedFile, ParsedRegion, RegionBuilder};
use super::{Meta, Summary};
use crate::formats::json_scan::{once, JsonScan};

/// Scan the whole text; `None` means "read it with serde".
pub(super) fn read(text: &str) -> Option<Parsed<'_>> {
    let mut scan = Scan {
        j: JsonScan::new(text),
        arcs: Vec::new(),
        lines: Vec::new(),
    };
    let parsed = scan.report()?;
    scan.j.at_end().then_some(parsed)
}

struct Scan<'a> {
    j: JsonScan<'a>,
    /// Scratch lists reused from list to list.
    arcs: Vec<(i64, i64)>,
    lines: Vec<u32>,
}

impl<'a> Scan<'a> {
    /// A branch list into the scratch `arcs`: `Some(false)` for `null`.
    fn arcs(&mut self) -> Option<bool> {
        self.arcs.clear();
        if self.j.null() {
            return Some(false);
        }
        self.j.expect(b'[')?;
        let mut first = true;
        while self.j.element(&mut first)? {
            self.j.expect(b'[')?;
            let from = self.j.int()?;
            self.j.expect(b',')?;
            let to = self.j.int()?;
            self.j.expect(b']')?;
            self.arcs.push((from, to));
        }
        Some(true)
    }

    fn report(&mut self) -> Option<Parsed<'a>> {
        self.j.expect(b'{')?;
        let (mut meta, mut files) = (None, None);
        let mut first = true;
        while let Some(key) = self.j.key(&mut first)? {
            match key {
                "meta" if meta.is_none() => meta = Some(self.meta()?),
                "files" if files.is_none() => files = Some(self.files()?),
                "meta" | "files" => return None,
                _ => self.j.skip(1)?,
            }
        }
        Some(Parsed {
            meta: meta.unwrap_or_default(),
            files: files?,
        })
    }

    fn meta(&mut self) -> Option<Meta> {
        self.j.expect(b'{')?;
        let mut meta = Meta::default();
        let mut seen = [false; 3];
        let mut first = true;
        while let Some(key) = self.j.key(&mut first)? {
            match key {
                "format" => {
                    once(&mut seen[0])?;
                    meta.format = self.j.opt_u32()?;
                }
                "version" => {
                    once(&mut seen[1])?;
                    if !self.j.null() {
                        meta.version = Some(self.j.string()?.to_string());
                    }
                }
                "branch_coverage" => {
                    once(&mut seen[2])?;
                    self.j.ws();
                    meta.branch_coverage = match self.j.peek()? {
                        b't' => self.j.literal(b"true").map(|()| Some(true))?,
                        b'f' => self.j.literal(b"false").map(|()| Some(false))?,
                        _ => self.j.literal(b"null").map(|()| None)?,
                    };
                }
                _ => self.j.skip(2)?,
            }
        }
        Some(meta)
    }

    fn summary(&mut self, depth: u32) -> Option<Option<Summary>> {
        if self.j.null() {
            return Some(None);
        }
        self.j.expect(b'{')?;
        let mut summary = Summary { num_branches: None };
        let mut seen = false;
        let mut first = true;
        while let Some(key) = self.j.key(&mut first)? {
            if key == "num_branches" {
                once(&mut seen)?;
                summary.num_branches = self.j.opt_u32()?;
            } else {
                self.j.skip(depth + 1)?;
            }
        }
        Some(Some(summary))
    }

    fn files(&mut self) -> Option<Vec<ParsedFile<'a>>> {
        self.j.expect(b'{')?;
        let mut out = Vec::new();
        let mut first = true;
        while let Some(name) = self.j.key(&mut first)? {
            out.push(self.file(name)?);
        }
        Some(out)
    }

    fn file(&mut self, name: &str) -> Option<ParsedFile<'a>> {
        self.j.expect(b'{')?;
        let mut file = FileBuilder::default();
        let mut seen = [false; 8];
        let mut first = true;
        while let Some(key) = self.j.key(&mut first)? {
            match key {
                "executed_lines" => {
                    once(&mut seen[0])?;
                    self.j.ints(|n| file.executed_line(n))?;
                }
                "missing_lines" => {
                    once(&mut seen[1])?;
                    self.j.ints(|n| file.missing_line(n))?;
                }
                "excluded_lines" => {
                    once(&mut seen[2])?;
                    self.j.ints(|n| file.excluded_line(n))?;
                }
                "executed_branches" => {
                    once(&mut seen[3])?;
                    let present = self.arcs()?;
                    file.arcs(&self.arcs, true, present);
                }
                "missing_branches" => {
                    once(&mut seen[4])?;
                    let present = self.arcs()?;
                    file.arcs(&self.arcs, false, present);
                }
                "functions" => {
                    once(&mut seen[5])?;
                    file.functions = self.regions()?;
                }
                "classes" => {
                    once(&mut seen[6])?;
                    file.classes = self.regions()?;
                }
                "summary" => {
                    once(&mut seen[7])?;
                    file.summary = self.summary(4)?;
                }
                _ => self.j.skip(4)?,
            }
        }
        Some(file.finish(name.to_string()))
    }

    fn regions(&mut self) -> Option<Vec<(Cow<'a, str>, ParsedRegion)>> {
        self.j.expect(b'{')?;
        let mut out = Vec::new();
        let mut first = true;
        while let Some(name) = self.j.key(&mut first)? {
            let region = self.region()?;
            out.push((Cow::Borrowed(name), region));
        }
        Some(finish_regions(out))
    }

    fn region(&mut self) -> Option<ParsedRegion> {
        self.j.expect(b'{')?;
        let mut region = RegionBuilder::default();
        let mut lines = std::mem::take(&mut self.lines);
        lines.clear();
        let mut seen = [false; 7];
        let mut first = true;
        while let Some(key) = self.j.key(&mut first)? {
            match key {
                "executed_lines" => {
                    once(&mut seen[0])?;
                    self.j.ints(|n| region.line(n, true, &mut lines))?;
                }
                "missing_lines" => {
                    once(&mut seen[1])?;
                    self.j.ints(|n| region.line(n, false, &mut lines))?;
                }
                "excluded_lines" => {
                    once(&mut seen[2])?;
                    self.j.ints(|n| region.excluded_line(n, &mut lines))?;
                }
                "start_line" => {
                    once(&mut seen[3])?;
                    region.start_line = if self.j.null() {
                        None
                    } else {
                        Some(self.j.int()?)
                    };
                }
                "executed_branches" | "missing_branches" => {
                    once(&mut seen[if key == "executed_branches" { 4 } else { 5 }])?;
                    self.arcs()?;
                    region.listed += self.arcs.len();
                }
                "summary" => {
                    once(&mut seen[6])?;
                    region.summary = self.summary(7)?;
                }
                _ => self.j.skip(7)?,
            }
        }
        let region = region.finish(&mut lines);
        self.lines = lines;
        Some(region)
    }
}
