//! Row history: a row's change-log entries and the sheet values conflict policies overrode.
//!
//! The change log already holds the database's side of every conflict (each entry is the
//! row's full new image), so a row's history reads it directly. A sheet value a policy
//! overrode never reached the database; the add-on reports it and it is kept in
//! `sheetsync_overrides`. Reported overrides are pruned by [`prune`] with the change log's own
//! rules (older than the retention time and beyond the newest `retain_min`) whenever the log
//! is compacted, so a row's history keeps both sides of its past for as long.

use sheetsync_core::history::{OverrideReport, ReportedOverride, RowHistory, StoredOverride};
use sheetsync_core::schema::RowKey;
use sqlx::any::AnyRow;

use crate::db::catalog::TableInfo;
use crate::db::{int_at, now_ms, text_at, Db};
use crate::feed::entry;

/// The most overrides one report may carry.
pub const MAX_REPORT: usize = 1_000;

/// The longest a client-chosen override id may be (it is a unique index's column).
const MAX_ID_CHARS: usize = 191;

/// Checks a report against the table, naming the first entry and field that is wrong.
pub fn check(info: &TableInfo, report: &OverrideReport) -> Result<(), String> {
    if report.origin.is_empty() {
        return Err("origin must name the reporting client".into());
    }
    if report.overrides.len() > MAX_REPORT {
        return Err(format!(
            "a report holds at most {MAX_REPORT} overrides, not {}",
            report.overrides.len()
        ));
    }
    for (i, o) in report.overrides.iter().enumerate() {
        check_one(info, o).map_err(|e| format!("overrides[{i}] (row {}): {e}", o.key))?;
    }
    Ok(())
}

fn check_one(info: &TableInfo, o: &ReportedOverride) -> Result<(), String> {
    if o.id.is_empty() || o.id.chars().count() > MAX_ID_CHARS {
        return Err(format!("id must be 1 to {MAX_ID_CHARS} characters"));
    }
    info.key_column()
        .decode(&serde_json::Value::String(o.key.0.clone()))
        .map_err(|e| format!("key: {e}"))?;
    let schema = &info.schema;
    let fits = |field: &str, value: &serde_json::Value| -> Result<(), String> {
        match &o.column {
            Some(name) => {
                let (_, col) = schema
                    .column(name)
                    .ok_or_else(|| format!("column {name:?} is not one the table has"))?;
                col.decode(value).map(|_| ()).map_err(|e| format!("{field}: {e}"))
            }
            None if value.is_null() => Ok(()),
            None => match value.as_array() {
                Some(cells) => schema
                    .decode_row(cells)
                    .map(|_| ())
                    .map_err(|e| format!("{field}: {e}")),
                None => Err(format!(
                    "{field} must be a whole row (an array of cells) or null when no column is named"
                )),
            },
        }
    };
    fits("value", &o.value)?;
    fits("winning_value", &o.winning_value)
}

/// Keeps the reported overrides not kept yet; returns how many were new.
pub async fn store(
    db: &Db,
    info: &TableInfo,
    report: &OverrideReport,
) -> Result<usize, sqlx::Error> {
    let mut tx = db.pool.begin().await?;
    let exists = format!(
        "SELECT 1 FROM sheetsync_overrides WHERE table_id = {} AND report_id = {}",
        db.ph(1),
        db.ph(2)
    );
    let insert = format!(
        "INSERT INTO sheetsync_overrides (table_id, report_id, row_key, column_name, \
         losing_value, winning_value, policy, edited_at_ms, author, database_version, origin, \
         reported_at_ms) VALUES ({})",
        (1..=12).map(|n| db.ph(n)).collect::<Vec<_>>().join(", ")
    );
    let now = now_ms();
    let mut stored = 0;
    for o in &report.overrides {
        let seen = sqlx::query(&exists)
            .bind(info.id)
            .bind(o.id.clone())
            .fetch_optional(&mut *tx)
            .await?;
        if seen.is_some() {
            continue;
        }
        let policy = serde_json::to_value(o.policy)
            .ok()
            .and_then(|p| p.as_str().map(str::to_string))
            .ok_or_else(|| decode_error("policy", "a policy that has no name".into()))?;
        sqlx::query(&insert)
            .bind(info.id)
            .bind(o.id.clone())
            .bind(o.key.0.clone())
            .bind(o.column.clone())
            .bind(o.value.to_string())
            .bind(o.winning_value.to_string())
            .bind(policy)
            .bind(o.edited_at_ms)
            .bind(o.author.clone())
            .bind(o.database_version)
            .bind(report.origin.clone())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        stored += 1;
    }
    tx.commit().await?;
    Ok(stored)
}

/// The newest `limit` change-log entries and reported overrides of row `key`, newest first.
/// Only entries the sequencer has stamped are read: the feed's own view of the log.
pub async fn read(
    db: &Db,
    info: &TableInfo,
    key: &RowKey,
    limit: usize,
) -> Result<RowHistory, sqlx::Error> {
    let sql = format!(
        "SELECT {} FROM sheetsync_changes WHERE table_id = {} AND row_key = {} \
         AND seq > 0 ORDER BY id DESC LIMIT {limit}",
        entry::columns(db.backend),
        db.ph(1),
        db.ph(2)
    );
    let rows = sqlx::query(&sql)
        .bind(info.id)
        .bind(key.0.clone())
        .fetch_all(&db.pool)
        .await?;
    let changes = rows
        .iter()
        .map(|r| entry::decode(db.backend, info, r).map(|(_, change)| change))
        .collect::<Result<Vec<_>, _>>()?;
    let sql = format!(
        "SELECT report_id, column_name, losing_value, winning_value, policy, edited_at_ms, \
         author, database_version, origin, reported_at_ms FROM sheetsync_overrides \
         WHERE table_id = {} AND row_key = {} ORDER BY id DESC LIMIT {limit}",
        db.ph(1),
        db.ph(2)
    );
    let rows = sqlx::query(&sql)
        .bind(info.id)
        .bind(key.0.clone())
        .fetch_all(&db.pool)
        .await?;
    let overrides = rows
        .iter()
        .map(|r| stored_override(key, r))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RowHistory {
        key: key.clone(),
        changes,
        overrides,
    })
}

fn stored_override(key: &RowKey, r: &AnyRow) -> Result<StoredOverride, sqlx::Error> {
    let text =
        |i: usize, name: &str| text_at(r, i)?.ok_or_else(|| decode_error(name, "NULL".into()));
    let json = |i: usize, name: &str| -> Result<serde_json::Value, sqlx::Error> {
        serde_json::from_str(&text(i, name)?).map_err(|e| decode_error(name, e.to_string()))
    };
    let policy = text(4, "policy")?;
    let policy = serde_json::from_value(serde_json::Value::String(policy.clone()))
        .map_err(|_| decode_error("policy", format!("{policy:?} is not a policy")))?;
    Ok(StoredOverride {
        reported: ReportedOverride {
            id: text(0, "report_id")?,
            key: key.clone(),
            column: text_at(r, 1)?,
            value: json(2, "losing_value")?,
            winning_value: json(3, "winning_value")?,
            policy,
            edited_at_ms: int_at(r, 5)?,
            author: text_at(r, 6)?,
            database_version: int_at(r, 7)?
                .ok_or_else(|| decode_error("database_version", "NULL".into()))?,
        },
        origin: text(8, "origin")?,
        reported_at_ms: int_at(r, 9)?
            .ok_or_else(|| decode_error("reported_at_ms", "NULL".into()))?,
    })
}

fn decode_error(column: &str, why: String) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.to_string(),
        source: format!("sheetsync_overrides.{column}: {why}").into(),
    }
}

/// Deletes reported overrides older than `cutoff_ms` beyond the newest `retain_min`: the
/// change log's own rules, applied each time it is compacted (see [`crate::feed::compact`]).
/// Returns how many went.
pub async fn prune(db: &Db, cutoff_ms: i64, retain_min: i64) -> Result<u64, sqlx::Error> {
    let row = sqlx::query("SELECT MAX(id) FROM sheetsync_overrides")
        .fetch_one(&db.pool)
        .await?;
    let Some(last) = int_at(&row, 0)? else {
        return Ok(0);
    };
    let sql = format!(
        "DELETE FROM sheetsync_overrides WHERE reported_at_ms < {} AND id <= {}",
        db.ph(1),
        db.ph(2)
    );
    let done = sqlx::query(&sql)
        .bind(cutoff_ms)
        .bind(last - retain_min)
        .execute(&db.pool)
        .await?;
    Ok(done.rows_affected())
}
