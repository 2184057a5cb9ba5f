//! Applying one pushed row: decode, compare-and-set on its version, write, read back.

use sheetsync_core::schema::RowKey;
use sheetsync_core::value::Value;
use sheetsync_core::wire::{PushOp, PushResult, RejectCode, RowVersion, WireCells};
use sqlx::{AnyConnection, Executor};

use super::chunk::newer_version;
use super::inserts::{insert_assigning_key, insert_sql};
use super::PushError;
use crate::db::catalog::TableInfo;
use crate::db::Db;
use crate::reject::{self, Refusal};
use crate::rows;

/// Applies `ops` one by one, each under its own savepoint so a refused row is undone alone.
pub async fn apply_rows(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    ops: &[PushOp],
) -> Result<Vec<PushResult>, PushError> {
    let mut results = Vec::with_capacity(ops.len());
    for op in ops {
        conn.execute("SAVEPOINT sheetsync_row").await?;
        let outcome = match apply_one(conn, db, info, op).await {
            Ok(outcome) => outcome,
            Err(PushError::Db(e)) => match reject::from_db(info, &e) {
                Some(refusal) => Err(refusal),
                None => return Err(e.into()),
            },
            Err(e) => return Err(e),
        };
        match outcome {
            Ok(result) => {
                conn.execute("RELEASE SAVEPOINT sheetsync_row").await?;
                results.push(result);
            }
            Err(refusal) => {
                conn.execute("ROLLBACK TO SAVEPOINT sheetsync_row").await?;
                results.push(rejected(op, refusal));
            }
        }
    }
    Ok(results)
}

/// The `Rejected` result for `op`.
pub(super) fn rejected(op: &PushOp, refusal: Refusal) -> PushResult {
    let key = match op {
        PushOp::Insert { .. } => None,
        PushOp::Update { key, .. } | PushOp::Delete { key, .. } => Some(key.clone()),
    };
    PushResult::Rejected {
        key,
        column: refusal.column,
        code: refusal.code,
        reason: refusal.reason,
    }
}

fn refuse(column: &str, code: RejectCode, reason: String) -> Refusal {
    Refusal {
        column: Some(column.to_string()),
        code,
        reason,
    }
}

/// The refusal of an insert without a key when the database does not assign keys.
pub(super) fn key_required(info: &TableInfo) -> Refusal {
    let name = &info.key_column().name;
    refuse(
        name,
        RejectCode::NotNull,
        format!("column {name:?}: the row's key is required"),
    )
}

/// Decoded cells: `(column index, bound text)` pairs, checked against the schema.
pub(super) type Cells = Vec<(usize, Option<String>)>;

pub(super) fn decode_cells(
    db: &Db,
    info: &TableInfo,
    cells: &WireCells,
    insert: bool,
) -> Result<Cells, Refusal> {
    let mut out = Vec::with_capacity(cells.len());
    for (name, json) in cells {
        let Some((idx, col)) = info.schema.column(name) else {
            return Err(refuse(
                name,
                RejectCode::UnknownColumn,
                format!("the table has no column {name:?}"),
            ));
        };
        if idx == info.key && !insert {
            return Err(refuse(
                name,
                RejectCode::UnknownColumn,
                format!("column {name:?} is the row's key and cannot be changed"),
            ));
        }
        if col.generated && idx != info.key {
            return Err(refuse(
                name,
                RejectCode::UnknownColumn,
                format!("column {name:?} is computed by the database and cannot be written"),
            ));
        }
        let value = col.decode(json).map_err(|e| reject::from_cell(&e))?;
        if idx == info.key && value == Value::Null {
            // Left to the database to assign.
            continue;
        }
        out.push((idx, db.backend.param_text(&value)));
    }
    Ok(out)
}

type RowOutcome = Result<Result<PushResult, Refusal>, PushError>;

async fn apply_one(conn: &mut AnyConnection, db: &Db, info: &TableInfo, op: &PushOp) -> RowOutcome {
    match op {
        PushOp::Insert { cells } => insert(conn, db, info, cells).await,
        PushOp::Update {
            key,
            expected_version,
            cells,
        } => {
            let cells = match decode_cells(db, info, cells, false) {
                Ok(c) => c,
                Err(r) => return Ok(Err(r)),
            };
            let param = match lock_at(conn, db, info, key, *expected_version).await? {
                Locked::At(param) => param,
                Locked::Answered(outcome) => return Ok(outcome),
            };
            let untouched = cells.is_empty();
            if !untouched {
                let b = db.backend;
                let sets: Vec<String> = cells
                    .iter()
                    .enumerate()
                    .map(|(n, (idx, _))| {
                        format!(
                            "{} = {}",
                            info.column_sql(*idx),
                            b.typed_param(n + 1, &info.db_types[*idx])
                        )
                    })
                    .collect();
                let sql = format!(
                    "UPDATE {} SET {} WHERE {} = {}",
                    info.table_sql(),
                    sets.join(", "),
                    info.key_sql(),
                    b.typed_param(cells.len() + 1, &info.db_types[info.key])
                );
                let mut q = sqlx::query(&sql);
                for (_, v) in cells {
                    q = q.bind(v);
                }
                q.bind(param.clone()).execute(&mut *conn).await?;
            }
            if untouched {
                // Nothing to write: the row stays as it is, at the version it was locked at.
                return Ok(match rows::current(conn, db, info, param, false).await? {
                    Some(row) => Ok(PushResult::Applied {
                        key: row.key,
                        version: row.version,
                        row: Some(row.cells),
                    }),
                    None => Err(not_read_back()),
                });
            }
            applied(conn, db, info, param, *expected_version).await
        }
        PushOp::Delete {
            key,
            expected_version,
        } => {
            let param = match lock_at(conn, db, info, key, *expected_version).await? {
                Locked::At(param) => param,
                Locked::Answered(outcome) => return Ok(outcome),
            };
            let b = db.backend;
            let sql = format!(
                "DELETE FROM {} WHERE {} = {}",
                info.table_sql(),
                info.key_sql(),
                b.typed_param(1, &info.db_types[info.key])
            );
            sqlx::query(&sql).bind(param).execute(&mut *conn).await?;
            let logged = rows::logged_version(conn, db, info, key, false).await?;
            let version = newer_version(info, key, logged, *expected_version)?;
            Ok(Ok(PushResult::Applied {
                key: key.clone(),
                version,
                row: None,
            }))
        }
    }
}

/// A row to update or delete, after [`lock_at`].
enum Locked {
    /// Locked at the expected version: its key as bound for the key column.
    At(Option<String>),
    /// What to answer instead: a key that does not fit the key column, or a conflict.
    Answered(Result<PushResult, Refusal>),
}

/// Locks the row and its version; the row is [`Locked::At`] only when it is at `expected`.
async fn lock_at(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    key: &RowKey,
    expected: i64,
) -> Result<Locked, PushError> {
    let param = match rows::key_param(db, info, key) {
        Ok(p) => p,
        Err(e) => return Ok(Locked::Answered(Err(reject::from_cell(&e)))),
    };
    match rows::current(conn, db, info, param.clone(), true).await? {
        Some(row) if row.version == expected => Ok(Locked::At(param)),
        current => Ok(Locked::Answered(Ok(PushResult::Conflict {
            key: key.clone(),
            current,
        }))),
    }
}

/// The row as stored after a write, as an `Applied` result; `before` is the row's version
/// before the write (0 for an insert).
async fn applied(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    param: Option<String>,
    before: RowVersion,
) -> RowOutcome {
    match rows::read_row(conn, db, info, param, false).await? {
        Some((key, cells)) => {
            let logged = rows::logged_version(conn, db, info, &key, false).await?;
            let version = newer_version(info, &key, logged, before)?;
            Ok(Ok(PushResult::Applied {
                key,
                version,
                row: Some(cells),
            }))
        }
        None => Ok(Err(not_read_back())),
    }
}

fn not_read_back() -> Refusal {
    Refusal {
        column: None,
        code: RejectCode::Other,
        reason: "the row could not be read back after writing it".to_string(),
    }
}

async fn insert(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    cells: &WireCells,
) -> RowOutcome {
    let cells = match decode_cells(db, info, cells, true) {
        Ok(c) => c,
        Err(r) => return Ok(Err(r)),
    };
    let key_col = info.key_column();
    let given_key = cells
        .iter()
        .find(|(i, _)| *i == info.key)
        .map(|(_, v)| v.clone());
    if given_key.is_none() && !key_col.generated {
        return Ok(Err(key_required(info)));
    }
    if let Some(param) = &given_key {
        if let Some(current) = rows::current(conn, db, info, param.clone(), true).await? {
            return Ok(Ok(PushResult::Conflict {
                key: current.key.clone(),
                current: Some(current),
            }));
        }
    }
    let param = match given_key {
        Some(param) => {
            let sql = insert_sql(db, info, &cells);
            let mut q = sqlx::query(&sql);
            for (_, v) in cells {
                q = q.bind(v);
            }
            q.execute(&mut *conn).await?;
            param
        }
        None => Some(insert_assigning_key(conn, db, info, &cells).await?),
    };
    applied(conn, db, info, param, 0).await
}
