//! Exact duplicates among the inputs (an artifact downloaded twice).

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::formats;
use crate::hashing::sha256_hex;

/// Bytes read from each of the start, middle and end of a file.
const SAMPLE: u64 = 4096;

/// SHA-256 of a few KiB from the start, middle and end of a `size`-byte
/// file: files whose samples differ are different. `None` when it cannot
/// be read (a file that vanished then is not a duplicate of anything).
fn sample(path: &Path, size: u64) -> Option<[u8; 32]> {
    use sha2::Digest;
    let mut file = std::fs::File::open(path).ok()?;
    let mut bytes = Vec::with_capacity(3 * SAMPLE as usize);
    for offset in [0, size / 2, size.saturating_sub(SAMPLE)] {
        file.seek(SeekFrom::Start(offset)).ok()?;
        (&mut file).take(SAMPLE).read_to_end(&mut bytes).ok()?;
    }
    Some(sha2::Sha256::digest(&bytes).into())
}

/// Inputs whose bytes equal an earlier input's (index -> index of the
/// first), and the (size, SHA-256) of every file that was hashed. Only
/// files that share a size and a sample are read for hashing. SHA-256, not a fast
/// 64-bit hash: two different inputs must never be taken for one.
#[allow(clippy::type_complexity)]
pub(super) fn find_duplicates(
    paths: &[PathBuf],
) -> (HashMap<usize, usize>, HashMap<usize, (u64, String)>) {
    let mut by_size: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, p) in paths.iter().enumerate() {
        if let Ok(meta) = std::fs::metadata(p) {
            if meta.is_file() {
                by_size.entry(meta.len()).or_default().push(i);
            }
        }
    }
    let same_size: Vec<(usize, u64)> = by_size
        .into_iter()
        .filter(|(_, group)| group.len() > 1)
        .flat_map(|(size, group)| group.into_iter().map(move |i| (i, size)))
        .collect();
    // Files of one size are common (SQLite pages, fixed-width reports):
    // compare a sample of each first, and read whole only the files whose
    // samples agree.
    let samples: Vec<((u64, Option<[u8; 32]>), usize)> = same_size
        .par_iter()
        .map(|&(i, size)| ((size, sample(&paths[i], size)), i))
        .collect();
    let mut by_sample: HashMap<(u64, Option<[u8; 32]>), Vec<usize>> = HashMap::new();
    for (key, i) in samples {
        by_sample.entry(key).or_default().push(i);
    }
    let candidates: Vec<usize> = by_sample
        .into_values()
        .filter(|group| group.len() > 1)
        .flatten()
        .collect();
    let hashes: Vec<(usize, Option<(u64, String)>)> = candidates
        .par_iter()
        .map(|&i| {
            let _in_flight = formats::reserve(&paths[i]);
            let hash = formats::read_input_bytes(&paths[i])
                .ok()
                .map(|b| (b.len() as u64, sha256_hex(&b)));
            (i, hash)
        })
        .collect();
    let mut first_of: HashMap<(u64, String), usize> = HashMap::new();
    let mut sorted = hashes;
    sorted.sort_by_key(|(i, _)| *i);
    let mut duplicates = HashMap::new();
    let mut known = HashMap::new();
    for (i, hash) in sorted {
        if let Some(hash) = hash {
            known.insert(i, hash.clone());
            match first_of.get(&hash) {
                Some(&first) => {
                    duplicates.insert(i, first);
                }
                None => {
                    first_of.insert(hash, i);
                }
            }
        }
    }
    (duplicates, known)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only byte-identical files are duplicates: two files of one size
    /// that differ only outside the sampled parts are told apart by the
    /// whole-file hash.
    #[test]
    fn same_sample_is_not_same_file() {
        let dir = std::env::temp_dir().join(format!("covmerge-dedupe-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text: String = (1..3000).map(|i| format!("DA:{i},{}\n", i % 7)).collect();
        let a = text.into_bytes();
        let size = a.len() as u64;
        assert!(size > 20_000);
        let digit_at = |from: usize| from + a[from..].iter().position(u8::is_ascii_digit).unwrap();
        let mut b = a.clone();
        b[digit_at(6_000)] ^= 1; // between the start and middle samples: still a digit
        let mut c = a.clone();
        c[digit_at(100)] ^= 1; // in the first sample
        let paths: Vec<PathBuf> = [("a", &a), ("b", &b), ("a2", &a), ("c", &c)]
            .iter()
            .map(|(name, bytes)| {
                let path = dir.join(name);
                std::fs::write(&path, bytes).unwrap();
                path
            })
            .collect();
        assert_eq!(sample(&paths[0], size), sample(&paths[1], size));
        assert_ne!(sample(&paths[0], size), sample(&paths[3], size));
        let (duplicates, hashes) = find_duplicates(&paths);
        assert_eq!(duplicates, HashMap::from([(2, 0)]));
        // The three with one sample were hashed whole; `c` was not.
        let mut hashed: Vec<usize> = hashes.keys().copied().collect();
        hashed.sort_unstable();
        assert_eq!(hashed, [0, 1, 2]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
