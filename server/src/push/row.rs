//! Applying one pushed row: decode, compare-and-set on its version, write, read back.

use sheetsync_core::schema::RowKey;
use sheetsync_core::value::Value;
use sheetsync_core::wire::{PushOp, PushResult, RejectCode, WireCells};
use sqlx::{AnyConnection, Executor};

use crate::db::catalog::TableInfo;
use crate::db::{text_at, Backend, Db};
use crate::reject::{self, Refusal};
use crate::rows;

/// Applies `ops` one by one, each under its own savepoint so a refused row is undone alone.
pub async fn apply_rows(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    ops: &[PushOp],
) -> Result<Vec<PushResult>, sqlx::Error> {
    let mut results = Vec::with_capacity(ops.len());
    for op in ops {
        conn.execute("SAVEPOINT sheetsync_row").await?;
        let outcome = match apply_one(conn, db, info, op).await {
            Ok(outcome) => outcome,
            Err(e) => match reject::from_db(info, &e) {
                Some(refusal) => Err(refusal),
                None => return Err(e),
            },
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

type RowOutcome = Result<Result<PushResult, Refusal>, sqlx::Error>;

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
            let param = match rows::key_param(db, info, key) {
                Ok(p) => p,
                Err(e) => return Ok(Err(reject::from_cell(&e))),
            };
            if let Some(conflict) =
                check_version(conn, db, info, key, &param, *expected_version).await?
            {
                return Ok(Ok(conflict));
            }
            if !cells.is_empty() {
                let b = db.backend;
                let sets: Vec<String> = cells
                    .iter()
                    .enumerate()
                    .map(|(n, (idx, _))| {
                        format!(
                            "{} = {}",
                            b.quote(&info.schema.columns[*idx].name).unwrap_or_default(),
                            b.typed_param(n + 1, &info.db_types[*idx])
                        )
                    })
                    .collect();
                let sql = format!(
                    "UPDATE {} SET {} WHERE {} = {}",
                    b.quote(&info.schema.name).unwrap_or_default(),
                    sets.join(", "),
                    b.quote(&info.key_column().name).unwrap_or_default(),
                    b.typed_param(cells.len() + 1, &info.db_types[info.key])
                );
                let mut q = sqlx::query(&sql);
                for (_, v) in cells {
                    q = q.bind(v);
                }
                q.bind(param.clone()).execute(&mut *conn).await?;
            }
            applied(conn, db, info, param).await
        }
        PushOp::Delete {
            key,
            expected_version,
        } => {
            let param = match rows::key_param(db, info, key) {
                Ok(p) => p,
                Err(e) => return Ok(Err(reject::from_cell(&e))),
            };
            if let Some(conflict) =
                check_version(conn, db, info, key, &param, *expected_version).await?
            {
                return Ok(Ok(conflict));
            }
            let b = db.backend;
            let sql = format!(
                "DELETE FROM {} WHERE {} = {}",
                b.quote(&info.schema.name).unwrap_or_default(),
                b.quote(&info.key_column().name).unwrap_or_default(),
                b.typed_param(1, &info.db_types[info.key])
            );
            sqlx::query(&sql).bind(param).execute(&mut *conn).await?;
            let version = rows::version_of(conn, db, info, key, false).await?;
            Ok(Ok(PushResult::Applied {
                key: key.clone(),
                version,
                row: None,
            }))
        }
    }
}

/// Locks the row and its version; answers a conflict unless it is at `expected`.
async fn check_version(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    key: &RowKey,
    param: &Option<String>,
    expected: i64,
) -> Result<Option<PushResult>, sqlx::Error> {
    let now = rows::current(conn, db, info, param.clone(), true).await?;
    match now {
        Some(row) if row.version == expected => Ok(None),
        current => Ok(Some(PushResult::Conflict {
            key: key.clone(),
            current,
        })),
    }
}

/// The row as stored after a write, as an `Applied` result.
async fn applied(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    param: Option<String>,
) -> RowOutcome {
    match rows::current(conn, db, info, param, false).await? {
        Some(row) => Ok(Ok(PushResult::Applied {
            key: row.key,
            version: row.version,
            row: Some(row.cells),
        })),
        None => Ok(Err(Refusal {
            column: None,
            code: RejectCode::Other,
            reason: "the row could not be read back after writing it".to_string(),
        })),
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
        return Ok(Err(refuse(
            &key_col.name,
            RejectCode::NotNull,
            format!("column {:?}: the row's key is required", key_col.name),
        )));
    }
    if let Some(param) = &given_key {
        if let Some(current) = rows::current(conn, db, info, param.clone(), true).await? {
            return Ok(Ok(PushResult::Conflict {
                key: current.key.clone(),
                current: Some(current),
            }));
        }
    }
    let b = db.backend;
    let table = b.quote(&info.schema.name).unwrap_or_default();
    let mut sql = if cells.is_empty() {
        match b {
            Backend::MySql => format!("INSERT INTO {table} () VALUES ()"),
            _ => format!("INSERT INTO {table} DEFAULT VALUES"),
        }
    } else {
        let names: Vec<String> = cells
            .iter()
            .map(|(i, _)| b.quote(&info.schema.columns[*i].name).unwrap_or_default())
            .collect();
        let values: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(n, (i, _))| b.typed_param(n + 1, &info.db_types[*i]))
            .collect();
        format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            names.join(", "),
            values.join(", ")
        )
    };
    let returning = given_key.is_none() && b != Backend::MySql;
    if returning {
        let key_name = b.quote(&key_col.name).unwrap_or_default();
        sql.push_str(&format!(
            " RETURNING {}",
            b.text_expr(&key_name, &key_col.sql_type)
        ));
    }
    let mut q = sqlx::query(&sql);
    for (_, v) in cells {
        q = q.bind(v);
    }
    let param = if let Some(p) = given_key {
        q.execute(&mut *conn).await?;
        p
    } else if returning {
        let row = q.fetch_one(&mut *conn).await?;
        text_at(&row, 0)?
    } else {
        q.execute(&mut *conn).await?;
        let row = sqlx::query("SELECT CAST(LAST_INSERT_ID() AS CHAR)")
            .fetch_one(&mut *conn)
            .await?;
        text_at(&row, 0)?
    };
    applied(conn, db, info, param).await
}
