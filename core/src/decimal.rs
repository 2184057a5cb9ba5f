//! A fast path for reading decimals from sheet cells, equal in result to
//! [`canonical_decimal`] (which stays the reference and gives the error messages): plain
//! `[-]digits[.digits]` text, as Rust prints an `f64`, is canonicalized with one allocation and
//! no intermediate strings.

use std::fmt::Write as _;

use crate::value::{canonical_decimal, ValueError};

/// A small stack buffer for formatting a number without allocating.
struct StackText {
    bytes: [u8; 40],
    len: usize,
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        if end > self.bytes.len() {
            return Err(std::fmt::Error);
        }
        self.bytes[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// `canonical_decimal` of the shortest text of `x`.
pub(crate) fn decimal_of_number(x: f64, precision: u8, scale: u8) -> Result<String, ValueError> {
    let mut text = StackText {
        bytes: [0; 40],
        len: 0,
    };
    if write!(text, "{x}").is_ok() {
        if let Ok(s) = std::str::from_utf8(&text.bytes[..text.len]) {
            return decimal_of_text(s, precision, scale);
        }
    }
    canonical_decimal(&x.to_string(), precision, scale)
}

/// `canonical_decimal` of `text`, fast when it is plain `[-]digits[.digits]`.
pub(crate) fn decimal_of_text(text: &str, precision: u8, scale: u8) -> Result<String, ValueError> {
    fast(text, precision, scale).unwrap_or_else(|| canonical_decimal(text, precision, scale))
}

fn fast(text: &str, precision: u8, scale: u8) -> Option<Result<String, ValueError>> {
    let (negative, t) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int_part, frac_part) = t.split_once('.').unwrap_or((t, ""));
    if int_part.is_empty()
        || !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let scale = usize::from(scale);
    let whole = int_part.trim_start_matches('0');
    let (kept, dropped) = frac_part.split_at(frac_part.len().min(scale));
    if !dropped.bytes().all(|b| b == b'0') || whole.len() + scale > usize::from(precision) {
        // Too many digits: let the reference produce the exact error.
        return None;
    }
    let is_zero = whole.is_empty() && kept.bytes().all(|b| b == b'0');
    let mut out = String::with_capacity(whole.len() + scale + 3);
    if negative && !is_zero {
        out.push('-');
    }
    out.push_str(if whole.is_empty() { "0" } else { whole });
    if scale > 0 {
        out.push('.');
        out.push_str(kept);
        for _ in kept.len()..scale {
            out.push('0');
        }
    }
    Some(Ok(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_fast_path_agrees_with_the_reference_on_edge_cases() {
        for t in [
            "0", "-0", "007.10", "12.5", "-0.00", "1.234", "1234567", "1e3", ".5", "5.", "+1",
        ] {
            for (p, s) in [(8, 2), (8, 0), (3, 3), (30, 10)] {
                assert_eq!(
                    decimal_of_text(t, p, s),
                    canonical_decimal(t, p, s),
                    "{t} ({p},{s})"
                );
            }
        }
    }

    proptest! {
        #[test]
        fn the_fast_path_agrees_with_the_reference_on_numbers(x in any::<f64>(), p in 1u8..40, s in 0u8..12) {
            let s = s.min(p);
            prop_assert_eq!(decimal_of_number(x, p, s), canonical_decimal(&x.to_string(), p, s));
        }

        #[test]
        fn the_fast_path_agrees_with_the_reference_on_text(t in "-?[0-9]{0,12}(\\.[0-9]{0,6})?", p in 1u8..20, s in 0u8..8) {
            let s = s.min(p);
            prop_assert_eq!(decimal_of_text(&t, p, s), canonical_decimal(&t, p, s));
        }
    }
}
