//! The platform header above the table: which platforms contributed.
//!
//! One platform ("load" mode): a single `coverage: <platform>` separator
//! line. Several ("each" mode): a `coverage` line, then one centred line
//! per platform, sorted. The separator arithmetic is pytest's
//! `TerminalWriter.sep`, which pytest-cov copies.

pub use crate::config::HeaderStyle;

/// pytest's separator line: `title` centred in `width` with `fill`.
pub fn sep(width: usize, fill: char, title: &str) -> String {
    let title_len = title.chars().count();
    let n = (width.saturating_sub(title_len + 2) / 2).max(1);
    let fill_run: String = std::iter::repeat_n(fill, n).collect();
    let mut line = format!("{fill_run} {title} {fill_run}");
    // pytest adds `fill.rstrip()` when it still fits: one more fill char,
    // never a space.
    if fill != ' ' && line.chars().count() < width {
        line.push(fill);
    }
    line
}

/// The header for these platform descriptions (already distinct and sorted).
pub fn render(platforms: &[String], style: HeaderStyle, width: usize) -> String {
    let (fill, blank_after, keep_trailing) = match style {
        HeaderStyle::None => return String::new(),
        HeaderStyle::Default => ('-', false, false),
        HeaderStyle::PytestCov => ('_', true, true),
    };
    let mut lines = Vec::new();
    if platforms.len() == 1 {
        lines.push(sep(width, fill, &format!("coverage: {}", platforms[0])));
    } else {
        lines.push(sep(width, fill, "coverage"));
        for platform in platforms {
            lines.push(sep(width, ' ', platform));
        }
    }
    let mut out = String::new();
    for line in lines {
        if keep_trailing {
            out.push_str(&line);
        } else {
            out.push_str(line.trim_end());
        }
        out.push('\n');
        if blank_after {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separator_matches_pytest_numbers() {
        let title = "coverage: platform linux, python 3.12.1-final-0";
        let line = sep(80, '_', title);
        assert_eq!(line.len(), 80);
        assert!(line.starts_with(&format!("{} {title}", "_".repeat(15))));
        assert!(line.ends_with(&format!("{title} {}", "_".repeat(16))));
        assert_eq!(sep(61, '_', title).len(), 61);
        assert!(sep(62, '_', title).ends_with(&"_".repeat(7)));
        assert_eq!(
            sep(80, '=', "tests coverage"),
            format!("{} tests coverage {}", "=".repeat(32), "=".repeat(32))
        );
        let centred = sep(80, ' ', "platform linux, python 3.11.7-final-0");
        assert_eq!(centred.len(), 79);
        assert!(centred.starts_with(&" ".repeat(21)));
    }

    #[test]
    fn seed_look_in_load_and_each_mode() {
        let one = render(
            &["platform linux2, python 2.6.4-final-0".into()],
            HeaderStyle::Default,
            90,
        );
        assert_eq!(
            one,
            "-------------------- coverage: platform linux2, python 2.6.4-final-0 ---------------------\n"
        );
        let two = render(
            &[
                "platform linux2, python 2.6.5-final-0".into(),
                "platform linux2, python 2.7.0-final-0".into(),
            ],
            HeaderStyle::Default,
            90,
        );
        assert_eq!(
            two,
            "---------------------------------------- coverage ----------------------------------------\n\
             \x20                         platform linux2, python 2.6.5-final-0\n\
             \x20                         platform linux2, python 2.7.0-final-0\n"
        );
    }
}
