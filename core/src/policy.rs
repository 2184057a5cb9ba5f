//! Conflict policies: who wins when the sheet and the database changed the same thing.
//!
//! A binding has a default policy and per-column overrides, in the serde form
//! `{"default":"database-wins","columns":{"qty":"numeric-delta"}}`.
//!
//! Cell conflicts (one cell changed on both sides to different values) use the column's
//! policy. Row conflicts (update vs delete, delete vs update, insert vs insert with different
//! cells on one key) use the binding default. `numeric-delta` merges numbers and nothing
//! else: for a non-numeric column, a row conflict, or a row whose base value cannot be had,
//! it falls back to the binding default, and to `database-wins` when the default is itself
//! `numeric-delta`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::schema::RowKey;

/// How a conflict is decided.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConflictPolicy {
    /// The database's value is kept and written into the sheet.
    #[default]
    DatabaseWins,
    /// The sheet's value is pushed to the database.
    SheetWins,
    /// The side that changed last wins: the sheet's recorded edit time (or the planner's
    /// `nowMs` when none was recorded) against the database's change time; a tie goes to the
    /// database.
    LatestWins,
    /// Held for a person, who sees both values and chooses.
    Manual,
    /// Handed to the host's resolver function; its answer comes back as a [`Resolution`].
    Custom,
    /// Numbers only: base + (sheet − base) + (database − base), so concurrent increments
    /// both count.
    NumericDelta,
}

impl ConflictPolicy {
    /// Whether a conflict under this policy waits for an answer from outside the planner.
    pub fn is_held(self) -> bool {
        matches!(self, ConflictPolicy::Manual | ConflictPolicy::Custom)
    }
}

/// A binding's policies: a default and per-column overrides.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicySet {
    /// The policy for columns without an override, and for row conflicts.
    #[serde(default)]
    pub default: ConflictPolicy,
    /// Overrides by column name.
    #[serde(default)]
    pub columns: BTreeMap<String, ConflictPolicy>,
}

impl PolicySet {
    /// The policy for a cell conflict in `column`.
    pub fn for_column(&self, column: &str) -> ConflictPolicy {
        self.columns.get(column).copied().unwrap_or(self.default)
    }

    /// The policy for a row conflict, and for `numeric-delta`'s fallback.
    pub fn for_rows(&self) -> ConflictPolicy {
        match self.default {
            ConflictPolicy::NumericDelta => ConflictPolicy::DatabaseWins,
            other => other,
        }
    }
}

/// Which side a decided conflict takes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Choice {
    /// Keep the sheet's value (push it).
    Sheet,
    /// Keep the database's value (write it into the sheet).
    Database,
    /// A value given by the person or the resolver, in the column's wire form; it is written
    /// to both sides.
    Value(serde_json::Value),
}

/// The answer to a held (`manual` or `custom`) conflict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resolution {
    /// The conflicting row.
    pub key: RowKey,
    /// The column, or `None` for a row conflict (where a [`Choice::Value`] is not allowed).
    #[serde(default)]
    pub column: Option<String>,
    /// The answer.
    pub choose: Choice,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_set_reads_its_kebab_case_form() {
        let p: PolicySet =
            serde_json::from_str(r#"{"default":"latest-wins","columns":{"qty":"numeric-delta"}}"#)
                .unwrap();
        assert_eq!(p.for_column("qty"), ConflictPolicy::NumericDelta);
        assert_eq!(p.for_column("name"), ConflictPolicy::LatestWins);
        assert_eq!(p.for_rows(), ConflictPolicy::LatestWins);
    }

    #[test]
    fn numeric_delta_as_default_falls_back_to_database_wins_for_rows() {
        let p: PolicySet = serde_json::from_str(r#"{"default":"numeric-delta"}"#).unwrap();
        assert_eq!(p.for_rows(), ConflictPolicy::DatabaseWins);
    }

    #[test]
    fn resolutions_read_their_three_choices() {
        let r: Vec<Resolution> = serde_json::from_str(
            r#"[{"key":"1","column":"a","choose":"sheet"},
                {"key":"2","choose":"database"},
                {"key":"3","column":"qty","choose":{"value":12}}]"#,
        )
        .unwrap();
        assert_eq!(r[0].choose, Choice::Sheet);
        assert_eq!(r[1].column, None);
        assert_eq!(r[2].choose, Choice::Value(serde_json::json!(12)));
    }
}
