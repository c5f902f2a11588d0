//! The floor for reading LCOV on this machine: the least a reader must do,
//! written as tightly as plain Rust allows, on one thread.
//!
//! `floor DIR...` reads every file under each DIR (not recursive) as
//! covmerge does (`std::fs::read` of the whole file) and counts the records
//! by kind in one pass over the bytes: the key of each line is told apart by
//! its first bytes, the rest of the line is skipped with `memchr`. It parses
//! nothing, merges nothing and allocates one buffer per file.
//!
//! `floor --parse DIR...` also reads every number a merge needs, in the same
//! single pass: both numbers of `DA`, the line, block, branch and count of
//! `BRDA`, the line (and end) of `FN` and the count of `FNDA`, summed so that
//! none is skipped; a function name is skipped, not read. It still merges
//! nothing: a reader that merges cannot be faster than this without
//! SIMD-style number parsing, which no LCOV tool we know of uses.
//!
//! Prints the files, bytes, lines, the sum of the numbers and the records of
//! each kind, so that the two modes can be checked against each other.

const KINDS: [&str; 16] = [
    "DA",
    "BRDA",
    "FN",
    "FNDA",
    "FNF",
    "FNH",
    "LF",
    "LH",
    "BRF",
    "BRH",
    "SF",
    "TN",
    "end_of_record",
    "FNA",
    "VER",
    "other",
];

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let parse = args.first().is_some_and(|a| a == "--parse");
    if parse {
        args.remove(0);
    }
    let mut tally = Tally::default();
    for dir in args {
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("floor: {dir}: {e}"))
            .map(|e| e.expect("floor: directory entry").path())
            .collect();
        paths.sort();
        for path in paths {
            let data = std::fs::read(&path).unwrap_or_else(|e| panic!("floor: {path:?}: {e}"));
            tally.files += 1;
            tally.bytes += data.len() as u64;
            tally.scan(&data, parse);
        }
    }
    let records: Vec<String> = KINDS
        .iter()
        .zip(tally.counts)
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{k}={n}"))
        .collect();
    println!(
        "files={} bytes={} lines={} numbers={} {}",
        tally.files,
        tally.bytes,
        tally.counts.iter().sum::<u64>(),
        tally.numbers,
        records.join(" ")
    );
}

#[derive(Default)]
struct Tally {
    files: u64,
    bytes: u64,
    numbers: u64,
    counts: [u64; 16],
}

impl Tally {
    /// One pass over a tracefile: classify each line by its key and, with
    /// `parse`, sum the numbers of the records a merge adds up.
    fn scan(&mut self, b: &[u8], parse: bool) {
        let mut i = 0;
        while i < b.len() {
            let kind = kind_of(&b[i..]);
            self.counts[kind] += 1;
            if parse && kind <= 3 {
                // Past the key and its ':'.
                i += [3, 5, 3, 5][kind];
                // Two copies of the loop, one knowing there is no name.
                let (sum, end) = if kind >= 2 {
                    numbers(b, i, true)
                } else {
                    numbers(b, i, false)
                };
                self.numbers = self.numbers.wrapping_add(sum);
                i = end;
            } else {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |k| i + k + 1);
            }
        }
    }
}

/// The record kind (an index into `KINDS`) of the line starting `line`.
#[inline(always)]
fn kind_of(line: &[u8]) -> usize {
    let key = |k: &[u8]| line.len() > k.len() && line.starts_with(k) && line[k.len()] == b':';
    match line.first() {
        Some(b'D') if key(b"DA") => 0,
        Some(b'B') if key(b"BRDA") => 1,
        Some(b'B') if key(b"BRF") => 8,
        Some(b'B') if key(b"BRH") => 9,
        Some(b'F') if key(b"FN") => 2,
        Some(b'F') if key(b"FNDA") => 3,
        Some(b'F') if key(b"FNF") => 4,
        Some(b'F') if key(b"FNH") => 5,
        Some(b'F') if key(b"FNA") => 13,
        Some(b'L') if key(b"LF") => 6,
        Some(b'L') if key(b"LH") => 7,
        Some(b'S') if key(b"SF") => 10,
        Some(b'T') if key(b"TN") => 11,
        Some(b'e') if line.starts_with(b"end_of_record") => 12,
        Some(b'V') if key(b"VER") => 14,
        _ => 15,
    }
}

/// The sum of the comma-separated numbers from `start` to the end of the
/// line (a `-` reads as nothing); with `named`, the numbers stop at the
/// first field that is not one (the function name), which is skipped.
/// Returns the sum and the start of the next line.
#[inline(always)]
fn numbers(b: &[u8], start: usize, named: bool) -> (u64, usize) {
    let (mut sum, mut n, mut i) = (0u64, 0u64, start);
    let mut field_start = true;
    while i < b.len() {
        let c = b[i];
        let d = c.wrapping_sub(b'0');
        if d < 10 {
            n = n.wrapping_mul(10).wrapping_add(u64::from(d));
            field_start = false;
        } else if c == b',' {
            sum = sum.wrapping_add(n);
            n = 0;
            field_start = true;
        } else if c == b'\n' {
            return (sum.wrapping_add(n), i + 1);
        } else if named && field_start {
            // A name: skipped to the end of the line.
            let end = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |k| i + k + 1);
            return (sum, end);
        }
        i += 1;
    }
    (sum.wrapping_add(n), i)
}
