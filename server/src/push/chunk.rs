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
use super::savepoint;
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
) -> Result<Option<Vec<PushResult>>, sqlx::Error> {
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

pub(super) fn quoted(db: &Db, name: &str) -> String {
    db.backend.quote(name).unwrap_or_default()
}

/// `<key> IN (<typed params from n>)` for `count` keys.
fn key_in(db: &Db, info: &TableInfo, first: usize, count: usize) -> String {
    let ty = &info.db_types[info.key];
    let marks: Vec<String> = (0..count)
        .map(|i| db.backend.typed_param(first + i, ty))
        .collect();
    format!(
        "{} IN ({})",
        quoted(db, &info.key_column().name),
        marks.join(", ")
    )
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
        let (key, cells) = rows::row_from(db, info, &r)?;
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
) -> Result<HashMap<String, RowVersion>, sqlx::Error> {
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
        let key = crate::db::text_at(&r, 0)?.unwrap_or_default();
        out.insert(key, int_at(&r, 1)?.unwrap_or_default());
    }
    Ok(out)
}

async fn write(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    planned: &[Planned],
    results: &mut [Option<PushResult>],
) -> Result<(), sqlx::Error> {
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
            quoted(db, &info.schema.name),
            key_in(db, info, 1, deletes.len())
        );
        let mut q = sqlx::query(&sql);
        for p in &deletes {
            q = q.bind(p.param.clone());
        }
        q.execute(&mut *conn).await?;
    }
    let stored = rows_by_key(conn, db, info, &fresh, false).await?;
    let versions = versions_by_key(conn, db, info, &fresh, false).await?;
    for p in fresh {
        results[p.idx] = Some(PushResult::Applied {
            key: RowKey(p.canon.clone()),
            version: versions.get(&p.canon).copied().unwrap_or(0),
            row: p.cells.as_ref().and_then(|_| stored.get(&p.canon).cloned()),
        });
    }
    Ok(())
}

/// Updates `members`, which all change the columns `cols`, in one statement.
async fn update_group(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    cols: &[usize],
    members: &[&Planned],
) -> Result<(), sqlx::Error> {
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
    let key_name = quoted(db, &info.key_column().name);
    let key_ty = &info.db_types[info.key];
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };
    let mut binds: Binds = Vec::new();
    let mut sets = Vec::with_capacity(cols.len());
    for (pos, col) in cols.iter().enumerate() {
        let mut case = format!(
            "{} = CASE {key_name}",
            quoted(db, &info.schema.columns[*col].name)
        );
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
        quoted(db, &info.schema.name),
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
    let table = quoted(db, &info.schema.name);
    let key_name = quoted(db, &info.key_column().name);
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
        .map(|(pos, col)| {
            format!(
                "{} = sheetsync_v.column{}",
                quoted(db, &info.schema.columns[*col].name),
                pos + 2
            )
        })
        .collect();
    let sql = format!(
        "UPDATE {table} SET {} FROM (VALUES {}) AS sheetsync_v WHERE {table}.{key_name} = sheetsync_v.column1",
        sets.join(", "),
        tuples.join(", ")
    );
    (sql, binds)
}
