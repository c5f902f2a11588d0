//! A strict byte scanner for coverage.py JSON reports as coverage.py writes
//! them: objects, arrays of integers, strings without escapes. It fills the
//! same builders as the serde reader ([`super::fast`]) and stops (`None`) at
//! anything it does not read exactly as serde would: an escape in a string,
//! a number that is not a plain integer where one is wanted, an integer out
//! of range, a repeated field, a value of another type, nesting deeper than
//! [`MAX_DEPTH`], invalid JSON. The caller then reads the text with serde,
//! which gives the exact result or message. Values it skips are checked
//! against JSON's grammar as serde_json checks what it ignores. Each byte is
//! looked at a bounded number of times; indexing is checked, so hostile
//! input cannot make it panic.

use std::borrow::Cow;

use super::fast::{finish_regions, FileBuilder, Parsed, ParsedFile, ParsedRegion, RegionBuilder};
use super::{Meta, Summary};

/// Deeper nesting is left to serde (whose own limit is 128).
const MAX_DEPTH: u32 = 100;

/// Scan the whole text; `None` means "read it with serde".
pub(super) fn read(text: &str) -> Option<Parsed<'_>> {
    let mut scan = Scan {
        text,
        s: text.as_bytes(),
        i: 0,
        arcs: Vec::new(),
        lines: Vec::new(),
    };
    let parsed = scan.report()?;
    scan.ws();
    (scan.i == scan.s.len()).then_some(parsed)
}

struct Scan<'a> {
    text: &'a str,
    s: &'a [u8],
    i: usize,
    /// Scratch lists reused from list to list.
    arcs: Vec<(i64, i64)>,
    lines: Vec<u32>,
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    /// The next non-blank byte, consumed when it is `b`.
    fn eat(&mut self, b: u8) -> bool {
        self.ws();
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        self.eat(b).then_some(())
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.i.checked_add(word.len())?;
        (self.s.get(self.i..end)? == word).then(|| self.i = end)
    }

    /// `null`, consumed.
    fn null(&mut self) -> bool {
        self.ws();
        self.literal(b"null").is_some()
    }

    /// A string without escapes or control characters, borrowed.
    fn string(&mut self) -> Option<&'a str> {
        self.expect(b'"')?;
        let start = self.i;
        let rest = self.s.get(start..)?;
        let len = memchr::memchr2(b'"', b'\\', rest)?;
        let body = rest.get(..len)?;
        // No early exit, so that the check is vectorised.
        let control = body.iter().fold(false, |seen, b| seen | (*b < 0x20));
        if rest.get(len) != Some(&b'"') || control {
            return None;
        }
        let out = self.text.get(start..start + len)?;
        self.i = start + len + 1;
        Some(out)
    }

    /// A plain integer (no fraction or exponent) within i64.
    fn int(&mut self) -> Option<i64> {
        self.ws();
        let negative = self.peek() == Some(b'-');
        if negative {
            self.i += 1;
        }
        let first = self.peek()?;
        if !first.is_ascii_digit() {
            return None;
        }
        self.i += 1;
        let mut n = i64::from(first - b'0');
        if first == b'0' {
            if self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return None;
            }
        } else {
            while let Some(b @ b'0'..=b'9') = self.peek() {
                n = n.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
                self.i += 1;
            }
        }
        // serde_json reads `-0` as the float -0.0, which an i64 refuses.
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) || (negative && n == 0) {
            return None;
        }
        Some(if negative { -n } else { n })
    }

    /// An integer from 0 to u32::MAX, or `null`.
    fn opt_u32(&mut self) -> Option<Option<u32>> {
        if self.null() {
            return Some(None);
        }
        u32::try_from(self.int()?).ok().map(Some)
    }

    /// Any JSON value, checked and skipped.
    fn skip(&mut self, depth: u32) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match self.peek()? {
            b'{' => {
                self.i += 1;
                let mut first = true;
                while self.key(&mut first)?.is_some() {
                    self.skip(depth + 1)?;
                }
                Some(())
            }
            b'[' => {
                self.i += 1;
                let mut first = true;
                while self.element(&mut first)? {
                    self.skip(depth + 1)?;
                }
                Some(())
            }
            b'"' => self.string().map(|_| ()),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// A number by JSON's grammar, skipped.
    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            self.some_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            self.some_digits()?;
        }
        Some(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.i += 1;
        }
    }

    fn some_digits(&mut self) -> Option<()> {
        let start = self.i;
        self.digits();
        (self.i > start).then_some(())
    }

    /// After `{`: the next key and its `:`, or `None` at the closing `}`.
    fn key(&mut self, first: &mut bool) -> Option<Option<&'a str>> {
        if self.eat(b'}') {
            return Some(None);
        }
        if !std::mem::replace(first, false) {
            self.expect(b',')?;
        }
        let key = self.string()?;
        self.expect(b':')?;
        Some(Some(key))
    }

    /// After `[`: whether another element follows (its `,` consumed).
    fn element(&mut self, first: &mut bool) -> Option<bool> {
        if self.eat(b']') {
            return Some(false);
        }
        if !std::mem::replace(first, false) {
            self.expect(b',')?;
        }
        Some(true)
    }

    /// An array of integers, each handed to `each`.
    fn ints(&mut self, mut each: impl FnMut(i64)) -> Option<()> {
        self.expect(b'[')?;
        let mut first = true;
        while self.element(&mut first)? {
            each(self.int()?);
        }
        Some(())
    }

    /// A branch list into the scratch `arcs`: `Some(false)` for `null`.
    fn arcs(&mut self) -> Option<bool> {
        self.arcs.clear();
        if self.null() {
            return Some(false);
        }
        self.expect(b'[')?;
        let mut first = true;
        while self.element(&mut first)? {
            self.expect(b'[')?;
            let from = self.int()?;
            self.expect(b',')?;
            let to = self.int()?;
            self.expect(b']')?;
            self.arcs.push((from, to));
        }
        Some(true)
    }

    fn report(&mut self) -> Option<Parsed<'a>> {
        self.expect(b'{')?;
        let (mut meta, mut files) = (None, None);
        let mut first = true;
        while let Some(key) = self.key(&mut first)? {
            match key {
                "meta" if meta.is_none() => meta = Some(self.meta()?),
                "files" if files.is_none() => files = Some(self.files()?),
                "meta" | "files" => return None,
                _ => self.skip(1)?,
            }
        }
        Some(Parsed {
            meta: meta.unwrap_or_default(),
            files: files?,
        })
    }

    fn meta(&mut self) -> Option<Meta> {
        self.expect(b'{')?;
        let mut meta = Meta::default();
        let mut seen = [false; 3];
        let mut first = true;
        while let Some(key) = self.key(&mut first)? {
            match key {
                "format" => {
                    once(&mut seen[0])?;
                    meta.format = self.opt_u32()?;
                }
                "version" => {
                    once(&mut seen[1])?;
                    if !self.null() {
                        meta.version = Some(self.string()?.to_string());
                    }
                }
                "branch_coverage" => {
                    once(&mut seen[2])?;
                    self.ws();
                    meta.branch_coverage = match self.peek()? {
                        b't' => self.literal(b"true").map(|()| Some(true))?,
                        b'f' => self.literal(b"false").map(|()| Some(false))?,
                        _ => self.literal(b"null").map(|()| None)?,
                    };
                }
                _ => self.skip(2)?,
            }
        }
        Some(meta)
    }

    fn summary(&mut self, depth: u32) -> Option<Option<Summary>> {
        if self.null() {
            return Some(None);
        }
        self.expect(b'{')?;
        let mut summary = Summary { num_branches: None };
        let mut seen = false;
        let mut first = true;
        while let Some(key) = self.key(&mut first)? {
            if key == "num_branches" {
                once(&mut seen)?;
                summary.num_branches = self.opt_u32()?;
            } else {
                self.skip(depth + 1)?;
            }
        }
        Some(Some(summary))
    }

    fn files(&mut self) -> Option<Vec<ParsedFile<'a>>> {
        self.expect(b'{')?;
        let mut out = Vec::new();
        let mut first = true;
        while let Some(name) = self.key(&mut first)? {
            out.push(self.file(name)?);
        }
        Some(out)
    }

    fn file(&mut self, name: &str) -> Option<ParsedFile<'a>> {
        self.expect(b'{')?;
        let mut file = FileBuilder::default();
        let mut seen = [false; 8];
        let mut first = true;
        while let Some(key) = self.key(&mut first)? {
            match key {
                "executed_lines" => {
                    once(&mut seen[0])?;
                    self.ints(|n| file.executed_line(n))?;
                }
                "missing_lines" => {
                    once(&mut seen[1])?;
                    self.ints(|n| file.missing_line(n))?;
                }
                "excluded_lines" => {
                    once(&mut seen[2])?;
                    self.ints(|n| file.excluded_line(n))?;
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
                _ => self.skip(4)?,
            }
        }
        Some(file.finish(name.to_string()))
    }

    fn regions(&mut self) -> Option<Vec<(Cow<'a, str>, ParsedRegion)>> {
        self.expect(b'{')?;
        let mut out = Vec::new();
        let mut first = true;
        while let Some(name) = self.key(&mut first)? {
            let region = self.region()?;
            out.push((Cow::Borrowed(name), region));
        }
        Some(finish_regions(out))
    }

    fn region(&mut self) -> Option<ParsedRegion> {
        self.expect(b'{')?;
        let mut region = RegionBuilder::default();
        let mut lines = std::mem::take(&mut self.lines);
        lines.clear();
        let mut seen = [false; 7];
        let mut first = true;
        while let Some(key) = self.key(&mut first)? {
            match key {
                "executed_lines" => {
                    once(&mut seen[0])?;
                    self.ints(|n| region.line(n, true, &mut lines))?;
                }
                "missing_lines" => {
                    once(&mut seen[1])?;
                    self.ints(|n| region.line(n, false, &mut lines))?;
                }
                "excluded_lines" => {
                    once(&mut seen[2])?;
                    self.ints(|n| region.excluded_line(n, &mut lines))?;
                }
                "start_line" => {
                    once(&mut seen[3])?;
                    region.start_line = if self.null() { None } else { Some(self.int()?) };
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
                _ => self.skip(7)?,
            }
        }
        let region = region.finish(&mut lines);
        self.lines = lines;
        Some(region)
    }
}

/// A field seen once; `None` (leave it to serde) the second time.
fn once(seen: &mut bool) -> Option<()> {
    (!std::mem::replace(seen, true)).then_some(())
}
