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
//! nothing. Runs of those four kinds are read 64 bytes at a time, as
//! covmerge reads them: SSE2 marks the newlines and non-digits of 64 bytes
//! in two bit masks, each line's fields come from the masks and each number
//! is read eight digits at a time (a few multiplications), so no line
//! waits on the digits of the one before. A line of another shape is read
//! a byte at a time.
//!
//! `floor --parse-bytes DIR...` reads every number a byte at a time (the
//! floor before covmerge read in windows).
//!
//! Prints the files, bytes, lines, the sum of the numbers and the records of
//! each kind, so that the modes can be checked against each other: all
//! three count the same lines, and both parse modes the same sum.

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
    let mode = match args.first().map(String::as_str) {
        Some("--parse") => Mode::Windows,
        Some("--parse-bytes") => Mode::Bytes,
        _ => Mode::Count,
    };
    if mode != Mode::Count {
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
            tally.scan(&data, mode);
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

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Count,
    Bytes,
    Windows,
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
    fn scan(&mut self, b: &[u8], mode: Mode) {
        let parse = mode != Mode::Count;
        let mut i = 0;
        while i < b.len() {
            let kind = kind_of(&b[i..]);
            if mode == Mode::Windows && kind <= 3 {
                let (next, sum) = windows(b, i, &mut self.counts);
                if next > i {
                    self.numbers = self.numbers.wrapping_add(sum);
                    i = next;
                    continue;
                }
            }
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

/// Read the lines from `pos` 64 bytes at a time while each is a `DA`,
/// `BRDA`, `FN` or `FNDA` line of the usual shape, counting them by kind
/// and summing their numbers as [`numbers`] does. Returns where the first
/// line not read starts, and the sum.
fn windows(b: &[u8], mut pos: usize, counts: &mut [u64; 16]) -> (usize, u64) {
    let mut sum = 0u64;
    // The window and the 8 bytes after it, so that 8 bytes can be read
    // from any of its 64.
    while let Some(w) = b.get(pos..).and_then(|r| r.first_chunk::<72>()) {
        let (newline, nondigit) = masks(w);
        let mut start = 0;
        let mut ends = newline;
        while ends != 0 {
            let end = ends.trailing_zeros() as usize;
            ends &= ends - 1;
            let Some((kind, n)) = line(w, start, end, nondigit) else {
                return (pos + start, sum);
            };
            counts[kind] += 1;
            sum = sum.wrapping_add(n);
            start = end + 1;
        }
        if start == 0 {
            break;
        }
        pos += start;
    }
    (pos, sum)
}

/// The kind and the sum of the numbers of the line from `start` to its
/// newline at `end`, or `None` if it is not of the four usual shapes.
#[inline(always)]
fn line(w: &[u8; 72], start: usize, end: usize, nondigit: u64) -> Option<(usize, u64)> {
    let head = u32::from_le_bytes(*w[start..].first_chunk::<4>()?);
    let (kind, from) = if head & 0xFF_FFFF == u32::from_le_bytes(*b"DA:\0") {
        (0, start + 3)
    } else if head == u32::from_le_bytes(*b"BRDA") && w[start + 4] == b':' {
        (1, start + 5)
    } else if head & 0xFF_FFFF == u32::from_le_bytes(*b"FN:\0") {
        (2, start + 3)
    } else if head == u32::from_le_bytes(*b"FNDA") && w[start + 4] == b':' {
        (3, start + 5)
    } else {
        return None;
    };
    // The non-digits from the value's start to the newline: the field ends.
    let mut stops = nondigit & ((1u64 << end) - (1u64 << (from & 63)));
    let field = |at: usize, stops: &mut u64| -> Option<(u64, usize)> {
        // No non-digit left before the newline: the field runs to it.
        let stop = (stops.trailing_zeros() as usize).min(end);
        *stops &= stops.wrapping_sub(1);
        Some((number(w, at, stop.checked_sub(at)?)?, stop))
    };
    let (first, stop) = field(from, &mut stops)?;
    if w[stop] != b',' {
        return None;
    }
    match kind {
        0 => {
            let (hits, stop) = field(stop + 1, &mut stops)?;
            (stop == end).then_some((0, first + hits))
        }
        1 => {
            let (block, stop) = field(stop + 1, &mut stops)?;
            if w[stop] != b',' {
                return None;
            }
            let (branch, stop) = field(stop + 1, &mut stops)?;
            if w[stop] != b',' {
                return None;
            }
            let taken = if w[stop + 1] == b'-' && stop + 2 == end {
                0
            } else {
                let (taken, at) = field(stop + 1, &mut stops)?;
                if at != end {
                    return None;
                }
                taken
            };
            Some((1, first + block + branch + taken))
        }
        _ => {
            // FN's end line, when digits and a comma follow the start; a
            // name is skipped. A name starting with a digit goes the
            // byte-at-a-time way, which reads it differently.
            let mut sum = first;
            let mut at = stop + 1;
            if kind == 2 && w[at].is_ascii_digit() {
                let (end_line, stop) = field(at, &mut stops)?;
                if w[stop] != b',' {
                    return None;
                }
                sum += end_line;
                at = stop + 1;
            }
            (!w[at].is_ascii_digit()).then_some((kind, sum))
        }
    }
}

/// The `len` (1 to 8) digits at `at` as a number, eight at a time.
#[inline(always)]
fn number(w: &[u8; 72], at: usize, len: usize) -> Option<u64> {
    if len == 0 || len > 8 {
        return None;
    }
    let word = u64::from_le_bytes(*w[at & 63..].first_chunk::<8>()?);
    let mut v = word << (8 * (8 - len));
    v = ((v & 0x0F0F_0F0F_0F0F_0F0F).wrapping_mul(10 << 8 | 1)) >> 8;
    v = ((v & 0x00FF_00FF_00FF_00FF).wrapping_mul(100 << 16 | 1)) >> 16;
    Some(((v & 0x0000_FFFF_0000_FFFF).wrapping_mul(10_000 << 32 | 1)) >> 32)
}

/// Where the newlines and the non-digits of the first 64 bytes are.
fn masks(w: &[u8; 72]) -> (u64, u64) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        let (mut newline, mut nondigit) = (0u64, 0u64);
        for k in 0..4 {
            // SAFETY: SSE2 is part of x86-64; the load reads 16 of the 72
            // bytes.
            let (n, d) = unsafe {
                let v = _mm_loadu_si128(w.as_ptr().add(16 * k).cast::<__m128i>());
                let above = _mm_sub_epi8(v, _mm_set1_epi8(b'0' as i8));
                let digit = _mm_cmpeq_epi8(_mm_min_epu8(above, _mm_set1_epi8(9)), above);
                (
                    _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8))),
                    _mm_movemask_epi8(digit),
                )
            };
            newline |= u64::from(n as u16) << (16 * k);
            nondigit |= u64::from(!d as u16) << (16 * k);
        }
        (newline, nondigit)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let (mut newline, mut nondigit) = (0u64, 0u64);
        for (i, &c) in w[..64].iter().enumerate() {
            newline |= u64::from(c == b'\n') << i;
            nondigit |= u64::from(!c.is_ascii_digit()) << i;
        }
        (newline, nondigit)
    }
}
