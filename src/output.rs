//! Writing files so they appear complete or not at all.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A name unique to this process and call: pid, time and a counter.
pub fn unique_token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "{:x}{:x}{:x}",
        std::process::id(),
        nanos & 0xffff_ffff_ffff,
        count
    )
}

/// Write `contents` to `path` atomically: a hidden temporary file in the
/// same directory, flushed and synced, then renamed over `path`. A reader
/// (or a combine running at the same time) never sees a partial file.
///
/// A rename replaces whatever the name was, so two kinds of target are
/// written differently: a device, FIFO or socket (`/dev/null`,
/// `/dev/stdout`, a pipe) is written into, never replaced (run as root,
/// a rename over `/dev/null` breaks the whole machine); a symbolic link
/// keeps pointing where it did, and its target gets the atomic write.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() && !meta.is_dir() => {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| Error::io(path, e))?;
            return file.write_all(contents).map_err(|e| Error::io(path, e));
        }
        Ok(meta) if meta.is_file() && is_symlink(path) => {
            let target = std::fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
            return replace_file(&target, contents);
        }
        _ => {}
    }
    replace_file(path, contents)
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// The temporary file and rename of [`write_atomic`].
fn replace_file(path: &Path, contents: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Error::Usage(format!("{}: not a file name", path.display())))?;
    let tmp = dir.join(hidden_name(name, &format!(".tmp-{}", unique_token())));
    // Errors name the file that failed: the temporary one, or the rename.
    let result = (|| -> Result<()> {
        let on_tmp = |e| Error::io(&tmp, e);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(on_tmp)?;
        file.write_all(contents).map_err(on_tmp)?;
        file.sync_all().map_err(on_tmp)?;
        drop(file);
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))?;
        // Make the rename itself durable where the platform allows it.
        #[cfg(unix)]
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(())
}

/// Names up to this long get a hidden companion (`.NAME<tag>`) however
/// long the tag; longer ones keep the companion at their own length.
const SHORT_NAME: usize = 64;

/// A hidden companion name for `name` ending in `tag`: `.NAME<tag>`, with
/// NAME cut short (at a character boundary) so that the result is never
/// longer than `name` itself when `name` is long. A name that fits the
/// file system thus never fails for its temporary file.
pub fn hidden_name(name: &str, tag: &str) -> String {
    let full = format!(".{name}{tag}");
    if full.len() <= SHORT_NAME.max(name.len()) {
        return full;
    }
    let mut keep = name.len().saturating_sub(1 + tag.len());
    while !name.is_char_boundary(keep) {
        keep -= 1;
    }
    format!(".{}{tag}", &name[..keep])
}

/// Current UTC time as RFC 3339 (`2026-11-26T15:46:21Z`).
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    rfc3339(secs)
}

pub(crate) fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// The tag of an output's lock file, `.NAME.covmerge-lock` beside it. It
/// stays after the run: removing a lock file others may hold races.
pub const LOCK_TAG: &str = ".covmerge-lock";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_651_200), "2026-11-26T00:00:00Z");
        assert_eq!(rfc3339(951_782_400 + 3661), "2000-02-29T01:01:01Z");
    }

    #[test]
    fn temporary_names_are_never_longer_than_long_names() {
        assert_eq!(hidden_name("a.json", ".tmp-1"), ".a.json.tmp-1");
        let long = format!("{}.covmerge.json", "é".repeat(110));
        let tag = format!(".tmp-{}", unique_token());
        let tmp = hidden_name(&long, &tag);
        assert!(tmp.len() <= long.len(), "{} > {}", tmp.len(), long.len());
        assert!(tmp.starts_with(".é") && tmp.ends_with(&tag));
    }

    #[test]
    fn atomic_write_to_a_name_at_the_file_system_limit() {
        let dir = std::env::temp_dir().join(format!("covmerge-out-{}", unique_token()));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("x".repeat(250));
        write_atomic(&target, b"one").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"one");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_or_device_is_written_into_never_replaced() {
        use std::os::unix::fs::FileTypeExt;
        // (Not tried on /dev/null: a regression would break the machine.)
        let dir = std::env::temp_dir().join(format!("covmerge-out-{}", unique_token()));
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("pipe");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        write_atomic(&fifo, b"report\n").unwrap();
        assert_eq!(reader.join().unwrap(), b"report\n");
        let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
        assert!(kind.is_fifo(), "the FIFO was replaced by {kind:?}");
        // A symbolic link keeps pointing at its target, which gets the bytes.
        let target = dir.join("target.lcov");
        std::fs::write(&target, "old").unwrap();
        let link = dir.join("link.lcov");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn atomic_write_leaves_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("covmerge-out-{}", unique_token()));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("x.json");
        write_atomic(&target, b"one").unwrap();
        write_atomic(&target, b"two").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
