//! Finding each sheet row's base row, in step with the base where the sheet follows its order.
//!
//! A hashed lookup per row costs a cache miss or three on a large base (the table slot, the
//! key's text, the row's hashes): the diff was bound by them. But a sheet's rows usually come
//! in the order the base holds them, so the walk first tries the entry after the last one
//! found, which sits next to it in memory, and only falls back to a hashed index when that
//! entry has another key. The index is built on the first such miss, so a sheet that follows
//! the base throughout never builds it.
//!
//! The base orders its keys as text ("10" before "9"), but a sheet of database rows is usually
//! in the numeric order of its keys. The walk's entries are therefore ordered by key length
//! first, then as the base orders them: whole-number keys (without leading zeros) then come in
//! numeric order. Any order finds the same rows; this one only makes more of them hits.

use std::cell::OnceCell;
use std::collections::HashMap;

use xxhash_rust::xxh3::Xxh3DefaultBuilder;

use crate::base::{Base, BaseRow};
use crate::schema::RowKey;

/// The base's rows, walked in step with the sheet.
#[derive(Clone, Debug, Default)]
pub(super) struct BaseWalk<'b> {
    /// Every base entry: by key length, then in the base's order.
    entries: Vec<(&'b RowKey, &'b BaseRow)>,
    /// Key → position in `entries`, built on the first lookup that the walk misses.
    index: OnceCell<HashMap<&'b str, usize, Xxh3DefaultBuilder>>,
    /// The position after the last entry found.
    next: usize,
}

impl<'b> BaseWalk<'b> {
    pub(super) fn new(base: &'b Base) -> BaseWalk<'b> {
        // One walk of the ordered map (its nodes are the slow part), then a stable counting
        // sort by key length over the gathered entries.
        let by_text: Vec<(&'b RowKey, &'b BaseRow)> = base.rows.iter().collect();
        let mut starts: Vec<usize> = Vec::new();
        for (key, _) in &by_text {
            let len = key.0.len();
            if len >= starts.len() {
                starts.resize(len + 1, 0);
            }
            starts[len] += 1;
        }
        let mut at = 0;
        for slot in &mut starts {
            let count = *slot;
            *slot = at;
            at += count;
        }
        let mut entries = by_text.clone();
        for &(key, row) in &by_text {
            let slot = &mut starts[key.0.len()];
            entries[*slot] = (key, row);
            *slot += 1;
        }
        BaseWalk {
            entries,
            index: OnceCell::new(),
            next: 0,
        }
    }

    /// How many entries the base has.
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The position and row of the base entry with `key`, if the base has one.
    pub(super) fn find(&mut self, key: &str) -> Option<(usize, &'b BaseRow)> {
        if let Some(&(k, row)) = self.entries.get(self.next) {
            if k.0 == key {
                self.next += 1;
                return Some((self.next - 1, row));
            }
        }
        let at = self.position(key)?;
        self.next = at + 1;
        Some((at, self.entries[at].1))
    }

    /// The position of the base entry with `key`, leaving the walk where it is.
    pub(super) fn position(&self, key: &str) -> Option<usize> {
        let index = self.index.get_or_init(|| {
            self.entries
                .iter()
                .enumerate()
                .map(|(i, &(k, _))| (k.0.as_str(), i))
                .collect()
        });
        index.get(key).copied()
    }

    /// The key of the entry at `position`.
    pub(super) fn key_at(&self, position: usize) -> &'b RowKey {
        self.entries[position].0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(keys: &[&str]) -> Base {
        let mut base = Base::default();
        for (i, k) in keys.iter().enumerate() {
            base.rows
                .insert(RowKey((*k).into()), BaseRow::new(i as i64, vec![i as u32]));
        }
        base
    }

    /// Every lookup in `order` answers what the ordered map answers.
    fn walk_agrees(base: &Base, order: &[&str]) {
        let mut walk = BaseWalk::new(base);
        for key in order {
            assert_eq!(
                walk.find(key).map(|(at, row)| (walk.key_at(at), row)),
                base.rows.get_key_value(&RowKey((*key).into())),
                "key {key:?}"
            );
        }
    }

    #[test]
    fn the_walk_finds_what_the_ordered_map_holds_in_any_order() {
        let keys: Vec<String> = (1..=120).map(|n| n.to_string()).collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let b = base(&keys);
        walk_agrees(&b, &keys);
        let reversed: Vec<&str> = keys.iter().rev().copied().collect();
        walk_agrees(&b, &reversed);
        let shuffled: Vec<&str> = (0..keys.len()).map(|i| keys[i * 37 % 120]).collect();
        walk_agrees(&b, &shuffled);
        // Keys the base lacks, between and after hits, and a key asked twice running: the entry
        // after a hit is never taken for another key.
        walk_agrees(
            &b,
            &["1", "2", "x", "3", "3", "0", "4", "", "120", "121", "5"],
        );
        // Text keys, an empty key and keys of many lengths.
        let text = base(&["", "a", "ab", "b", "é", "zz", "a b", "00012", "12"]);
        walk_agrees(
            &text,
            &["", "a", "b", "ab", "zz", "é", "a b", "12", "00012", "c"],
        );
        walk_agrees(&Base::default(), &["1", ""]);
    }

    #[test]
    fn whole_number_keys_are_walked_in_numeric_order_without_an_index() {
        let keys: Vec<String> = (1..=1000).map(|n| n.to_string()).collect();
        let b = base(&keys.iter().map(String::as_str).collect::<Vec<_>>());
        let mut walk = BaseWalk::new(&b);
        for key in &keys {
            assert!(walk.find(key).is_some());
        }
        assert!(walk.index.get().is_none(), "every lookup was a hit");
        assert_eq!(walk.position("500"), Some(499));
        assert_eq!(walk.position("1001"), None);
    }
}
