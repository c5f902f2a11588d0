//! covmerge data files as `covmerge run` and `covmerge record` write them,
//! read by the strict byte scanner ([`crate::formats::json_scan`]) into
//! flat records: a combine adds those to its running result as it adds
//! LCOV's, without building the input's [`CoverageData`] first.
//!
//! It reads a worker's file: lines, excluded lines, arcs, branches,
//! functions, regions, source hashes. It stops (`None`) where the scanner
//! does, at a repeated field, a value of another type, and at anything a
//! combined file carries or that the model would fold (attribution,
//! count-only and Istanbul branches, Go blocks, raw lines, a list not in
//! the order covmerge writes it, a name listed twice): [`super::Native`]
//! then reads the text with serde, which gives the exact result or message.

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::{own_platforms, sources_of, RawSource, FORMAT_VERSION};
use crate::formats::json_scan::{once, JsonScan};
use crate::formats::{FileRecords, RecordsInput, RegionRecord};
use crate::model::{BranchId, CoverageData, FileCoverage, Function, RegionKind};

/// Scan the whole text; `None` means "read it with serde".
pub(super) fn read(text: &str) -> Option<RecordsInput<'_>> {
    let mut scan = Scan {
        j: JsonScan::new(text),
        sizes: Sizes::default(),
        platforms: BTreeSet::new(),
    };
    let input = scan.data()?;
    scan.j.at_end().then_some(input)
}

struct Scan<'a> {
    j: JsonScan<'a>,
    /// The lengths of the last file's lists: the next file's are sized by
    /// them (a worker's files are alike), not grown step by step. A list
    /// thus holds at most as much room as the one before it used, so all
    /// of them stay within twice what the input lists.
    sizes: Sizes,
    /// The platforms of the file's sources, which a file's `source_hash`
    /// stands for.
    platforms: BTreeSet<String>,
}

impl<'a> Scan<'a> {
    fn data(&mut self) -> Option<RecordsInput<'a>> {
        self.j.expect(b'{')?;
        let mut head = CoverageData::default();
        let (mut version, mut files) = (None, None);
        let mut seen = [false; 5];
        let mut first = true;
        while let Some(key) = self.j.key(&mut first)? {
            match key {
                "covmerge" => {
                    once(&mut seen[0])?;
                    version = Some(self.j.int()?);
                }
                "branch_coverage" => {
                    once(&mut seen[1])?;
                    head.branch_coverage = self.boolean()?;
                }
                "root" => {
                    once(&mut seen[2])?;
                    head.root = self.opt_string()?.map(str::to_string);
                }
                "sources" => {
                    once(&mut seen[3])?;
                    // A few small objects: serde reads them exactly,
                    // escapes and all.
                    let start = self.j.i;
                    self.j.skip(1)?;
                    let raw: Vec<RawSource> =
                        serde_json::from_str(self.j.text.get(start..self.j.i)?).ok()?;
                    head.sources = sources_of(std::path::Path::new(""), raw).ok()?;
                }
                "attribution" => {
                    // A combined file's: its files carry `covered_by`.
                    once(&mut seen[4])?;
                    self.j.null().then_some(())?;
                }
                // The files must come after what says who measured them.
                "files" if files.is_none() && seen[3] => {
                    self.platforms = own_platforms(&head.sources);
                    files = Some(self.files()?);
                }
                "files" => return None,
                _ => self.j.skip(1)?,
            }
        }
        let version = u32::try_from(version?).ok()?;
        (version != 0 && version <= FORMAT_VERSION).then_some(())?;
        Some(RecordsInput {
            head,
            files: files.unwrap_or_default(),
        })
    }

    fn boolean(&mut self) -> Option<bool> {
        self.j.ws();
        match self.j.peek()? {
            b't' => self.j.literal(b"true").map(|()| true),
            _ => self.j.literal(b"false").map(|()| false),
        }
    }

    fn opt_string(&mut self) -> Option<Option<&'a str>> {
        if self.j.null() {
            return Some(None);
        }
        self.j.string().map(Some)
    }

    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.j.int()?).ok()
    }

    fn u64(&mut self) -> Option<u64> {
        u64::try_from(self.j.int()?).ok()
    }

    /// A line number: from 1 (the serde reader refuses 0 with a message).
    fn line(&mut self) -> Option<u32> {
        self.u32().filter(|&l| l > 0)
    }

    /// A count or `null` (lcov's `-`).
    fn taken(&mut self) -> Option<Option<u64>> {
        if self.j.null() {
            return Some(None);
        }
        self.u64().map(Some)
    }

    /// `[` … `]` of elements each read by `each`, which reads up to and
    /// including the element's own closing bracket.
    fn list(&mut self, mut each: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.j.expect(b'[')?;
        let mut first = true;
        while self.j.element(&mut first)? {
            each(self)?;
        }
        Some(())
    }

    /// The `,` between a tuple's fields.
    fn comma(&mut self) -> Option<()> {
        self.j.expect(b',')
    }

    fn files(&mut self) -> Option<Vec<FileRecords<'a>>> {
        self.j.expect(b'{')?;
        let mut out: Vec<FileRecords<'a>> = Vec::new();
        let mut first = true;
        while let Some(name) = self.j.key(&mut first)? {
            // Written sorted: a name out of order may repeat one.
            if out.last().is_some_and(|last| *last.name >= *name) {
                return None;
            }
            out.push(self.file(name)?);
        }
        Some(out)
    }

    fn file(&mut self, name: &'a str) -> Option<FileRecords<'a>> {
        self.j.expect(b'{')?;
        let mut records = FileRecords {
            name: Cow::Borrowed(name),
            lines: Vec::with_capacity(self.sizes.lines),
            numeric_branches: Vec::with_capacity(self.sizes.branches),
            functions: Vec::with_capacity(self.sizes.functions),
            ..Default::default()
        };
        let mut rest = FileCoverage::default();
        let mut seen = [false; 10];
        let mut first = true;
        while let Some(key) = self.j.key(&mut first)? {
            match key {
                "lines" => {
                    once(&mut seen[0])?;
                    let lines = &mut records.lines;
                    self.list(|s| {
                        s.j.expect(b'[')?;
                        let line = s.line()?;
                        s.comma()?;
                        let hits = s.u64()?;
                        s.j.expect(b']')?;
                        increasing(lines.last().map(|l| &l.0), &line)?;
                        lines.push((line, hits));
                        Some(())
                    })?;
                }
                "excluded" => {
                    once(&mut seen[1])?;
                    self.list(|s| {
                        rest.excluded.insert(s.line()?);
                        Some(())
                    })?;
                }
                "arcs" => {
                    once(&mut seen[2])?;
                    let arcs = &mut records.arcs;
                    self.list(|s| {
                        s.j.expect(b'[')?;
                        let from = s.line()?;
                        s.comma()?;
                        let to = s.j.int()?;
                        s.comma()?;
                        let taken = s.taken()?;
                        s.j.expect(b']')?;
                        increasing(arcs.last().map(|a| &a.0), &(from, to))?;
                        arcs.push(((from, to), taken));
                        Some(())
                    })?;
                }
                "branches" => {
                    once(&mut seen[3])?;
                    self.branches(&mut records, &mut rest)?;
                }
                "functions" => {
                    once(&mut seen[4])?;
                    let functions = &mut records.functions;
                    self.list(|s| {
                        s.j.expect(b'[')?;
                        let function = s.j.string()?;
                        s.comma()?;
                        let start = s.u32()?;
                        s.comma()?;
                        let end = s.j.opt_u32()?;
                        s.comma()?;
                        let hits = s.u64()?;
                        s.j.expect(b']')?;
                        increasing(functions.last().map(|f| &f.0), &function)?;
                        functions.push((function, Function { start, end, hits }));
                        Some(())
                    })?;
                }
                "regions" => {
                    once(&mut seen[5])?;
                    self.regions(&mut records.regions)?;
                }
                "source_hash" => {
                    once(&mut seen[6])?;
                    if let Some(hash) = self.opt_string()? {
                        rest.source_hashes
                            .insert(hash.to_string(), self.platforms.clone());
                    }
                }
                "declared_branches" => {
                    once(&mut seen[7])?;
                    rest.declared_branches = self.j.opt_u32()?.map(u64::from);
                }
                // Raw lines go onto statements by way of the serde reader.
                "statements_unknown" | "approximate" => {
                    let at = if key == "approximate" { 8 } else { 9 };
                    once(&mut seen[at])?;
                    (!self.boolean()?).then_some(())?;
                }
                "covered_by" | "arc_lines" | "arc_seen" | "branch_counts" | "branch_locs"
                | "statement_blocks" | "exit_labels" | "source_hashes" => return None,
                _ => self.j.skip(3)?,
            }
        }
        if rest != FileCoverage::default() {
            records.file = Some(rest);
        }
        self.sizes = Sizes {
            lines: records.lines.len(),
            branches: records.numeric_branches.len(),
            functions: records.functions.len(),
        };
        Some(records)
    }

    /// `[line, block, branch, taken]`: numeric ids into the record's list,
    /// the others (coverage.py's `jump to line 6`) into `rest`.
    fn branches(&mut self, records: &mut FileRecords<'a>, rest: &mut FileCoverage) -> Option<()> {
        let numeric = &mut records.numeric_branches;
        let mut last_text = None;
        self.list(|s| {
            s.j.expect(b'[')?;
            let line = s.line()?;
            s.comma()?;
            let block = s.id()?;
            s.comma()?;
            let branch = s.id()?;
            s.comma()?;
            let taken = s.taken()?;
            s.j.expect(b']')?;
            match (block, branch) {
                (BranchId::Num(b), BranchId::Num(i)) => {
                    increasing(numeric.last().map(|n| &n.0), &(line, b, i))?;
                    numeric.push(((line, b, i), taken));
                }
                (block, branch) => {
                    let key = (line, block, branch);
                    increasing(last_text.as_ref(), &key)?;
                    rest.branches.insert(key.clone(), taken);
                    last_text = Some(key);
                }
            }
            Some(())
        })
    }

    /// A branch id: mostly one digit, taken without searching for the
    /// string's end or parsing it.
    fn id(&mut self) -> Option<BranchId> {
        let at = self.j.i;
        if let Some([b'"', digit @ b'0'..=b'9', b'"']) = self.j.s.get(at..at + 3) {
            self.j.i = at + 3;
            return Some(BranchId::Num(u32::from(digit - b'0')));
        }
        self.j.string().map(BranchId::parse)
    }

    /// `[kind, name, start_line, [lines], declared_branches]`, sorted by
    /// kind and name.
    fn regions(&mut self, regions: &mut Vec<RegionRecord<'a>>) -> Option<()> {
        self.list(|s| {
            s.j.expect(b'[')?;
            let kind = RegionKind::parse(s.j.string()?)?;
            s.comma()?;
            let name = s.j.string()?;
            s.comma()?;
            let start_line = s.u32()?;
            s.comma()?;
            let mut lines: Vec<u32> = Vec::new();
            s.list(|s| {
                let line = s.u32()?;
                increasing(lines.last(), &line)?;
                lines.push(line);
                Some(())
            })?;
            s.comma()?;
            let declared_branches = s.j.opt_u32()?.map(u64::from);
            s.j.expect(b']')?;
            let key = (kind, name);
            increasing(regions.last().map(|r| (r.kind, &*r.name)).as_ref(), &key)?;
            regions.push(RegionRecord {
                kind,
                name: Cow::Borrowed(name),
                start_line,
                lines,
                declared_branches,
            });
            Some(())
        })
    }
}

/// How long a file's lists were.
#[derive(Default)]
struct Sizes {
    lines: usize,
    branches: usize,
    functions: usize,
}

/// `Some` when `next` comes strictly after `last`: a list written in
/// covmerge's order holds each key once, as the model's map does.
fn increasing<K: Ord + ?Sized>(last: Option<&K>, next: &K) -> Option<()> {
    last.is_none_or(|last| last < next).then_some(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::{read_serde, to_string};
    use super::read;
    use crate::formats::{Diagnostics, InputFormat};
    use crate::model::{
        BranchId, CoverageData, FileCoverage, Function, Mode, Region, RegionKind, Source,
    };

    /// A worker's data file as `covmerge record` writes it: every kind of
    /// record the scanner reads.
    fn worker() -> CoverageData {
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
        f.lines
            .extend([(1, 3), (2, 0), (4, u64::from(u32::MAX) + 7)]);
        f.excluded.extend([9, 11]);
        f.arcs
            .extend([((1, -1), None), ((1, 2), Some(4)), ((2, 4), Some(0))]);
        f.branches.extend([
            ((4, BranchId::Num(0), BranchId::Num(1)), Some(2)),
            ((4, BranchId::Num(0), BranchId::Num(2)), None),
            ((5, "0".into(), "jump to line 7".into()), Some(1)),
            ((5, "e0".into(), "1".into()), Some(0)),
        ]);
        let function = |start, end, hits| Function { start, end, hits };
        f.functions.insert("main".into(), function(1, Some(2), 1));
        f.functions.insert("z::nested".into(), function(4, None, 0));
        let region = |start_line, lines: &[u32], declared_branches| Region {
            start_line,
            lines: lines.iter().copied().collect(),
            declared_branches,
        };
        f.regions.insert(
            (RegionKind::Function, "main".into()),
            region(1, &[2], Some(3)),
        );
        f.regions.insert(
            (RegionKind::Class, String::new()),
            region(1, &[1, 2, 9], None),
        );
        f.declared_branches = Some(6);
        f.source_hashes.insert(
            "ab".repeat(32),
            ["platform linux, python 3.12.1-final-0".to_string()].into(),
        );
        data.files.insert("pkg/a b.py".into(), f);
        let mut c = FileCoverage::default();
        c.lines.insert(7, 0);
        data.files.insert("/w/proj/src/main.c".into(), c);
        data
    }

    /// The scanner's result for `text` is serde's, with no warning, when
    /// it reads the text at all (the return value).
    fn agree(text: &str) -> bool {
        let Some(records) = read(text) else {
            return false;
        };
        let mut diag = Diagnostics::default();
        let expected = read_serde(Path::new("t"), text, &mut diag);
        let expected = expected.unwrap_or_else(|e| panic!("serde refused {text:?}: {e}"));
        assert_eq!(records.into_data(), expected, "on {text:?}");
        assert!(diag.warnings.is_empty(), "{:?} on {text:?}", diag.warnings);
        true
    }

    #[test]
    fn worker_files_read_as_serde_reads_them() {
        let text = to_string(&worker());
        assert!(agree(&text));
        let back = super::super::Native.read(Path::new("t"), &text, &mut Diagnostics::default());
        assert_eq!(back.unwrap(), worker());
        // Every sample, as a recorded worker's file.
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/samples");
        let (mut scanned, mut refused) = (0, 0);
        for sub in std::fs::read_dir(dir).unwrap() {
            let sub = sub.unwrap().path();
            for entry in std::fs::read_dir(&sub).into_iter().flatten() {
                let Ok(bytes) = std::fs::read(entry.unwrap().path()) else {
                    continue;
                };
                let Ok(mut parsed) = crate::formats::parse(Path::new("s"), &bytes) else {
                    continue;
                };
                parsed.data.sources = worker().sources;
                match agree(&to_string(&parsed.data)) {
                    true => scanned += 1,
                    false => refused += 1,
                }
            }
        }
        // Cobertura (count-only branches), Istanbul and Go are refused.
        assert!(
            scanned >= 8 && refused >= 3,
            "{scanned} scanned, {refused} refused"
        );
    }

    /// What the scanner leaves to serde: a repeated or misplaced field, a
    /// list out of covmerge's order (the model would fold it), what a
    /// combined file carries, raw lines, escapes, numbers out of range.
    #[test]
    fn the_scanner_leaves_the_rest_to_serde() {
        let text = to_string(&worker());
        let edits: &[(&str, &str)] = &[
            ("\"root\":", "\"root\":\"/x\",\"root\":"),
            ("\"lines\":[[1,3],[2,0]", "\"lines\":[[2,0],[1,3]"),
            ("\"lines\":[[1,3],[2,0]", "\"lines\":[[1,3],[1,0]"),
            ("\"lines\":[[1,3]", "\"lines\":[[0,3]"),
            ("\"lines\":[[1,3]", "\"lines\":[[1,-3]"),
            ("\"lines\":[[1,3]", "\"lines\":[[1,3.0]"),
            ("\"lines\":[[1,3]", "\"lines\":[[4294967296,3]"),
            ("[1,-1,null]", "[1,-1,-0]"),
            ("\"functions\":[[\"main\"", "\"functions\":[[\"zz\""),
            ("\"pkg/a b.py\"", "\"pkg/a\\u0020b.py\""),
            ("\"pkg/a b.py\":{", "\"pkg/a b.py\":{\"covered_by\":{},"),
            (
                "\"pkg/a b.py\":{",
                "\"pkg/a b.py\":{\"statements_unknown\":true,",
            ),
            ("\"pkg/a b.py\":{", "\"pkg/a b.py\":{\"lines\":[],"),
            ("\"mode\":\"each\"", "\"mode\":\"every\""),
            ("\"covmerge\":1", "\"covmerge\":2"),
            (
                "\"covmerge\":1,",
                "\"attribution\":\"platform\",\"covmerge\":1,",
            ),
            ("{\"covmerge\":1,", "{\"covmerge\":1,\"files\":{},"),
        ];
        for (from, to) in edits {
            assert!(text.contains(from), "{from}");
            let edited = text.replacen(from, to, 1);
            assert!(read(&edited).is_none(), "scanned {edited}");
        }
        // What it passes over as serde does.
        for (from, to) in [
            (
                "\"covmerge\":1,",
                "\"covmerge\":1,\"x\":[1.5e3,{\"y\":null}],",
            ),
            (
                "\"pkg/a b.py\":{",
                "\"pkg/a b.py\":{\"statements_unknown\":false,",
            ),
            (
                "\"pkg/a b.py\":{",
                "\"pkg/a b.py\":{\"later\":{\"a\":[true]},",
            ),
            ("\"main\",1,2,1]", "\"main\",1,null,1]"),
            ("\"branch_coverage\":true,", ""),
        ] {
            assert!(agree(&text.replacen(from, to, 1)), "{to}");
        }
    }

    /// Hostile edits: every cut of a worker's file and every byte replaced
    /// by bytes that matter to JSON. Whatever the scanner reads, serde
    /// reads the same.
    #[test]
    fn the_scanner_never_reads_what_serde_reads_otherwise() {
        let text = to_string(&worker());
        let mut scanned = 0;
        for cut in 0..text.len() {
            if let Some(cut) = text.get(..cut) {
                scanned += usize::from(agree(cut));
            }
        }
        assert_eq!(scanned, 1, "only the whole file less its last newline");
        for at in 0..text.len() {
            for b in [
                "\"", "\\", "0", "9", "-", ",", "]", "}", " ", "x", "[", "\u{0}",
            ] {
                if text.is_char_boundary(at) && text.is_char_boundary(at + 1) {
                    let edited = format!("{}{b}{}", &text[..at], &text[at + 1..]);
                    scanned += usize::from(agree(&edited));
                }
            }
        }
        assert!(scanned > 200, "{scanned} edited files read");
    }
}
