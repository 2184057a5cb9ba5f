//! Server-mode bindings: a sheet of a Google spreadsheet that the server itself keeps in sync
//! with one table through the Sheets API, with no add-on running.
//!
//! The model:
//!
//! - A [`Binding`] names the spreadsheet, the sheet (by its tab name), the table and the
//!   conflict policies, and can be paused. One sheet has at most one binding; a table may be
//!   bound to many sheets. Bindings are made with `sheetsync-server binding create` and live
//!   in `sheetsync_bindings`.
//! - Its state between rounds ([`state`]) is the core's
//!   [`sheetsync_core::round::BindingState`] (base, held changes, batch in flight) and the
//!   feed cursor, in `sheetsync_binding_state`, so an instance that dies mid-round leaves
//!   everything the next owner needs in the database.
//! - A [`lease`] per binding lets any number of instances share the bindings, one owner at a
//!   time. Each takeover raises the binding's lease epoch, and every save checks it under the
//!   binding row's lock: an owner that was too slow and lost its lease cannot overwrite what
//!   the new owner saved.
//! - After every round the owner saves the binding's [`status`] under the lease too, so any
//!   instance answers a status request with what the owner found.

pub mod drive_channels;
pub mod handover;
pub mod lease;
pub mod settle;
pub mod sheet_edits;
pub mod state;
pub mod status;
pub mod wake;

use sheetsync_core::policy::{ConflictPolicy, PolicySet};
use sqlx::any::AnyRow;

use crate::db::catalog::read_table;
use crate::db::{int_at, now_ms, text_at, Db};
use crate::tables;

/// One server-mode binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    /// The binding's id.
    pub id: i64,
    /// The spreadsheet's id, as in its URL (`/spreadsheets/d/{id}/edit`).
    pub spreadsheet_id: String,
    /// The tab name of the bound sheet.
    pub sheet_name: String,
    /// The bound table.
    pub table: String,
    /// Who wins a conflict.
    pub policies: PolicySet,
    /// Whether syncing is stopped.
    pub paused: bool,
    /// When it was made (ms since the epoch).
    pub created_at_ms: i64,
    /// The instance holding the lease, and until when, if any holds it.
    pub lease: Option<(String, i64)>,
}

/// What `binding create` asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewBinding {
    /// The spreadsheet's id.
    pub spreadsheet_id: String,
    /// The tab name.
    pub sheet_name: String,
    /// The table, which must be enabled.
    pub table: String,
    /// The policies.
    pub policies: PolicySet,
}

/// Why a binding operation was refused or failed; each says what and where.
#[derive(Debug, thiserror::Error)]
pub enum BindingError {
    /// Not a spreadsheet id.
    #[error(
        "{0:?} is not a spreadsheet id: it is the part of the sheet's URL between /d/ and /edit \
         (letters, digits, - and _)"
    )]
    BadSpreadsheetId(String),
    /// An empty tab name.
    #[error("the sheet name is empty: give the tab's name as Sheets shows it")]
    EmptySheetName,
    /// The table is not enabled for sync.
    #[error("table {0:?} is not enabled for sync: run `sheetsync-server table enable {0}` first")]
    TableNotEnabled(String),
    /// A policy that could not be read.
    #[error("{0}")]
    BadPolicy(String),
    /// The sheet is already bound.
    #[error("sheet {sheet:?} of spreadsheet {spreadsheet} is already bound (binding {id})")]
    AlreadyBound {
        /// The spreadsheet.
        spreadsheet: String,
        /// The tab.
        sheet: String,
        /// The existing binding.
        id: i64,
    },
    /// No binding has this id.
    #[error("there is no binding {0}: `binding list` shows them")]
    NoBinding(i64),
    /// A stored row that cannot be read back.
    #[error("binding {id}: the stored {what} cannot be read ({reason})")]
    Corrupt {
        /// The binding.
        id: i64,
        /// Which part.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// The add-on asked to hand a sheet over while a batch it sent waits for its answer.
    #[error(
        "the add-on's batch {0} was sent and its answer is not applied yet: finish that sync \
         before handing the sheet to the server"
    )]
    AddonBatchInFlight(String),
    /// The sheet was asked back while the server's round has a batch in flight.
    #[error(
        "binding {id}: the server's round sent batch {batch} and has not written its answer \
         into the sheet yet; try again in a moment"
    )]
    ServerBatchInFlight {
        /// The binding.
        id: i64,
        /// The batch id.
        batch: String,
    },
    /// The lease was taken over: this instance may no longer write the binding's state.
    #[error("binding {0}: this instance no longer holds its lease, so it saved nothing")]
    LeaseLost(i64),
    /// The database refused.
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// The table's schema could not be read.
    #[error(transparent)]
    Catalog(#[from] crate::db::catalog::CatalogError),
}

/// Reads `--policy` values: one bare policy sets the default (`database-wins`), and
/// `column=policy` overrides one column. Column names are checked by [`create`].
pub fn parse_policies(args: &[String]) -> Result<PolicySet, BindingError> {
    let mut set = PolicySet::default();
    let mut default_seen = false;
    for arg in args {
        let (column, name) = match arg.split_once('=') {
            Some((c, p)) => (Some(c.trim()), p.trim()),
            None => (None, arg.trim()),
        };
        let policy = policy_named(name)?;
        match column {
            Some("") => {
                return Err(BindingError::BadPolicy(format!(
                    "--policy {arg:?} names no column before '='"
                )))
            }
            Some(c) => {
                if set.columns.insert(c.to_string(), policy).is_some() {
                    return Err(BindingError::BadPolicy(format!(
                        "--policy gives column {c:?} two policies"
                    )));
                }
            }
            None if default_seen => {
                return Err(BindingError::BadPolicy(
                    "--policy gives two default policies; name a column for the second \
                     (column=policy)"
                        .into(),
                ))
            }
            None => {
                default_seen = true;
                set.default = policy;
            }
        }
    }
    Ok(set)
}

/// The policies a binding can hold. `custom` needs the add-on's resolver function, which the
/// server does not have.
fn policy_named(name: &str) -> Result<ConflictPolicy, BindingError> {
    let known = "database-wins, sheet-wins, latest-wins, manual or numeric-delta";
    let policy: ConflictPolicy = serde_json::from_value(serde_json::Value::String(name.into()))
        .map_err(|_| BindingError::BadPolicy(format!("unknown policy {name:?}: use {known}")))?;
    if policy == ConflictPolicy::Custom {
        return Err(BindingError::BadPolicy(format!(
            "policy \"custom\" runs the add-on's resolveConflict, which a server-mode binding \
             does not have: use {known}"
        )));
    }
    Ok(policy)
}

/// Whether `id` can be a spreadsheet id.
fn is_spreadsheet_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 191
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Makes a binding after checking it: the id's form, the table enabled, every policy column a
/// column of the table, and the sheet not bound yet. Returns its id.
pub async fn create(db: &Db, new: &NewBinding) -> Result<i64, BindingError> {
    create_with_state(db, new, &state::StoredState::default()).await
}

/// [`create`], starting from `initial` (a sheet handed over with its base and cursor): the
/// binding and its state are written in one transaction, so no instance can take the binding
/// before its state is there.
pub(crate) async fn create_with_state(
    db: &Db,
    new: &NewBinding,
    initial: &state::StoredState,
) -> Result<i64, BindingError> {
    if !is_spreadsheet_id(&new.spreadsheet_id) {
        return Err(BindingError::BadSpreadsheetId(new.spreadsheet_id.clone()));
    }
    if new.sheet_name.trim().is_empty() {
        return Err(BindingError::EmptySheetName);
    }
    let entry = tables::list(db)
        .await?
        .into_iter()
        .find(|t| t.name == new.table && t.enabled)
        .ok_or_else(|| BindingError::TableNotEnabled(new.table.clone()))?;
    let info = read_table(db, &new.table, entry.id).await?;
    for column in new.policies.columns.keys() {
        if info.schema.column(column).is_none() {
            let names: Vec<&str> = info
                .schema
                .columns
                .iter()
                .map(|c| c.name.as_str())
                .collect();
            return Err(BindingError::BadPolicy(format!(
                "--policy names column {column:?}, which table {:?} does not have (it has {})",
                new.table,
                names.join(", ")
            )));
        }
    }
    if let Some(existing) = list(db)
        .await?
        .into_iter()
        .find(|b| b.spreadsheet_id == new.spreadsheet_id && b.sheet_name == new.sheet_name)
    {
        return Err(BindingError::AlreadyBound {
            spreadsheet: new.spreadsheet_id.clone(),
            sheet: new.sheet_name.clone(),
            id: existing.id,
        });
    }
    let policies = serde_json::to_string(&new.policies).map_err(|e| BindingError::Corrupt {
        id: 0,
        what: "policies",
        reason: e.to_string(),
    })?;
    let p = |n| db.ph(n);
    let now = now_ms();
    let mut tx = db.pool.begin().await?;
    sqlx::query(&format!(
        "INSERT INTO sheetsync_bindings (spreadsheet_id, sheet_name, table_name, policies, \
         paused, created_at_ms, lease_epoch) VALUES ({}, {}, {}, {}, 0, {}, 0)",
        p(1),
        p(2),
        p(3),
        p(4),
        p(5)
    ))
    .bind(&new.spreadsheet_id)
    .bind(&new.sheet_name)
    .bind(&new.table)
    .bind(&policies)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let row = sqlx::query(&format!(
        "SELECT id FROM sheetsync_bindings WHERE spreadsheet_id = {} AND sheet_name = {}",
        p(1),
        p(2)
    ))
    .bind(&new.spreadsheet_id)
    .bind(&new.sheet_name)
    .fetch_one(&mut *tx)
    .await?;
    let id = required_int(&row, 0, 0, "id")?;
    let round = state::encode(id, &initial.round)?;
    sqlx::query(&format!(
        "INSERT INTO sheetsync_binding_state (binding_id, round_state, feed_cursor, \
         updated_at_ms) VALUES ({}, {}, {}, {})",
        p(1),
        p(2),
        p(3),
        p(4)
    ))
    .bind(id)
    .bind(round)
    .bind(initial.cursor.as_ref().map(|c| c.0.clone()))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

const BINDING_COLUMNS: &str = "id, spreadsheet_id, sheet_name, table_name, policies, paused, \
                               created_at_ms, lease_owner, lease_expires_at_ms";

/// Every binding, by id.
pub async fn list(db: &Db) -> Result<Vec<Binding>, BindingError> {
    let rows = sqlx::query(&format!(
        "SELECT {BINDING_COLUMNS} FROM sheetsync_bindings ORDER BY id"
    ))
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(binding_of).collect()
}

/// Binding `id`.
pub async fn get(db: &Db, id: i64) -> Result<Binding, BindingError> {
    let row = sqlx::query(&format!(
        "SELECT {BINDING_COLUMNS} FROM sheetsync_bindings WHERE id = {}",
        db.ph(1)
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(BindingError::NoBinding(id))?;
    binding_of(&row)
}

/// Pauses or resumes binding `id`; returns whether that changed anything. A paused binding's
/// lease is not renewed and no instance takes it; its state stays, so resuming carries on
/// from the same base with no full resync.
pub async fn set_paused(db: &Db, id: i64, paused: bool) -> Result<bool, BindingError> {
    let done = sqlx::query(&format!(
        "UPDATE sheetsync_bindings SET paused = {} WHERE id = {} AND paused <> {}",
        db.ph(1),
        db.ph(2),
        db.ph(3)
    ))
    .bind(i64::from(paused))
    .bind(id)
    .bind(i64::from(paused))
    .execute(&db.pool)
    .await?;
    if done.rows_affected() == 0 {
        get(db, id).await?;
        return Ok(false);
    }
    Ok(true)
}

/// Removes binding `id` and its state. The sheet and the table keep their rows.
pub async fn remove(db: &Db, id: i64) -> Result<(), BindingError> {
    let mut tx = db.pool.begin().await?;
    for table in [
        "sheetsync_binding_state",
        "sheetsync_binding_answers",
        "sheetsync_binding_edits",
    ] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE binding_id = {}",
            db.ph(1)
        ))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    let done = sqlx::query(&format!(
        "DELETE FROM sheetsync_bindings WHERE id = {}",
        db.ph(1)
    ))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(BindingError::NoBinding(id));
    }
    tx.commit().await?;
    Ok(())
}

fn binding_of(row: &AnyRow) -> Result<Binding, BindingError> {
    let id = required_int(row, 0, 0, "id")?;
    let policies_text = required_text(row, 4, id, "policies")?;
    let policies = serde_json::from_str(&policies_text).map_err(|e| BindingError::Corrupt {
        id,
        what: "policies",
        reason: e.to_string(),
    })?;
    let lease = match (text_at(row, 7)?, int_at(row, 8)?) {
        (Some(owner), Some(until)) => Some((owner, until)),
        _ => None,
    };
    Ok(Binding {
        id,
        spreadsheet_id: required_text(row, 1, id, "spreadsheet id")?,
        sheet_name: required_text(row, 2, id, "sheet name")?,
        table: required_text(row, 3, id, "table name")?,
        policies,
        paused: required_int(row, 5, id, "paused flag")? != 0,
        created_at_ms: required_int(row, 6, id, "creation time")?,
        lease,
    })
}

/// A NOT NULL integer column; NULL there means the row was written by something else.
pub(crate) fn required_int(
    row: &AnyRow,
    i: usize,
    id: i64,
    what: &'static str,
) -> Result<i64, BindingError> {
    int_at(row, i)?.ok_or_else(|| BindingError::Corrupt {
        id,
        what,
        reason: "it is NULL".into(),
    })
}

/// A NOT NULL text column.
pub(crate) fn required_text(
    row: &AnyRow,
    i: usize,
    id: i64,
    what: &'static str,
) -> Result<String, BindingError> {
    text_at(row, i)?.ok_or_else(|| BindingError::Corrupt {
        id,
        what,
        reason: "it is NULL".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_bare_policy_sets_the_default_and_column_policies_override() {
        let set = parse_policies(&args(&["sheet-wins", "qty=numeric-delta"])).unwrap();
        assert_eq!(set.default, ConflictPolicy::SheetWins);
        assert_eq!(set.columns["qty"], ConflictPolicy::NumericDelta);
        assert_eq!(parse_policies(&[]).unwrap(), PolicySet::default());
    }

    #[test]
    fn custom_and_unknown_policies_and_two_defaults_are_refused_with_the_choices() {
        let custom = parse_policies(&args(&["custom"])).unwrap_err().to_string();
        assert!(custom.contains("resolveConflict"), "{custom}");
        let unknown = parse_policies(&args(&["qty=newest"]))
            .unwrap_err()
            .to_string();
        assert!(unknown.contains("\"newest\"") && unknown.contains("latest-wins"));
        let two = parse_policies(&args(&["manual", "sheet-wins"])).unwrap_err();
        assert!(two.to_string().contains("two default policies"));
        let twice = parse_policies(&args(&["a=manual", "a=sheet-wins"])).unwrap_err();
        assert!(twice.to_string().contains("column \"a\" two policies"));
        let nameless = parse_policies(&args(&["=manual"])).unwrap_err();
        assert!(nameless.to_string().contains("names no column"));
    }

    #[test]
    fn a_spreadsheet_id_is_letters_digits_dashes_and_underscores() {
        assert!(is_spreadsheet_id(
            "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"
        ));
        assert!(!is_spreadsheet_id(""));
        assert!(!is_spreadsheet_id(
            "https://docs.google.com/spreadsheets/d/abc/edit"
        ));
        assert!(!is_spreadsheet_id("abc def"));
    }
}
