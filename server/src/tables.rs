//! The tables enabled for sync: enabling reads the table's schema from the catalog and installs
//! its triggers; the registry remembers a fingerprint of the columns so the server can notice a
//! schema change and generate the triggers again. Enabling or disabling bumps a version in the
//! feed's state row, which every instance's poller reads, so running servers pick the change
//! up within a tick whichever process made it.

use std::collections::BTreeMap;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use sqlx::Row;
use tokio::sync::RwLock;

use crate::db::catalog::{read_table, CatalogError, TableInfo};
use crate::db::ident::Ident;
use crate::db::{int_at, required_int_at, required_text_at, triggers, Db};

/// One registry entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableEntry {
    /// The id the change log uses.
    pub id: i64,
    /// The table's name.
    pub name: String,
    /// Whether changes are captured and served.
    pub enabled: bool,
}

/// Why a registry operation failed.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The table cannot be synced as it is.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The database refused.
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

/// Lists every table the registry knows, enabled or not.
pub async fn list(db: &Db) -> Result<Vec<TableEntry>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, name, enabled FROM sheetsync_tables ORDER BY name")
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(TableEntry {
                id: required_int_at(r, 0)?,
                name: required_text_at(r, 1)?,
                enabled: required_int_at(r, 2)? != 0,
            })
        })
        .collect()
}

async fn find(db: &Db, name: &str) -> Result<Option<(i64, bool, String)>, sqlx::Error> {
    let sql = format!(
        "SELECT id, enabled, fingerprint FROM sheetsync_tables WHERE name = {}",
        db.ph(1)
    );
    let row = sqlx::query(&sql)
        .bind(name)
        .fetch_optional(&db.pool)
        .await?;
    match row {
        None => Ok(None),
        Some(r) => Ok(Some((
            required_int_at(&r, 0)?,
            required_int_at(&r, 1)? != 0,
            required_text_at(&r, 2)?,
        ))),
    }
}

/// What the installed triggers were made from: the columns and the trigger statements this
/// server writes for them. A server whose trigger code differs (an upgrade that logs some
/// value differently) therefore regenerates them on its next catalog refresh, without anyone
/// enabling the table again.
fn installed_fingerprint(db: &Db, info: &TableInfo) -> String {
    let statements = triggers::create_statements(db.backend, info).join("\n");
    let text = format!("{}\n{statements}", info.fingerprint());
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Enables `name`: checks it can be synced, registers it and installs its triggers.
pub async fn enable(db: &Db, name: &str) -> Result<TableInfo, TableError> {
    // Check before registering, so a table that cannot be synced leaves no trace.
    read_table(db, name, 0).await?;
    let id = match find(db, name).await? {
        Some((id, _, _)) => id,
        None => {
            let sql = format!(
                "INSERT INTO sheetsync_tables (name, enabled, fingerprint) VALUES ({}, 1, '')",
                db.ph(1)
            );
            sqlx::query(&sql).bind(name).execute(&db.pool).await?;
            match find(db, name).await? {
                Some((id, _, _)) => id,
                None => {
                    return Err(sqlx::Error::Protocol(format!(
                        "table {name} was registered but cannot be read back from sheetsync_tables"
                    ))
                    .into())
                }
            }
        }
    };
    let info = read_table(db, name, id).await?;
    triggers::install(db, &info).await?;
    let sql = format!(
        "UPDATE sheetsync_tables SET enabled = 1, fingerprint = {} WHERE id = {}",
        db.ph(1),
        db.ph(2)
    );
    sqlx::query(&sql)
        .bind(installed_fingerprint(db, &info))
        .bind(id)
        .execute(&db.pool)
        .await?;
    crate::feed::bump_tables_version(db).await?;
    Ok(info)
}

/// Disables `name`: removes its triggers; its log and versions stay until compaction.
/// Returns whether the table was known.
pub async fn disable(db: &Db, name: &str) -> Result<bool, TableError> {
    let Some((id, _, _)) = find(db, name).await? else {
        return Ok(false);
    };
    let table = Ident::new(db.backend, name).map_err(CatalogError::BadName)?;
    triggers::remove(db, id, &table).await?;
    let sql = format!(
        "UPDATE sheetsync_tables SET enabled = 0 WHERE id = {}",
        db.ph(1)
    );
    sqlx::query(&sql).bind(id).execute(&db.pool).await?;
    crate::feed::bump_tables_version(db).await?;
    Ok(true)
}

/// The schemas of the enabled tables, as the server serves them, refreshed from the catalog.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    tables: Arc<RwLock<BTreeMap<String, Arc<TableInfo>>>>,
    /// Held by a refresh: two at once (the slow beat and a table enabled elsewhere) could both
    /// regenerate one table's triggers, racing on the same DDL.
    refreshing: Arc<tokio::sync::Mutex<()>>,
}

impl Catalog {
    /// The enabled table called `name`, if any.
    pub async fn get(&self, name: &str) -> Option<Arc<TableInfo>> {
        self.tables.read().await.get(name).cloned()
    }

    /// Every enabled table, by name.
    pub async fn all(&self) -> Vec<Arc<TableInfo>> {
        self.tables.read().await.values().cloned().collect()
    }

    /// Re-reads every enabled table's schema; where the columns changed since the triggers
    /// were generated, generates them again. A table that can no longer be synced (dropped,
    /// lost its key) is left out and logged.
    ///
    /// A table whose schema did not change keeps its `Arc`, so requests in flight and new
    /// ones still share reads keyed by it.
    pub async fn refresh(&self, db: &Db) -> Result<(), sqlx::Error> {
        let _one_at_a_time = self.refreshing.lock().await;
        let known = self.tables.read().await.clone();
        let mut fresh = BTreeMap::new();
        for entry in list(db).await?.into_iter().filter(|e| e.enabled) {
            let info = match read_table(db, &entry.name, entry.id).await {
                Ok(info) => info,
                Err(e @ CatalogError::Unsupported { .. }) => {
                    // Triggers made before the column was refused could fail other
                    // applications' writes; they go, the table stays registered.
                    tracing::warn!(table = %entry.name, error = %e, "table cannot be synced; removing its triggers");
                    let removed = match Ident::new(db.backend, &entry.name) {
                        Ok(table) => triggers::remove(db, entry.id, &table)
                            .await
                            .map_err(|e| e.to_string()),
                        Err(e) => Err(e.to_string()),
                    };
                    if let Err(e) = removed {
                        tracing::warn!(table = %entry.name, error = %e, "cannot remove triggers");
                    }
                    continue;
                }
                Err(e) => {
                    tracing::warn!(table = %entry.name, error = %e, "table cannot be synced");
                    continue;
                }
            };
            let stored = find(db, &entry.name)
                .await?
                .map(|f| f.2)
                .unwrap_or_default();
            if stored != installed_fingerprint(db, &info) {
                tracing::info!(table = %entry.name, "columns or trigger code changed; regenerating triggers");
                if let Err(e) = enable(db, &entry.name).await {
                    tracing::warn!(table = %entry.name, error = %e, "cannot regenerate triggers");
                    continue;
                }
            }
            let info = match known.get(&entry.name) {
                Some(same) if **same == info => same.clone(),
                _ => Arc::new(info),
            };
            fresh.insert(entry.name.clone(), info);
        }
        *self.tables.write().await = fresh;
        Ok(())
    }
}

/// Reads a single integer from a one-row query (used by small bookkeeping reads).
pub fn first_int(row: &sqlx::any::AnyRow) -> Result<i64, sqlx::Error> {
    row.try_get::<i64, _>(0)
        .or_else(|_| int_at(row, 0).map(|v| v.unwrap_or_default()))
}
