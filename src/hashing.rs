//! Content hashes: input identity (duplicate detection, the manifest) and
//! source drift between workers.

use std::path::{Path, PathBuf};

/// SHA-256 of `bytes` as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Source files bigger than this are not hashed.
const MAX_HASHED_SOURCE: u64 = 64 << 20;

/// The content hash of source file `name` (as the report names it,
/// relative to `root` or absolute), if it can be read here: SHA-256 in hex
/// of the bytes with every CRLF read as LF, so that a Windows checkout
/// (git autocrlf) of the same commit hashes the same. Only regular files
/// are read (a FIFO would block).
pub fn source_hash(root: &str, name: &str) -> Option<String> {
    let path = if Path::new(name).is_absolute() || crate::pathtext::is_absolute_anywhere(name) {
        PathBuf::from(name)
    } else {
        Path::new(root).join(name)
    };
    // Only the project's own sources: a report can name any path
    // (`/etc/shadow`, `../../secret`, a link out of the tree).
    let path = path.canonicalize().ok()?;
    if !path.starts_with(Path::new(root).canonicalize().ok()?) {
        return None;
    }
    let meta = std::fs::metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > MAX_HASHED_SOURCE {
        return None;
    }
    let bytes = std::fs::read(&path).ok()?;
    let mut text = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        text.push(bytes[i]);
        i += 1;
    }
    Some(sha256_hex(&text))
}
