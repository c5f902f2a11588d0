//! Path text as the workers wrote it, whatever their OS: no file system
//! access, no normalisation (that is [`crate::paths`]).

/// Absolute on any OS: `/x`, `\x`, `C:\x`, `C:/x`, `\\server\share`.
pub fn is_absolute_anywhere(path: &str) -> bool {
    let b = path.as_bytes();
    path.starts_with('/')
        || path.starts_with('\\')
        || (b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic())
}

/// `name` under `root` (a report's source directory or working
/// directory), the way the producers' own tools join them.
pub fn join(root: &str, name: &str) -> String {
    let root = root.trim_end_matches(['/', '\\']);
    let name = name.strip_prefix("./").unwrap_or(name);
    if root.is_empty() {
        format!("/{name}")
    } else {
        format!("{root}/{name}")
    }
}
