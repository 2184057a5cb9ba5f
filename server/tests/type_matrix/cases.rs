//! The types of each backend the type matrix runs through, with the values another
//! application writes into them and what the server must serve for each.

use serde_json::{json, Value as J};

use super::common::Kind;

/// What the server must serve for one value written by plain SQL.
#[derive(Clone, Debug)]
pub enum Served {
    /// Exactly this wire value; pushing it back leaves the stored value unchanged.
    Is(J),
    /// Some value; pushing it back leaves the stored value unchanged.
    Kept,
    /// This wire value; pushing it back keeps the value, though the database may store it in
    /// another spelling (JSON documents are stored compact).
    Same(J),
    /// The documented degraded form (or the database's own text of a value no kind holds);
    /// pushing it back is refused for the column alone.
    Degraded(J),
}

pub use Served::*;

pub struct Case {
    pub ty: &'static str,
    pub values: Vec<(&'static str, Served)>,
}

fn case(ty: &'static str, values: Vec<(&'static str, Served)>) -> Case {
    Case { ty, values }
}

fn mysql_cases() -> Vec<Case> {
    let long = Box::leak(format!("'{}'", "é".repeat(300)).into_boxed_str()) as &str;
    let long_text = Box::leak(format!("'{}'", "ab😀".repeat(5000)).into_boxed_str()) as &str;
    vec![
        case(
            "TINYINT",
            vec![("-128", Is(json!(-128))), ("127", Is(json!(127)))],
        ),
        case("TINYINT UNSIGNED", vec![("255", Is(json!(255)))]),
        case("SMALLINT", vec![("-32768", Is(json!(-32768)))]),
        case("SMALLINT UNSIGNED", vec![("65535", Is(json!(65535)))]),
        case("MEDIUMINT", vec![("-8388608", Is(json!(-8388608)))]),
        case(
            "MEDIUMINT UNSIGNED",
            vec![("16777215", Is(json!(16777215)))],
        ),
        case("INT", vec![("-2147483648", Is(json!(-2147483648i64)))]),
        case(
            "INT UNSIGNED",
            vec![("4294967295", Is(json!(4294967295u64)))],
        ),
        case(
            "BIGINT",
            vec![
                ("-9223372036854775808", Is(json!("-9223372036854775808"))),
                ("9223372036854775807", Is(json!("9223372036854775807"))),
            ],
        ),
        case(
            "BIGINT UNSIGNED",
            vec![("18446744073709551615", Is(json!("18446744073709551615")))],
        ),
        case(
            "DECIMAL(65,30)",
            vec![(
                "'12345678901234567890.012345678901234567890123456789'",
                Is(json!("12345678901234567890.012345678901234567890123456789")),
            )],
        ),
        case("FLOAT", vec![("0.1", Kept), ("-3.4e38", Kept)]),
        case(
            "DOUBLE",
            vec![
                ("0.30000000000000004", Is(json!(0.30000000000000004))),
                ("1.7976931348623157e308", Is(json!(1.7976931348623157e308))),
            ],
        ),
        case("BIT(1)", vec![("b'1'", Is(json!("1")))]),
        case("BIT(4)", vec![("b'0101'", Is(json!("0101")))]),
        case(
            "BIT(64)",
            vec![("b'1' << 63", Is(json!(format!("1{}", "0".repeat(63)))))],
        ),
        case(
            "DATE",
            vec![
                ("'2024-02-29'", Is(json!("2024-02-29"))),
                ("'0000-00-00'", Is(json!("0000-00-00"))),
                ("'9999-12-31'", Is(json!("9999-12-31"))),
                // No day of the calendar: served as stored, refused when sent back.
                ("'2024-00-15'", Degraded(json!("2024-00-15"))),
            ],
        ),
        case(
            "DATETIME(6)",
            vec![
                (
                    "'2024-02-29 13:45:00.123456'",
                    Is(json!("2024-02-29 13:45:00.123456")),
                ),
                ("'0000-00-00 00:00:00'", Is(json!("0000-00-00 00:00:00"))),
            ],
        ),
        case(
            "TIMESTAMP NULL",
            vec![
                ("'2038-01-19 03:14:07'", Kept),
                ("'0000-00-00 00:00:00'", Is(json!("0000-00-00 00:00:00"))),
            ],
        ),
        case(
            "TIME",
            vec![
                ("'838:59:59'", Is(json!("838:59:59"))),
                ("'-01:00:00'", Is(json!("-01:00:00"))),
                ("'-838:59:59'", Is(json!("-838:59:59"))),
                ("'12:30:00'", Is(json!("12:30:00"))),
            ],
        ),
        case(
            "YEAR",
            vec![("1901", Is(json!(1901))), ("2155", Is(json!(2155)))],
        ),
        case(
            "TIME(6)",
            vec![("'-12:00:00.123456'", Is(json!("-12:00:00.123456")))],
        ),
        case(
            "TIMESTAMP(6) NULL",
            vec![("'2024-02-29 13:45:00.000001'", Kept)],
        ),
        case("DECIMAL(5,0) UNSIGNED", vec![("99999", Is(json!("99999")))]),
        case("CHAR(10)", vec![("'007'", Is(json!("007")))]),
        case("VARCHAR(300)", vec![(long, Kept)]),
        case("TINYTEXT", vec![("'x'", Is(json!("x")))]),
        case("TEXT", vec![(long_text, Kept)]),
        case("MEDIUMTEXT", vec![("'😀'", Is(json!("😀")))]),
        case("LONGTEXT", vec![(long_text, Kept)]),
        case(
            "BINARY(16)",
            vec![(
                "UNHEX('0123456789ABCDEF0123456789ABCDEF')",
                Is(json!("ASNFZ4mrze8BI0VniavN7w==")),
            )],
        ),
        case(
            "VARBINARY(10)",
            vec![("UNHEX('FF00')", Is(json!("/wA="))), ("''", Is(json!("")))],
        ),
        case("TINYBLOB", vec![("UNHEX('80')", Is(json!("gA==")))]),
        case("BLOB", vec![("UNHEX('FFFE00')", Is(json!("//4A")))]),
        case("MEDIUMBLOB", vec![("UNHEX('00')", Is(json!("AA==")))]),
        case("LONGBLOB", vec![("REPEAT(UNHEX('FF'), 70000)", Kept)]),
        case("ENUM('a','b''c')", vec![("'b''c'", Is(json!("b'c")))]),
        case("SET('x','y')", vec![("'x,y'", Is(json!("x,y")))]),
        case(
            "JSON",
            vec![(
                "'{\"b\": 1, \"a\": [1, 2]}'",
                Same(json!("{\"a\":[1,2],\"b\":1}")),
            )],
        ),
        case(
            "GEOMETRY",
            vec![
                (
                    "ST_GeomFromText('POINT(0.30000000000000004 1e300)', 4326)",
                    Is(json!("SRID=4326;POINT(0.30000000000000004 1e300)")),
                ),
                (
                    "ST_GeomFromText('LINESTRING(0 0,1 1)')",
                    Is(json!("LINESTRING(0 0,1 1)")),
                ),
                ("ST_GeomFromText('GEOMETRYCOLLECTION EMPTY')", Kept),
            ],
        ),
        case(
            "POINT",
            vec![("POINT(1.5, -2)", Is(json!("POINT(1.5 -2)")))],
        ),
        case(
            "LINESTRING",
            vec![("ST_GeomFromText('LINESTRING(0 0,1 2,3 4)', 3857)", Kept)],
        ),
        case(
            "POLYGON",
            vec![("ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))')", Kept)],
        ),
        case(
            "MULTIPOINT",
            vec![("ST_GeomFromText('MULTIPOINT(0 0,1 1)')", Kept)],
        ),
        case(
            "MULTILINESTRING",
            vec![(
                "ST_GeomFromText('MULTILINESTRING((0 0,1 1),(2 2,3 3))')",
                Kept,
            )],
        ),
        case(
            "MULTIPOLYGON",
            vec![("ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)))')", Kept)],
        ),
        case(
            "GEOMETRYCOLLECTION",
            vec![(
                "ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 1),LINESTRING(0 0,1 1))')",
                Kept,
            )],
        ),
        case(
            "UUID",
            vec![(
                "'123e4567-e89b-12d3-a456-426614174000'",
                Is(json!("123e4567-e89b-12d3-a456-426614174000")),
            )],
        ),
        case("INET6", vec![("'2001:db8::1'", Is(json!("2001:db8::1")))]),
    ]
}

fn postgres_cases() -> Vec<Case> {
    vec![
        case(
            "SMALLINT",
            vec![("-32768", Is(json!(-32768))), ("32767", Is(json!(32767)))],
        ),
        case("INTEGER", vec![("-2147483648", Is(json!(-2147483648i64)))]),
        case(
            "BIGINT",
            vec![("-9223372036854775808", Is(json!("-9223372036854775808")))],
        ),
        case(
            "NUMERIC(40,20)",
            vec![(
                "'12345678901234567890.01234567890123456789'",
                Is(json!("12345678901234567890.01234567890123456789")),
            )],
        ),
        case(
            "NUMERIC(10,2)",
            vec![("'NaN'", Is(json!("NaN"))), ("'-1.5'", Is(json!("-1.50")))],
        ),
        case("NUMERIC", vec![("'NaN'", Kept), ("'1.5'", Kept)]),
        case(
            "REAL",
            vec![
                ("'NaN'", Is(json!("NaN"))),
                ("'Infinity'", Is(json!("Infinity"))),
                ("0.1", Kept),
            ],
        ),
        case(
            "DOUBLE PRECISION",
            vec![
                ("'NaN'", Is(json!("NaN"))),
                ("'-Infinity'", Is(json!("-Infinity"))),
                ("0.30000000000000004", Is(json!(0.30000000000000004))),
                ("5e-324", Is(json!(5e-324))),
            ],
        ),
        case("MONEY", vec![("12.34", Kept)]),
        case("BOOLEAN", vec![("true", Is(json!(true)))]),
        case("TEXT", vec![("repeat('ab😀', 5000)", Kept)]),
        case("VARCHAR(5)", vec![("'007'", Is(json!("007")))]),
        // PostgreSQL's text of `character(n)` drops the padding, which it adds back on input.
        case("CHAR(5)", vec![("'ab'", Is(json!("ab")))]),
        case(
            "BYTEA",
            vec![
                ("'\\xff00'::bytea", Is(json!("/wA="))),
                ("''::bytea", Is(json!(""))),
            ],
        ),
        case(
            "DATE",
            vec![
                ("'2024-02-29'", Is(json!("2024-02-29"))),
                ("'infinity'", Is(json!("infinity"))),
                ("'-infinity'", Is(json!("-infinity"))),
                ("'0044-03-15 BC'", Is(json!("-0043-03-15"))),
                ("'10000-01-01'", Is(json!("+10000-01-01"))),
            ],
        ),
        case(
            "TIME",
            vec![
                ("'24:00:00'", Is(json!("24:00:00"))),
                ("'00:00:00.000001'", Is(json!("00:00:00.000001"))),
            ],
        ),
        case("TIMETZ", vec![("'12:00:00+02'", Kept)]),
        case(
            "TIMESTAMP",
            vec![
                ("'infinity'", Is(json!("infinity"))),
                (
                    "'0044-03-15 12:00:00 BC'",
                    Is(json!("-0043-03-15 12:00:00")),
                ),
                ("'10000-01-01 00:00:00'", Is(json!("+10000-01-01 00:00:00"))),
            ],
        ),
        case(
            "TIMESTAMPTZ",
            vec![
                ("'-infinity'", Is(json!("-infinity"))),
                (
                    "'2024-02-29 13:45:00.25+00'",
                    Is(json!("2024-02-29T13:45:00.250Z")),
                ),
                (
                    "'0044-03-15 12:00:00+00 BC'",
                    Is(json!("-0043-03-15T12:00:00Z")),
                ),
            ],
        ),
        case(
            "INTERVAL",
            vec![("'1 year 2 mons 3 days 04:05:06.789'", Kept)],
        ),
        case(
            "UUID",
            vec![(
                "'123e4567-e89b-12d3-a456-426614174000'",
                Is(json!("123e4567-e89b-12d3-a456-426614174000")),
            )],
        ),
        case(
            "JSON",
            vec![(
                "'{\"b\": 1, \"a\": [1, 2]}'",
                Same(json!("{\"a\":[1,2],\"b\":1}")),
            )],
        ),
        case(
            "JSONB",
            vec![(
                "'{\"b\": 1, \"a\": [1, 2]}'",
                Is(json!("{\"a\":[1,2],\"b\":1}")),
            )],
        ),
        case("BIT(4)", vec![("B'0101'", Is(json!("0101")))]),
        case("BIT VARYING(8)", vec![("B'101'", Is(json!("101")))]),
        case("INET", vec![("'192.168.0.1/24'", Kept)]),
        case("CIDR", vec![("'10.0.0.0/8'", Kept)]),
        case("MACADDR", vec![("'08:00:2b:01:02:03'", Kept)]),
        case("INTEGER[]", vec![("'{1,2,NULL}'", Is(json!("{1,2,NULL}")))]),
        case("TEXT[]", vec![("'{\"a,b\",c}'", Kept)]),
        case("mood", vec![("'ok'", Is(json!("ok")))]),
        case("pair", vec![("'(1,\"x y\")'", Is(json!("(1,\"x y\")")))]),
        case("TSVECTOR", vec![("'a fat cat'", Kept)]),
        case("XML", vec![("'<a>1</a>'", Is(json!("<a>1</a>")))]),
        case("INT4RANGE", vec![("'[1,10)'", Is(json!("[1,10)")))]),
        case(
            "TSTZRANGE",
            vec![("'[2024-01-01 00:00:00+00,2024-02-01 00:00:00+00)'", Kept)],
        ),
        case("NUMRANGE", vec![("'(1.5,2.5]'", Is(json!("(1.5,2.5]")))]),
        case("BIT VARYING", vec![("B'1010'", Is(json!("1010")))]),
        case("OID", vec![("12345", Kept)]),
        case("PG_LSN", vec![("'16/B374D848'", Is(json!("16/B374D848")))]),
        case("POINT", vec![("'(1.5,2)'", Kept)]),
        case("LINE", vec![("'{1,2,3}'", Kept)]),
        case("LSEG", vec![("'[(0,0),(1,1)]'", Kept)]),
        case("BOX", vec![("'(1,1),(0,0)'", Kept)]),
        case("PATH", vec![("'[(0,0),(1,1),(2,0)]'", Kept)]),
        case("POLYGON", vec![("'((0,0),(1,1),(2,0))'", Kept)]),
        case("CIRCLE", vec![("'<(0,0),1>'", Kept)]),
    ]
}

fn sqlite_cases() -> Vec<Case> {
    vec![
        case(
            "INTEGER",
            vec![
                ("-9223372036854775808", Is(json!("-9223372036854775808"))),
                ("9223372036854775807", Is(json!("9223372036854775807"))),
            ],
        ),
        case(
            "REAL",
            vec![
                ("0.30000000000000004", Is(json!(0.30000000000000004))),
                ("1.7976931348623157e308", Is(json!(1.7976931348623157e308))),
                ("5e-324", Is(json!(5e-324))),
                ("9e999", Is(json!("Infinity"))),
            ],
        ),
        case(
            "TEXT",
            vec![
                ("'007'", Is(json!("007"))),
                // A BLOB of UTF-8 text reads as that text, and goes back as TEXT.
                ("X'6869'", Same(json!("hi"))),
                ("X'FF00'", Degraded(json!({"base64": "/wA="}))),
                ("'é😀'", Is(json!("é😀"))),
                // Bytes bound as text that are not UTF-8.
                ("CAST(X'FF41' AS TEXT)", Degraded(json!({"base64": "/0E="}))),
            ],
        ),
        case(
            "BLOB",
            vec![
                ("X'FF00'", Is(json!("/wA="))),
                ("X''", Is(json!(""))),
                // Text in a BLOB column reads as its bytes, and goes back as a BLOB.
                ("'text'", Same(json!("dGV4dA=="))),
            ],
        ),
        case("NUMERIC", vec![("123", Kept)]),
        case(
            "BOOLEAN",
            vec![("1", Is(json!(true))), ("0", Is(json!(false)))],
        ),
        case("DECIMAL(10,2)", vec![("12.5", Is(json!("12.50")))]),
        case("DATE", vec![("'2024-02-29'", Is(json!("2024-02-29")))]),
        case(
            "DATETIME",
            vec![(
                "'2024-02-29 13:45:00.250'",
                Is(json!("2024-02-29 13:45:00.250")),
            )],
        ),
        case("TIME", vec![("'08:30:15'", Is(json!("08:30:15")))]),
        case(
            "JSON",
            vec![("'{\"b\": 1, \"a\": 2}'", Same(json!("{\"a\":2,\"b\":1}")))],
        ),
        case("VARCHAR(5)", vec![("'007'", Is(json!("007")))]),
        case(
            "",
            vec![
                ("X'80'", Degraded(json!({"base64": "gA=="}))),
                ("'x'", Is(json!("x"))),
            ],
        ),
    ]
}

pub fn cases(kind: Kind) -> Vec<Case> {
    match kind {
        Kind::MySql => mysql_cases(),
        Kind::Postgres => postgres_cases(),
        Kind::Sqlite => sqlite_cases(),
    }
}
