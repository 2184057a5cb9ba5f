//! The zone offset table converts instants and wall clocks exactly as `chrono-tz` does, under
//! the sheet's rules for skipped and repeated wall clocks, and refuses malformed tables.

mod common;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use common::{zone, zone_table};
use sheetsync_core::zone::{ZoneOffsets, MAX_ZONE_TRANSITIONS};

const ZONES: [&str; 8] = [
    "Asia/Kolkata",
    "Europe/Paris",
    "America/New_York",
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "America/Sao_Paulo",
    "Asia/Kathmandu",
    "UTC",
];

fn utc(ms: i64) -> NaiveDateTime {
    DateTime::from_timestamp_millis(ms).unwrap().naive_utc()
}

fn ms(wall: NaiveDateTime) -> i64 {
    wall.and_utc().timestamp_millis()
}

/// The rule the sheet conversions follow, written with `chrono-tz`: the earliest instant
/// showing `wall`, else the earliest showing it an hour later, else `wall` read as UTC.
fn chrono_instant(tz: Tz, wall: NaiveDateTime) -> i64 {
    tz.from_local_datetime(&wall)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(wall + Duration::hours(1)))
                .earliest()
        })
        .map_or(ms(wall), |t| t.timestamp_millis())
}

/// Instants every ~3.3 days from 1880 to 2090, and every 10 minutes for three hours around
/// each of the zone's changes.
fn instants(table: &[(i64, i32)]) -> Vec<i64> {
    let mut out: Vec<i64> = (0..23_000)
        .map(|i| -2_840_140_800_000 + i * 288_007_000)
        .collect();
    for &(start, _) in table {
        out.extend((-9..=9).map(|k| start + k * 600_000));
    }
    out
}

#[test]
fn instants_read_as_the_same_wall_clock_as_chrono_tz() {
    for name in ZONES {
        let tz: Tz = name.parse().unwrap();
        let table = zone_table(name);
        let zone = ZoneOffsets::new(name, &table).unwrap();
        for at in instants(&table) {
            let want = tz.from_utc_datetime(&utc(at)).naive_local();
            assert_eq!(zone.wall_clock(utc(at)), Some(want), "{name} at {at} ms");
        }
    }
}

#[test]
fn wall_clocks_map_to_the_same_instant_as_chrono_tz_including_skipped_and_repeated_ones() {
    for name in ZONES {
        let tz: Tz = name.parse().unwrap();
        let table = zone_table(name);
        let zone = ZoneOffsets::new(name, &table).unwrap();
        // Every instant's wall clock, which around changes covers the skipped and repeated
        // ones (the offsets tried differ by whole 10-minute steps or more).
        for at in instants(&table) {
            let wall = tz.from_utc_datetime(&utc(at)).naive_local();
            for wall in [
                wall,
                wall + Duration::minutes(5),
                wall - Duration::minutes(45),
            ] {
                assert_eq!(
                    zone.instant_ms_of_wall_clock(wall),
                    chrono_instant(tz, wall),
                    "{name} at wall clock {wall}"
                );
            }
        }
    }
}

fn wall(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
}

#[test]
fn a_skipped_wall_clock_reads_as_the_clock_time_after_the_jump() {
    let paris = zone("Europe/Paris");
    // 2024-03-31 02:30 does not exist in Paris: it reads as 03:30 CEST = 01:30 UTC.
    assert_eq!(
        paris.instant_ms_of_wall_clock(wall(2024, 3, 31, 2, 30)),
        ms(wall(2024, 3, 31, 1, 30))
    );
    // Lord Howe jumps half an hour: 02:15 reads as 03:15 at +11.
    let lord_howe = zone("Australia/Lord_Howe");
    assert_eq!(
        lord_howe.instant_ms_of_wall_clock(wall(2024, 10, 6, 2, 15)),
        ms(wall(2024, 10, 5, 16, 15))
    );
}

#[test]
fn a_repeated_wall_clock_reads_as_its_first_occurrence() {
    let new_york = zone("America/New_York");
    // 2024-11-03 01:30 happens at -4 and again at -5: the first is 05:30 UTC.
    assert_eq!(
        new_york.instant_ms_of_wall_clock(wall(2024, 11, 3, 1, 30)),
        ms(wall(2024, 11, 3, 5, 30))
    );
}

#[test]
fn a_skipped_day_reads_as_utc() {
    // Samoa skipped 2011-12-30 when it crossed the date line.
    let apia = zone("Pacific/Apia");
    let noon = wall(2011, 12, 30, 12, 0);
    assert_eq!(apia.instant_ms_of_wall_clock(noon), ms(noon));
    assert_eq!(
        apia.wall_clock(wall(2011, 12, 30, 10, 0)),
        Some(wall(2011, 12, 31, 0, 0))
    );
}

#[test]
fn the_first_and_last_entries_hold_beyond_the_table() {
    let zone = ZoneOffsets::new("Test/Zone", &[(0, 3600), (1_000_000, 7200)]).unwrap();
    assert_eq!(
        zone.wall_clock(wall(1800, 1, 1, 0, 0)),
        Some(wall(1800, 1, 1, 1, 0))
    );
    assert_eq!(
        zone.wall_clock(wall(2500, 1, 1, 0, 0)),
        Some(wall(2500, 1, 1, 2, 0))
    );
}

#[test]
fn utc_and_fixed_offsets_need_no_table() {
    let t = wall(2024, 7, 1, 12, 0);
    assert_eq!(ZoneOffsets::utc().wall_clock(t), Some(t));
    assert_eq!(ZoneOffsets::utc().name(), "UTC");
    let kolkata = ZoneOffsets::fixed("Asia/Kolkata", 19_800).unwrap();
    assert_eq!(kolkata.wall_clock(t), Some(wall(2024, 7, 1, 17, 30)));
    assert_eq!(
        kolkata.instant_ms_of_wall_clock(wall(2024, 7, 1, 17, 30)),
        ms(t)
    );
    assert!(ZoneOffsets::fixed("Nowhere", 90_000).is_err());
}

#[test]
fn malformed_tables_are_refused_naming_the_entry() {
    let err = |table: &[(i64, i32)]| ZoneOffsets::new("Europe/Paris", table).unwrap_err();
    let e = err(&[]);
    assert!(
        e.contains("zoneOffsets") && e.contains("Europe/Paris") && e.contains("empty"),
        "{e}"
    );
    let e = err(&[(0, 3600), (10, 7200), (10, 3600)]);
    assert!(
        e.starts_with("zoneOffsets[2]") && e.contains("does not come after"),
        "{e}"
    );
    let e = err(&[(0, 3600), (-5, 7200)]);
    assert!(e.starts_with("zoneOffsets[1]"), "{e}");
    let e = err(&[(0, 86_400)]);
    assert!(
        e.starts_with("zoneOffsets[0]") && e.contains("offset"),
        "{e}"
    );
    let e = err(&[(0, 0), (9_000_000_000_000_000, 0)]);
    assert!(
        e.starts_with("zoneOffsets[1]") && e.contains("not a representable date"),
        "{e}"
    );
    let long: Vec<(i64, i32)> = (0..=MAX_ZONE_TRANSITIONS as i64).map(|i| (i, 0)).collect();
    let e = err(&long);
    assert!(e.contains("at most"), "{e}");
}

#[test]
fn a_table_survives_the_round_trip_through_its_accessor() {
    let table = zone_table("Europe/Paris");
    assert!(table.len() > 100 && table.len() < 1_000, "{}", table.len());
    assert_eq!(
        ZoneOffsets::new("Europe/Paris", &table).unwrap().table(),
        table
    );
}

proptest::proptest! {
    #[test]
    fn any_table_and_instant_convert_without_panicking(
        steps in proptest::collection::vec((1i64..10_000_000_000_000, -86_399i32..=86_399), 1..20),
        start in -8_000_000_000_000_000i64..0,
        at in -8_640_000_000_000_000i64..=8_640_000_000_000_000,
    ) {
        let mut table = Vec::new();
        let mut instant = start;
        for (gap, offset) in steps {
            table.push((instant, offset));
            instant = (instant + gap).min(8_640_000_000_000_000);
            if table.last().is_some_and(|l| l.0 >= instant) { break; }
        }
        let zone = ZoneOffsets::new("Test/Zone", &table).unwrap();
        if let Some(now) = DateTime::from_timestamp_millis(at) {
            if let Some(wall) = zone.wall_clock(now.naive_utc()) {
                let back = zone.instant_ms_of_wall_clock(wall);
                proptest::prop_assert!(back.abs() <= 8_640_000_000_000_000 + 2 * 86_400_000);
            }
        }
    }
}
