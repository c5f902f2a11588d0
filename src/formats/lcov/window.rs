//! Runs of plain `DA`, `BRDA`, `FN` and `FNDA` lines read 64 bytes at a
//! time.
//!
//! The per-line scans in `lcov.rs` find each field's end digit by digit,
//! so each line's start waits on the last one's digits. Here, one pass
//! over 64 bytes marks every newline and non-digit in two bit masks;
//! each line's end and fields then come from the masks, and its
//! numbers are read four or eight digits at a time, so the lines of a
//! window do not wait on one another.
//!
//! A line is read here only when the per-line scan would read it the same
//! way, with nothing to warn about: fields of one to eight digits, a `\n`
//! right after the last (or a `DA` checksum, which neither reads), and the
//! same checks (line not 0, no leading zero in a `BRDA` id, what may start
//! a function name). Anything else stops the run, and the per-line path
//! reads that line.

use super::Record;

/// 64 bytes of a tracefile, with one bit per byte for where its newlines
/// and non-digits are (a field ends at a non-digit, whose byte then says
/// whether it is a comma). The 8 bytes after them are there too (a
/// window is made only where they are), so that eight bytes can be read
/// from any of the 64.
struct Window<'t> {
    /// The tracefile, and where the window starts in it (for names).
    text: &'t str,
    pos: usize,
    bytes: &'t [u8; 72],
    newline: u64,
    nondigit: u64,
}

/// The bits from `from` (inclusive) to `to` (exclusive), `from <= to < 64`
/// (a line's end is a newline inside its window).
#[inline(always)]
fn bits(from: usize, to: usize) -> u64 {
    (1u64 << (to & 63)).wrapping_sub(1u64 << (from & 63))
}

impl<'t> Window<'t> {
    /// The 64 bytes from `pos`, or `None` when fewer than 72 are left.
    #[inline(always)]
    fn at(text: &'t str, pos: usize) -> Option<Window<'t>> {
        let bytes: &[u8; 72] = text.as_bytes().get(pos..)?.first_chunk()?;
        let (newline, nondigit) = masks(bytes);
        Some(Window {
            text,
            pos,
            bytes,
            newline,
            nondigit,
        })
    }

    /// The number written in the `len` (1 to 8) digits at `at`: the digits
    /// are moved to the top of a word, so that the bytes below stand for
    /// leading zeros, then pairs, fours (and eights) of digits are combined
    /// by one multiplication each. Four digits or fewer, the usual case,
    /// take a 32-bit word and two multiplications.
    #[inline(always)]
    fn number(&self, at: usize, len: usize) -> Option<u64> {
        let at = at & 63;
        if len <= 4 {
            let word = u32::from_le_bytes(*self.bytes[at..].first_chunk::<4>()?);
            let mut v = word << (8 * (4 - len));
            v = ((v & 0x0F0F_0F0F).wrapping_mul(10 << 8 | 1)) >> 8;
            v = ((v & 0x00FF_00FF).wrapping_mul(100 << 16 | 1)) >> 16;
            return Some(u64::from(v & 0xFFFF));
        }
        let word = u64::from_le_bytes(*self.bytes[at..].first_chunk::<8>()?);
        let mut v = word << (8 * (8 - len));
        v = ((v & 0x0F0F_0F0F_0F0F_0F0F).wrapping_mul(10 << 8 | 1)) >> 8;
        v = ((v & 0x00FF_00FF_00FF_00FF).wrapping_mul(100 << 16 | 1)) >> 16;
        Some(((v & 0x0000_FFFF_0000_FFFF).wrapping_mul(10_000 << 32 | 1)) >> 32)
    }

    /// The digits from `from` up to `to` (1 to 8 of them) as a number.
    #[inline(always)]
    fn field(&self, from: usize, to: usize) -> Option<u64> {
        let len = to.wrapping_sub(from);
        if len.wrapping_sub(1) >= 8 {
            return None;
        }
        self.number(from, len)
    }

    /// The number from `from` up to the first non-digit before `end`, when
    /// that non-digit is a comma: the number, the comma's offset, and the
    /// non-digits from `from` to `end`.
    #[inline(always)]
    fn number_then_comma(&self, from: usize, end: usize) -> Option<(u64, usize, u64)> {
        let nondigit = self.nondigit & bits(from, end);
        let comma = nondigit.trailing_zeros() as usize;
        if nondigit == 0 || self.bytes[comma] != b',' {
            return None;
        }
        Some((self.field(from, comma)?, comma, nondigit))
    }

    /// The first byte of the field from `from` to `to` is not a `0`, unless
    /// the field is `0` itself: LCOV's block and branch ids stay text
    /// when they have a leading zero (`00` is not `0`).
    #[inline(always)]
    fn no_leading_zero(&self, from: usize, to: usize) -> bool {
        to - from == 1 || self.bytes[from] != b'0'
    }

    /// The name from `from` to the line end at `end` (one `\r` before it
    /// stripped, as the per-line path strips it).
    #[inline(always)]
    fn name(&self, from: usize, end: usize) -> Option<&'t str> {
        let end = if end > from && self.bytes[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        self.text.get(self.pos + from..self.pos + end)
    }
}

/// Where the two masks of a window come from: SSE2, which every x86-64
/// processor has, sixteen bytes at a time.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn masks(bytes: &[u8; 72]) -> (u64, u64) {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_set1_epi8,
        _mm_sub_epi8,
    };
    let (mut newline, mut nondigit) = (0u64, 0u64);
    for k in 0..4 {
        // SAFETY: SSE2 is part of x86-64 itself, so every processor this
        // compiles for has these instructions, and the load reads 16 of
        // the 72 bytes (k < 4), unaligned loads being allowed.
        let (newlines, digits) = unsafe {
            let v = _mm_loadu_si128(bytes.as_ptr().add(16 * k).cast::<__m128i>());
            // A digit is a byte whose distance above '0' is at most 9.
            let above_zero = _mm_sub_epi8(v, _mm_set1_epi8(b'0' as i8));
            let digit = _mm_cmpeq_epi8(_mm_min_epu8(above_zero, _mm_set1_epi8(9)), above_zero);
            (
                _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8))),
                _mm_movemask_epi8(digit),
            )
        };
        let bits = |m: i32| u64::from(m as u16) << (16 * k);
        newline |= bits(newlines);
        nondigit |= bits(!digits);
    }
    (newline, nondigit)
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn masks(bytes: &[u8; 72]) -> (u64, u64) {
    masks_bytewise(bytes)
}

/// The masks a byte at a time: the other architectures' way, and what the
/// tests hold the SSE2 masks to.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn masks_bytewise(bytes: &[u8; 72]) -> (u64, u64) {
    let (mut newline, mut nondigit) = (0u64, 0u64);
    for (i, &c) in bytes[..64].iter().enumerate() {
        newline |= u64::from(c == b'\n') << i;
        nondigit |= u64::from(!c.is_ascii_digit()) << i;
    }
    (newline, nondigit)
}

/// Whether the line starting `line` is of a kind the window reads (it may
/// still refuse it): a cheap look that keeps the summary and `SF` lines
/// from making a window they cannot use.
#[inline(always)]
pub(super) fn may_read(line: &[u8]) -> bool {
    matches!(
        line.first_chunk::<3>(),
        Some(b"DA:" | b"BRD" | b"FN:" | b"FND")
    )
}

/// Read the lines from `pos` (a line start) into `record` while each is a
/// plain `DA`, `BRDA`, `FN` or `FNDA` line (see the module's comment) and
/// ends within the 64 bytes from its window's start. Returns where the
/// first line not read starts and how many lines were read.
pub(super) fn read_run<'a>(text: &'a str, pos: usize, record: &mut Record<'a>) -> (usize, usize) {
    let mut pos = pos;
    let mut lines = 0;
    while let Some(window) = Window::at(text, pos) {
        let mut start = 0;
        while start < 64 {
            let ahead = window.newline >> start;
            if ahead == 0 {
                break;
            }
            let end = start + ahead.trailing_zeros() as usize;
            if !read_line(&window, start, end, record) {
                return (pos + start, lines);
            }
            lines += 1;
            start = end + 1;
        }
        if start == 0 {
            // A line longer than the window: the per-line path reads it.
            break;
        }
        pos += start;
    }
    (pos, lines)
}

/// Read the line from `start` to its newline at `end` (offsets in the
/// window) into `record`; false, with nothing added, when it is not a
/// plain line of the four kinds.
#[inline(always)]
fn read_line<'a>(w: &Window<'a>, start: usize, end: usize, record: &mut Record<'a>) -> bool {
    let at = start & 63;
    let Some(key) = w.bytes[at..].first_chunk::<5>() else {
        return false;
    };
    let head = u32::from_le_bytes([key[0], key[1], key[2], key[3]]);
    if head & 0x00FF_FFFF == u32::from_le_bytes(*b"DA:\0") {
        read_da(w, at + 3, end, record).is_some()
    } else if head == u32::from_le_bytes(*b"BRDA") && key[4] == b':' {
        read_brda(w, at + 5, end, record).is_some()
    } else if head & 0x00FF_FFFF == u32::from_le_bytes(*b"FN:\0") {
        read_fn(w, at + 3, end, record).is_some()
    } else if head == u32::from_le_bytes(*b"FNDA") && key[4] == b':' {
        read_fnda(w, at + 5, end, record).is_some()
    } else {
        false
    }
}

/// `<line>,<hits>`, or `<line>,<hits>,<checksum>` (geninfo `--checksum`;
/// not read, as the per-line scan does not read it).
#[inline(always)]
fn read_da(w: &Window, from: usize, end: usize, record: &mut Record<'_>) -> Option<()> {
    let (line, comma, nondigit) = w.number_then_comma(from, end)?;
    let line = u32::try_from(line).ok().filter(|l| *l > 0)?;
    let rest = nondigit & (nondigit - 1);
    let hits_end = if rest == 0 {
        end
    } else {
        let checksum = rest.trailing_zeros() as usize;
        if w.bytes[checksum] != b',' {
            return None;
        }
        checksum
    };
    record.lines.push((line, w.field(comma + 1, hits_end)?));
    Some(())
}

/// `<line>,<block>,<branch>,<taken or ->`: three commas, and a `-` as the
/// only other non-digit, right before the newline.
#[inline(always)]
fn read_brda(w: &Window, from: usize, end: usize, record: &mut Record<'_>) -> Option<()> {
    // The first three non-digits are the commas; after them, only a `-`
    // right before the newline may be one.
    let nondigit = w.nondigit & bits(from, end);
    let first = nondigit.trailing_zeros() as usize;
    let rest = nondigit & nondigit.wrapping_sub(1);
    let second = rest.trailing_zeros() as usize;
    let rest = rest & rest.wrapping_sub(1);
    if rest == 0 {
        return None;
    }
    let third = rest.trailing_zeros() as usize;
    let after = rest & (rest - 1);
    let dash = after != 0;
    if w.bytes[first] != b','
        || w.bytes[second] != b','
        || w.bytes[third] != b','
        || (dash && (after != 1 << (third + 1) || end != third + 2 || w.bytes[third + 1] != b'-'))
        || !w.no_leading_zero(from, first)
        || !w.no_leading_zero(first + 1, second)
        || !w.no_leading_zero(second + 1, third)
    {
        return None;
    }
    let line = u32::try_from(w.field(from, first)?)
        .ok()
        .filter(|l| *l > 0)?;
    let block = u32::try_from(w.field(first + 1, second)?).ok()?;
    let branch = u32::try_from(w.field(second + 1, third)?).ok()?;
    let taken = if dash {
        None
    } else {
        Some(w.field(third + 1, end)?)
    };
    record.numeric_branches.push(((line, block, branch), taken));
    Some(())
}

/// `<start>,<name>` or `<start>,<end>,<name>`, the name to the line end;
/// a name right after the start begins with a printable ASCII byte other
/// than `+` (anything else could read as an end line on the careful path).
#[inline(always)]
fn read_fn<'a>(w: &Window<'a>, from: usize, end: usize, record: &mut Record<'a>) -> Option<()> {
    let (start, comma, nondigit) = w.number_then_comma(from, end)?;
    let start = u32::try_from(start).ok()?;
    let after = comma + 1;
    let (end_line, name_start) = match w.bytes[after] {
        b'0'..=b'9' => {
            let rest = nondigit & (nondigit - 1);
            let second = rest.trailing_zeros() as usize;
            if rest == 0 || w.bytes[second] != b',' {
                return None;
            }
            (
                Some(u32::try_from(w.field(after, second)?).ok()?),
                second + 1,
            )
        }
        c if c.is_ascii_graphic() && c != b'+' => (None, after),
        _ => return None,
    };
    record.add_function(w.name(name_start, end)?, start, end_line, 0);
    Some(())
}

/// `<hits>,<name>`, the name to the line end.
#[inline(always)]
fn read_fnda<'a>(w: &Window<'a>, from: usize, end: usize, record: &mut Record<'a>) -> Option<()> {
    let (hits, comma, _) = w.number_then_comma(from, end)?;
    record.add_fnda(w.name(comma + 1, end)?, hits);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::Diagnostics;
    use std::path::Path;

    /// What reading `text` hands over and warns, as text, with or without
    /// the window.
    fn read_both_ways(text: &str) -> [String; 2] {
        [true, false].map(|use_window| {
            let mut diag = Diagnostics::default();
            let mut out = String::new();
            let result = super::super::read_records_with(
                Path::new("t.info"),
                text,
                &mut diag,
                &mut |records| out.push_str(&format!("{records:?}\n")),
                use_window,
            );
            format!("{out}{result:?}\n{:?} {}", diag.warnings, diag.suppressed)
        })
    }

    /// A number as producers write it, and as they should not: 0 to 10
    /// digits, leading zeros, signs, fractions.
    fn number(next: &mut impl FnMut(u64) -> u64) -> String {
        match next(12) {
            0 => String::new(),
            1 => "0".into(),
            2 => format!("0{}", next(100)),
            3 => "-1".into(),
            4 => "1.5".into(),
            5 => (next(10_000_000_000)).to_string(),
            6 => (next(100_000_000)).to_string(),
            7 => "99999999".into(),
            8 => "4294967296".into(),
            _ => (next(300)).to_string(),
        }
    }

    fn name(next: &mut impl FnMut(u64) -> u64) -> String {
        const NAMES: [&str; 14] = [
            "f", "mod.c:f1", "+x", " sp", "a,b", "", "é", "名前", "_Z3fooi", "1", "12,x", "f\r",
            "+5,g", " 7,h",
        ];
        match next(16) {
            14 => "n".repeat(70),
            15 => format!("f{}", next(5)),
            k => NAMES[k as usize].into(),
        }
    }

    /// One line of a record: every kind the window reads, in the shapes
    /// it must read and the shapes it must leave to the per-line path.
    fn line(next: &mut impl FnMut(u64) -> u64) -> String {
        let mut n = || number(next);
        let (a, b, c, d) = (n(), n(), n(), n());
        let mut line = match next(14) {
            0..=3 => format!("DA:{a},{b}"),
            4 => format!("DA:{a},{b},{}", name(next)),
            5..=7 => format!("BRDA:{a},{b},{c},{d}"),
            8 => format!("BRDA:{a},{b},{c},-"),
            9 => format!("FN:{a},{}", name(next)),
            10 => format!("FN:{a},{b},{}", name(next)),
            11 => format!("FNDA:{a},{}", name(next)),
            12 => [
                "LF:3", "BRF:2", "FNF:1", "TN:", "", "# note", "DA", "BRDA:1,0",
            ][(next(8)) as usize]
                .into(),
            _ => format!("BRDA:{a},0,jump to line {b},{d}"),
        };
        if next(25) == 0 {
            line.push('\r');
        }
        line
    }

    /// Random tracefiles, some with bytes changed, read with the window
    /// and without it: the same records handed over, in the same order,
    /// and the same warnings at the same line numbers.
    #[test]
    fn the_window_reads_what_the_per_line_path_reads() {
        let mut next = crate::testing::xorshift(0x5eed_0072);
        let alphabet = b"0123456789,,,\n\n-:DABRFN\r ";
        let mut windowed = 0;
        for round in 0..3000 {
            let mut text = String::new();
            for record in 0..(next(3) + 1) {
                text.push_str(&format!("SF:src/f{record}.c\n"));
                for _ in 0..(next(40)) {
                    text.push_str(&line(&mut next));
                    text.push('\n');
                }
                if next(10) != 0 {
                    text.push_str("end_of_record\n");
                }
            }
            if round % 3 == 0 {
                // Changed bytes, at random places (ASCII for ASCII, so
                // the text stays UTF-8).
                let mut bytes = text.into_bytes();
                for _ in 0..(next(4) + 1) {
                    let at = next(bytes.len() as u64) as usize;
                    if bytes[at].is_ascii() {
                        bytes[at] = alphabet[next(alphabet.len() as u64) as usize];
                    }
                }
                text = String::from_utf8(bytes).expect("ASCII for ASCII");
            }
            let [with, without] = read_both_ways(&text);
            assert_eq!(with, without, "{text}");
            windowed += usize::from(with.contains("lines: [("));
        }
        assert!(windowed > 1000, "too few tracefiles had lines: {windowed}");
    }

    /// The window does read plain lines: all but those in the last 72
    /// bytes, which the per-line path reads.
    #[test]
    fn plain_lines_are_read_in_windows() {
        let mut text = String::from("SF:a.c\n");
        for i in 1..=40 {
            text.push_str(&format!(
                "DA:{i},{}\nBRDA:{i},0,1,-\nBRDA:{i},0,2,{i}\nFN:{i},f{i}\nFN:{i},{},g{i}\nFNDA:3,f{i}\n",
                i * 7,
                i + 2
            ));
        }
        text.push_str("end_of_record\n");
        let mut spare = super::super::Spare::default();
        let mut record = super::super::Record::new("a.c", &mut spare);
        let (pos, lines) = read_run(&text, 7, &mut record);
        assert!(
            text.len() - pos < 72 + 24,
            "stopped at {pos} of {}",
            text.len()
        );
        assert!(lines > 230, "{lines}");
        assert_eq!(record.lines.len(), 40);
        assert_eq!(record.lines[39], (40, 280));
        assert_eq!(record.numeric_branches[1], ((1, 0, 2), Some(1)));
        assert_eq!(record.functions[1].0, "g1");
        assert_eq!(record.functions[1].1.end, Some(3));
    }

    #[test]
    fn sse2_masks_are_the_bytewise_masks() {
        let mut next = crate::testing::xorshift(0x5eed_0064);
        let alphabet = b"0123456789,\n\r-:/ /09AZaz\x00\xff\x80\x2f\x3a";
        for _ in 0..20_000 {
            let mut bytes = [0u8; 72];
            for b in bytes[..64].iter_mut() {
                *b = if next(5) == 0 {
                    next(256) as u8
                } else {
                    alphabet[next(alphabet.len() as u64) as usize]
                };
            }
            assert_eq!(masks(&bytes), masks_bytewise(&bytes), "{bytes:?}");
        }
    }

    #[test]
    fn numbers_of_one_to_eight_digits() {
        let mut next = crate::testing::xorshift(0x5eed_0008);
        for _ in 0..20_000 {
            let len = next(8) as usize + 1;
            let at = (next(57)) as usize;
            let mut bytes = [b'x'; 72];
            let digits: String = (0..len)
                .map(|_| char::from(b'0' + (next(10)) as u8))
                .collect();
            bytes[at..at + len].copy_from_slice(digits.as_bytes());
            let (newline, nondigit) = masks(&bytes);
            let w = Window {
                text: "",
                pos: 0,
                bytes: &bytes,
                newline,
                nondigit,
            };
            assert_eq!(
                w.field(at, at + len),
                digits.parse::<u64>().ok(),
                "{digits}"
            );
        }
    }
}
