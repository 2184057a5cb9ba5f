//! Column types of every kind, shared by the tests that must cover each of them.

use sheetsync_core::value::SqlType;

/// Column types of every kind, with the parameters that change how values travel. A new kind
/// added here reaches every test that walks them.
pub fn every_column_type() -> Vec<SqlType> {
    let mut types = Vec::new();
    for (bits, unsigned) in [
        (8, false),
        (8, true),
        (16, false),
        (32, false),
        (32, true),
        (64, false),
        (64, true),
    ] {
        types.push(SqlType::Int { bits, unsigned });
    }
    for (precision, scale) in [
        (1, 0),
        (8, 2),
        (10, 2),
        (15, 15),
        (20, 0),
        (40, 10),
        (65, 30),
    ] {
        types.push(SqlType::Decimal { precision, scale });
    }
    types.push(SqlType::Float { bits: 32 });
    types.push(SqlType::Float { bits: 64 });
    types.push(SqlType::Bool);
    types.push(SqlType::Text { max_chars: None });
    types.push(SqlType::Text { max_chars: Some(3) });
    types.push(SqlType::Date);
    types.push(SqlType::DateTime);
    types.push(SqlType::Timestamp);
    types.push(SqlType::Time);
    types.push(SqlType::Json);
    types.push(SqlType::Enum {
        values: vec![
            "red".into(),
            "0042".into(),
            "TRUE".into(),
            " spaced ".into(),
        ],
    });
    types.push(SqlType::Binary { max_bytes: None });
    types.push(SqlType::Binary {
        max_bytes: Some(16),
    });
    types.push(SqlType::Bits {
        width: 8,
        varying: false,
    });
    types.push(SqlType::Bits {
        width: 12,
        varying: true,
    });
    types.push(SqlType::Geometry);
    types
}
