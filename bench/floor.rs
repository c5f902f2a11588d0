//! The physical floor for reading LCOV on this machine: `floor DIR...` reads
//! every file under each DIR (not recursive) on one thread, as covmerge does
//! (`std::fs::read` of the whole file), splits it into lines with `memchr`
//! and counts the records by kind, summing the numbers of `DA` hit counts so
//! that every byte is looked at. It parses nothing else, merges nothing and
//! allocates one buffer per file: no LCOV reader can be faster per thread.
//! Prints the files, bytes, lines and records of each kind.
//!
//! `floor --parse DIR...` also reads every number a merge needs: both
//! numbers of `DA`, the line, block, branch and count of `BRDA`, the line of
//! `FN` and the count of `FNDA`, summed so that none is skipped. It still
//! merges nothing: a reader that merges cannot be faster than this.

use std::collections::BTreeMap;

fn main() {
    let mut files = 0u64;
    let mut bytes = 0u64;
    let mut lines = 0u64;
    let mut hits = 0u64;
    let mut kinds: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
    let mut counts = [0u64; 16];
    const KINDS: [&[u8]; 16] = [
        b"DA",
        b"BRDA",
        b"FN",
        b"FNDA",
        b"FNF",
        b"FNH",
        b"LF",
        b"LH",
        b"BRF",
        b"BRH",
        b"SF",
        b"TN",
        b"end_of_record",
        b"FNA",
        b"VER",
        b"",
    ];
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let parse = args.first().is_some_and(|a| a == "--parse");
    if parse {
        args.remove(0);
    }
    let mut numbers = 0u64;
    for dir in args {
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("floor: {dir}: {e}"))
            .map(|e| e.expect("floor: directory entry").path())
            .collect();
        paths.sort();
        for path in paths {
            let data = std::fs::read(&path).unwrap_or_else(|e| panic!("floor: {path:?}: {e}"));
            files += 1;
            bytes += data.len() as u64;
            let mut start = 0;
            for end in memchr::memchr_iter(b'\n', &data) {
                let line = &data[start..end];
                start = end + 1;
                lines += 1;
                let tag = memchr::memchr(b':', line).map_or(line, |c| &line[..c]);
                let k = KINDS[..15].iter().position(|k| *k == tag).unwrap_or(15);
                counts[k] += 1;
                if parse {
                    // The numbers of DA, BRDA, FN, FNDA (k = 0..=3), all of them.
                    if k <= 3 {
                        numbers = numbers
                            .wrapping_add(sum_numbers(&line[line.len().min(tag.len() + 1)..]));
                    }
                    continue;
                }
                if k == 0 {
                    // DA:line,hits[,checksum]: sum the hit counts.
                    let mut fields = line[3..].split(|b| *b == b',');
                    let _ = fields.next();
                    if let Some(h) = fields.next() {
                        hits += h.iter().fold(0u64, |n, d| {
                            n.wrapping_mul(10) + u64::from(d.wrapping_sub(b'0'))
                        });
                    }
                }
            }
        }
    }
    for (k, n) in KINDS.iter().zip(counts) {
        if n > 0 {
            let name = if k.is_empty() { b"other".as_slice() } else { k };
            kinds.insert(name.to_vec(), n);
        }
    }
    let records: Vec<String> = kinds
        .iter()
        .map(|(k, n)| format!("{}={n}", String::from_utf8_lossy(k)))
        .collect();
    println!(
        "files={files} bytes={bytes} lines={lines} hits={hits} numbers={numbers} {}",
        records.join(" ")
    );
}

/// Every run of digits in `fields` read as a number, summed (a `-` for an
/// untaken branch reads as nothing): the digit work a parser must do.
fn sum_numbers(fields: &[u8]) -> u64 {
    let (mut sum, mut n) = (0u64, 0u64);
    for &b in fields {
        if b.is_ascii_digit() {
            n = n.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
        } else {
            sum = sum.wrapping_add(n);
            n = 0;
        }
    }
    sum.wrapping_add(n)
}
