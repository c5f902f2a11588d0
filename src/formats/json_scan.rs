//! A strict JSON byte scanner for the formats covmerge reads fastest
//! (coverage.py JSON, its own data files): objects, arrays of integers,
//! strings without escapes. A reader built on it stops (`None`) at anything
//! it does not read exactly as serde would: an escape in a string, a number
//! that is not a plain integer where one is wanted, an integer out of range,
//! nesting deeper than [`MAX_DEPTH`], invalid JSON. The caller then reads
//! the text with serde, which gives the exact result or message. Values it
//! skips are checked against JSON's grammar as serde_json checks what it
//! ignores. Each byte is looked at a bounded number of times; indexing is
//! checked, so hostile input cannot make it panic.

/// Deeper nesting is left to serde (whose own limit is 128).
pub(crate) const MAX_DEPTH: u32 = 100;

/// The scanner: the text and how far it has read.
pub(crate) struct JsonScan<'a> {
    pub(crate) text: &'a str,
    pub(crate) s: &'a [u8],
    pub(crate) i: usize,
}

impl<'a> JsonScan<'a> {
    /// A scanner at the start of `text`.
    pub(crate) fn new(text: &'a str) -> JsonScan<'a> {
        JsonScan {
            text,
            s: text.as_bytes(),
            i: 0,
        }
    }

    /// Whether only blanks are left.
    pub(crate) fn at_end(&mut self) -> bool {
        self.ws();
        self.i == self.s.len()
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    pub(crate) fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    /// The next non-blank byte, consumed when it is `b`.
    pub(crate) fn eat(&mut self, b: u8) -> bool {
        self.ws();
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    pub(crate) fn expect(&mut self, b: u8) -> Option<()> {
        self.eat(b).then_some(())
    }

    pub(crate) fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.i.checked_add(word.len())?;
        (self.s.get(self.i..end)? == word).then(|| self.i = end)
    }

    /// `null`, consumed.
    pub(crate) fn null(&mut self) -> bool {
        self.ws();
        self.literal(b"null").is_some()
    }

    /// A string without escapes or control characters, borrowed.
    pub(crate) fn string(&mut self) -> Option<&'a str> {
        self.expect(b'"')?;
        let start = self.i;
        let rest = self.s.get(start..)?;
        if let Some(end) = short_string_end(rest) {
            // `None`: a backslash or a control character came first.
            let end = start + end?;
            let out = self.text.get(start..end)?;
            self.i = end + 1;
            return Some(out);
        }
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
    pub(crate) fn int(&mut self) -> Option<i64> {
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
    pub(crate) fn opt_u32(&mut self) -> Option<Option<u32>> {
        if self.null() {
            return Some(None);
        }
        u32::try_from(self.int()?).ok().map(Some)
    }

    /// Any JSON value, checked and skipped.
    pub(crate) fn skip(&mut self, depth: u32) -> Option<()> {
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
    pub(crate) fn number(&mut self) -> Option<()> {
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

    pub(crate) fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.i += 1;
        }
    }

    pub(crate) fn some_digits(&mut self) -> Option<()> {
        let start = self.i;
        self.digits();
        (self.i > start).then_some(())
    }

    /// After `{`: the next key and its `:`, or `None` at the closing `}`.
    pub(crate) fn key(&mut self, first: &mut bool) -> Option<Option<&'a str>> {
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
    pub(crate) fn element(&mut self, first: &mut bool) -> Option<bool> {
        if self.eat(b']') {
            return Some(false);
        }
        if !std::mem::replace(first, false) {
            self.expect(b',')?;
        }
        Some(true)
    }

    /// An array of integers, each handed to `each`.
    pub(crate) fn ints(&mut self, mut each: impl FnMut(i64)) -> Option<()> {
        self.expect(b'[')?;
        let mut first = true;
        while self.element(&mut first)? {
            each(self.int()?);
        }
        Some(())
    }
}

/// Bytes looked at a word at a time before a string's end is searched for.
const SHORT: usize = 64;

/// Where the string that `rest` starts ends (its closing quote), eight
/// bytes at a time for its first [`SHORT`] bytes: most keys and names are
/// shorter, and the vector search's call and set-up cost more than such
/// a string. `Some(None)` when a backslash or a control character comes
/// first (the string is not read here); `None` when the string is longer,
/// or the text ends within a word (the search then reads it).
fn short_string_end(rest: &[u8]) -> Option<Option<usize>> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte that is zero, of each byte below 0x20.
    // Borrows run upward only, so the lowest bit set is always a true one.
    let zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGH;
    let below_space = |w: u64| w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    for (at, chunk) in rest.chunks_exact(8).take(SHORT / 8).enumerate() {
        let w = u64::from_le_bytes(chunk.try_into().ok()?);
        let hits = zero(w ^ (ONES * u64::from(b'"')))
            | zero(w ^ (ONES * u64::from(b'\\')))
            | below_space(w);
        if hits != 0 {
            let end = at * 8 + (hits.trailing_zeros() / 8) as usize;
            return Some((rest.get(end) == Some(&b'"')).then_some(end));
        }
    }
    None
}

/// A field seen once; `None` (leave it to serde) the second time.
pub(crate) fn once(seen: &mut bool) -> Option<()> {
    (!std::mem::replace(seen, true)).then_some(())
}

#[cfg(test)]
mod tests {
    use super::JsonScan;

    /// What `string` must give: the text up to the first quote, unless a
    /// backslash or a control character comes first.
    fn reference(text: &str) -> Option<(&str, usize)> {
        let body = text.strip_prefix('"')?;
        let end = body.find(['"', '\\'])?;
        let ok = body.as_bytes()[end] == b'"' && body[..end].bytes().all(|b| b >= 0x20);
        ok.then(|| (&body[..end], end + 2))
    }

    /// Strings of every length past the word-at-a-time part, with a byte
    /// that matters (or a multi-byte character) at every position, and
    /// the text ending right after them, or going on with a newline or a
    /// backslash soon after the string's end.
    #[test]
    fn strings_end_where_the_reference_says() {
        let mut checked = 0;
        for len in 0..80 {
            for at in 0..=len {
                for special in ["\"", "\\", "\u{1f}", "\u{0}", "\u{7f}", "é", " ", "\n"] {
                    for tail in ["", "\"", "\":1}", "\",\n", "\"\\u0041\""] {
                        let body: String = (0..len)
                            .map(|i| if i == at { special } else { "k" })
                            .collect();
                        let text = format!("\"{body}{tail}");
                        let mut scan = JsonScan::new(&text);
                        let got = scan.string().map(|s| (s, scan.i));
                        assert_eq!(got, reference(&text), "{text:?}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 100_000, "{checked}");
    }
}
