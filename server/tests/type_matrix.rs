//! Every column type each database offers: one table per type, enabled (or refused with a
//! sentence naming the column and its type), written by another application with ordinary
//! and extreme values, then read through the row pages and the feed, and pushed back exactly
//! as served, which must leave the stored value as it was.

mod common;

use common::{Ctx, Kind};
use serde_json::{json, Value as J};
use sqlx::{Executor, Row};

/// What the server must serve for one value written by plain SQL.
#[derive(Clone, Debug)]
enum Served {
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

use Served::*;

struct Case {
    ty: &'static str,
    values: Vec<(&'static str, Served)>,
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

fn cases(kind: Kind) -> Vec<Case> {
    match kind {
        Kind::MySql => mysql_cases(),
        Kind::Postgres => postgres_cases(),
        Kind::Sqlite => sqlite_cases(),
    }
}

/// The stored value of `v` in row `id`, spelled so that any change shows.
async fn stored(ctx: &Ctx, table: &str, id: usize) -> Option<String> {
    let expr = match ctx.kind {
        Kind::MySql => "HEX(v)",
        Kind::Postgres => "v::text",
        Kind::Sqlite => {
            "typeof(v) || ':' || CASE typeof(v) WHEN 'real' THEN printf('%!.17g', v) ELSE hex(v) END"
        }
    };
    let sql = format!("SELECT {expr} FROM {table} WHERE id = {id}");
    let row = ctx.outside.fetch_one(sql.as_str()).await.unwrap();
    row.try_get::<Option<String>, _>(0).unwrap_or_else(|_| {
        let bytes: Option<Vec<u8>> = row.try_get(0).unwrap();
        bytes.map(|b| String::from_utf8(b).unwrap())
    })
}

async fn rows_of(ctx: &Ctx, token: &str, table: &str) -> Vec<J> {
    let (status, page) = ctx
        .get(&format!("/v1/tables/{table}/rows"), Some(token))
        .await;
    assert_eq!(status, 200, "{table}: {page}");
    page["rows"].as_array().unwrap().clone()
}

async fn check(ctx: &Ctx, n: usize, case: &Case) {
    let table = format!("tm{n}");
    let id_type = if ctx.kind == Kind::Sqlite {
        "INTEGER"
    } else {
        "INT"
    };
    ctx.sql(&format!(
        "CREATE TABLE {table} (id {id_type} PRIMARY KEY, v {}, note VARCHAR(10))",
        case.ty
    ))
    .await;
    ctx.enable(&table).await;
    let token = ctx.token(&[&table], true).await;
    let at = ctx.cursor_now(&token, &table).await;
    let what = format!("{:?} {}", ctx.kind, case.ty);
    let count = case.values.len();
    for (i, (literal, _)) in case.values.iter().enumerate() {
        ctx.sql(&format!(
            "INSERT INTO {table} (id, v, note) VALUES ({}, {literal}, 'a')",
            i + 1
        ))
        .await;
    }
    // NULL, and a row deleted again: each other application's write must succeed.
    ctx.sql(&format!(
        "INSERT INTO {table} (id, v) VALUES ({}, NULL)",
        count + 1
    ))
    .await;
    ctx.sql(&format!(
        "INSERT INTO {table} (id, v) VALUES ({}, {})",
        count + 2,
        case.values[0].0
    ))
    .await;
    ctx.sql(&format!("UPDATE {table} SET note = 'x'")).await;
    ctx.sql(&format!("DELETE FROM {table} WHERE id = {}", count + 2))
        .await;

    let rows = rows_of(ctx, &token, &table).await;
    assert_eq!(rows.len(), count + 1, "{what}: {rows:?}");
    for (row, (literal, served)) in rows.iter().zip(&case.values) {
        let cell = &row["cells"][1];
        match served {
            Is(w) | Same(w) | Degraded(w) => assert_eq!(cell, w, "{what} {literal}"),
            Kept => assert!(!cell.is_null(), "{what} {literal}: served NULL"),
        }
        assert_eq!(row["cells"][2], json!("x"), "{what} {literal}");
    }
    assert_eq!(rows[count]["cells"][1], J::Null, "{what}: NULL row");

    // The feed: every change arrives, each row's last image equals its row page cells.
    let entries = 2 * (count + 2) + 1;
    let (changes, _) = ctx.changes_until(&token, &table, &at, entries).await;
    assert_eq!(changes.len(), entries, "{what}: {changes:?}");
    for row in &rows {
        let last = changes
            .iter()
            .rev()
            .find(|c| c["key"] == row["key"])
            .unwrap();
        assert_eq!(last["cells"], row["cells"], "{what}: feed vs rows");
    }
    let gone = changes.last().unwrap();
    assert_eq!(gone["op"], "delete", "{what}");

    // Push back exactly what was served.
    for (i, (row, (literal, served))) in rows.iter().zip(&case.values).enumerate() {
        let before = stored(ctx, &table, i + 1).await;
        let (status, body) = ctx
            .post(
                &format!("/v1/tables/{table}/push"),
                Some(&token),
                json!({"batch_id": format!("{table}-{i}"), "origin": "sheet", "changes": [{
                    "op": "update", "key": row["key"], "expected_version": row["version"],
                    "cells": {"v": row["cells"][1]}
                }]}),
            )
            .await;
        assert_eq!(status, 200, "{what} {literal}: {body}");
        let result = &body["results"][0];
        if let Degraded(_) = served {
            assert_eq!(result["result"], "rejected", "{what} {literal}: {body}");
            assert_eq!(result["code"], "bad_value", "{what} {literal}: {body}");
            assert_eq!(result["column"], "v", "{what} {literal}: {body}");
            continue;
        }
        assert_eq!(result["result"], "applied", "{what} {literal}: {body}");
        assert_eq!(result["row"], row["cells"], "{what} {literal}: stored row");
        if !matches!(served, Same(_)) {
            assert_eq!(stored(ctx, &table, i + 1).await, before, "{what} {literal}");
        }
    }
    let after = rows_of(ctx, &token, &table).await;
    for (a, b) in after.iter().zip(&rows) {
        assert_eq!(a["cells"], b["cells"], "{what}: rows after the push");
    }
}

/// Columns each backend cannot sync, with the DDL and the words the refusal must contain.
fn refused(kind: Kind) -> Vec<(&'static str, &'static str)> {
    match kind {
        Kind::MySql => vec![
            ("id POINT PRIMARY KEY", "\"id\" has type point"),
            ("id BIT(8) PRIMARY KEY", "\"id\" has type bit(8)"),
        ],
        Kind::Postgres => vec![("id BIT(8) PRIMARY KEY", "\"id\" has type bit(8)")],
        Kind::Sqlite => vec![("id BLOB PRIMARY KEY", "\"id\" has type BLOB")],
    }
}

backend_tests! {
    async fn every_column_type_survives_plain_sql_rows_changes_and_a_push_round_trip(ctx) {
        if ctx.kind == Kind::Postgres {
            ctx.sql("CREATE TYPE mood AS ENUM ('sad', 'ok')").await;
            ctx.sql("CREATE TYPE pair AS (a INT, b TEXT)").await;
        }
        for (n, case) in cases(ctx.kind).iter().enumerate() {
            check(&ctx, n, case).await;
        }
    }

    async fn columns_that_cannot_be_synced_are_refused_at_enable_naming_the_column(ctx) {
        for (n, (columns, words)) in refused(ctx.kind).into_iter().enumerate() {
            let table = format!("no{n}");
            ctx.sql(&format!("CREATE TABLE {table} ({columns})")).await;
            let err = sheetsync_server::tables::enable(&ctx.db, &table)
                .await
                .expect_err(columns)
                .to_string();
            assert!(err.contains(words) && err.contains("cannot be synced"), "{columns}: {err}");
        }
    }

    async fn a_synced_table_whose_column_becomes_unsyncable_loses_its_triggers(ctx) {
        ctx.sql("CREATE TABLE later (id INT PRIMARY KEY, note VARCHAR(10))").await;
        ctx.enable("later").await;
        let (count, change) = match ctx.kind {
            Kind::MySql => (
                "SELECT COUNT(*) FROM information_schema.TRIGGERS \
                 WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = 'later'",
                vec!["ALTER TABLE later MODIFY id BIT(8)"],
            ),
            Kind::Postgres => (
                "SELECT COUNT(*) FROM pg_trigger WHERE tgrelid = 'later'::regclass AND NOT tgisinternal",
                vec!["ALTER TABLE later ALTER COLUMN id TYPE bit(8) USING id::bit(8)"],
            ),
            Kind::Sqlite => (
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'later'",
                vec!["DROP TABLE later", "CREATE TABLE later (id BLOB PRIMARY KEY, note TEXT)"],
            ),
        };
        let triggers = |sql: &'static str| {
            let ctx = ctx.clone();
            async move { ctx.outside.fetch_one(sql).await.unwrap().try_get::<i64, _>(0).unwrap() }
        };
        assert!(triggers(count).await > 0);
        for stmt in change {
            ctx.sql(stmt).await;
        }
        ctx.instance.state.catalog.refresh(&ctx.db).await.unwrap();
        assert_eq!(triggers(count).await, 0, "{:?}", ctx.kind);
        assert!(ctx.instance.state.catalog.get("later").await.is_none());
        let bits = match ctx.kind {
            Kind::MySql => "b'1'",
            Kind::Postgres => "B'00000001'",
            Kind::Sqlite => "X'01'",
        };
        ctx.sql(&format!("INSERT INTO later (id, note) VALUES ({bits}, 'a')")).await;
    }

    async fn non_finite_floats_are_stored_where_the_database_holds_them_and_refused_by_column_elsewhere(ctx) {
        let real = if ctx.kind == Kind::Postgres { "DOUBLE PRECISION" } else { "DOUBLE" };
        ctx.sql(&format!("CREATE TABLE odd (id INT PRIMARY KEY, v {real})")).await;
        ctx.enable("odd").await;
        let token = ctx.token(&["odd"], true).await;
        for (i, x) in ["NaN", "Infinity", "-Infinity"].into_iter().enumerate() {
            let (status, body) = ctx.post("/v1/tables/odd/push", Some(&token), json!({
                "batch_id": format!("odd{i}"), "origin": "s",
                "changes": [{"op": "insert", "cells": {"id": i, "v": x}}]
            })).await;
            assert_eq!(status, 200, "{body}");
            let r = &body["results"][0];
            if ctx.kind == Kind::MySql {
                assert_eq!((&r["result"], &r["code"], &r["column"]), (&json!("rejected"), &json!("bad_value"), &json!("v")), "{x}: {body}");
            } else {
                assert_eq!(r["result"], "applied", "{x}: {body}");
                assert_eq!(r["row"], json!([i, x]), "{x}: {body}");
            }
        }
    }

    async fn a_byte_key_is_the_base64_text_of_its_bytes(ctx) {
        let (ddl, bytes) = match ctx.kind {
            Kind::MySql => ("CREATE TABLE bk (id VARBINARY(16) PRIMARY KEY, note VARCHAR(10))", "UNHEX"),
            Kind::Postgres => ("CREATE TABLE bk (id BYTEA PRIMARY KEY, note VARCHAR(10))", "decode"),
            Kind::Sqlite => ("CREATE TABLE bk (id BLOB PRIMARY KEY, note TEXT)", ""),
        };
        ctx.sql(ddl).await;
        if ctx.kind == Kind::Sqlite {
            // SQLite has no base64 to spell the key in a trigger: the table is refused.
            let err = sheetsync_server::tables::enable(&ctx.db, "bk").await.unwrap_err().to_string();
            assert!(err.contains("\"id\" has type BLOB"), "{err}");
            return;
        }
        let hex = |h: &str| if bytes == "UNHEX" { format!("UNHEX('{h}')") } else { format!("decode('{h}', 'hex')") };
        ctx.enable("bk").await;
        let token = ctx.token(&["bk"], true).await;
        let at = ctx.cursor_now(&token, "bk").await;
        let long = "FB".repeat(16);
        ctx.sql(&format!("INSERT INTO bk (id, note) VALUES ({}, 'a'), ({}, 'b')", hex("FF00"), hex(&long))).await;
        let rows = rows_of(&ctx, &token, "bk").await;
        let keys: Vec<&J> = rows.iter().map(|r| &r["key"]).collect();
        assert_eq!(keys, vec![&json!("+/v7+/v7+/v7+/v7+/v7+w=="), &json!("/wA=")]);
        for r in &rows {
            assert_eq!(r["key"], r["cells"][0], "{r}");
            assert!(r["version"].as_i64().unwrap() > 0, "{r}");
        }
        let (status, body) = ctx.post("/v1/tables/bk/push", Some(&token), json!({
            "batch_id": "bk1", "origin": "s", "changes": [
                {"op": "update", "key": "/wA=", "expected_version": rows[1]["version"], "cells": {"note": "c"}},
                {"op": "insert", "cells": {"id": "AAE=", "note": "d"}},
                {"op": "delete", "key": rows[0]["key"], "expected_version": rows[0]["version"]}
            ]
        })).await;
        assert_eq!(status, 200, "{body}");
        let results = body["results"].as_array().unwrap();
        for r in results {
            assert_eq!(r["result"], "applied", "{body}");
        }
        assert_eq!(results[0]["row"], json!(["/wA=", "c"]));
        assert_eq!(results[1]["key"], "AAE=");
        ctx.sql(&format!("UPDATE bk SET id = {} WHERE id = {}", hex("0002"), hex("0001"))).await;
        let (changes, _) = ctx.changes_until(&token, "bk", &at, 7).await;
        let seen: Vec<(String, String)> = changes
            .iter()
            .map(|c| (c["op"].as_str().unwrap().to_string(), c["key"].as_str().unwrap().to_string()))
            .collect();
        let want = [
            ("upsert", "/wA="), ("upsert", "+/v7+/v7+/v7+/v7+/v7+w=="), ("upsert", "/wA="),
            ("upsert", "AAE="), ("delete", "+/v7+/v7+/v7+/v7+/v7+w=="), ("delete", "AAE="), ("upsert", "AAI="),
        ];
        let want: Vec<(String, String)> = want.iter().map(|(o, k)| (o.to_string(), k.to_string())).collect();
        assert_eq!(seen, want);
    }

    async fn invalid_json_is_a_bad_value_of_its_column(ctx) {
        ctx.sql("CREATE TABLE docs (id INT PRIMARY KEY, j JSON)").await;
        ctx.enable("docs").await;
        let token = ctx.token(&["docs"], true).await;
        let (_, tables) = ctx.get("/v1/tables", Some(&token)).await;
        assert_eq!(tables["tables"][0]["columns"][1]["sql_type"]["kind"], "json", "{tables}");
        let (status, body) = ctx.post("/v1/tables/docs/push", Some(&token), json!({
            "batch_id": "j", "origin": "s",
            "changes": [{"op": "insert", "cells": {"id": 1, "j": "{not json"}}]
        })).await;
        assert_eq!(status, 200, "{body}");
        let r = &body["results"][0];
        assert_eq!((&r["result"], &r["code"], &r["column"]), (&json!("rejected"), &json!("bad_value"), &json!("j")), "{body}");
    }
}

mod mysql_only {
    use super::*;

    async fn bad_geometry(ctx: std::sync::Arc<Ctx>) {
        ctx.sql("CREATE TABLE places (id INT PRIMARY KEY, at POINT NULL)")
            .await;
        ctx.enable("places").await;
        let token = ctx.token(&["places"], true).await;
        for (i, text) in ["not wkt", "LINESTRING(0 0,1 1)", "SRID=x;POINT(1 2)"]
            .into_iter()
            .enumerate()
        {
            let (status, body) = ctx
                .post(
                    "/v1/tables/places/push",
                    Some(&token),
                    json!({
                        "batch_id": format!("p{i}"), "origin": "s",
                        "changes": [{"op": "insert", "cells": {"id": i, "at": text}}]
                    }),
                )
                .await;
            assert_eq!(status, 200, "{body}");
            let r = &body["results"][0];
            assert_eq!(
                (&r["result"], &r["code"], &r["column"]),
                (&json!("rejected"), &json!("bad_value"), &json!("at")),
                "{text}: {body}"
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn text_that_is_no_geometry_of_the_column_is_a_bad_value_of_it() {
        common::run(Kind::MySql, bad_geometry).await
    }
}

mod sqlite_only {
    use super::*;

    async fn generated(ctx: std::sync::Arc<Ctx>) {
        ctx.sql(
            "CREATE TABLE gen (id INTEGER PRIMARY KEY, x INTEGER, \
             twice INTEGER GENERATED ALWAYS AS (x * 2) VIRTUAL, \
             thrice INTEGER GENERATED ALWAYS AS (x * 3) STORED)",
        )
        .await;
        ctx.enable("gen").await;
        let token = ctx.token(&["gen"], true).await;
        let (_, tables) = ctx.get("/v1/tables", Some(&token)).await;
        let columns = &tables["tables"][0]["columns"];
        let names: Vec<_> = columns
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].clone())
            .collect();
        assert_eq!(
            names,
            vec![json!("id"), json!("x"), json!("twice"), json!("thrice")]
        );
        assert_eq!(columns[2]["generated"], true);
        assert_eq!(columns[3]["generated"], true);
        ctx.sql("INSERT INTO gen (id, x) VALUES (1, 5)").await;
        let rows = rows_of(&ctx, &token, "gen").await;
        assert_eq!(rows[0]["cells"], json!([1, 5, 10, 15]));
        let (_, body) = ctx
            .post(
                "/v1/tables/gen/push",
                Some(&token),
                json!({
                    "batch_id": "g", "origin": "s", "changes": [{"op": "update", "key": "1",
                    "expected_version": rows[0]["version"], "cells": {"twice": 3}}]
                }),
            )
            .await;
        assert_eq!(body["results"][0]["code"], "unknown_column", "{body}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn virtual_and_stored_generated_columns_are_listed_read_only() {
        common::run(Kind::Sqlite, generated).await
    }
}
