//! The common path for a run of inserts: rows with a key of their own are written with one
//! multi-row INSERT per set of columns, without looking their keys up first (the primary key
//! refuses one that exists; only then is the run written again with its keys looked up in one
//! statement, an existing key answered as a conflict); so are rows whose key the database
//! assigns, where [`assigned_keys`] knows which key each row gets (else one statement each),
//! without a savepoint each. Stored rows and versions are read back from the change log in one
//! statement ([`logged_rows`]), from the table for any row the log cannot answer. If the
//! database refuses anything else, the run is undone to its savepoint and applied again row by
//! row.

use std::collections::{BTreeMap, HashSet};

use sheetsync_core::schema::RowKey;
use sheetsync_core::value::Value;
use sheetsync_core::wire::{PushOp, PushResult, RejectCode, VersionedRow};
use sqlx::AnyConnection;

use super::assigned_keys::{self, Plan};
use super::chunk::{rows_by_key, versions_by_key, written_version, Planned, MAX_PARAMS, MAX_ROWS};
use super::logged_rows;
use super::row::{decode_cells, key_required, rejected};
use super::{savepoint, PushError};
use crate::db::catalog::TableInfo;
use crate::db::{text_at, Backend, Db};
use crate::reject;

/// Most rows in a run of inserts: a push of 1,000 new rows of up to 20 columns is one run
/// (five statements with its savepoint), not two.
const MAX_INSERTS: usize = 2 * MAX_ROWS;

/// How many ops at the start of `ops` are inserts that fit in one run.
pub fn run_length(ops: &[PushOp]) -> usize {
    let mut params = 0;
    let mut n = 0;
    for op in ops {
        let PushOp::Insert { cells } = op else { break };
        if n >= MAX_INSERTS || params + cells.len() > MAX_PARAMS {
            break;
        }
        params += cells.len();
        n += 1;
    }
    n
}

/// Applies the run of inserts `ops`; `None` when the database refused part of it and nothing
/// of it was kept.
pub async fn apply(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    ops: &[PushOp],
) -> Result<Option<Vec<PushResult>>, PushError> {
    let mut results: Vec<Option<PushResult>> = vec![None; ops.len()];
    let mut keyed = Vec::new();
    let mut generated = Vec::new();
    let mut seen = HashSet::new();
    let key_col = info.key_column();
    for (idx, op) in ops.iter().enumerate() {
        let PushOp::Insert { cells: wire } = op else {
            return Ok(None);
        };
        let cells = match decode_cells(db, info, wire, true) {
            Ok(c) => c,
            Err(r) => {
                results[idx] = Some(rejected(op, r));
                continue;
            }
        };
        let key_value = match wire.get(&key_col.name).map(|j| key_col.decode(j)) {
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                results[idx] = Some(rejected(op, reject::from_cell(&e)));
                continue;
            }
            None => Value::Null,
        };
        let planned = Planned {
            idx,
            key: RowKey(String::new()),
            canon: String::new(),
            param: db.backend.param_text(&key_value),
            expected: 0,
            cells: Some(cells),
        };
        match RowKey::from_value(&key_value) {
            Some(canon) => {
                if !seen.insert(canon.0.clone()) {
                    return Ok(None);
                }
                keyed.push(Planned {
                    key: canon.clone(),
                    canon: canon.0,
                    ..planned
                });
            }
            None if key_col.generated => generated.push(planned),
            None => results[idx] = Some(rejected(op, key_required(info))),
        }
    }
    if keyed.is_empty() && generated.is_empty() {
        return Ok(Some(results.into_iter().flatten().collect()));
    }
    // First without looking the keys up: new rows are the rule, and the primary key refuses
    // any that exists. Only when it does is the run written again with the keys looked up,
    // which answers each existing key as a conflict and writes the others.
    if !keyed.is_empty() {
        let mut unchecked = results.clone();
        savepoint::open(conn).await?;
        let written = write(
            conn,
            db,
            info,
            keyed.clone(),
            generated.clone(),
            &mut unchecked,
            Check::No,
        )
        .await;
        let duplicate = matches!(&written, Err(PushError::Db(e))
            if reject::from_db(info, e).is_some_and(|r| r.code == RejectCode::Unique));
        if savepoint::close(conn, info, written).await? {
            return Ok(Some(unchecked.into_iter().flatten().collect()));
        }
        if !duplicate {
            return Ok(None);
        }
    }
    savepoint::open(conn).await?;
    let written = write(conn, db, info, keyed, generated, &mut results, Check::Keys).await;
    if !savepoint::close(conn, info, written).await? {
        return Ok(None);
    }
    Ok(Some(results.into_iter().flatten().collect()))
}

/// Whether a run's keys are looked up before its rows are inserted.
#[derive(Clone, Copy, PartialEq)]
enum Check {
    /// Not looked up: any existing key makes the database refuse the run.
    No,
    /// Looked up and locked, each existing one answered as a conflict.
    Keys,
}

async fn write(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    keyed: Vec<Planned>,
    mut generated: Vec<Planned>,
    results: &mut [Option<PushResult>],
    check: Check,
) -> Result<(), PushError> {
    let mut written: Vec<Planned> = Vec::new();
    if !keyed.is_empty() {
        let refs: Vec<&Planned> = keyed.iter().collect();
        let existing = match check {
            Check::Keys => {
                db.insert_key_lookups
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                rows_by_key(conn, db, info, &refs, true).await?
            }
            Check::No => Default::default(),
        };
        // Versions are only needed to answer the keys that exist already (usually none).
        let taken: Vec<&Planned> = refs
            .iter()
            .copied()
            .filter(|p| existing.contains_key(&p.canon))
            .collect();
        let versions = if taken.is_empty() {
            Default::default()
        } else {
            versions_by_key(conn, db, info, &taken, true).await?
        };
        let mut groups: BTreeMap<Vec<usize>, Vec<Planned>> = BTreeMap::new();
        for p in keyed {
            if let Some(cells) = existing.get(&p.canon) {
                results[p.idx] = Some(PushResult::Conflict {
                    key: p.key.clone(),
                    current: Some(VersionedRow {
                        key: p.key.clone(),
                        version: versions.get(&p.canon).copied().unwrap_or(0),
                        cells: cells.clone(),
                    }),
                });
                continue;
            }
            let cols = p.cells.iter().flatten().map(|(i, _)| *i).collect();
            groups.entry(cols).or_default().push(p);
        }
        for (cols, members) in groups {
            let refs: Vec<&Planned> = members.iter().collect();
            insert_many(conn, db, info, &cols, &refs, false).await?;
            written.extend(members);
        }
    }
    if !generated.is_empty() {
        insert_generated(conn, db, info, &mut generated).await?;
    }
    written.extend(generated);
    if written.is_empty() {
        return Ok(());
    }
    let refs: Vec<&Planned> = written.iter().collect();
    let mut logged = logged_rows::read(conn, db, info, &refs).await?;
    let unlogged: Vec<&Planned> = refs
        .iter()
        .copied()
        .filter(|p| !logged.contains_key(&p.canon))
        .collect();
    let (stored, versions) = if unlogged.is_empty() {
        Default::default()
    } else {
        (
            rows_by_key(conn, db, info, &unlogged, false).await?,
            versions_by_key(conn, db, info, &unlogged, false).await?,
        )
    };
    for p in &written {
        let (version, row) = match logged.remove(&p.canon) {
            Some(found) => found,
            None => (
                written_version(info, &versions, &p.canon, 0)?,
                stored.get(&p.canon).cloned().ok_or_else(|| {
                    PushError::Inconsistent(format!(
                        "table {:?}: row {} cannot be read back after it was inserted",
                        info.schema.name, p.canon
                    ))
                })?,
            ),
        };
        results[p.idx] = Some(PushResult::Applied {
            key: p.key.clone(),
            version,
            row: Some(row),
        });
    }
    Ok(())
}

/// Inserts `rows`, whose key the database assigns, and gives each its key: grouped into
/// multi-row INSERTs where [`assigned_keys`] knows which key each row gets, else one each.
async fn insert_generated(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    rows: &mut [Planned],
) -> Result<(), PushError> {
    fn set_key(p: &mut Planned, key: String) {
        p.param = Some(key.clone());
        p.key = RowKey(key.clone());
        p.canon = key;
    }
    let count_statement = || {
        db.key_assigning_inserts
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    };
    let mut groups: BTreeMap<Vec<usize>, Vec<usize>> = BTreeMap::new();
    match assigned_keys::plan(conn, db, info, rows.len()).await? {
        Some(Plan::Given(keys)) => {
            for (i, (p, key)) in rows.iter_mut().zip(keys).enumerate() {
                let cells = p.cells.get_or_insert_with(Vec::new);
                cells.push((info.key, Some(key.clone())));
                let cols = cells.iter().map(|(c, _)| *c).collect();
                set_key(p, key);
                groups.entry(cols).or_default().push(i);
            }
            for (cols, members) in groups {
                let members: Vec<&Planned> = members.iter().map(|i| &rows[*i]).collect();
                count_statement();
                insert_many(conn, db, info, &cols, &members, true).await?;
            }
        }
        Some(Plan::Consecutive) => {
            for (i, p) in rows.iter().enumerate() {
                let cols = p.cells.iter().flatten().map(|(c, _)| *c).collect();
                groups.entry(cols).or_default().push(i);
            }
            for (cols, members) in groups {
                let group: Vec<&Planned> = members.iter().map(|i| &rows[*i]).collect();
                if cols.is_empty() {
                    // No column to list: each row is an INSERT of defaults.
                    for i in members {
                        count_statement();
                        let key = insert_assigning_key(conn, db, info, &[]).await?;
                        set_key(&mut rows[i], key);
                    }
                    continue;
                }
                count_statement();
                insert_many(conn, db, info, &cols, &group, false).await?;
                let keys = assigned_keys::consecutive(conn, members.len()).await?;
                for (i, key) in members.into_iter().zip(keys) {
                    set_key(&mut rows[i], key);
                }
            }
        }
        None => {
            for p in rows.iter_mut() {
                count_statement();
                let cells = p.cells.as_deref().unwrap_or_default();
                let key = insert_assigning_key(conn, db, info, cells).await?;
                set_key(p, key);
            }
        }
    }
    Ok(())
}

/// One multi-row INSERT of rows that all set the columns `cols`; `given_keys` when the rows
/// carry keys handed out by the key column's own sequence (PostgreSQL must be told to take
/// them over an identity column's).
async fn insert_many(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    cols: &[usize],
    members: &[&Planned],
    given_keys: bool,
) -> Result<(), PushError> {
    let b = db.backend;
    let names: Vec<String> = cols
        .iter()
        .map(|i| info.column_sql(*i).to_string())
        .collect();
    // Written into one buffer: a run is up to 20,000 placeholders.
    let mut values = String::with_capacity(members.len() * cols.len() * 8);
    let mut n = 0;
    for row in 0..members.len() {
        values.push_str(if row == 0 { "(" } else { ", (" });
        for (pos, i) in cols.iter().enumerate() {
            if pos > 0 {
                values.push_str(", ");
            }
            n += 1;
            values.push_str(&b.typed_param(n, &info.db_types[*i]));
        }
        values.push(')');
    }
    let overriding = if given_keys && b == Backend::Postgres {
        " OVERRIDING SYSTEM VALUE"
    } else {
        ""
    };
    let sql = format!(
        "INSERT INTO {} ({}){overriding} VALUES {values}",
        info.table_sql(),
        names.join(", "),
    );
    let mut q = sqlx::query(&sql);
    for p in members {
        for (_, v) in p.cells.iter().flatten() {
            q = q.bind(v.clone());
        }
    }
    q.execute(&mut *conn).await?;
    Ok(())
}

/// A one-row INSERT of `cells`, or of the columns' defaults when there are none.
pub(super) fn insert_sql(db: &Db, info: &TableInfo, cells: &[(usize, Option<String>)]) -> String {
    let b = db.backend;
    let table = info.table_sql();
    if cells.is_empty() {
        return match b {
            Backend::MySql => format!("INSERT INTO {table} () VALUES ()"),
            _ => format!("INSERT INTO {table} DEFAULT VALUES"),
        };
    }
    let names: Vec<String> = cells
        .iter()
        .map(|(i, _)| info.column_sql(*i).to_string())
        .collect();
    let marks: Vec<String> = cells
        .iter()
        .enumerate()
        .map(|(n, (i, _))| b.typed_param(n + 1, &info.db_types[*i]))
        .collect();
    format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        names.join(", "),
        marks.join(", ")
    )
}

/// Inserts one row whose key the database assigns; returns the key's text.
pub(super) async fn insert_assigning_key(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    cells: &[(usize, Option<String>)],
) -> Result<String, PushError> {
    let b = db.backend;
    let mut sql = insert_sql(db, info, cells);
    let key_col = info.key_column();
    if b != Backend::MySql {
        sql.push_str(&format!(
            " RETURNING {}",
            b.text_expr(info.key_sql(), &key_col.sql_type)
        ));
    }
    let mut q = sqlx::query(&sql);
    for (_, v) in cells {
        q = q.bind(v.clone());
    }
    let key = if b == Backend::MySql {
        // LAST_INSERT_ID() keeps the connection's previous value when an INSERT assigns none
        // (a key computed some other way): zero it first, so that case reads 0, not the key
        // of an earlier row.
        sqlx::query("SELECT LAST_INSERT_ID(0)")
            .fetch_one(&mut *conn)
            .await?;
        q.execute(&mut *conn).await?;
        let row = sqlx::query("SELECT CAST(LAST_INSERT_ID() AS CHAR)")
            .fetch_one(&mut *conn)
            .await?;
        text_at(&row, 0)?.filter(|k| k != "0")
    } else {
        let row = q.fetch_one(&mut *conn).await?;
        text_at(&row, 0)?
    };
    key.ok_or_else(|| {
        PushError::Inconsistent(format!(
            "table {:?}: the database did not report the key it assigned to an inserted row",
            info.schema.name
        ))
    })
}
