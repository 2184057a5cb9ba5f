//! Telling an edited key from a deletion plus an insertion (see the rule in the module guide).

use std::collections::HashMap;

use xxhash_rust::xxh3::xxh3_64;

use super::read::ReadRow;
use super::ColumnMap;
use crate::base::Base;
use crate::hash::row_hash;
use crate::schema::RowKey;

/// A digest of a row's cells other than the key (and columns the sheet lacks).
fn signature(map: &ColumnMap, cells: &[u32]) -> u64 {
    let others: Vec<u32> = cells
        .iter()
        .enumerate()
        .filter(|(c, _)| *c != map.key && map.sheet_col[*c].is_some())
        .map(|(_, h)| *h)
        .collect();
    if others.is_empty() {
        return 0;
    }
    row_hash(&others) ^ xxh3_64(b"signature")
}

pub(super) fn find_edited_keys<'b>(
    map: &ColumnMap,
    base: &'b Base,
    vanished: &[&'b RowKey],
    candidates: &[ReadRow],
) -> Vec<(usize, &'b RowKey)> {
    if vanished.is_empty() || candidates.is_empty() {
        return Vec::new();
    }
    let mut gone: HashMap<u64, Vec<&RowKey>> = HashMap::new();
    for k in vanished {
        let b = &base.rows[*k];
        if b.cells.len() == map.sheet_col.len() {
            gone.entry(signature(map, &b.cells)).or_default().push(k);
        }
    }
    let mut fresh: HashMap<u64, Vec<usize>> = HashMap::new();
    for (ci, row) in candidates.iter().enumerate() {
        fresh
            .entry(signature(map, &row.cells))
            .or_default()
            .push(ci);
    }
    let mut found: Vec<(usize, &RowKey)> = fresh
        .iter()
        .filter(|(sig, rows)| **sig != 0 && rows.len() == 1)
        .filter_map(|(sig, rows)| match gone.get(sig).map(Vec::as_slice) {
            Some([only]) => Some((rows[0], *only)),
            _ => None,
        })
        .collect();
    found.sort();
    found
}
