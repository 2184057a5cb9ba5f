//! The base: what the sheet and the database last agreed on, per row.
//!
//! The add-on keeps the base in durable per-document storage (a hidden sheet), so it holds no
//! values, only each row's version and hashes (see [`crate::hash`]). Its serde form is compact:
//! a JSON object from key to `[version, "<base64>"]`, the base64 (standard alphabet, padded)
//! holding the row hash as 8 little-endian bytes followed by each cell hash as 4 little-endian
//! bytes, in the table's column order.

use std::collections::BTreeMap;
use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeTuple, Serializer};
use serde::{Deserialize, Serialize};

use crate::hash::row_hash;
use crate::schema::RowKey;
use crate::wire::RowVersion;

/// What was last synced for one row: its version and the hashes of its cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseRow {
    /// The row's version when it was last synced.
    pub version: RowVersion,
    /// The row hash, derived from `cells`.
    pub hash: u64,
    /// One hash per table column, in the table's column order.
    pub cells: Vec<u32>,
}

impl BaseRow {
    /// A base row for `version` with these cell hashes.
    pub fn new(version: RowVersion, cells: Vec<u32>) -> BaseRow {
        BaseRow {
            version,
            hash: row_hash(&cells),
            cells,
        }
    }

    /// The base64 text that stores `hash` and `cells`.
    pub fn encode_hashes(&self) -> String {
        let mut bytes = Vec::with_capacity(8 + 4 * self.cells.len());
        bytes.extend_from_slice(&self.hash.to_le_bytes());
        for c in &self.cells {
            bytes.extend_from_slice(&c.to_le_bytes());
        }
        STANDARD.encode(bytes)
    }

    /// Reads a stored entry back, refusing anything malformed with a reason.
    pub fn decode(version: RowVersion, hashes: &str) -> Result<BaseRow, String> {
        // Decoded on the stack when the entry fits (up to 253 columns): a base is read whole
        // on every plan, and one allocation less per entry shows at 100k rows.
        let mut stack = [0u8; 1024];
        let mut heap = Vec::new();
        let room = base64::decoded_len_estimate(hashes.len());
        let out: &mut [u8] = if room <= stack.len() {
            &mut stack
        } else {
            heap.resize(room, 0);
            &mut heap
        };
        let len = STANDARD
            .decode_slice(hashes, out)
            .map_err(|e| format!("the hashes are not base64 ({e})"))?;
        let bytes = &out[..len];
        if bytes.len() < 8 || (bytes.len() - 8) % 4 != 0 {
            return Err(format!(
                "the hashes are {} bytes; a base entry holds 8 bytes and 4 per column",
                bytes.len()
            ));
        }
        let mut hash = [0u8; 8];
        hash.copy_from_slice(&bytes[..8]);
        let hash = u64::from_le_bytes(hash);
        let cells: Vec<u32> = bytes[8..]
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        if row_hash(&cells) != hash {
            return Err("the row hash does not match the cell hashes (corrupted entry)".into());
        }
        Ok(BaseRow {
            version,
            hash,
            cells,
        })
    }
}

impl Serialize for BaseRow {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut t = serializer.serialize_tuple(2)?;
        t.serialize_element(&self.version)?;
        t.serialize_element(&self.encode_hashes())?;
        t.end()
    }
}

impl<'de> Deserialize<'de> for BaseRow {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_tuple(2, BaseRowVisitor)
    }
}

struct BaseRowVisitor;

impl<'de> Visitor<'de> for BaseRowVisitor {
    type Value = BaseRow;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a base entry [version, \"base64 hashes\"]")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<BaseRow, A::Error> {
        let version: RowVersion = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let hashes: std::borrow::Cow<'de, str> = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        if seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_length(3, &self));
        }
        BaseRow::decode(version, &hashes).map_err(de::Error::custom)
    }
}

/// The base of a bound sheet: key → what was last synced for that row.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Base {
    /// The rows, by key.
    pub rows: BTreeMap<RowKey, BaseRow>,
}

impl Base {
    /// Applies base updates (`None` removes the row).
    pub fn apply(&mut self, updates: &BTreeMap<RowKey, Option<BaseRow>>) {
        for (key, row) in updates {
            match row {
                Some(row) => {
                    self.rows.insert(key.clone(), row.clone());
                }
                None => {
                    self.rows.remove(key);
                }
            }
        }
    }

    /// Applies base updates to a base in its stored form (its JSON text; empty for no base
    /// yet) and answers the stored form after them, so a host that keeps the base as text
    /// never rebuilds it entry by entry.
    pub fn apply_to_stored(
        stored: &str,
        updates: &BTreeMap<RowKey, Option<BaseRow>>,
    ) -> Result<String, serde_json::Error> {
        let mut base: Base = match stored.trim() {
            "" => Base::default(),
            text => serde_json::from_str(text)?,
        };
        base.apply(updates);
        serde_json::to_string(&base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_of_any_width_decode_to_what_was_encoded() {
        // Up to 253 columns decode on the stack; wider rows take the heap.
        for width in [0usize, 1, 20, 253, 254, 255, 600] {
            let row = BaseRow::new(
                5,
                (0..width as u32)
                    .map(|c| c.wrapping_mul(2_654_435_761))
                    .collect(),
            );
            let back = BaseRow::decode(5, &row.encode_hashes()).unwrap();
            assert_eq!(back, row, "{width} columns");
        }
        let err = BaseRow::decode(5, "not base64!").unwrap_err();
        assert!(err.contains("not base64"), "{err}");
    }

    #[test]
    fn a_base_survives_its_stored_form() {
        let mut base = Base::default();
        base.rows.insert(
            RowKey("7".into()),
            BaseRow::new(12, vec![1, 0xdead_beef, 3]),
        );
        let json = serde_json::to_string(&base).unwrap();
        assert!(json.starts_with("{\"7\":[12,\""), "{json}");
        let back: Base = serde_json::from_str(&json).unwrap();
        assert_eq!(back, base);
    }

    #[test]
    fn a_malformed_base_entry_is_refused_with_a_reason() {
        let err = serde_json::from_str::<Base>(r#"{"7":[12,"!!"]}"#).unwrap_err();
        assert!(err.to_string().contains("not base64"), "{err}");
        let err = serde_json::from_str::<Base>(r#"{"7":[12,"AAAA"]}"#).unwrap_err();
        assert!(err.to_string().contains("4 per column"), "{err}");
        let good = BaseRow::new(1, vec![5]).encode_hashes();
        let mut bytes = STANDARD.decode(&good).unwrap();
        bytes[9] ^= 1;
        let bad = format!(r#"{{"7":[1,"{}"]}}"#, STANDARD.encode(bytes));
        let err = serde_json::from_str::<Base>(&bad).unwrap_err();
        assert!(err.to_string().contains("corrupted"), "{err}");
        assert!(serde_json::from_str::<Base>(r#"{"7":[1]}"#).is_err());
        assert!(serde_json::from_str::<Base>(r#"{"7":"x"}"#).is_err());
    }
}
