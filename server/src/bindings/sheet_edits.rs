//! When and by whom rows of a binding's sheet were edited, as the add-on's poke tells: the
//! Sheets API says neither, so without them a sheet edit would count as made when a round
//! reads it. Kept in the database per row key (the latest edit wins) until the owner's round
//! that reads those rows uses them; that round forgets exactly the ones it used, in the
//! transaction that saves its state, so an edit poked meanwhile waits for the next round.

use std::collections::BTreeMap;

use sheetsync_core::schema::RowKey;
use sqlx::{Any, Transaction};

use super::{required_int, required_text, BindingError};
use crate::db::{text_at, Backend, Db};

/// One row's latest edit in the sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetEdit {
    /// The row's key.
    pub key: RowKey,
    /// When it was edited (ms since the epoch), by the add-on's clock.
    pub edited_at_ms: i64,
    /// The editor's email, where Google names them.
    pub author: Option<String>,
}

/// The edits a round uses, by row key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PendingEdits {
    /// Each row's latest edit.
    pub by_key: BTreeMap<RowKey, SheetEdit>,
}

impl PendingEdits {
    /// The edit times the core's plan takes.
    pub fn times(&self) -> BTreeMap<RowKey, i64> {
        self.by_key
            .iter()
            .map(|(k, e)| (k.clone(), e.edited_at_ms))
            .collect()
    }

    /// The author of row `key`'s edit made at `at_ms`, when known.
    pub fn author_of(&self, key: &RowKey, at_ms: Option<i64>) -> Option<String> {
        let edit = self.by_key.get(key)?;
        (Some(edit.edited_at_ms) == at_ms)
            .then(|| edit.author.clone())
            .flatten()
    }
}

/// Records `edits` for binding `id`, keeping for each row the later of the edit stored and
/// the one given (with its author).
pub async fn record(db: &Db, id: i64, edits: &[SheetEdit]) -> Result<(), BindingError> {
    let sql = upsert_sql(db.backend);
    let mut tx = db.pool.begin().await?;
    for e in edits {
        sqlx::query(&sql)
            .bind(id)
            .bind(&e.key.0)
            .bind(e.edited_at_ms)
            .bind(e.author.clone())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

fn upsert_sql(backend: Backend) -> String {
    match backend {
        // MySQL assigns left to right: the author is chosen against the old time.
        Backend::MySql => "INSERT INTO sheetsync_binding_edits \
            (binding_id, row_key, edited_at_ms, author) VALUES (?, ?, ?, ?) \
            ON DUPLICATE KEY UPDATE \
            author = IF(VALUES(edited_at_ms) > edited_at_ms, VALUES(author), author), \
            edited_at_ms = GREATEST(edited_at_ms, VALUES(edited_at_ms))"
            .to_string(),
        Backend::Postgres | Backend::Sqlite => format!(
            "INSERT INTO sheetsync_binding_edits (binding_id, row_key, edited_at_ms, author) \
             VALUES ({}, {}, {}, {}) ON CONFLICT (binding_id, row_key) DO UPDATE \
             SET edited_at_ms = excluded.edited_at_ms, author = excluded.author \
             WHERE excluded.edited_at_ms > sheetsync_binding_edits.edited_at_ms",
            backend.placeholder(1),
            backend.placeholder(2),
            backend.placeholder(3),
            backend.placeholder(4)
        ),
    }
}

/// Binding `id`'s edits not used by a round yet.
pub async fn pending(db: &Db, id: i64) -> Result<PendingEdits, BindingError> {
    let rows = sqlx::query(&format!(
        "SELECT row_key, edited_at_ms, author FROM sheetsync_binding_edits \
         WHERE binding_id = {}",
        db.ph(1)
    ))
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    let mut by_key = BTreeMap::new();
    for r in &rows {
        let key = RowKey(required_text(r, 0, id, "edited row's key")?);
        let edit = SheetEdit {
            key: key.clone(),
            edited_at_ms: required_int(r, 1, id, "edit time")?,
            author: text_at(r, 2)?,
        };
        by_key.insert(key, edit);
    }
    Ok(PendingEdits { by_key })
}

/// Forgets the edits a round used, each only while it is still the row's latest (a later
/// poke for the row waits for the next round).
pub(crate) async fn forget_used(
    db: &Db,
    tx: &mut Transaction<'_, Any>,
    id: i64,
    used: &PendingEdits,
) -> Result<(), BindingError> {
    for e in used.by_key.values() {
        sqlx::query(&format!(
            "DELETE FROM sheetsync_binding_edits \
             WHERE binding_id = {} AND row_key = {} AND edited_at_ms = {}",
            db.ph(1),
            db.ph(2),
            db.ph(3)
        ))
        .bind(id)
        .bind(&e.key.0)
        .bind(e.edited_at_ms)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
