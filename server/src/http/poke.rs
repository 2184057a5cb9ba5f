//! The body of `POST /v1/bindings/{id}/poke`: optionally, the edit the add-on's onEdit saw —
//! the keys of the edited rows, the event's time and its author — so that the owner's round
//! counts the sheet's edit as made when it was made, not when the round reads it.
//!
//! Each field is checked and refused with a message naming it: a time is never trusted when
//! it is malformed or later than this server's clock by more than the clocks may differ, and
//! the body is bounded.

use serde_json::Value as J;
use sheetsync_core::schema::RowKey;

use super::error::ApiError;
use crate::bindings::sheet_edits::SheetEdit;
use crate::db::catalog::TableInfo;

/// The most row keys one poke carries (a paste over more rows sends none: the round then
/// counts those rows as edited when it reads them).
pub const MAX_POKE_KEYS: usize = 1000;
/// The longest key a poke carries, in characters (what the server stores per key).
pub const MAX_KEY_CHARS: usize = 255;
/// The longest author, in characters (an email address is at most 320).
pub const MAX_AUTHOR_CHARS: usize = 320;

/// A poke's edit as sent, its shape and times checked; its keys are checked against the
/// bound table by [`PokeEdit::edits`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PokeEdit {
    keys: Vec<J>,
    edited_at_ms: Option<i64>,
    author: Option<String>,
}

/// Reads a poke's body: empty, `{}`, or `{keys, editedAtMs, author}`; a non-empty body must be
/// sent as JSON. Answers the edit, or the error naming the field at fault.
pub fn read(body: &[u8], content_type: Option<&str>, now_ms: i64) -> Result<PokeEdit, ApiError> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(PokeEdit::default());
    }
    if !content_type.is_some_and(|t| t.trim_start().starts_with("application/json")) {
        return Err(ApiError::UnsupportedMediaType(
            "the body must be JSON, sent with content-type: application/json".into(),
        ));
    }
    shape_of(body, now_ms).map_err(ApiError::BadRequest)
}

fn shape_of(body: &[u8], now_ms: i64) -> Result<PokeEdit, String> {
    let value: J = serde_json::from_slice(body)
        .map_err(|e| format!("the body cannot be read as JSON: {e}"))?;
    let J::Object(fields) = value else {
        return Err("the body must be a JSON object ({} or {keys, editedAtMs, author})".into());
    };
    if let Some(unknown) = fields
        .keys()
        .find(|k| !["keys", "editedAtMs", "author"].contains(&k.as_str()))
    {
        return Err(format!(
            "{unknown}: not a field of a poke (it takes keys, editedAtMs and author)"
        ));
    }
    let keys = match fields.get("keys") {
        None | Some(J::Null) => Vec::new(),
        Some(J::Array(keys)) if keys.len() > MAX_POKE_KEYS => {
            return Err(format!(
                "keys holds {} keys; a poke carries at most {MAX_POKE_KEYS} (send none for a \
                 larger edit)",
                keys.len()
            ))
        }
        Some(J::Array(keys)) => keys.clone(),
        Some(other) => return Err(format!("keys must be an array of row keys, not {other}")),
    };
    let edited_at_ms = match fields.get("editedAtMs") {
        None | Some(J::Null) if keys.is_empty() => None,
        None | Some(J::Null) => {
            return Err("editedAtMs is missing: keys need the time of the edit".into())
        }
        Some(t) => Some(time_of(t, now_ms)?),
    };
    let author = match fields.get("author") {
        None | Some(J::Null) => None,
        Some(J::String(a)) if a.is_empty() => None,
        Some(J::String(a)) if a.chars().count() <= MAX_AUTHOR_CHARS => Some(a.clone()),
        Some(J::String(_)) => {
            return Err(format!(
                "author is longer than {MAX_AUTHOR_CHARS} characters"
            ))
        }
        Some(other) => {
            return Err(format!(
                "author must be an email address or null, not {other}"
            ))
        }
    };
    Ok(PokeEdit {
        keys,
        edited_at_ms,
        author,
    })
}

impl PokeEdit {
    /// The edits to keep, once each key is checked against the bound table's key column (none
    /// for a bare poke); or the message naming the key at fault.
    pub fn edits(&self, info: &TableInfo) -> Result<Vec<SheetEdit>, String> {
        let Some(edited_at_ms) = self.edited_at_ms else {
            return Ok(Vec::new());
        };
        Ok(keys_of(&self.keys, info)?
            .into_iter()
            .map(|key| SheetEdit {
                key,
                edited_at_ms,
                author: self.author.clone(),
            })
            .collect())
    }
}

fn keys_of(keys: &[J], info: &TableInfo) -> Result<Vec<RowKey>, String> {
    keys.iter()
        .enumerate()
        .map(|(i, k)| {
            let J::String(text) = k else {
                return Err(format!("keys[{i}] must be the key's text, not {k}"));
            };
            if text.is_empty() || text.chars().count() > MAX_KEY_CHARS {
                return Err(format!("keys[{i}] must be 1 to {MAX_KEY_CHARS} characters"));
            }
            info.key_column()
                .decode(k)
                .map_err(|e| format!("keys[{i}] ({text:?}): {e}"))?;
            Ok(RowKey(text.clone()))
        })
        .collect()
}

/// How far ahead of this server's clock an edit time may be: the add-on's clock is Google's,
/// and two well-kept clocks still differ by a few seconds.
pub const MAX_CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;

fn time_of(t: &J, now_ms: i64) -> Result<i64, String> {
    let ms = t.as_i64().filter(|ms| *ms > 0).ok_or_else(|| {
        format!("editedAtMs must be a whole number of ms since the epoch, not {t}")
    })?;
    if ms > now_ms.saturating_add(MAX_CLOCK_SKEW_MS) {
        return Err(format!(
            "editedAtMs {ms} is more than {} s later than this server's clock ({now_ms}): an \
             edit time from the future is not trusted",
            MAX_CLOCK_SKEW_MS / 1000
        ));
    }
    // A poke cannot report an edit made after the server received it: a time ahead by no more
    // than the skew is the sender's clock running fast, and the edit was at the latest now.
    Ok(ms.min(now_ms))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const NOW: i64 = 1_733_150_000_000;

    #[test]
    fn an_edit_time_a_few_seconds_fast_is_taken_as_the_servers_now() {
        assert_eq!(time_of(&json!(NOW + 3_000), NOW), Ok(NOW));
        assert_eq!(time_of(&json!(NOW + MAX_CLOCK_SKEW_MS), NOW), Ok(NOW));
        assert_eq!(time_of(&json!(NOW - 3_000), NOW), Ok(NOW - 3_000));
    }

    #[test]
    fn an_edit_time_further_ahead_than_the_skew_is_refused() {
        let refused = time_of(&json!(NOW + MAX_CLOCK_SKEW_MS + 1), NOW).unwrap_err();
        assert!(
            refused.contains("later than this server's clock"),
            "{refused}"
        );
    }
}
