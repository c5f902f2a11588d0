//! Strings from inputs, made safe to print.
//!
//! A data file is written by whatever job uploaded it. Its platform, host,
//! worker, labels and file names reach covmerge's log, and a CI log treats
//! some lines as commands (GitHub's `::warning file=...::`) and terminals
//! obey escape sequences. So every control character (C0, DEL, C1 and the
//! Unicode line and paragraph separators) is shown as a visible escape
//! (`\n`, `\x1b`, `\u{2028}`) wherever such a string is printed. Files
//! covmerge writes for machines (`-o`, the manifest) keep the exact values.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::model::CoverageData;

fn is_unsafe(c: char) -> bool {
    c.is_control() || c == '\u{2028}' || c == '\u{2029}'
}

fn escape(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

/// `text` with every control character escaped: one line, no escapes.
pub fn line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text covmerge laid out itself (a table, a header) that may hold input
/// strings: its own line breaks stay, every other control character is
/// escaped. Input strings must already have gone through [`line`] (or
/// [`for_display`]) so that they hold no line break of their own.
pub fn block(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c != '\n' && is_unsafe(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn fix(value: &mut String) {
    if let Cow::Owned(clean) = line(value) {
        *value = clean;
    }
}

fn fix_keys<V>(map: &mut BTreeMap<String, V>, mut merge: impl FnMut(&mut V, V)) {
    if !map.keys().any(|k| k.chars().any(is_unsafe)) {
        return;
    }
    for (key, value) in std::mem::take(map) {
        let key = line(&key).into_owned();
        match map.get_mut(&key) {
            Some(mine) => merge(mine, value),
            None => {
                map.insert(key, value);
            }
        }
    }
}

/// Make every input string in `data` printable: file names, and each
/// source's host, platform, worker and labels, and the attribution groups
/// named after them. Called once the exact data has been written (`-o`,
/// manifest), before the table, the header, the views and the exports.
/// Costs one scan of the names when nothing needs escaping.
pub fn for_display(data: &mut CoverageData) {
    for source in &mut data.sources {
        for value in [&mut source.host, &mut source.platform, &mut source.worker]
            .into_iter()
            .flatten()
        {
            fix(value);
        }
        fix_keys(&mut source.labels, |_, _| {});
        for value in source.labels.values_mut() {
            fix(value);
        }
    }
    fix_keys(&mut data.files, |mine, other| mine.merge(other));
    for file in data.files.values_mut() {
        fix_keys(&mut file.covered_by, |mine, other| mine.merge(other));
        for platforms in file.source_hashes.values_mut() {
            if platforms.iter().any(|p| p.chars().any(is_unsafe)) {
                *platforms = platforms.iter().map(|p| line(p).into_owned()).collect();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible_escapes() {
        assert_eq!(line("plain, text é"), "plain, text é");
        assert!(matches!(line("plain"), Cow::Borrowed(_)));
        assert_eq!(
            line("linux\n::warning file=a.js::x"),
            "linux\\n::warning file=a.js::x"
        );
        assert_eq!(line("\x1b[31mred\r\t\x7f"), "\\x1b[31mred\\r\\t\\x7f");
        assert_eq!(line("a\u{85}b\u{2028}c"), "a\\x85b\\u{2028}c");
        assert_eq!(block("row 1\nrow\x1b 2\n"), "row 1\nrow\\x1b 2\n");
    }

    #[test]
    fn display_data_renames_files_and_merges_collisions() {
        let mut data = CoverageData::default();
        let mut a = crate::model::FileCoverage::default();
        a.lines.insert(1, 1);
        let mut b = crate::model::FileCoverage::default();
        b.lines.insert(2, 0);
        data.files.insert("x\ny.py".into(), a);
        data.files.insert("x\\ny.py".into(), b);
        data.sources.push(crate::model::Source {
            platform: Some("p\x1b]0;title\x07".into()),
            ..Default::default()
        });
        for_display(&mut data);
        assert_eq!(data.files.len(), 1);
        assert_eq!(data.files["x\\ny.py"].lines.len(), 2);
        assert_eq!(
            data.sources[0].platform.as_deref(),
            Some("p\\x1b]0;title\\x07")
        );
    }
}
