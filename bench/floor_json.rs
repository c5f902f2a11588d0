//! The floor for reading coverage.py JSON reports on this machine:
//! `floor_json DIR...` reads every file under each DIR (not recursive) on one
//! thread, as covmerge does (`std::fs::read` of the whole file), and checks
//! that it is JSON with serde_json, keeping nothing
//! (`serde::de::IgnoredAny`). A strict reader cannot do less: it must at
//! least look at every byte and check the syntax. Prints files and bytes.

fn main() {
    let (mut files, mut bytes) = (0u64, 0u64);
    for dir in std::env::args().skip(1) {
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("floor_json: {dir}: {e}"))
            .map(|e| e.expect("floor_json: directory entry").path())
            .collect();
        paths.sort();
        for path in paths {
            let data = std::fs::read(&path).unwrap_or_else(|e| panic!("floor_json: {path:?}: {e}"));
            serde_json::from_slice::<serde::de::IgnoredAny>(&data)
                .unwrap_or_else(|e| panic!("floor_json: {path:?}: {e}"));
            files += 1;
            bytes += data.len() as u64;
        }
    }
    println!("files={files} bytes={bytes}");
}
