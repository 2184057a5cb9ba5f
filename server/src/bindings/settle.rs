//! Manual conflicts held by the server and settled through the protocol.
//!
//! After each round the binding's owner records the conflicts its plan holds for a person
//! ([`HeldConflict`], saved with the round state under the lease), so any instance can list
//! them. A person's answers are the core's [`Resolution`]s, keeping the sheet's or the
//! database's value; each is checked against a conflict held now and stored with the values
//! that conflict held ([`Answer`]). The owner's next round hands in the answers whose conflict
//! is still the same (same sheet value, same database version) and drops the others, and
//! deletes all it read in the same transaction as its fenced state save.

use serde::{Deserialize, Serialize};
use sheetsync_core::merge::Conflict;
use sheetsync_core::policy::{Choice, Resolution};
use sheetsync_core::schema::RowKey;
use sheetsync_core::wire::RowVersion;

use super::{required_int, required_text, BindingError};
use crate::db::{now_ms, text_at, Db};

/// A conflict the owner holds for a person.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeldConflict {
    /// The row.
    pub key: RowKey,
    /// The column, or `None` for a row conflict (a row deleted on one side, changed on the
    /// other).
    pub column: Option<String>,
    /// The sheet's value (wire form; a whole row for a row conflict; `null` if deleted).
    pub sheet_value: serde_json::Value,
    /// The database's value, in the same form.
    pub database_value: serde_json::Value,
    /// The value both sides last agreed on, when known.
    pub base_value: Option<serde_json::Value>,
    /// The database version the conflict was seen at.
    pub database_version: RowVersion,
    /// Since when the conflict has been held (ms since the epoch).
    pub since_ms: i64,
}

impl HeldConflict {
    fn is(&self, key: &RowKey, column: &Option<String>) -> bool {
        &self.key == key && &self.column == column
    }
}

/// The conflicts `conflicts` (a plan's), keeping the time each was first held in `before`.
pub fn held_now(before: &[HeldConflict], conflicts: &[Conflict], now_ms: i64) -> Vec<HeldConflict> {
    conflicts
        .iter()
        .map(|c| HeldConflict {
            key: c.key.clone(),
            column: c.column.clone(),
            sheet_value: c.sheet_value.clone(),
            database_value: c.database_value.clone(),
            base_value: c.base_value.clone(),
            database_version: c.database_version,
            since_ms: before
                .iter()
                .find(|h| h.is(&c.key, &c.column))
                .map_or(now_ms, |h| h.since_ms),
        })
        .collect()
}

/// A stored answer: the person's choice and the conflict's values it was given against.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    /// The answer's row id, to delete it once read.
    #[serde(skip)]
    pub id: i64,
    /// The choice, as the core takes it.
    pub resolution: Resolution,
    /// The sheet's value the conflict held when answered.
    pub sheet_value: serde_json::Value,
    /// The database version the conflict held when answered.
    pub database_version: RowVersion,
}

impl Answer {
    /// Whether `conflict` is still the one this answer was given to.
    pub fn fits(&self, conflict: &Conflict) -> bool {
        conflict.key == self.resolution.key
            && conflict.column == self.resolution.column
            && conflict.sheet_value == self.sheet_value
            && conflict.database_version == self.database_version
    }
}

/// Why answers were refused.
#[derive(Debug, thiserror::Error)]
pub enum SettleError {
    /// An answer names a conflict the binding does not hold (settled, or never held).
    #[error(
        "binding {id} holds no conflict on row {key:?}{}: it was settled meanwhile or never \
         held; list the conflicts again",
        column.as_ref().map(|c| format!(", column {c:?}")).unwrap_or_default()
    )]
    NotHeld {
        /// The binding.
        id: i64,
        /// The row.
        key: String,
        /// The column.
        column: Option<String>,
    },
    /// An answer that keeps neither side.
    #[error("a conflict is settled by keeping \"sheet\" or \"database\"")]
    BadChoice,
    /// The binding failed to read or write.
    #[error(transparent)]
    Binding(#[from] BindingError),
}

impl From<sqlx::Error> for SettleError {
    fn from(e: sqlx::Error) -> Self {
        SettleError::Binding(BindingError::Db(e))
    }
}

/// The conflicts binding `id`'s owner held after its last round.
pub async fn held(db: &Db, id: i64) -> Result<Vec<HeldConflict>, BindingError> {
    let row = sqlx::query(&format!(
        "SELECT held_conflicts FROM sheetsync_binding_state WHERE binding_id = {}",
        db.ph(1)
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(BindingError::NoBinding(id))?;
    match text_at(&row, 0)? {
        // No round has recorded any yet.
        None => Ok(Vec::new()),
        Some(text) => serde_json::from_str(&text).map_err(|e| BindingError::Corrupt {
            id,
            what: "held conflicts",
            reason: e.to_string(),
        }),
    }
}

/// The JSON form of held conflicts.
pub(crate) fn encode_held(id: i64, held: &[HeldConflict]) -> Result<String, BindingError> {
    serde_json::to_string(held).map_err(|e| BindingError::Corrupt {
        id,
        what: "held conflicts",
        reason: e.to_string(),
    })
}

/// Stores answers to binding `id`'s held conflicts for its owner's next round. Every answer
/// must name a conflict held now and keep one side; otherwise none is stored.
pub async fn answer(db: &Db, id: i64, answers: &[Resolution]) -> Result<usize, SettleError> {
    let held = held(db, id).await?;
    let mut rows = Vec::with_capacity(answers.len());
    for a in answers {
        if !matches!(a.choose, Choice::Sheet | Choice::Database) {
            return Err(SettleError::BadChoice);
        }
        let Some(c) = held.iter().find(|h| h.is(&a.key, &a.column)) else {
            return Err(SettleError::NotHeld {
                id,
                key: a.key.0.clone(),
                column: a.column.clone(),
            });
        };
        let stored = Answer {
            id: 0,
            resolution: a.clone(),
            sheet_value: c.sheet_value.clone(),
            database_version: c.database_version,
        };
        rows.push(
            serde_json::to_string(&stored).map_err(|e| BindingError::Corrupt {
                id,
                what: "answer",
                reason: e.to_string(),
            })?,
        );
    }
    let now = now_ms();
    let mut tx = db.pool.begin().await?;
    for text in &rows {
        sqlx::query(&format!(
            "INSERT INTO sheetsync_binding_answers (binding_id, answer, answered_at_ms) \
             VALUES ({}, {}, {})",
            db.ph(1),
            db.ph(2),
            db.ph(3)
        ))
        .bind(id)
        .bind(text)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}

/// The answers waiting for binding `id`'s owner, oldest first.
pub async fn pending(db: &Db, id: i64) -> Result<Vec<Answer>, BindingError> {
    let rows = sqlx::query(&format!(
        "SELECT id, answer FROM sheetsync_binding_answers WHERE binding_id = {} ORDER BY id",
        db.ph(1)
    ))
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let text = required_text(r, 1, id, "answer")?;
            let mut a: Answer = serde_json::from_str(&text).map_err(|e| BindingError::Corrupt {
                id,
                what: "answer",
                reason: e.to_string(),
            })?;
            a.id = required_int(r, 0, id, "answer id")?;
            Ok(a)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use sheetsync_core::merge::ConflictKind;
    use sheetsync_core::policy::ConflictPolicy;

    fn conflict(key: &str, sheet: &str, version: i64) -> Conflict {
        Conflict {
            key: RowKey(key.into()),
            sheet_row: Some(2),
            column: Some("name".into()),
            kind: ConflictKind::Cell,
            policy: ConflictPolicy::Manual,
            sheet_value: json!(sheet),
            database_value: json!("db"),
            base_value: None,
            sheet_time_ms: None,
            database_time_ms: None,
            database_version: version,
        }
    }

    #[test]
    fn a_conflict_held_again_keeps_the_time_it_was_first_held() {
        let first = held_now(&[], &[conflict("1", "a", 3)], 1000);
        assert_eq!(first[0].since_ms, 1000);
        let again = held_now(
            &first,
            &[conflict("1", "a", 3), conflict("2", "b", 4)],
            5000,
        );
        assert_eq!((again[0].since_ms, again[1].since_ms), (1000, 5000));
    }

    #[test]
    fn an_answer_fits_only_the_conflict_it_was_given_to() {
        let answer = Answer {
            id: 1,
            resolution: Resolution {
                key: RowKey("1".into()),
                column: Some("name".into()),
                choose: Choice::Sheet,
            },
            sheet_value: json!("a"),
            database_version: 3,
        };
        assert!(answer.fits(&conflict("1", "a", 3)));
        assert!(
            !answer.fits(&conflict("1", "edited since", 3)),
            "the sheet changed"
        );
        assert!(!answer.fits(&conflict("1", "a", 4)), "the database changed");
        assert!(!answer.fits(&conflict("2", "a", 3)), "another row");
    }
}
