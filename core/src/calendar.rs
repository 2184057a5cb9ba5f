//! Date and time values beyond the everyday range, and their wire forms.
//!
//! Databases hold dates and times that a plain `YYYY-MM-DD` / `HH:MM:SS` reading misses:
//! years before 1 or after 9999 (PostgreSQL), the values `infinity` and `-infinity`
//! (PostgreSQL), the zero date `0000-00-00` (MySQL, MariaDB), times of 24 hours or more and
//! negative times (MySQL's `TIME` is a span of -838:59:59 to 838:59:59; PostgreSQL allows
//! `24:00:00`). Each gets a wire form that is read back as the same value:
//!
//! - years outside 0000–9999 carry a sign and at least four digits (ISO 8601's expanded form,
//!   astronomical numbering: year 0 is 1 BC, `-0043-03-15` is 15 March 44 BC);
//! - `infinity`, `-infinity`, `0000-00-00` and `0000-00-00 00:00:00` as those strings;
//! - a time outside `00:00:00`..`24:00:00` (exclusive) as `[-]H…H:MM:SS[.fff]`, hours with at
//!   least two digits (`838:59:59`, `-01:00:00`, `24:00:00`).

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use serde::{Deserialize, Serialize};

/// A date-like value that is not a day of the calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OffCalendar {
    /// Later than every date (PostgreSQL `infinity`).
    Infinity,
    /// Earlier than every date (PostgreSQL `-infinity`).
    MinusInfinity,
    /// MySQL's zero date `0000-00-00`.
    ZeroDate,
    /// MySQL's zero date and time `0000-00-00 00:00:00`.
    ZeroDateTime,
}

impl OffCalendar {
    /// The wire form.
    pub fn as_str(self) -> &'static str {
        match self {
            OffCalendar::Infinity => "infinity",
            OffCalendar::MinusInfinity => "-infinity",
            OffCalendar::ZeroDate => "0000-00-00",
            OffCalendar::ZeroDateTime => "0000-00-00 00:00:00",
        }
    }

    /// The value `text` spells for a date column (`with_time` false) or a date-and-time one.
    pub fn parse(text: &str, with_time: bool) -> Option<OffCalendar> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("infinity") || t.eq_ignore_ascii_case("+infinity") {
            return Some(OffCalendar::Infinity);
        }
        if t.eq_ignore_ascii_case("-infinity") {
            return Some(OffCalendar::MinusInfinity);
        }
        if !with_time {
            return (t == "0000-00-00").then_some(OffCalendar::ZeroDate);
        }
        let rest = t
            .strip_prefix("0000-00-00")?
            .trim_start_matches([' ', 'T'])
            .trim_end_matches('Z');
        let zero_clock = rest.is_empty()
            || rest.strip_prefix("00:00:00").is_some_and(|f| {
                f.is_empty() || f.starts_with('.') && f[1..].bytes().all(|b| b == b'0')
            });
        zero_clock.then_some(OffCalendar::ZeroDateTime)
    }

    /// The tag byte of this value in the row-hash encoding.
    pub(crate) fn code(self) -> u8 {
        match self {
            OffCalendar::Infinity => 0,
            OffCalendar::MinusInfinity => 1,
            OffCalendar::ZeroDate => 2,
            OffCalendar::ZeroDateTime => 3,
        }
    }
}

/// Writes `date` as `YYYY-MM-DD`, with a sign and at least four year digits outside 0–9999.
pub fn write_date(date: NaiveDate, out: &mut String) {
    let y = date.year();
    let _ = if (0..=9999).contains(&y) {
        write!(out, "{y:04}")
    } else if y < 0 {
        write!(out, "-{:04}", -i64::from(y))
    } else {
        write!(out, "+{y:04}")
    };
    let _ = write!(out, "-{:02}-{:02}", date.month(), date.day());
}

/// `date` in its wire form (see the module guide).
pub fn date_text(date: NaiveDate) -> String {
    let mut s = String::with_capacity(10);
    write_date(date, &mut s);
    s
}

/// `HH:MM:SS` and the shortest of no, 3, 6 or 9 fraction digits that shows `nanos`.
fn write_clock(h: u64, m: u32, s: u32, nanos: u32, out: &mut String) {
    let _ = write!(out, "{h:02}:{m:02}:{s:02}");
    let _ = if nanos == 0 {
        Ok(())
    } else if nanos % 1_000_000 == 0 {
        write!(out, ".{:03}", nanos / 1_000_000)
    } else if nanos % 1_000 == 0 {
        write!(out, ".{:06}", nanos / 1_000)
    } else {
        write!(out, ".{nanos:09}")
    };
}

/// `datetime` as `YYYY-MM-DD HH:MM:SS[.fff]` (`sep` between date and time).
pub fn datetime_text(datetime: NaiveDateTime, sep: char) -> String {
    let mut s = String::with_capacity(26);
    write_date(datetime.date(), &mut s);
    s.push(sep);
    let t = datetime.time();
    write_clock(
        u64::from(t.hour()),
        t.minute(),
        t.second(),
        t.nanosecond(),
        &mut s,
    );
    s
}

/// `time` as `HH:MM:SS[.fff]`.
pub fn time_text(time: NaiveTime) -> String {
    let mut s = String::with_capacity(15);
    write_clock(
        u64::from(time.hour()),
        time.minute(),
        time.second(),
        time.nanosecond(),
        &mut s,
    );
    s
}

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const NANOS_PER_DAY: i64 = 86_400 * NANOS_PER_SECOND;

/// A signed span of `nanos` nanoseconds as `[-]HH:MM:SS[.fff]`.
pub fn span_text(nanos: i64) -> String {
    let mut s = String::with_capacity(16);
    if nanos < 0 {
        s.push('-');
    }
    let n = nanos.unsigned_abs();
    let secs = n / NANOS_PER_SECOND as u64;
    write_clock(
        secs / 3600,
        (secs / 60 % 60) as u32,
        (secs % 60) as u32,
        (n % NANOS_PER_SECOND as u64) as u32,
        &mut s,
    );
    s
}

/// Reads `[-]H…H:MM[:SS[.fff]]` as signed nanoseconds; minutes and seconds below 60.
pub fn parse_span(text: &str) -> Option<i64> {
    let t = text.trim();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let mut parts = t.splitn(3, ':');
    let h = parts.next()?;
    let m = parts.next()?;
    let s = parts.next().unwrap_or("00");
    let (s, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |p: &str, max_len: usize| {
        (!p.is_empty() && p.len() <= max_len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<i64>().ok())
            .flatten()
    };
    let (h, m, s) = (digits(h, 9)?, digits(m, 2)?, digits(s, 2)?);
    if m >= 60 || s >= 60 || frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac_nanos = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<9}").parse::<i64>().ok()?
    };
    let total = ((h * 60 + m) * 60 + s)
        .checked_mul(NANOS_PER_SECOND)?
        .checked_add(frac_nanos)?;
    Some(if negative { -total } else { total })
}

/// The time of day a span of `nanos` is, if it lies within one day.
pub fn time_of_span(nanos: i64) -> Option<NaiveTime> {
    if !(0..NANOS_PER_DAY).contains(&nanos) {
        return None;
    }
    let secs = (nanos / NANOS_PER_SECOND) as u32;
    NaiveTime::from_num_seconds_from_midnight_opt(secs, (nanos % NANOS_PER_SECOND) as u32)
}

/// Reads `[+-]YYYY-MM-DD` with a year of four or more digits.
pub fn parse_wide_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let (sign, t) = match t.as_bytes().first()? {
        b'-' => (-1, &t[1..]),
        b'+' => (1, &t[1..]),
        _ => (1, t),
    };
    let mut parts = t.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || y.len() < 4
        || y.len() > 6
        || m.len() != 2
        || d.len() != 2
        || ![y, m, d]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    NaiveDate::from_ymd_opt(
        sign * y.parse::<i32>().ok()?,
        m.parse().ok()?,
        d.parse().ok()?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_outside_four_digits_carry_a_sign_and_read_back() {
        for (y, text) in [
            (10000, "+10000-01-01"),
            (-43, "-0043-01-01"),
            (0, "0000-01-01"),
        ] {
            let d = NaiveDate::from_ymd_opt(y, 1, 1).unwrap();
            assert_eq!(date_text(d), text);
            assert_eq!(parse_wide_date(text), Some(d));
        }
        assert_eq!(
            parse_wide_date("10000-01-01"),
            NaiveDate::from_ymd_opt(10000, 1, 1)
        );
    }

    #[test]
    fn spans_beyond_a_day_and_below_zero_read_back() {
        for text in ["838:59:59", "-01:00:00", "24:00:00", "-838:59:59.500"] {
            let n = parse_span(text).unwrap();
            assert_eq!(span_text(n), text);
        }
        assert_eq!(parse_span("10:61:00"), None);
        assert_eq!(time_of_span(parse_span("24:00:00").unwrap()), None);
    }

    #[test]
    fn zero_dates_and_infinities_are_recognised() {
        assert_eq!(
            OffCalendar::parse("0000-00-00 00:00:00.000000", true),
            Some(OffCalendar::ZeroDateTime)
        );
        assert_eq!(
            OffCalendar::parse("0000-00-00", false),
            Some(OffCalendar::ZeroDate)
        );
        assert_eq!(
            OffCalendar::parse("-infinity", true),
            Some(OffCalendar::MinusInfinity)
        );
        assert_eq!(OffCalendar::parse("0000-00-01", false), None);
    }
}
