//! The spreadsheet's time zone as the core's offset table, built natively from `chrono-tz`
//! over the same span and by the same sampling as the add-on builds it from Apps Script's
//! zone data (`addon/Zone.js`), so both hosts read a sheet's dates alike.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, Offset, TimeZone};
use chrono_tz::Tz;
use sheetsync_core::zone::{ZoneOffsets, ZoneTransition};

/// 1899-12-01 00:00 UTC: the sheet's day zero (time-only cells are dates on 1899-12-30) lies
/// within; instants before take the first entry's offset.
const FROM_MS: i64 = -2_211_667_200_000;
/// 2100-01-01 00:00 UTC; instants after take the last entry's offset.
const TO_MS: i64 = 4_102_444_800_000;
/// Offsets are sampled weekly: no zone changes twice within a week and back.
const STEP_MS: i64 = 7 * 86_400_000;

/// The zone named `name` (an IANA name, as `spreadsheets.get` gives it) with its table,
/// built once per process and zone: every binding in one zone shares it.
pub fn zone_offsets(name: &str) -> Result<ZoneOffsets, String> {
    static ZONES: Mutex<BTreeMap<String, ZoneOffsets>> = Mutex::new(BTreeMap::new());
    if let Some(zone) = ZONES.lock().unwrap_or_else(|e| e.into_inner()).get(name) {
        return Ok(zone.clone());
    }
    let zone = ZoneOffsets::new(name, &offset_table(name)?)?;
    ZONES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(name.to_string(), zone.clone());
    Ok(zone)
}

/// The offset table of the IANA zone `name`.
pub fn offset_table(name: &str) -> Result<Vec<ZoneTransition>, String> {
    let tz: Tz = name.parse().map_err(|_| {
        format!("the spreadsheet's time zone {name:?} is not a time zone this server knows")
    })?;
    let mut current = offset_at(tz, FROM_MS);
    let mut table = vec![(FROM_MS, current)];
    let mut at = FROM_MS;
    while at < TO_MS {
        let next = (at + STEP_MS).min(TO_MS);
        let mut from = at;
        // More than one change may fall in a week: find them one after another.
        while offset_at(tz, next) != current {
            let (mut lo, mut hi) = (from, next);
            while hi - lo > 1000 {
                let mid = lo + (hi - lo) / 2000 * 1000;
                if offset_at(tz, mid) == current {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            current = offset_at(tz, hi);
            table.push((hi, current));
            from = hi;
        }
        at += STEP_MS;
    }
    Ok(table)
}

/// The offset (whole seconds) of `tz` at the instant `ms`.
fn offset_at(tz: Tz, ms: i64) -> i32 {
    // Only instants within FROM_MS..=TO_MS are asked for, far inside chrono's range.
    let utc = DateTime::from_timestamp_millis(ms).expect("an instant between 1899 and 2100");
    tz.offset_from_utc_datetime(&utc.naive_utc())
        .fix()
        .local_minus_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn berlin_has_summer_time_and_kolkata_a_half_hour() {
        let berlin = offset_table("Europe/Berlin").unwrap();
        // 2026-03-29 01:00 UTC: CET → CEST.
        assert!(berlin.contains(&(1_774_746_000_000, 7200)), "{berlin:?}");
        let kolkata = offset_table("Asia/Kolkata").unwrap();
        assert_eq!(kolkata.last().unwrap().1, 19_800);
    }

    #[test]
    fn an_unknown_zone_is_named() {
        let err = offset_table("Mars/Olympus").unwrap_err();
        assert!(err.contains("\"Mars/Olympus\""), "{err}");
    }
}
