//! coverage.py's raw data files (`.coverage`, `.coverage.<host>.pid…`):
//! SQLite databases, schema version 7 (coverage.py 5.0 and later;
//! docs/INPUTS.md §6.1). Detected by SQLite's magic
//! header, read from the bytes in memory (the input file is never opened
//! by SQLite, so no journal or lock file can appear next to it).
//!
//! The raw data says only what **ran**, per file and context: executed lines
//! (`line_bits.numbits`, statement mode) or executed transitions (`arc`,
//! branch mode). Contexts are unioned, as `coverage combine` does. Which
//! lines are statements, and which arcs belong to branch lines, needs the
//! Python source, so every file is marked
//! [`statements_unknown`](crate::model::FileCoverage::statements_unknown):
//!
//! - `lines`: each executed line with hits 1 (in branch mode, every
//!   positive end of an executed arc, as coverage.py's `lines()` does);
//! - `arcs`: each executed arc whose source is a line (`from > 0`), taken 1;
//!   entries into code objects (negative `from`) and line-0 arcs of empty
//!   modules are dropped. A negative `to` is an exit, numbered as in
//!   coverage.py's JSON, so these arcs line up with a report's.
//!
//! When another input (a coverage.py JSON or LCOV report of another worker)
//! has the same file, its statements and branch arcs decide and these hits
//! are added to them, lines inside multi-line statements counted for their
//! statement ([`FileCoverage::statement_of`]). Otherwise `--python` has the
//! user's coverage.py analyse them ([`crate::pyanalysis`]); a file still
//! unknown is left out of the table and the total (docs/RAWDATA.md).

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::{Diagnostics, InputFormat};
use crate::error::{Error, Result};
use crate::model::{CoverageData, FileCoverage, Source};

/// The coverage.py raw data (SQLite) reader.
pub struct CoveragePySqlite;

/// The first 16 bytes of every SQLite 3 database.
pub const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// The schema version this reader knows.
const SCHEMA_VERSION: i64 = 7;

impl InputFormat for CoveragePySqlite {
    fn name(&self) -> &'static str {
        "coverage.py data"
    }

    fn detect(&self, _text: &str) -> bool {
        false // binary: see detect_bytes
    }

    fn read(&self, path: &Path, _text: &str, _diag: &mut Diagnostics) -> Result<CoverageData> {
        Err(Error::parse(
            path,
            None,
            "a coverage.py data file is binary (SQLite) and cannot be read as text",
        ))
    }

    fn detect_bytes(&self, bytes: &[u8]) -> bool {
        bytes.starts_with(SQLITE_MAGIC)
    }

    fn read_bytes(
        &self,
        path: &Path,
        bytes: &[u8],
        diag: &mut Diagnostics,
    ) -> Result<CoverageData> {
        let sql = |e: rusqlite::Error| {
            Error::parse(
                path,
                None,
                format!("not a readable coverage.py data file: {e}"),
            )
        };
        let mut conn = Connection::open_in_memory_with_flags(
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sql)?;
        conn.deserialize_read_exact(rusqlite::MAIN_DB, bytes, bytes.len(), true)
            .map_err(sql)?;

        let has_table = |name: &str| -> Result<bool> {
            conn.query_row(
                "select count(*) from sqlite_master where type = 'table' and name = ?1",
                [name],
                |row| row.get::<_, i64>(0),
            )
            .map(|n| n > 0)
            .map_err(sql)
        };
        check_schema(&conn).map_err(|m| Error::parse(path, None, m))?;
        let mut budget = super::Budget::new(bytes.len(), LINES_PER_BYTE, 1 << 20);
        if !has_table("coverage_schema")? || !has_table("file")? {
            return Err(Error::parse(
                path,
                None,
                "an SQLite database, but not a coverage.py data file (no coverage_schema or \
                 file table)",
            ));
        }
        let schema: i64 = conn
            .query_row("select version from coverage_schema", [], |r| r.get(0))
            .map_err(sql)?;
        if schema != SCHEMA_VERSION {
            diag.warn(
                None,
                format!(
                    "coverage.py data schema version {schema}; this reader knows version \
                     {SCHEMA_VERSION} and reads it the same way"
                ),
            );
        }
        let meta: BTreeMap<String, String> = if has_table("meta")? {
            let mut stmt = conn.prepare("select key, value from meta").map_err(sql)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
                })
                .map_err(sql)?;
            let mut meta = BTreeMap::new();
            for row in rows {
                let (k, v) = row.map_err(sql)?;
                meta.insert(k, v.unwrap_or_default());
            }
            meta
        } else {
            BTreeMap::new()
        };

        let mut names: BTreeMap<i64, String> = BTreeMap::new();
        {
            let mut stmt = conn.prepare("select id, path from file").map_err(sql)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
                .map_err(sql)?;
            for row in rows {
                let (id, name) = row.map_err(sql)?;
                names.insert(id, name);
            }
        }
        // Rows come grouped by file: each file's lines and arcs are
        // gathered in flat lists (the last file found is remembered, not
        // looked up per row) and each map is built in one pass at the end.
        let mut gathered: Vec<Gathered> = names.keys().map(|_| Gathered::default()).collect();
        let slots: BTreeMap<i64, usize> =
            names.keys().enumerate().map(|(i, id)| (*id, i)).collect();
        let mut last: Option<(i64, usize)> = None;
        let mut slot_of = |id: i64| -> Option<usize> {
            match last {
                Some((last_id, slot)) if last_id == id => Some(slot),
                _ => {
                    let slot = *slots.get(&id)?;
                    last = Some((id, slot));
                    Some(slot)
                }
            }
        };
        let mut unknown_ids = 0usize;

        if has_table("line_bits")? {
            let too_long: i64 = conn
                .query_row(
                    "select count(*) from line_bits where length(numbits) > ?1",
                    [MAX_NUMBITS],
                    |r| r.get(0),
                )
                .map_err(sql)?;
            if too_long > 0 {
                diag.warn(
                    None,
                    format!(
                        "{too_long} line_bits row(s) longer than {MAX_NUMBITS} bytes (line \
                         {}); ignored",
                        MAX_NUMBITS * 8
                    ),
                );
            }
            let mut stmt = conn
                .prepare("select file_id, numbits from line_bits where length(numbits) <= ?1")
                .map_err(sql)?;
            let mut rows = stmt.query([MAX_NUMBITS]).map_err(sql)?;
            while let Some(row) = rows.next().map_err(sql)? {
                let id: i64 = row.get(0).map_err(sql)?;
                let numbits = blob(row, 1).map_err(sql)?;
                let set: u32 = numbits.iter().map(|b| b.count_ones()).sum();
                budget
                    .take(u64::from(set))
                    .map_err(|m| Error::parse(path, None, format!("line_bits: {m}")))?;
                let Some(slot) = slot_of(id) else {
                    unknown_ids += 1;
                    continue;
                };
                gathered[slot].lines.extend(numbits_to_lines(numbits));
            }
        }
        let mut any_arcs = false;
        if has_table("arc")? {
            let mut stmt = conn
                .prepare("select file_id, fromno, tono from arc")
                .map_err(sql)?;
            let mut rows = stmt.query([]).map_err(sql)?;
            while let Some(row) = rows.next().map_err(sql)? {
                let id: i64 = row.get(0).map_err(sql)?;
                let from: i64 = row.get(1).map_err(sql)?;
                let to: i64 = row.get(2).map_err(sql)?;
                let Some(slot) = slot_of(id) else {
                    unknown_ids += 1;
                    continue;
                };
                any_arcs = true;
                let file = &mut gathered[slot];
                for end in [from, to] {
                    if let Ok(line) = u32::try_from(end) {
                        if line > 0 {
                            file.lines.push(line);
                        }
                    }
                }
                if let Ok(from) = u32::try_from(from) {
                    if from > 0 && to != 0 {
                        file.arcs.push((from, to));
                    }
                }
            }
        }
        let files: BTreeMap<i64, FileCoverage> = (names.keys())
            .zip(gathered)
            .map(|(id, g)| (*id, g.into_file()))
            .collect();
        if unknown_ids > 0 {
            diag.warn(
                None,
                format!("{unknown_ids} data row(s) name a file id that is not in the file table; ignored"),
            );
        }

        let mut data = CoverageData {
            branch_coverage: any_arcs || meta.get("has_arcs").is_some_and(|v| v == "1"),
            ..Default::default()
        };
        for (id, file) in files {
            let name = names.remove(&id).unwrap_or_default();
            match data.files.get_mut(&name) {
                Some(existing) => existing.merge(file),
                None => {
                    data.files.insert(name, file);
                }
            }
        }
        data.sources.push(Source {
            converted_from: Some(format!("coverage.py data {schema}")),
            producer: meta.get("version").map(|v| format!("coverage.py {v}")),
            ..Default::default()
        });
        Ok(data)
    }
}

/// Column `i` as a blob borrowed from the row; any other type gives the
/// error `row.get::<Vec<u8>>` gives (it names the column and the type).
fn blob<'r>(row: &'r rusqlite::Row, i: usize) -> rusqlite::Result<&'r [u8]> {
    match row.get_ref(i)?.as_blob() {
        Ok(bytes) => Ok(bytes),
        Err(_) => row.get::<_, Vec<u8>>(i).map(|_| &[][..]),
    }
}

/// One file's rows as read: lines (repeated, any order) and arcs.
#[derive(Default)]
struct Gathered {
    lines: Vec<u32>,
    arcs: Vec<(u32, i64)>,
}

impl Gathered {
    /// The file of raw data: each line ran, each arc was taken.
    fn into_file(mut self) -> FileCoverage {
        self.lines.sort_unstable();
        self.lines.dedup();
        self.arcs.sort_unstable();
        self.arcs.dedup();
        FileCoverage {
            statements_unknown: true,
            lines: self.lines.into_iter().map(|l| (l, 1)).collect(),
            arcs: self.arcs.into_iter().map(|a| (a, Some(1))).collect(),
            ..Default::default()
        }
    }
}

/// Executed lines per byte of the database: numbits hold 8 per byte.
const LINES_PER_BYTE: u64 = 16;

/// The longest `numbits` blob read: 8 Mi lines, far past any source file.
const MAX_NUMBITS: i64 = 1 << 20;

/// The tables this reader reads must be plain tables: a view, a virtual
/// table or a generated column is computed by SQLite when it is read, so a
/// small file could make it compute gigabytes.
fn check_schema(conn: &Connection) -> std::result::Result<(), String> {
    let tables = ["coverage_schema", "meta", "file", "line_bits", "arc"];
    for name in tables {
        let found: Option<(String, Option<String>)> = conn
            .query_row(
                "select type, sql from sqlite_master where name = ?1",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ok();
        let Some((kind, sql)) = found else { continue };
        if kind != "table" {
            return Err(format!("{name} is a {kind}, not a table; not read"));
        }
        let sql = sql.unwrap_or_default().to_ascii_lowercase();
        if sql.trim_start().starts_with("create virtual") {
            return Err(format!("{name} is a virtual table; not read"));
        }
        let generated: i64 = conn
            .query_row(
                &format!("select count(*) from pragma_table_xinfo('{name}') where hidden != 0"),
                [],
                |r| r.get(0),
            )
            .map_err(|e| format!("{name}: {e}"))?;
        if generated > 0 {
            return Err(format!(
                "{name} has generated or hidden columns (computed when read); not read"
            ));
        }
    }
    Ok(())
}

/// coverage.py's numbits: bit `n % 8` of byte `n / 8` means line `n` ran.
/// Line 0 does not exist and is skipped.
pub fn numbits_to_lines(numbits: &[u8]) -> impl Iterator<Item = u32> + '_ {
    numbits.iter().enumerate().flat_map(|(i, byte)| {
        (0..8u32).filter_map(move |bit| {
            let line = u32::try_from(i).ok()?.checked_mul(8)?.checked_add(bit)?;
            (byte & (1 << bit) != 0 && line > 0).then_some(line)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbits_decode_like_coveragepy() {
        // docs/INPUTS.md §6.2: lines {1,2,3,4,8,12} -> b'\x1e\x11'.
        let lines: Vec<u32> = numbits_to_lines(b"\x1e\x11").collect();
        assert_eq!(lines, [1, 2, 3, 4, 8, 12]);
        assert_eq!(numbits_to_lines(b"\x01").count(), 0);
    }

    /// Build a small data file the way coverage.py lays it out.
    fn database(statements: &str) -> Vec<u8> {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "create table coverage_schema (version integer);
             insert into coverage_schema values (7);
             create table meta (key text, value text, unique (key));
             create table file (id integer primary key, path text, unique (path));
             create table context (id integer primary key, context text, unique (context));
             create table line_bits (file_id integer, context_id integer, numbits blob,
                                     unique (file_id, context_id));
             create table arc (file_id integer, context_id integer, fromno integer,
                               tono integer, unique (file_id, context_id, fromno, tono));
             create table tracer (file_id integer primary key, tracer text);",
        )
        .unwrap();
        conn.execute_batch(statements).unwrap();
        conn.serialize(rusqlite::MAIN_DB).unwrap().to_vec()
    }

    fn read(bytes: &[u8]) -> (CoverageData, Diagnostics) {
        let mut diag = Diagnostics::default();
        assert!(CoveragePySqlite.detect_bytes(bytes));
        let data = CoveragePySqlite
            .read_bytes(Path::new(".coverage"), bytes, &mut diag)
            .unwrap();
        (data, diag)
    }

    #[test]
    fn line_bits_are_unioned_over_contexts() {
        let bytes = database(
            "insert into meta values ('version', '7.17.5'), ('has_arcs', '0');
             insert into file values (1, '/w/p/a.py');
             insert into context values (1, ''), (2, 'test_x');
             insert into line_bits values (1, 1, x'1e'), (1, 2, x'0011');",
        );
        let (data, diag) = read(&bytes);
        assert!(diag.warnings.is_empty());
        assert!(!data.branch_coverage);
        let f = &data.files["/w/p/a.py"];
        assert!(f.statements_unknown);
        assert_eq!(
            f.lines.keys().copied().collect::<Vec<_>>(),
            [1, 2, 3, 4, 8, 12]
        );
        assert_eq!(
            data.sources[0].producer.as_deref(),
            Some("coverage.py 7.17.5")
        );
    }

    #[test]
    fn arcs_keep_exits_and_drop_entries() {
        let bytes = database(
            "insert into meta values ('has_arcs', '1');
             insert into file values (1, 'a.py'), (2, 'empty.py');
             insert into context values (1, '');
             insert into arc values (1,1,-1,1), (1,1,1,2), (1,1,2,-1), (1,1,-2,3), (1,1,3,-2),
                                    (2,1,-1,0), (2,1,0,-1);",
        );
        let (data, _) = read(&bytes);
        assert!(data.branch_coverage);
        let f = &data.files["a.py"];
        assert_eq!(f.lines.keys().copied().collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(
            f.arcs.keys().copied().collect::<Vec<_>>(),
            [(1, 2), (2, -1), (3, -2)]
        );
        assert!(data.files["empty.py"].lines.is_empty());
    }

    #[test]
    fn other_sqlite_and_garbage_are_clear_errors() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("create table t (x)").unwrap();
        let other = conn.serialize(rusqlite::MAIN_DB).unwrap().to_vec();
        let mut truncated = SQLITE_MAGIC.to_vec();
        truncated.extend_from_slice(&[0xff; 40]);
        for bytes in [other, truncated] {
            let err = CoveragePySqlite
                .read_bytes(
                    Path::new("d/.coverage"),
                    &bytes,
                    &mut Diagnostics::default(),
                )
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("d/.coverage: "), "{err}");
        }
    }
}
