//! Where each keyed sheet row is: key → its index in the snapshot's rows.
//!
//! Most sheet rows have a key the base knows. Their data rows are kept by the base entry's
//! position in the diff's walk of the base (see [`BaseWalk`]), written in step with it, so a
//! large sheet costs no owned key and no hashed insert per row; only keys the base lacks are
//! kept in a hash map. A lookup by key goes through the walk's index.

use std::fmt;

use super::base_walk::BaseWalk;
use super::KeyIndex;
use crate::schema::RowKey;

/// No sheet row for this base entry.
const NOWHERE: usize = usize::MAX;

/// Every usable keyed row: key → index in the snapshot's `rows`.
#[derive(Clone, Default)]
pub struct Located<'b> {
    walk: BaseWalk<'b>,
    /// Per position in `walk`: the data row with that key, or [`NOWHERE`].
    in_base: Vec<usize>,
    /// The rows whose key the base lacks.
    new: KeyIndex,
}

impl<'b> Located<'b> {
    pub(super) fn new(walk: BaseWalk<'b>) -> Located<'b> {
        Located {
            in_base: vec![NOWHERE; walk.len()],
            walk,
            new: KeyIndex::default(),
        }
    }

    /// The base entry with `key` and its row, if the base has one (walking in step).
    pub(super) fn find(&mut self, key: &str) -> Option<(usize, &'b crate::base::BaseRow)> {
        self.walk.find(key)
    }

    /// The data row recorded for base entry `position`, if any.
    pub(super) fn at_base(&self, position: usize) -> Option<usize> {
        Some(self.in_base[position]).filter(|&r| r != NOWHERE)
    }

    /// Records `data_row` for base entry `position`.
    pub(super) fn set_at_base(&mut self, position: usize, data_row: usize) {
        self.in_base[position] = data_row;
    }

    /// The rows whose key the base lacks.
    pub(super) fn new_keys(&mut self) -> &mut KeyIndex {
        &mut self.new
    }

    /// Whether the base has an entry with `key`.
    pub(super) fn base_has(&self, key: &str) -> bool {
        self.walk.position(key).is_some()
    }

    /// The data row of the sheet row with `key`.
    pub fn get(&self, key: &RowKey) -> Option<usize> {
        match self.walk.position(&key.0) {
            Some(at) => self.at_base(at),
            None => self.new.get(key).copied(),
        }
    }

    /// Whether a sheet row has `key`.
    pub fn contains_key(&self, key: &RowKey) -> bool {
        self.get(key).is_some()
    }

    /// Forgets the row with `key`.
    pub fn remove(&mut self, key: &RowKey) {
        match self.walk.position(&key.0) {
            Some(at) => self.in_base[at] = NOWHERE,
            None => {
                self.new.remove(key);
            }
        }
    }

    /// How many keyed rows are located.
    pub fn len(&self) -> usize {
        self.in_base.iter().filter(|&&r| r != NOWHERE).count() + self.new.len()
    }

    /// Whether no keyed row is located.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every located key and its data row, the base's keys first.
    pub fn iter(&self) -> impl Iterator<Item = (&RowKey, usize)> + use<'_, 'b> {
        self.in_base
            .iter()
            .enumerate()
            .filter(|(_, &r)| r != NOWHERE)
            .map(|(at, &r)| (self.walk.key_at(at), r))
            .chain(self.new.iter().map(|(k, &r)| (k, r)))
    }
}

impl PartialEq for Located<'_> {
    fn eq(&self, other: &Located<'_>) -> bool {
        self.len() == other.len() && self.iter().all(|(k, r)| other.get(k) == Some(r))
    }
}

impl fmt::Debug for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}
