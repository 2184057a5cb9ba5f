//! Wire forms of byte strings and bit strings.
//!
//! Bytes (`BINARY`, `VARBINARY`, `BLOB`, `bytea`) travel as standard base64 with padding
//! (RFC 4648 §4), so any byte, valid UTF-8 or not, crosses JSON unchanged; the empty string is
//! zero bytes. Bits (`BIT(n)`, `bit varying(n)`) travel as a string of `0` and `1`, most
//! significant bit first; a fixed-width column's value always has exactly `width` digits
//! (shorter input is padded with leading zeros, as the number it spells).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::value::ValueError;

/// `bytes` as base64 text.
pub fn to_base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Reads base64 text, refusing anything else, and checks the column's byte limit.
pub fn from_base64(text: &str, max_bytes: Option<u32>) -> Result<Vec<u8>, ValueError> {
    let bytes = STANDARD
        .decode(text.trim())
        .map_err(|_| ValueError::WrongType(format!("{:?} is not base64 text", shorten(text))))?;
    if let Some(max) = max_bytes {
        if bytes.len() > max as usize {
            return Err(ValueError::TooLong(format!(
                "{} bytes, the column holds at most {max}",
                bytes.len()
            )));
        }
    }
    Ok(bytes)
}

/// Reads a bit string for a column of `width` bits, fixed or varying.
pub fn canonical_bits(text: &str, width: u32, varying: bool) -> Result<String, ValueError> {
    let t = text.trim();
    if !t.bytes().all(|b| b == b'0' || b == b'1') || (t.is_empty() && !varying) {
        return Err(ValueError::WrongType(format!(
            "{:?} is not a string of bits (0 and 1)",
            shorten(text)
        )));
    }
    if t.len() > width as usize {
        return Err(ValueError::TooLong(format!(
            "{} bits, the column holds {width}",
            t.len()
        )));
    }
    Ok(if varying {
        t.to_string()
    } else {
        format!("{t:0>w$}", w = width as usize)
    })
}

fn shorten(text: &str) -> String {
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_bytes_round_trip_through_base64() {
        let bytes = vec![0xff, 0x00, 0xfe, b'a'];
        assert_eq!(from_base64(&to_base64(&bytes), None).unwrap(), bytes);
        assert_eq!(from_base64("", None).unwrap(), Vec::<u8>::new());
        assert!(matches!(
            from_base64("AAAA", Some(2)),
            Err(ValueError::TooLong(_))
        ));
        assert!(from_base64("not base64!", None).is_err());
    }

    #[test]
    fn fixed_bit_strings_are_padded_and_varying_ones_kept() {
        assert_eq!(canonical_bits("101", 4, false).unwrap(), "0101");
        assert_eq!(canonical_bits("101", 4, true).unwrap(), "101");
        assert!(canonical_bits("10101", 4, false).is_err());
        assert!(canonical_bits("12", 4, false).is_err());
    }
}
