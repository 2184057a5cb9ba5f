//! The rows a run of inserts has just written, with their versions, read back from the change
//! log entries the triggers wrote for them: a row's version is its entry's id, and the entry's
//! image holds the stored cells in the same text forms the table is read in. One statement of
//! three columns per run answers, where reading the table would convert every column of every
//! row again and take a second statement for the versions.
//!
//! A row whose entry is not usable (no version, no image, or an image that is not one cell per
//! column) is left out, and the caller reads it from the table instead.

use std::collections::HashMap;

use sheetsync_core::wire::{RowVersion, WireRow};
use sqlx::AnyConnection;

use super::chunk::Planned;
use crate::db::catalog::TableInfo;
use crate::db::{int_at, text_at, Db};
use crate::feed::text_to_wire;

/// Versions and stored rows (by canonical key) of those of `keys` that have a usable entry.
pub(super) async fn read(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    keys: &[&Planned],
) -> Result<HashMap<String, (RowVersion, WireRow)>, sqlx::Error> {
    let sql = crate::rows::logged_rows_sql(db, keys.len());
    let mut q = sqlx::query(&sql).bind(info.id);
    for p in keys {
        q = q.bind(p.canon.clone());
    }
    let mut out = HashMap::with_capacity(keys.len());
    for r in q.fetch_all(&mut *conn).await? {
        let (Some(key), Some(version), Some(image)) =
            (text_at(&r, 0)?, int_at(&r, 1)?, text_at(&r, 2)?)
        else {
            continue;
        };
        if let Some(cells) = image_cells(info, &image) {
            out.insert(key, (version, cells));
        }
    }
    Ok(out)
}

/// The wire cells of a row image, or `None` unless it holds one cell per column.
fn image_cells(info: &TableInfo, image: &str) -> Option<WireRow> {
    let cells: Vec<serde_json::Value> = serde_json::from_str(image).ok()?;
    // SQLite images carry bytes and text beyond ASCII as `{"hex": …}`, read like any cell.
    if cells.len() != info.schema.columns.len()
        || !cells
            .iter()
            .all(|c| c.is_string() || c.is_null() || c.get("hex").is_some_and(|h| h.is_string()))
    {
        return None;
    }
    Some(
        cells
            .into_iter()
            .zip(&info.schema.columns)
            .map(|(cell, col)| text_to_wire(col, cell))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::ident::Ident;
    use crate::db::Backend;
    use sheetsync_core::schema::{ColumnSchema, TableSchema};
    use sheetsync_core::value::SqlType;

    fn info() -> TableInfo {
        let column = |name: &str, sql_type| ColumnSchema {
            name: name.to_string(),
            sql_type,
            nullable: true,
            primary_key: name == "id",
            generated: false,
            has_default: false,
        };
        TableInfo {
            id: 1,
            schema: TableSchema {
                name: "t".to_string(),
                columns: vec![
                    column(
                        "id",
                        SqlType::Int {
                            bits: 64,
                            unsigned: false,
                        },
                    ),
                    column(
                        "price",
                        SqlType::Decimal {
                            precision: 10,
                            scale: 2,
                        },
                    ),
                ],
                writable: false,
            },
            db_types: vec!["BIGINT".to_string(), "DECIMAL(10,2)".to_string()],
            key: 0,
            table_ident: Ident::new(Backend::Sqlite, "t").unwrap(),
            column_idents: vec![
                Ident::new(Backend::Sqlite, "id").unwrap(),
                Ident::new(Backend::Sqlite, "price").unwrap(),
            ],
        }
    }

    #[test]
    fn an_image_of_one_text_or_null_per_column_gives_the_wire_cells() {
        let cells = image_cells(&info(), r#"["7", "1.50"]"#).unwrap();
        assert_eq!(cells, vec![serde_json::json!(7), serde_json::json!("1.50")]);
        let cells = image_cells(&info(), r#"["7", null]"#).unwrap();
        assert_eq!(cells[1], serde_json::Value::Null);
    }

    #[test]
    fn any_other_image_is_left_to_the_table() {
        for image in [
            r#"["7"]"#,
            r#"["7", "1", "2"]"#,
            r#"[7, "1.50"]"#,
            r#"["7", {"a": 1}]"#,
            "not json",
            "{}",
        ] {
            assert!(image_cells(&info(), image).is_none(), "{image}");
        }
    }
}
