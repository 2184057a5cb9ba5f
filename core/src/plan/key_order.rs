//! The order of rows the database adds to the sheet: the table's key order.
//!
//! Row keys are compared as text everywhere else ([`RowKey`] is the key's canonical text), which
//! would append `10` before `6`. Rows appended to the sheet follow the key as the database
//! orders it instead:
//!
//! - numeric keys (integers, decimals, floats) by their value;
//! - any other key in the order the database sent the rows. The first sync's snapshot comes in
//!   pages ordered by the key under the database's own collation, which the core cannot
//!   reproduce (case and accent rules differ by database and by column), so that order is
//!   kept as it came. Rows that arrive through the change feed come in commit order; the
//!   add-on then asks the server for the database's order of their keys and reorders the
//!   plan's appends by it (`POST /v1/tables/{table}/keys/order`).
//!
//! The key is a single column (see [`crate::schema::TableSchema::key_index`]), so there is no
//! composite key to compare column by column.

use std::cmp::Ordering;

use crate::schema::{ColumnSchema, RowKey};
use crate::value::SqlType;

/// Where one appended row goes among the others of the same plan.
#[derive(Clone, Debug)]
pub(crate) struct AppendPlace {
    /// The key's value, when the key column is numeric and the key reads as a number.
    number: Option<Number>,
    /// The position of the row's first change among those the database sent.
    arrival: usize,
}

/// A numeric key's value, compared exactly.
#[derive(Clone, Debug)]
enum Number {
    /// An integer key (a first sync may append every row of a large table: no allocation).
    Int(i128),
    /// A decimal key: `[-]digits[.digits]`, compared digit by digit so that no value is
    /// rounded through a double.
    Exact(ExactDecimal),
    /// A floating-point key.
    Float(f64),
}

impl AppendPlace {
    /// The place of the row with `key`, which arrived `arrival`-th, in a table whose key
    /// column is `key_column`.
    pub(crate) fn new(key_column: &ColumnSchema, key: &RowKey, arrival: usize) -> AppendPlace {
        let number = match key_column.sql_type {
            SqlType::Int { .. } => key.0.parse::<i128>().ok().map(Number::Int),
            SqlType::Decimal { .. } => ExactDecimal::parse(&key.0).map(Number::Exact),
            SqlType::Float { .. } => key.0.parse::<f64>().ok().map(Number::Float),
            _ => None,
        };
        AppendPlace { number, arrival }
    }
}

impl Ord for AppendPlace {
    /// Numbers first, by value; then the rest (and equal numbers) by arrival.
    fn cmp(&self, other: &Self) -> Ordering {
        let by_value = match (&self.number, &other.number) {
            (Some(a), Some(b)) => a.cmp(b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        by_value.then(self.arrival.cmp(&other.arrival))
    }
}

impl PartialOrd for AppendPlace {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for AppendPlace {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for AppendPlace {}

impl Number {
    fn cmp(&self, other: &Number) -> Ordering {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a.cmp(b),
            (Number::Exact(a), Number::Exact(b)) => a.cmp(b),
            (Number::Float(a), Number::Float(b)) => a.total_cmp(b),
            // One key column has one type, so kinds never mix; the order stays total anyway.
            _ => self.rank().cmp(&other.rank()),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Number::Int(_) => 0,
            Number::Exact(_) => 1,
            Number::Float(_) => 2,
        }
    }
}

/// A decimal number as its sign and digits, with leading zeros of the whole part and trailing
/// zeros of the fraction removed, so that equal values have equal digits.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ExactDecimal {
    negative: bool,
    whole: String,
    fraction: String,
}

impl ExactDecimal {
    fn parse(text: &str) -> Option<ExactDecimal> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return None;
        }
        let whole = whole.trim_start_matches('0').to_string();
        let fraction = fraction.trim_end_matches('0').to_string();
        // Minus zero is zero.
        let negative = negative && !(whole.is_empty() && fraction.is_empty());
        Some(ExactDecimal {
            negative,
            whole,
            fraction,
        })
    }

    fn magnitude_cmp(&self, other: &ExactDecimal) -> Ordering {
        self.whole
            .len()
            .cmp(&other.whole.len())
            .then_with(|| self.whole.cmp(&other.whole))
            // Without trailing zeros, fractions compare as text: 0.5 > 0.45, 0.45 > 0.4.
            .then_with(|| self.fraction.cmp(&other.fraction))
    }
}

impl Ord for ExactDecimal {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, false) => self.magnitude_cmp(other),
            (true, true) => other.magnitude_cmp(self),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
        }
    }
}

impl PartialOrd for ExactDecimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(sql_type: SqlType, keys: &[&str]) -> Vec<String> {
        let column = ColumnSchema {
            name: "id".into(),
            sql_type,
            nullable: false,
            primary_key: true,
            generated: false,
            has_default: false,
        };
        let mut places: Vec<(AppendPlace, &str)> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (AppendPlace::new(&column, &RowKey(k.to_string()), i), *k))
            .collect();
        places.sort_by(|a, b| a.0.cmp(&b.0));
        places.into_iter().map(|(_, k)| k.to_string()).collect()
    }

    #[test]
    fn integer_keys_sort_by_value_not_by_text() {
        let int = SqlType::Int {
            bits: 64,
            unsigned: false,
        };
        let keys = ["10", "6", "10000", "-3", "1001", "1000", "100", "0", "-20"];
        assert_eq!(
            sorted(int, &keys),
            ["-20", "-3", "0", "6", "10", "100", "1000", "1001", "10000"]
        );
    }

    #[test]
    fn decimal_keys_sort_by_value_with_every_digit() {
        let dec = SqlType::Decimal {
            precision: 40,
            scale: 3,
        };
        let keys = [
            "10.5",
            "9.99",
            "-0.5",
            "-0.45",
            "0.45",
            "0.5",
            // Equal as doubles, different as decimals.
            "12345678901234567890123.001",
            "12345678901234567890123.002",
            "2",
        ];
        assert_eq!(
            sorted(dec, &keys),
            [
                "-0.5",
                "-0.45",
                "0.45",
                "0.5",
                "2",
                "9.99",
                "10.5",
                "12345678901234567890123.001",
                "12345678901234567890123.002"
            ]
        );
    }

    #[test]
    fn float_keys_sort_by_value() {
        let float = SqlType::Float { bits: 64 };
        assert_eq!(
            sorted(float, &["1e3", "25.5", "-1", "3"]),
            ["-1", "3", "25.5", "1e3"]
        );
    }

    #[test]
    fn text_keys_keep_the_order_the_database_sent() {
        let text = SqlType::Text { max_chars: None };
        // A case-insensitive collation's order, which byte order would change.
        let keys = ["apple", "Banana", "cherry", "Date"];
        assert_eq!(sorted(text, &keys), keys);
    }
}
