//! Exact duplicates among the inputs (an artifact downloaded twice).

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::formats;
use crate::hashing::sha256_hex;

/// Inputs whose bytes equal an earlier input's (index -> index of the
/// first), and the (size, SHA-256) of every file that was hashed. Only
/// files that share a size are read for hashing. SHA-256, not a fast
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
    let candidates: Vec<usize> = by_size
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
