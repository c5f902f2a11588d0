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
//!
//! The small tables are read through SQLite; the rows of `line_bits` and
//! `arc` straight from the pages ([`pages`]) when they are laid out as
//! SQLite lays out a plain table, and through SQLite otherwise.

mod pages;

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::{Budget, Diagnostics, InputFormat};
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
        read_database(path, bytes, diag, true)
    }
}

/// A data file's content; with `from_pages`, the rows of `line_bits` and
/// `arc` are read from the pages when they can be (see [`pages`]).
fn read_database(
    path: &Path,
    bytes: &[u8],
    diag: &mut Diagnostics,
    from_pages: bool,
) -> Result<CoverageData> {
    let mut conn = Connection::open_in_memory_with_flags(
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql_error(path))?;
    conn.deserialize_read_exact(rusqlite::MAIN_DB, bytes, bytes.len(), true)
        .map_err(sql_error(path))?;
    let Small {
        schema,
        meta,
        mut names,
    } = small_tables(&conn, path, diag)?;

    let tables = data_tables(&conn);
    let mut rows = Rows::new(&names, bytes.len());
    if !(from_pages && rows.read_pages(&conn, bytes, &tables, diag)) {
        rows = Rows::new(&names, bytes.len());
        rows.read_sql(&conn, &tables, diag)
            .map_err(|e| e.into_error(path))?;
    }
    let Rows {
        gathered,
        unknown_ids,
        any_arcs,
        ..
    } = rows;
    let files: BTreeMap<i64, FileCoverage> = (names.keys())
        .zip(gathered)
        .map(|(id, g)| (*id, g.into_file()))
        .collect();
    if unknown_ids > 0 {
        diag.warn(
            None,
            format!(
                "{unknown_ids} data row(s) name a file id that is not in the file table; ignored"
            ),
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

/// SQLite's error as the reader's, naming the file.
fn sql_error(path: &Path) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |e| {
        Error::parse(
            path,
            None,
            format!("not a readable coverage.py data file: {e}"),
        )
    }
}

/// What the small tables say: the schema version, `meta`'s keys, and the
/// file names by id.
struct Small {
    schema: i64,
    meta: BTreeMap<String, String>,
    names: BTreeMap<i64, String>,
}

/// The small tables, read through SQLite, after the checks that this is a
/// coverage.py data file made of plain tables.
fn small_tables(conn: &Connection, path: &Path, diag: &mut Diagnostics) -> Result<Small> {
    let sql = sql_error(path);
    let has_table = |name: &str| -> Result<bool> {
        conn.query_row(
            "select count(*) from sqlite_master where type = 'table' and name = ?1",
            [name],
            |row| row.get::<_, i64>(0),
        )
        .map(|n| n > 0)
        .map_err(&sql)
    };
    check_schema(conn).map_err(|m| Error::parse(path, None, m))?;
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
        .map_err(&sql)?;
    if schema != SCHEMA_VERSION {
        diag.warn(
            None,
            format!(
                "coverage.py data schema version {schema}; this reader knows version \
                 {SCHEMA_VERSION} and reads it the same way"
            ),
        );
    }
    let mut meta = BTreeMap::new();
    if has_table("meta")? {
        let mut stmt = conn.prepare("select key, value from meta").map_err(&sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
            })
            .map_err(&sql)?;
        for row in rows {
            let (k, v) = row.map_err(&sql)?;
            meta.insert(k, v.unwrap_or_default());
        }
    }
    let mut names = BTreeMap::new();
    let mut stmt = conn.prepare("select id, path from file").map_err(&sql)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .map_err(&sql)?;
    for row in rows {
        let (id, name) = row.map_err(&sql)?;
        names.insert(id, name);
    }
    Ok(Small {
        schema,
        meta,
        names,
    })
}

/// The tables of rows (`line_bits`, `arc`) the database has, with their
/// root pages.
fn data_tables(conn: &Connection) -> [Table; 2] {
    ["line_bits", "arc"].map(|name| {
        let root: Option<i64> = conn
            .query_row(
                "select rootpage from sqlite_master where type = 'table' and name = ?1",
                [name],
                |r| r.get(0),
            )
            .ok();
        root.map(|root| (name, root))
    })
}

/// The data rows of one database as they are read: each file's lines and
/// arcs gathered in flat lists, each map built in one pass at the end.
/// Rows come grouped by file, so the last file found is remembered, not
/// looked up per row. Both ways of reading the rows hand them here.
struct Rows {
    gathered: Vec<Gathered>,
    slots: BTreeMap<i64, usize>,
    last: Option<(i64, usize)>,
    unknown_ids: usize,
    any_arcs: bool,
    budget: Budget,
}

/// Why the rows could not be read.
enum RowError {
    Sql(rusqlite::Error),
    Budget(String),
}

impl RowError {
    fn into_error(self, path: &Path) -> Error {
        match self {
            RowError::Sql(e) => sql_error(path)(e),
            RowError::Budget(m) => Error::parse(path, None, format!("line_bits: {m}")),
        }
    }
}

impl From<rusqlite::Error> for RowError {
    fn from(e: rusqlite::Error) -> RowError {
        RowError::Sql(e)
    }
}

/// A data table and its root page, when the database has it.
type Table = Option<(&'static str, i64)>;

impl Rows {
    fn new(names: &BTreeMap<i64, String>, len: usize) -> Rows {
        Rows {
            gathered: names.keys().map(|_| Gathered::default()).collect(),
            slots: names.keys().enumerate().map(|(i, id)| (*id, i)).collect(),
            last: None,
            unknown_ids: 0,
            any_arcs: false,
            budget: Budget::new(len, LINES_PER_BYTE, 1 << 20),
        }
    }

    /// The gathered lists of file `id`; `None` (counted) for an id that
    /// is not in the file table.
    fn file(&mut self, id: i64) -> Option<&mut Gathered> {
        let slot = match self.last {
            Some((last_id, slot)) if last_id == id => slot,
            _ => match self.slots.get(&id) {
                Some(slot) => {
                    self.last = Some((id, *slot));
                    *slot
                }
                None => {
                    self.unknown_ids += 1;
                    return None;
                }
            },
        };
        self.gathered.get_mut(slot)
    }

    /// A `line_bits` row: the lines of one file and context.
    fn line_bits(&mut self, id: i64, numbits: &[u8]) -> Result<(), String> {
        let set: u32 = numbits.iter().map(|b| b.count_ones()).sum();
        self.budget.take(u64::from(set))?;
        if let Some(file) = self.file(id) {
            file.lines.extend(numbits_to_lines(numbits));
        }
        Ok(())
    }

    /// An `arc` row: both ends ran (the positive ones are lines), and the
    /// arc was taken when it leaves a line.
    fn arc(&mut self, id: i64, from: i64, to: i64) {
        let Some(file) = self.file(id) else { return };
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
        self.any_arcs = true;
    }

    /// The rows through SQLite.
    fn read_sql(
        &mut self,
        conn: &Connection,
        tables: &[Table; 2],
        diag: &mut Diagnostics,
    ) -> Result<(), RowError> {
        if tables[0].is_some() {
            let too_long: i64 = conn.query_row(
                "select count(*) from line_bits where length(numbits) > ?1",
                [MAX_NUMBITS],
                |r| r.get(0),
            )?;
            warn_too_long(diag, too_long);
            let mut stmt =
                conn.prepare("select file_id, numbits from line_bits where length(numbits) <= ?1")?;
            let mut rows = stmt.query([MAX_NUMBITS])?;
            while let Some(row) = rows.next()? {
                let id: i64 = row.get(0)?;
                let numbits = blob(row, 1)?;
                self.line_bits(id, numbits).map_err(RowError::Budget)?;
            }
        }
        if tables[1].is_some() {
            let mut stmt = conn.prepare("select file_id, fromno, tono from arc")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                self.arc(row.get(0)?, row.get(1)?, row.get(2)?);
            }
        }
        Ok(())
    }

    /// The rows straight from the pages (see [`pages`]); `false` when a
    /// table is not laid out as this reads it, or a value is not of the
    /// type SQLite would hand over without an error: the caller then reads
    /// them all again through SQLite.
    fn read_pages(
        &mut self,
        conn: &Connection,
        bytes: &[u8],
        tables: &[Table; 2],
        diag: &mut Diagnostics,
    ) -> bool {
        let Some(mut pages) = pages::Pages::new(bytes) else {
            return false;
        };
        let mut too_long = 0i64;
        let mut read = |rows: &mut Rows, (name, root): (&str, i64), columns: &[&str]| {
            let at = column_positions(conn, name, columns)?;
            let want = at.iter().max()? + 1;
            // For each of a record's first `want` values, where it goes.
            let mut slot_of = [None; pages::MAX_COLUMNS];
            for (slot, column) in at.iter().enumerate() {
                *slot_of.get_mut(*column)? = Some(slot);
            }
            pages.table_rows(u32::try_from(root).ok()?, |payload| {
                // The values of `columns`, in their order.
                let mut got = [pages::Value::Null; 3];
                let mut record = pages::Record::new(payload)?;
                for slot in &slot_of[..want] {
                    let value = record.next_value()?;
                    if let Some(slot) = slot {
                        got[*slot] = value;
                    }
                }
                let int = |i: usize| match got[i] {
                    pages::Value::Int(n) => Some(n),
                    _ => None,
                };
                if name == "arc" {
                    rows.arc(int(0)?, int(1)?, int(2)?);
                    return Some(());
                }
                match got[1] {
                    // `length(null)` is null: neither counted nor read.
                    pages::Value::Null => Some(()),
                    pages::Value::Blob(b) if b.len() as u64 > MAX_NUMBITS as u64 => {
                        too_long += 1;
                        Some(())
                    }
                    pages::Value::Blob(b) => rows.line_bits(int(0)?, b).ok(),
                    _ => None,
                }
            })
        };
        let [line_bits, arc] = *tables;
        if let Some(table) = line_bits {
            if read(self, table, &["file_id", "numbits"]).is_none() {
                return false;
            }
        }
        if let Some(table) = arc {
            if read(self, table, &["file_id", "fromno", "tono"]).is_none() {
                return false;
            }
        }
        if line_bits.is_some() {
            warn_too_long(diag, too_long);
        }
        true
    }
}

/// Where each of `columns` is in `table`'s records.
fn column_positions(conn: &Connection, table: &str, columns: &[&str]) -> Option<Vec<usize>> {
    let mut stmt = conn
        .prepare("select cid from pragma_table_info(?1) where name = ?2")
        .ok()?;
    columns
        .iter()
        .map(|c| {
            let cid: i64 = stmt.query_row([table, c], |r| r.get(0)).ok()?;
            usize::try_from(cid).ok()
        })
        .collect()
}

fn warn_too_long(diag: &mut Diagnostics, too_long: i64) {
    if too_long > 0 {
        diag.warn(
            None,
            format!(
                "{too_long} line_bits row(s) longer than {MAX_NUMBITS} bytes (line {}); ignored",
                MAX_NUMBITS * 8
            ),
        );
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

    /// coverage.py's tables (its `sqldata.py`, schema version 7).
    const SCHEMA: &str = "create table coverage_schema (version integer);
         insert into coverage_schema values (7);
         create table meta (key text, value text, unique (key));
         create table file (id integer primary key, path text, unique (path));
         create table context (id integer primary key, context text, unique (context));
         create table line_bits (file_id integer, context_id integer, numbits blob,
                                 unique (file_id, context_id));
         create table arc (file_id integer, context_id integer, fromno integer,
                           tono integer, unique (file_id, context_id, fromno, tono));
         create table tracer (file_id integer primary key, tracer text);";

    /// Build a small data file the way coverage.py lays it out.
    fn database(statements: &str) -> Vec<u8> {
        database_of("", SCHEMA, statements)
    }

    /// A database made by `pragmas`, then `schema`, then `statements`.
    fn database_of(pragmas: &str, schema: &str, statements: &str) -> Vec<u8> {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(pragmas).unwrap();
        conn.execute_batch(schema).unwrap();
        conn.execute_batch(statements).unwrap();
        conn.serialize(rusqlite::MAIN_DB).unwrap().to_vec()
    }

    /// Whether the rows of `bytes` are read from its pages (`read_pages`
    /// takes them), as [`read_database`] would try first.
    fn read_from_pages(bytes: &[u8]) -> bool {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.deserialize_read_exact(rusqlite::MAIN_DB, bytes, bytes.len(), true)
            .unwrap();
        let mut stmt = conn.prepare("select id, path from file").unwrap();
        let names: BTreeMap<i64, String> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let tables = data_tables(&conn);
        Rows::new(&names, bytes.len()).read_pages(
            &conn,
            bytes,
            &tables,
            &mut Diagnostics::default(),
        )
    }

    /// Read `bytes` both ways and check that they agree: the same data or
    /// the same error, the same warnings.
    fn both_ways(bytes: &[u8]) -> std::result::Result<CoverageData, String> {
        let path = Path::new("w/.coverage");
        let (mut pages, mut sql) = (Diagnostics::default(), Diagnostics::default());
        let from_pages = read_database(path, bytes, &mut pages, true).map_err(|e| e.to_string());
        let through_sql = read_database(path, bytes, &mut sql, false).map_err(|e| e.to_string());
        assert_eq!(from_pages, through_sql);
        assert_eq!(pages.warnings, sql.warnings);
        from_pages
    }

    /// Values whose serial types take each integer width SQLite has.
    const EDGES: [i64; 20] = [
        -1,
        -2,
        0,
        1,
        2,
        127,
        128,
        255,
        256,
        32767,
        32768,
        8_388_607,
        8_388_608,
        2_147_483_647,
        2_147_483_648,
        4_294_967_296,
        1 << 40,
        -(1 << 40),
        i64::MAX,
        i64::MIN,
    ];

    /// A data file of random rows laid out in pages of `page_size` bytes
    /// (with pointer-map pages when `vacuum`): trees of several levels,
    /// numbits that spill over chains of overflow pages, rows of file ids
    /// not in the file table, `null` numbits, and free blocks where rows
    /// were deleted.
    fn random_database(seed: u64, page_size: u32, vacuum: bool, reserved: i32) -> Vec<u8> {
        let mut next = crate::testing::xorshift(seed);
        // A file, not memory: SQLite's in-memory files keep no reserved bytes.
        let dir = std::env::temp_dir().join(format!(
            "covmerge-pages-{}-{seed}-{page_size}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(".coverage");
        let _ = std::fs::remove_file(&file);
        let conn = Connection::open(&file).unwrap();
        conn.execute_batch(&format!(
            "pragma page_size = {page_size}; pragma auto_vacuum = {};
             pragma journal_mode = off; pragma synchronous = off;",
            u8::from(vacuum)
        ))
        .unwrap();
        if reserved > 0 {
            // Bytes kept free at the end of every page (a checksum or
            // encryption extension's); only the C interface sets them.
            let mut n = reserved;
            let rc = unsafe {
                rusqlite::ffi::sqlite3_file_control(
                    conn.handle(),
                    c"main".as_ptr(),
                    rusqlite::ffi::SQLITE_FCNTL_RESERVE_BYTES,
                    (&mut n as *mut i32).cast(),
                )
            };
            assert_eq!(rc, 0);
        }
        conn.execute_batch(SCHEMA).unwrap();
        conn.execute_batch(
            "insert into meta values ('version', '7.6.1'), ('has_arcs', '1');
             insert into context values (1, ''), (2, 'test_a');",
        )
        .unwrap();
        let files = 1 + next(12) as i64;
        for id in 1..=files {
            conn.execute(
                "insert into file values (?1, ?2)",
                rusqlite::params![id, format!("/w/p/m{id}.py")],
            )
            .unwrap();
        }
        let file_id = |r: u64| {
            if r == 0 {
                files + 5
            } else {
                1 + (r as i64 % files)
            }
        };
        for id in 1..=files + 1 {
            for context in 1..=2 {
                let numbits: Option<Vec<u8>> = match next(10) {
                    0 => None,
                    1 => Some((0..next(9000)).map(|_| next(256) as u8).collect()),
                    _ => Some((0..next(300)).map(|_| next(256) as u8).collect()),
                };
                let id = if id > files { files + 7 } else { id };
                conn.execute(
                    "insert or ignore into line_bits values (?1, ?2, ?3)",
                    rusqlite::params![id, context, numbits],
                )
                .unwrap();
            }
        }
        let mut insert = conn
            .prepare("insert or ignore into arc values (?1, ?2, ?3, ?4)")
            .unwrap();
        for _ in 0..next(6000) {
            let mut end = || {
                if next(8) == 0 {
                    EDGES[next(EDGES.len() as u64) as usize]
                } else {
                    next(400) as i64 - 20
                }
            };
            let (from, to) = (end(), end());
            insert
                .execute(rusqlite::params![
                    file_id(next(40)),
                    1 + next(2) as i64,
                    from,
                    to
                ])
                .unwrap();
        }
        drop(insert);
        conn.execute_batch(
            "delete from arc where rowid % 7 = 3; delete from line_bits where rowid % 5 = 1;",
        )
        .unwrap();
        if reserved > 0 {
            // The reserve asked for is laid out when the file is rewritten.
            conn.execute_batch("vacuum").unwrap();
        }
        drop(conn);
        let bytes = std::fs::read(&file).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        bytes
    }

    #[test]
    fn rows_from_the_pages_are_the_rows_through_sqlite() {
        let mut read = 0;
        for (seed, page_size) in (1..=24u64).zip([512, 1024, 4096, 65536].into_iter().cycle()) {
            let reserved = [0, 0, 8, 32][seed as usize % 4];
            let bytes = random_database(seed * 7919, page_size, seed % 3 == 0, reserved);
            assert_eq!(i32::from(bytes[20]), reserved, "seed {seed}");
            assert!(read_from_pages(&bytes), "seed {seed}");
            let data = both_ways(&bytes).unwrap();
            read += data.files.values().map(|f| f.arcs.len()).sum::<usize>();
        }
        assert!(read > 10_000, "{read}");
        // A numbits longer than the reader takes: counted and skipped.
        let long = database(&format!(
            "insert into file values (1, 'a.py'), (2, 'b.py');
             insert into line_bits values (1, 1, zeroblob({})), (2, 1, x'02');",
            MAX_NUMBITS + 1
        ));
        assert!(read_from_pages(&long));
        both_ways(&long).unwrap();
    }

    #[test]
    fn tables_the_pages_do_not_read_are_read_through_sqlite() {
        let odd = [
            // Values SQLite does not hand over as integers or blobs.
            (SCHEMA, "insert into file values (1, 'a.py'); insert into arc values (1, 1, 'x', 2);"),
            (SCHEMA, "insert into file values (1, 'a.py'); insert into arc values (1.5, 1, 1, 2);"),
            (SCHEMA, "insert into file values (1, 'a.py'); insert into arc values (null, 1, 1, 2);"),
            (SCHEMA, "insert into file values (1, 'a.py'); insert into line_bits values (1, 1, 'x');"),
            (SCHEMA, "insert into file values (1, 'a.py'); insert into line_bits values (1, 1, 7);"),
            (SCHEMA, "insert into file values (1, 'a.py'); insert into line_bits values ('x', 1, x'02');"),
            // Records older than a column added later.
            (
                "create table coverage_schema (version integer); insert into coverage_schema values (7);
                 create table file (id integer primary key, path text);
                 create table arc (file_id integer, context_id integer, fromno integer);",
                "insert into file values (1, 'a.py'); insert into arc values (1, 1, 2);
                 alter table arc add column tono integer; insert into arc values (1, 1, 3, 4);",
            ),
            // A table without rowids is an index's tree.
            (
                "create table coverage_schema (version integer); insert into coverage_schema values (7);
                 create table file (id integer primary key, path text);
                 create table arc (file_id integer, context_id integer, fromno integer,
                                   tono integer, primary key (file_id, fromno, tono)) without rowid;",
                "insert into file values (1, 'a.py'); insert into arc values (1, 1, 2, 3);",
            ),
        ];
        for (schema, rows) in odd {
            let bytes = database_of("", schema, rows);
            assert!(!read_from_pages(&bytes), "{rows}");
            both_ways(&bytes).ok();
        }
        // Columns in another order are found by name.
        let moved = database_of(
            "",
            "create table coverage_schema (version integer); insert into coverage_schema values (7);
             create table file (id integer primary key, path text);
             create table arc (tono integer, note text, fromno integer, context_id integer,
                               file_id integer);",
            "insert into file values (1, 'a.py'); insert into arc values (3, 'x', 2, 1, 1);",
        );
        assert!(read_from_pages(&moved));
        let data = both_ways(&moved).unwrap();
        assert_eq!(
            data.files["a.py"].arcs.keys().copied().collect::<Vec<_>>(),
            [(2, 3)]
        );
    }

    /// Damaged pages (every byte changed, every length cut) are read
    /// without a panic, each page at most once: the payloads handed over
    /// never add up to more than the database.
    #[test]
    fn damaged_pages_are_read_within_bounds() {
        let bytes = random_database(11, 512, false, 0);
        let conn = Connection::open_in_memory().unwrap();
        let mut conn = conn;
        conn.deserialize_read_exact(rusqlite::MAIN_DB, &bytes[..], bytes.len(), true)
            .unwrap();
        let roots: Vec<u32> = ["line_bits", "arc"]
            .iter()
            .map(|t| {
                conn.query_row(
                    "select rootpage from sqlite_master where name = ?1",
                    [t],
                    |r| r.get(0),
                )
                .unwrap()
            })
            .collect();
        let walk = |bytes: &[u8]| {
            let Some(mut pages) = pages::Pages::new(bytes) else {
                return 0;
            };
            let mut seen = 0usize;
            for root in &roots {
                pages.table_rows(*root, |payload| {
                    seen += payload.len();
                    let mut record = pages::Record::new(payload)?;
                    while record.next_value().is_some() {}
                    Some(())
                });
            }
            assert!(seen <= bytes.len(), "{seen} > {}", bytes.len());
            seen
        };
        let whole = walk(&bytes);
        assert!(whole > bytes.len() / 8, "{whole} of {}", bytes.len());
        let mut damaged = bytes.clone();
        for at in 0..bytes.len() {
            for change in [0x00, 0xff, bytes[at] ^ 0x80, bytes[at] ^ 0x01] {
                damaged[at] = change;
                walk(&damaged);
            }
            damaged[at] = bytes[at];
        }
        for len in (0..bytes.len()).step_by(7) {
            walk(&bytes[..len]);
        }
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
