//! `$VAR` substitution and `~` expansion, as coverage.py does them.

use super::EnvLookup;
use crate::pyfmt::py_repr;

/// coverage.py's `substitute_variables`: `$VAR`, `${VAR}`, `${VAR-default}`,
/// `${VAR?}` (an error when VAR is not set) and `$$`. An unset variable
/// without a default becomes empty.
pub fn substitute_variables(text: &str, env: EnvLookup) -> std::result::Result<String, String> {
    let chars: Vec<char> = text.chars().collect();
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::new();
    let mut i = 0;
    // Where the last `}` is: a `${VAR-` with no `}` after it is left as
    // text without scanning to the end again (linear in the value).
    let last_close = chars.iter().rposition(|&c| c == '}');
    while i < chars.len() {
        if chars[i] != '$' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let next = chars.get(i + 1).copied();
        if next == Some('$') {
            out.push('$');
            i += 2;
            continue;
        }
        if next.is_some_and(word) {
            let end = (i + 1..chars.len())
                .find(|&k| !word(chars[k]))
                .unwrap_or(chars.len());
            let name: String = chars[i + 1..end].iter().collect();
            out.push_str(&env(&name).unwrap_or_default());
            i = end;
            continue;
        }
        if next == Some('{') {
            let start = i + 2;
            let end = (start..chars.len())
                .find(|&k| !word(chars[k]))
                .unwrap_or(chars.len());
            if end > start {
                let name: String = chars[start..end].iter().collect();
                match chars.get(end) {
                    Some('}') => {
                        out.push_str(&env(&name).unwrap_or_default());
                        i = end + 1;
                        continue;
                    }
                    Some('?') if chars.get(end + 1) == Some(&'}') => {
                        match env(&name) {
                            Some(v) => out.push_str(&v),
                            None => {
                                return Err(format!(
                                    "Variable {name} is undefined: {}",
                                    py_repr(text)
                                ))
                            }
                        }
                        i = end + 2;
                        continue;
                    }
                    Some('-') => {
                        let close = match last_close {
                            Some(last) if last > end => (end + 1..=last).find(|&k| chars[k] == '}'),
                            _ => None,
                        };
                        if let Some(close) = close {
                            let default: String = chars[end + 1..close].iter().collect();
                            out.push_str(&env(&name).unwrap_or(default));
                            i = close + 1;
                            continue;
                        }
                    }
                    _ => {}
                }
            }
        }
        out.push('$');
        i += 1;
    }
    Ok(out)
}

/// Python's `os.path.expanduser` for `~` and `~/...` (`~user` is kept).
pub(super) fn expand_user(path: &str, env: EnvLookup) -> String {
    if path == "~" || path.starts_with("~/") {
        if let Some(home) = env("HOME").filter(|h| !h.is_empty()) {
            let home = if home == "/" {
                ""
            } else {
                home.trim_end_matches('/')
            };
            return format!("{home}{}", &path[1..]);
        }
    }
    path.to_string()
}

#[cfg(test)]
mod tests {
    use super::super::testing::env_of;
    use super::*;

    #[test]
    fn variables_are_substituted_as_coveragepy_does() {
        let env = env_of(&[("A", "x"), ("EMPTY", "")]);
        let s = |t: &str| substitute_variables(t, &env);
        assert_eq!(
            s("$A/${A}/$$/${B-def}/${A-def}/$B/$").unwrap(),
            "x/x/$/def/x//$"
        );
        assert_eq!(s("${EMPTY?}").unwrap(), "");
        assert_eq!(s("${B?}").unwrap_err(), "Variable B is undefined: '${B?}'");
    }
}
