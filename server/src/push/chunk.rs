//! The common path of a push: a run of updates and deletes checked and written with a few
//! multi-row statements instead of several round trips per row. The rows are locked and read
//! with their versions in two statements, stale ones answered as conflicts, the rest written
//! (one UPDATE per set of changed columns, one DELETE) and read back. If the database refuses
//! anything, the chunk is undone to its savepoint and applied again row by row, so a refusal
//! still stays with its own row.

use std::collections::{BTreeMap, HashMap, HashSet};

use sheetsync_core::schema::RowKey;
use sheetsync_core::wire::{PushOp, PushResult, RowVersion, VersionedRow, WireRow};
use sqlx::AnyConnection;

use super::row::{decode_cells, rejected, Cells};
use super::{savepoint, PushError};
use crate::db::catalog::TableInfo;
use crate::db::{int_at, Backend, Db};
use crate::reject;
use crate::rows;

/// Most rows per chunk.
pub(super) const MAX_ROWS: usize = 500;
/// Most bound parameters per statement (SQLite allows 32766, the others 65535).
pub(super) const MAX_PARAMS: usize = 20_000;

/// How many ops at the start of `ops` form a chunk: updates and deletes of distinct keys,
/// within the row and parameter limits.
pub fn run_length(ops: &[PushOp]) -> usize {
    let mut keys = HashSet::new();
    let mut params = 0;
    let mut n = 0;
    for op in ops {
        let (key, cost) = match op {
            PushOp::Update { key, cells, .. } => (key, 2 * cells.len() + 2),
            PushOp::Delete { key, .. } => (key, 2),
            PushOp::Insert { .. } => break,
        };
        if n >= MAX_ROWS || params + cost > MAX_PARAMS || !keys.insert(key) {
            break;
        }
        params += cost;
        n += 1;
    }
    n
}

/// One checked change of the chunk.
#[derive(Clone)]
pub(super) struct Planned {
    /// Position in the chunk.
    pub(super) idx: usize,
    /// The key as the client sent it.
    pub(super) key: RowKey,
    /// The key's canonical text, as the database and the triggers spell it.
    pub(super) canon: String,
    /// The key as bound for the key column.
    pub(super) param: Option<String>,
    pub(super) expected: RowVersion,
    /// The cells to write, or `None` for a delete.
    pub(super) cells: Option<Cells>,
}

/// Applies the chunk `ops`; `None` when the database refused part of it and nothing of it
/// was kept (the caller then goes row by row).
pub async fn apply(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    ops: &[PushOp],
) -> Result<Option<Vec<PushResult>>, PushError> {
    let mut results: Vec<Option<PushResult>> = vec![None; ops.len()];
    let mut planned = Vec::with_capacity(ops.len());
    let mut canon_seen = HashSet::new();
    for (idx, op) in ops.iter().enumerate() {
        let (key, expected, cells) = match op {
            PushOp::Update {
                key,
                expected_version,
                cells,
            } => match decode_cells(db, info, cells, false) {
                Ok(c) => (key, *expected_version, Some(c)),
                Err(r) => {
                    results[idx] = Some(rejected(op, r));
                    continue;
                }
            },
            PushOp::Delete {
                key,
                expected_version,
            } => (key, *expected_version, None),
            PushOp::Insert { .. } => return Ok(None),
        };
        let value = match info
            .key_column()
            .decode(&serde_json::Value::String(key.0.clone()))
        {
            Ok(v) => v,
            Err(e) => {
                results[idx] = Some(rejected(op, reject::from_cell(&e)));
                continue;
            }
        };
        let Some(canon) = RowKey::from_value(&value) else {
            return Ok(None);
        };
        if !canon_seen.insert(canon.0.clone()) {
            // Two spellings of one key: order matters, so go row by row.
            return Ok(None);
        }
        planned.push(Planned {
            idx,
            key: key.clone(),
            canon: canon.0,
            param: db.backend.param_text(&value),
            expected,
            cells,
        });
    }
    if !planned.is_empty() {
        savepoint::open(conn).await?;
        let written = write(conn, db, info, &planned, &mut results).await;
        if !savepoint::close(conn, info, written).await? {
            return Ok(None);
        }
    }
    Ok(Some(results.into_iter().flatten().collect()))
}

/// `<key> IN (<typed params from n>)` for `count` keys.
fn key_in(db: &Db, info: &TableInfo, first: usize, count: usize) -> String {
    let ty = &info.db_types[info.key];
    let marks: Vec<String> = (0..count)
        .map(|i| db.backend.typed_param(first + i, ty))
        .collect();
    format!("{} IN ({})", info.key_sql(), marks.join(", "))
}

/// Rows (by canonical key) among `keys`, locked when `lock`.
pub(super) async fn rows_by_key(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    keys: &[&Planned],
    lock: bool,
) -> Result<HashMap<String, WireRow>, sqlx::Error> {
    let mut sql = format!(
        "{} WHERE {}",
        rows::select_from(db, info),
        key_in(db, info, 1, keys.len())
    );
    if lock {
        sql.push_str(db.backend.for_update());
    }
    let mut q = sqlx::query(&sql);
    for p in keys {
        q = q.bind(p.param.clone());
    }
    let mut out = HashMap::new();
    for r in q.fetch_all(&mut *conn).await? {
        let (key, cells) = rows::row_from(db, info, &r)?.readable(info)?;
        out.insert(key.0, cells);
    }
    Ok(out)
}

/// Versions (by canonical key) among `keys`, locked when `lock`.
pub(super) async fn versions_by_key(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    keys: &[&Planned],
    lock: bool,
) -> Result<HashMap<String, RowVersion>, PushError> {
    let mut sql = rows::versions_sql(db, keys.len());
    if lock {
        sql.push_str(db.backend.for_update());
    }
    let mut q = sqlx::query(&sql).bind(info.id);
    for p in keys {
        q = q.bind(p.canon.clone());
    }
    let mut out = HashMap::new();
    for r in q.fetch_all(&mut *conn).await? {
        match (crate::db::text_at(&r, 0)?, int_at(&r, 1)?) {
            (Some(key), Some(version)) => out.insert(key, version),
            _ => {
                return Err(PushError::Inconsistent(format!(
                    "table {:?}: a row version entry has no key or no version",
                    info.schema.name
                )))
            }
        };
    }
    Ok(out)
}

async fn write(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    planned: &[Planned],
    results: &mut [Option<PushResult>],
) -> Result<(), PushError> {
    let all: Vec<&Planned> = planned.iter().collect();
    // Rows first, then versions: the same lock order as the triggers of other writers.
    let current = rows_by_key(conn, db, info, &all, true).await?;
    let versions = versions_by_key(conn, db, info, &all, true).await?;
    let mut fresh = Vec::new();
    for p in planned {
        let version = versions.get(&p.canon).copied().unwrap_or(0);
        match current.get(&p.canon) {
            Some(_) if version == p.expected => fresh.push(p),
            now => {
                results[p.idx] = Some(PushResult::Conflict {
                    key: p.key.clone(),
                    current: now.map(|cells| VersionedRow {
                        key: RowKey(p.canon.clone()),
                        version,
                        cells: cells.clone(),
                    }),
                });
            }
        }
    }
    if fresh.is_empty() {
        return Ok(());
    }
    // One UPDATE per set of changed columns.
    let mut groups: BTreeMap<Vec<usize>, Vec<&Planned>> = BTreeMap::new();
    for p in fresh.iter().copied() {
        if let Some(cells) = &p.cells {
            if !cells.is_empty() {
                let cols = cells.iter().map(|(i, _)| *i).collect();
                groups.entry(cols).or_default().push(p);
            }
        }
    }
    for (cols, members) in &groups {
        update_group(conn, db, info, cols, members).await?;
    }
    let deletes: Vec<&Planned> = fresh
        .iter()
        .copied()
        .filter(|p| p.cells.is_none())
        .collect();
    if !deletes.is_empty() {
        let sql = format!(
            "DELETE FROM {} WHERE {}",
            info.table_sql(),
            key_in(db, info, 1, deletes.len())
        );
        let mut q = sqlx::query(&sql);
        for p in &deletes {
            q = q.bind(p.param.clone());
        }
        q.execute(&mut *conn).await?;
    }
    let stored = rows_by_key(conn, db, info, &fresh, false).await?;
    let after = versions_by_key(conn, db, info, &fresh, false).await?;
    for p in fresh {
        let untouched = p.cells.as_ref().is_some_and(|c| c.is_empty());
        let version = if untouched {
            // Nothing was written to it: it stays at the version it was locked at.
            p.expected
        } else {
            written_version(info, &after, &p.canon, p.expected)?
        };
        let row = match &p.cells {
            None => None,
            Some(_) => Some(stored.get(&p.canon).cloned().ok_or_else(|| {
                PushError::Inconsistent(format!(
                    "table {:?}: row {} cannot be read back after it was updated",
                    info.schema.name, p.canon
                ))
            })?),
        };
        results[p.idx] = Some(PushResult::Applied {
            key: RowKey(p.canon.clone()),
            version,
            row,
        });
    }
    Ok(())
}

/// The version the triggers logged for the row `canon` just written, which was at `before`:
/// a written row with no newer version means the change was not captured, and no version may
/// be made up for it.
pub(super) fn written_version(
    info: &TableInfo,
    versions: &HashMap<String, RowVersion>,
    canon: &str,
    before: RowVersion,
) -> Result<RowVersion, PushError> {
    let key = RowKey(canon.to_string());
    newer_version(info, &key, versions.get(canon).copied(), before)
}

/// `logged` when it is newer than `before`, else the error that the write was not captured.
pub(super) fn newer_version(
    info: &TableInfo,
    key: &RowKey,
    logged: Option<RowVersion>,
    before: RowVersion,
) -> Result<RowVersion, PushError> {
    logged.filter(|v| *v > before).ok_or_else(|| {
        PushError::Inconsistent(format!(
            "table {:?}: row {key} was written but no new version was logged for it \
             (are the table's triggers in place?)",
            info.schema.name
        ))
    })
}

/// Updates `members`, which all change the columns `cols`, in one statement.
async fn update_group(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    cols: &[usize],
    members: &[&Planned],
) -> Result<(), PushError> {
    let (sql, binds) = match db.backend {
        Backend::MySql => update_by_case(db, info, cols, members),
        _ => update_from_values(db, info, cols, members),
    };
    let mut q = sqlx::query(&sql);
    for v in binds {
        q = q.bind(v);
    }
    q.execute(&mut *conn).await?;
    Ok(())
}

/// What a group's UPDATE binds, in order.
type Binds = Vec<Option<String>>;

/// `UPDATE t SET c = CASE key WHEN k1 THEN v1 ... END, ... WHERE key IN (...)` on MySQL, which
/// has no portable way to join an UPDATE with a list of values.
fn update_by_case(
    db: &Db,
    info: &TableInfo,
    cols: &[usize],
    members: &[&Planned],
) -> (String, Binds) {
    let b = db.backend;
    let key_name = info.key_sql();
    let key_ty = &info.db_types[info.key];
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };
    let mut binds: Binds = Vec::new();
    let mut sets = Vec::with_capacity(cols.len());
    for (pos, col) in cols.iter().enumerate() {
        let mut case = format!("{} = CASE {key_name}", info.column_sql(*col));
        for p in members {
            let cells = p.cells.as_ref().map(|c| &c[pos].1).cloned().flatten();
            case.push_str(&format!(
                " WHEN {} THEN {}",
                b.typed_param(next(), key_ty),
                b.typed_param(next(), &info.db_types[*col])
            ));
            binds.push(p.param.clone());
            binds.push(cells);
        }
        case.push_str(" END");
        sets.push(case);
    }
    let marks: Vec<String> = members
        .iter()
        .map(|p| {
            binds.push(p.param.clone());
            b.typed_param(next(), key_ty)
        })
        .collect();
    let sql = format!(
        "UPDATE {} SET {} WHERE {key_name} IN ({})",
        info.table_sql(),
        sets.join(", "),
        marks.join(", ")
    );
    (sql, binds)
}

/// `UPDATE t SET c = v.column2, ... FROM (VALUES (k1, v1, ...), ...) AS v WHERE t.key =
/// v.column1` (PostgreSQL and SQLite both name a VALUES list's columns `columnN`): one join,
/// where a long CASE would compare every row with every key.
fn update_from_values(
    db: &Db,
    info: &TableInfo,
    cols: &[usize],
    members: &[&Planned],
) -> (String, Binds) {
    let b = db.backend;
    let table = info.table_sql();
    let key_name = info.key_sql();
    let key_ty = &info.db_types[info.key];
    let mut n = 0;
    let mut binds: Binds = Vec::new();
    let tuples: Vec<String> = members
        .iter()
        .map(|p| {
            n += 1;
            let mut marks = vec![b.typed_param(n, key_ty)];
            binds.push(p.param.clone());
            for (pos, col) in cols.iter().enumerate() {
                n += 1;
                marks.push(b.typed_param(n, &info.db_types[*col]));
                binds.push(p.cells.as_ref().and_then(|c| c[pos].1.clone()));
            }
            format!("({})", marks.join(", "))
        })
        .collect();
    let sets: Vec<String> = cols
        .iter()
        .enumerate()
        .map(|(pos, col)| format!("{} = sheetsync_v.column{}", info.column_sql(*col), pos + 2))
        .collect();
    let sql = format!(
        "UPDATE {table} SET {} FROM (VALUES {}) AS sheetsync_v WHERE {table}.{key_name} = sheetsync_v.column1",
        sets.join(", "),
        tuples.join(", ")
    );
    (sql, binds)
}
