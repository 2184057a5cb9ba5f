//! Zone offset tables built from `chrono-tz`, as the add-on builds them from the host's zone
//! data: what native tests and benchmarks pass as `zoneOffsets`.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, Offset, TimeZone};
use chrono_tz::Tz;
use sheetsync_core::zone::{ZoneOffsets, ZoneTransition};

/// The instants the tables cover: 1850-01-01 to 2100-01-01 UTC.
const FROM_MS: i64 = -3_786_825_600_000;
const TO_MS: i64 = 4_102_444_800_000;
const DAY_MS: i64 = 86_400_000;

/// The offset (s) of `tz` at the instant `ms`.
pub fn chrono_offset(tz: Tz, ms: i64) -> i32 {
    let utc = DateTime::from_timestamp_millis(ms).unwrap().naive_utc();
    tz.offset_from_utc_datetime(&utc).fix().local_minus_utc()
}

/// The offset table of the IANA zone `name`, built once per test binary.
pub fn zone_table(name: &str) -> Vec<ZoneTransition> {
    static TABLES: Mutex<BTreeMap<String, Vec<ZoneTransition>>> = Mutex::new(BTreeMap::new());
    let mut tables = TABLES.lock().unwrap_or_else(|e| e.into_inner());
    tables
        .entry(name.to_string())
        .or_insert_with(|| build_table(name))
        .clone()
}

/// Samples the zone's offset daily and narrows each change to the second.
fn build_table(name: &str) -> Vec<ZoneTransition> {
    let tz: Tz = name.parse().unwrap();
    let mut table = vec![(FROM_MS, chrono_offset(tz, FROM_MS))];
    let mut at = FROM_MS;
    while at < TO_MS {
        let next = at + DAY_MS;
        let before = chrono_offset(tz, at);
        if chrono_offset(tz, next) != before {
            // The change lies in (at, next]: narrow it to the second.
            let (mut lo, mut hi) = (at, next);
            while hi - lo > 1000 {
                let mid = lo + (hi - lo) / 2000 * 1000;
                if chrono_offset(tz, mid) == before {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            table.push((hi, chrono_offset(tz, hi)));
        }
        at = next;
    }
    table
}

/// The zone `name` with its table from `chrono-tz`.
pub fn zone(name: &str) -> ZoneOffsets {
    ZoneOffsets::new(name, &zone_table(name)).unwrap()
}
