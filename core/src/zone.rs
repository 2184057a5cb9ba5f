//! The spreadsheet's time zone as a table of UTC offsets, passed in by the host.
//!
//! A zone is its name (for messages) and a sorted list of `(utc_ms, offset_seconds)` entries:
//! from the instant `utc_ms` on, the wall clock is UTC plus `offset_seconds`, until the next
//! entry. The first entry's offset also holds before it and the last one's after it. The
//! add-on computes the table from the host's own zone data (`addon/Zone.js`), so the
//! WebAssembly module carries no time-zone database.

use chrono::NaiveDateTime;

/// One entry of a zone table: from `utc_ms` (ms since the epoch) on, the wall clock is UTC
/// plus `offset_seconds`.
pub type ZoneTransition = (i64, i32);

/// The most entries a table may have: a real zone over three centuries has a few hundred.
pub const MAX_ZONE_TRANSITIONS: usize = 10_000;

/// Offsets must stay below a day, as `chrono`'s fixed offsets do (real ones are within ±16 h).
const MAX_OFFSET_SECONDS: i32 = 86_399;

/// The largest instant a sheet date can hold (±8.64e15 ms, as for a JS `Date`).
const MAX_INSTANT_MS: i64 = 8_640_000_000_000_000;

/// A time zone as UTC offsets over time: converts instants to wall clocks and back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoneOffsets {
    name: String,
    starts: Vec<i64>,
    offsets_ms: Vec<i64>,
}

impl ZoneOffsets {
    /// The zone `name` with the offsets `table`, checked: at least one entry, at most
    /// [`MAX_ZONE_TRANSITIONS`], instants strictly increasing and within a JS `Date`'s
    /// range, offsets below a day. The error names the offending entry as
    /// `zoneOffsets[i]`.
    pub fn new(name: &str, table: &[ZoneTransition]) -> Result<ZoneOffsets, String> {
        let bad = |i: usize, what: String| format!("zoneOffsets[{i}] for {name:?}: {what}");
        if table.is_empty() {
            return Err(format!(
                "zoneOffsets for {name:?} is empty: give at least the zone's offset"
            ));
        }
        if table.len() > MAX_ZONE_TRANSITIONS {
            return Err(format!(
                "zoneOffsets for {name:?} has {} entries; at most {MAX_ZONE_TRANSITIONS} are allowed",
                table.len()
            ));
        }
        for (i, &(utc_ms, offset)) in table.iter().enumerate() {
            if utc_ms.abs() > MAX_INSTANT_MS {
                return Err(bad(i, format!("{utc_ms} ms is not a representable date")));
            }
            if offset.abs() > MAX_OFFSET_SECONDS {
                return Err(bad(
                    i,
                    format!("an offset of {offset} s is not below a day"),
                ));
            }
            if i > 0 && utc_ms <= table[i - 1].0 {
                return Err(bad(
                    i,
                    format!(
                        "{utc_ms} ms does not come after the previous entry's {} ms",
                        table[i - 1].0
                    ),
                ));
            }
        }
        Ok(ZoneOffsets {
            name: name.to_string(),
            starts: table.iter().map(|t| t.0).collect(),
            offsets_ms: table.iter().map(|t| i64::from(t.1) * 1000).collect(),
        })
    }

    /// UTC itself.
    pub fn utc() -> ZoneOffsets {
        ZoneOffsets::fixed("UTC", 0).expect("a zero offset is valid")
    }

    /// A zone that is always `offset_seconds` ahead of UTC.
    pub fn fixed(name: &str, offset_seconds: i32) -> Result<ZoneOffsets, String> {
        ZoneOffsets::new(name, &[(0, offset_seconds)])
    }

    /// The zone's name, as the host gave it (`"Europe/Paris"`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The table, as [`ZoneOffsets::new`] takes it.
    pub fn table(&self) -> Vec<ZoneTransition> {
        self.starts
            .iter()
            .zip(&self.offsets_ms)
            .map(|(&s, &o)| (s, (o / 1000) as i32))
            .collect()
    }

    /// The offset (ms) of the entry in force at the instant `utc_ms`.
    pub(crate) fn offset_at(&self, utc_ms: i64) -> i64 {
        let after = self.starts.partition_point(|&s| s <= utc_ms);
        self.offsets_ms[after.saturating_sub(1)]
    }

    /// The wall clock at the instant `utc`; `None` beyond the dates `chrono` can hold.
    pub fn wall_clock(&self, utc: NaiveDateTime) -> Option<NaiveDateTime> {
        let ms = utc.and_utc().timestamp_millis();
        utc.checked_add_signed(chrono::Duration::milliseconds(self.offset_at(ms)))
    }

    /// The earliest instant at which the wall clock shows `wall_ms`, or `None` if a forward
    /// jump skips it. Each entry's span can hold the wall clock at most once, and only spans
    /// within a day of it can hold it at all.
    pub fn earliest_instant_of_wall_ms(&self, wall_ms: i64) -> Option<i64> {
        const DAY_MS: i64 = 86_400_000;
        let first = self
            .starts
            .partition_point(|&s| s <= wall_ms - DAY_MS)
            .saturating_sub(1);
        let last = self.starts.partition_point(|&s| s <= wall_ms + DAY_MS);
        (first..last.max(first + 1)).find_map(|i| {
            let utc = wall_ms - self.offsets_ms[i];
            let starts_in = i == 0 || self.starts[i] <= utc;
            let ends_in = self.starts.get(i + 1).is_none_or(|&next| utc < next);
            (starts_in && ends_in).then_some(utc)
        })
    }

    /// The instant at which the zone shows the wall clock `wall`. A wall clock skipped by a
    /// forward jump is read as the same clock time an hour later; a repeated one as its first
    /// occurrence; one that neither exists nor exists an hour later (a skipped day) as UTC.
    pub fn instant_ms_of_wall_clock(&self, wall: NaiveDateTime) -> i64 {
        let wall_ms = wall.and_utc().timestamp_millis();
        self.earliest_instant_of_wall_ms(wall_ms)
            .or_else(|| self.earliest_instant_of_wall_ms(wall_ms + 3_600_000))
            .unwrap_or(wall_ms)
    }
}
