//! The rows of an SQLite table read straight from the database's pages, for
//! the two tables that hold nearly all of a coverage.py data file (`arc`
//! and `line_bits`). Stepping them through SQLite's engine cost more than
//! everything covmerge did with the rows (docs/BENCHMARKS.md); this walks
//! the table's B-tree in the bytes already in memory and decodes each
//! record (the file format: <https://www.sqlite.org/fileformat2.html>).
//!
//! It reads only what it understands: a rowid table's B-tree, records
//! whose values are plain integers, blobs, texts, floats or NULL. Anything
//! else — another page kind, a cell or record that runs past its page or
//! payload, a page reached twice, a reserved serial type — gives `None`,
//! and the caller reads the table through SQLite instead, which gives its
//! own result or error. Each page is looked at once (a page met again is
//! `None`), so the time is bounded by the input's size; an overflowing
//! payload is gathered into one buffer no larger than the input.

/// A database's pages, and which of them the walk has visited.
pub(super) struct Pages<'a> {
    bytes: &'a [u8],
    page_size: usize,
    /// The page size less the bytes each page reserves at its end.
    usable: usize,
    seen: Vec<bool>,
    /// An overflowing payload, gathered.
    spill: Vec<u8>,
}

/// One value of a record, borrowed from the page or the gathered payload.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Value<'p> {
    Null,
    Int(i64),
    Real,
    Text(&'p [u8]),
    Blob(&'p [u8]),
}

/// Page kinds (the first byte of a B-tree page's header).
const TABLE_INTERIOR: u8 = 0x05;
const TABLE_LEAF: u8 = 0x0d;

impl<'a> Pages<'a> {
    /// The pages of `bytes`, an SQLite 3 database (its header checked).
    pub(super) fn new(bytes: &'a [u8]) -> Option<Pages<'a>> {
        let header = bytes.get(..100)?;
        let size = match u16::from_be_bytes([header[16], header[17]]) {
            1 => 65536,
            n => usize::from(n),
        };
        if !size.is_power_of_two() || !(512..=65536).contains(&size) {
            return None;
        }
        let usable = size.checked_sub(usize::from(header[20]))?;
        // SQLite refuses less, and the spill arithmetic below assumes it.
        if usable < 480 {
            return None;
        }
        let count = bytes.len() / size;
        let mut seen = vec![false; count + 1];
        // Page 1 holds the schema, never a user table's page.
        seen[0] = true;
        if let Some(first) = seen.get_mut(1) {
            *first = true;
        }
        Some(Pages {
            bytes,
            page_size: size,
            usable,
            seen,
            spill: Vec::new(),
        })
    }

    /// Page `n` (from 1), the first time it is asked for.
    fn visit(&mut self, n: u32) -> Option<&'a [u8]> {
        let n = usize::try_from(n).ok()?;
        let seen = self.seen.get_mut(n)?;
        if std::mem::replace(seen, true) {
            return None;
        }
        let start = (n - 1).checked_mul(self.page_size)?;
        self.bytes.get(start..start.checked_add(self.usable)?)
    }

    /// Hand each row of the rowid table rooted at page `root` to `each`,
    /// as its record's bytes, in rowid order. `None` when the tree is not
    /// one this reads, or when `each` says so.
    pub(super) fn table_rows(
        &mut self,
        root: u32,
        mut each: impl FnMut(&[u8]) -> Option<()>,
    ) -> Option<()> {
        let mut stack = vec![root];
        while let Some(number) = stack.pop() {
            let page = self.visit(number)?;
            let kind = *page.first()?;
            let cells = usize::from(be16(page, 3)?);
            match kind {
                TABLE_INTERIOR => {
                    // Children pushed right to left, so the leftmost is walked first.
                    stack.push(be32(page, 8)?);
                    for i in (0..cells).rev() {
                        let cell = usize::from(be16(page, 12 + 2 * i)?);
                        stack.push(be32(page, cell)?);
                    }
                }
                TABLE_LEAF => {
                    for i in 0..cells {
                        let cell = usize::from(be16(page, 8 + 2 * i)?);
                        self.leaf_cell(page, cell, &mut each)?;
                    }
                }
                _ => return None,
            }
        }
        Some(())
    }

    /// A leaf cell: payload size, rowid, the payload's local part and,
    /// when it spills, the first of its overflow pages.
    fn leaf_cell(
        &mut self,
        page: &'a [u8],
        at: usize,
        each: &mut impl FnMut(&[u8]) -> Option<()>,
    ) -> Option<()> {
        let (size, at) = varint(page, at)?;
        let (_rowid, at) = varint(page, at)?;
        let size = usize::try_from(size).ok()?;
        let local = self.local_size(size);
        let end = at.checked_add(local)?;
        let here = page.get(at..end)?;
        if local == size {
            return each(here);
        }
        if size > self.bytes.len() {
            return None;
        }
        let mut spill = std::mem::take(&mut self.spill);
        spill.clear();
        spill.extend_from_slice(here);
        let mut next = be32(page, end)?;
        while spill.len() < size {
            let overflow = self.visit(next)?;
            next = be32(overflow, 0)?;
            let take = (size - spill.len()).min(self.usable - 4);
            spill.extend_from_slice(overflow.get(4..4 + take)?);
        }
        let result = each(&spill);
        self.spill = spill;
        result
    }

    /// How much of a table leaf's payload of `size` bytes is on its page.
    fn local_size(&self, size: usize) -> usize {
        let u = self.usable;
        let max_local = u - 35;
        if size <= max_local {
            return size;
        }
        let min_local = (u - 12) * 32 / 255 - 23;
        let k = min_local + (size - min_local) % (u - 4);
        if k <= max_local {
            k
        } else {
            min_local
        }
    }
}

/// The most columns a table read here may have before the last one read.
pub(super) const MAX_COLUMNS: usize = 16;

/// A record's values, read one after the other.
pub(super) struct Record<'p> {
    payload: &'p [u8],
    /// Where the next serial type is, and where the header ends.
    at: usize,
    header_end: usize,
    /// Where the next value's bytes start.
    body: usize,
}

impl<'p> Record<'p> {
    /// The record that `payload` holds; `None` when its header runs past it.
    pub(super) fn new(payload: &'p [u8]) -> Option<Record<'p>> {
        let (header_size, at) = varint(payload, 0)?;
        let header_end = usize::try_from(header_size).ok()?;
        (header_end <= payload.len()).then_some(Record {
            payload,
            at,
            header_end,
            body: header_end,
        })
    }

    /// The next value; `None` when the record is malformed or has no more
    /// values (a column added later, which SQLite reads as the column's
    /// default, is not in the older records).
    #[inline(always)]
    pub(super) fn next_value(&mut self) -> Option<Value<'p>> {
        if self.at >= self.header_end {
            return None;
        }
        let (serial, at) = varint(self.payload, self.at)?;
        if at > self.header_end {
            return None;
        }
        self.at = at;
        let (value, len) = value(self.payload, self.body, serial)?;
        self.body += len;
        Some(value)
    }
}

/// The value of serial type `serial` whose bytes start at `at`, and its length.
#[inline(always)]
fn value(payload: &[u8], at: usize, serial: u64) -> Option<(Value<'_>, usize)> {
    let int = |len: usize| -> Option<(Value<'_>, usize)> {
        let bytes = payload.get(at..at.checked_add(len)?)?;
        let first = i64::from(*bytes.first()? as i8);
        let n = bytes[1..]
            .iter()
            .fold(first, |n, b| (n << 8) | i64::from(*b));
        Some((Value::Int(n), len))
    };
    match serial {
        0 => Some((Value::Null, 0)),
        1..=4 => int(serial as usize),
        5 => int(6),
        6 => int(8),
        7 => {
            payload.get(at..at.checked_add(8)?)?;
            Some((Value::Real, 8))
        }
        8 => Some((Value::Int(0), 0)),
        9 => Some((Value::Int(1), 0)),
        10 | 11 => None,
        n => {
            let len = usize::try_from((n - 12) / 2).ok()?;
            let bytes = payload.get(at..at.checked_add(len)?)?;
            Some((
                if n % 2 == 0 {
                    Value::Blob(bytes)
                } else {
                    Value::Text(bytes)
                },
                len,
            ))
        }
    }
}

/// SQLite's variable-length integer at `at`: up to eight bytes of seven
/// bits each, high bit set on all but the last, and a ninth of eight bits.
#[inline(always)]
pub(super) fn varint(bytes: &[u8], at: usize) -> Option<(u64, usize)> {
    // Most are one byte: serial types, and small sizes and rowids.
    let first = *bytes.get(at)?;
    if first < 0x80 {
        return Some((u64::from(first), at + 1));
    }
    long_varint(bytes, at)
}

#[inline(never)]
fn long_varint(bytes: &[u8], at: usize) -> Option<(u64, usize)> {
    let mut n = 0u64;
    for i in 0..8 {
        let b = *bytes.get(at + i)?;
        n = (n << 7) | u64::from(b & 0x7f);
        if b < 0x80 {
            return Some((n, at + i + 1));
        }
    }
    let b = *bytes.get(at + 8)?;
    Some(((n << 8) | u64::from(b), at + 9))
}

fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}
