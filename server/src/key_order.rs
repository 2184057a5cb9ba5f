//! The table's key order for a list of keys: the order the database's own `ORDER BY` on the
//! key column gives them, under the column's collation.
//!
//! The add-on appends rows the change feed brings in commit order; for text keys only the
//! database knows its collation (case and accent rules differ by database and by column), so
//! it asks here. The keys need not be in the table: they are compared as values of the key
//! column's type and collation, by a `UNION ALL` whose first arm is the key column itself
//! (selecting no row), which gives the union's column the key column's type and collation on
//! every backend (MariaDB and PostgreSQL take an implicit column collation over a parameter's;
//! SQLite takes a compound's collation from its leftmost arm).

use sheetsync_core::schema::RowKey;

use sheetsync_core::value::SqlType;

use crate::db::catalog::TableInfo;
use crate::db::{int_at, Backend, Db};
use crate::rows::key_param;

/// The most keys one request may order.
pub const MAX_KEYS: usize = 10_000;

/// Checks the keys against the key column, naming the first that is no key of it.
pub fn params(db: &Db, info: &TableInfo, keys: &[RowKey]) -> Result<Vec<Option<String>>, String> {
    if keys.len() > MAX_KEYS {
        return Err(format!(
            "at most {MAX_KEYS} keys are ordered at once, not {}",
            keys.len()
        ));
    }
    keys.iter()
        .enumerate()
        .map(|(i, k)| key_param(db, info, k).map_err(|e| format!("keys[{i}] ({k}): {e}")))
        .collect()
}

/// `keys` in the table's key order; keys equal under the collation keep their given order.
pub async fn order(
    db: &Db,
    info: &TableInfo,
    keys: &[RowKey],
    params: &[Option<String>],
) -> Result<Vec<RowKey>, sqlx::Error> {
    if keys.len() < 2 {
        return Ok(keys.to_vec());
    }
    let b = db.backend;
    // The keys as a list: one VALUES list on PostgreSQL (whose parser recurses per UNION arm)
    // and SQLite (which allows 500 arms); one arm per key on MariaDB, whose prepared VALUES
    // lists read their parameters as empty.
    let list = match b {
        Backend::MySql => (1..=keys.len())
            .map(|n| format!("SELECT {}, {n}", compared_param(b, n, info)))
            .collect::<Vec<_>>()
            .join(" UNION ALL "),
        Backend::Postgres | Backend::Sqlite => {
            let rows: Vec<String> = (1..=keys.len())
                .map(|n| format!("({}, {n})", compared_param(b, n, info)))
                .collect();
            format!("SELECT * FROM (VALUES {}) v", rows.join(", "))
        }
    };
    let sql = format!(
        "SELECT i FROM (SELECT {} AS k, 0 AS i FROM {} WHERE 1 = 0 UNION ALL {list}) s \
         ORDER BY k, i",
        info.key_sql(),
        info.table_sql(),
    );
    let mut query = sqlx::query(&sql);
    for p in params {
        query = query.bind(p.clone());
    }
    let rows = query.fetch_all(&db.pool).await?;
    rows.iter()
        .map(|row| {
            let i = int_at(row, 0)?.ok_or_else(|| decode_error("a position is NULL"))?;
            usize::try_from(i - 1)
                .ok()
                .and_then(|i| keys.get(i))
                .cloned()
                .ok_or_else(|| decode_error("a position is out of range"))
        })
        .collect()
}

/// Parameter `n` as a value of the key column's type. MariaDB and SQLite take a parameter as
/// text, and a union of a number column and text compares as text (`10` before `9`), so a
/// numeric key is converted to a number first; text needs no conversion, so it keeps the
/// column's collation.
fn compared_param(backend: Backend, n: usize, info: &TableInfo) -> String {
    let db_type = &info.db_types[info.key];
    match (backend, &info.key_column().sql_type) {
        (Backend::Postgres, _) => backend.typed_param(n, db_type),
        (Backend::MySql, SqlType::Int { unsigned: true, .. }) => "CAST(? AS UNSIGNED)".into(),
        (Backend::MySql, SqlType::Int { .. }) => "CAST(? AS SIGNED)".into(),
        (Backend::MySql, SqlType::Decimal { .. }) => "CAST(? AS DECIMAL(65, 30))".into(),
        (Backend::MySql, SqlType::Float { .. }) => "CAST(? AS DOUBLE)".into(),
        (
            Backend::Sqlite,
            SqlType::Int { .. } | SqlType::Decimal { .. } | SqlType::Float { .. },
        ) => "CAST(? AS NUMERIC)".into(),
        _ => backend.typed_param(n, db_type),
    }
}

fn decode_error(what: &str) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: "i".into(),
        source: format!("ordering keys: {what}").into(),
    }
}
