//! Reads a table's columns from the database's own catalog. The names the server later puts in
//! SQL come only from here, never from a request.

use sha2::{Digest, Sha256};
use sheetsync_core::schema::{ColumnSchema, TableSchema};

use super::ident::Ident;
use super::types::{check_type, parse_enum_list, sqlite_type_args, RawColumn};
use super::{text_at, Backend, Db};

/// A synced table as the server knows it: the public schema plus what SQL generation needs.
#[derive(Clone, Debug, PartialEq)]
pub struct TableInfo {
    /// The id the change log records for this table.
    pub id: i64,
    /// Columns, types, key; `writable` is left false (it depends on the caller's token).
    pub schema: TableSchema,
    /// The database's own type name per column, for casts of bound parameters.
    pub db_types: Vec<String>,
    /// The index of the key column.
    pub key: usize,
    /// The table's name, checked and quoted for SQL.
    pub table_ident: Ident,
    /// Each column's name, checked and quoted for SQL, in column order.
    pub column_idents: Vec<Ident>,
}

impl TableInfo {
    /// A hash of the columns, stored at enable time; when it differs the triggers are stale.
    pub fn fingerprint(&self) -> String {
        let text =
            serde_json::to_string(&(&self.schema.columns, &self.db_types)).unwrap_or_default();
        hex::encode(Sha256::digest(text.as_bytes()))
    }

    /// The key column.
    pub fn key_column(&self) -> &ColumnSchema {
        &self.schema.columns[self.key]
    }

    /// The table's name as SQL.
    pub fn table_sql(&self) -> &str {
        self.table_ident.sql()
    }

    /// Column `i`'s name as SQL.
    pub fn column_sql(&self, i: usize) -> &str {
        self.column_idents[i].sql()
    }

    /// The key column's name as SQL.
    pub fn key_sql(&self) -> &str {
        self.column_sql(self.key)
    }
}

/// Why a table cannot be synced.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// No such table in the connected database.
    #[error("there is no table {0:?} in this database")]
    NoTable(String),
    /// The table has no single-column primary key.
    #[error("{0}")]
    NoKey(String),
    /// A name cannot be quoted safely.
    #[error(transparent)]
    BadName(#[from] super::dialect::BadIdentifier),
    /// A column's type cannot be synced; the sentence names the column and its type.
    #[error("table {table:?} cannot be synced: {reason}")]
    Unsupported {
        /// The table.
        table: String,
        /// Which column, of which type, and why.
        reason: String,
    },
    /// The catalog query failed.
    #[error("reading the catalog failed: {0}")]
    Db(#[from] sqlx::Error),
}

/// Reads `table`'s schema; `id` is its entry in `sheetsync_tables` (0 if not yet enabled).
pub async fn read_table(db: &Db, table: &str, id: i64) -> Result<TableInfo, CatalogError> {
    let table_ident = Ident::new(db.backend, table)?;
    let raw = match db.backend {
        Backend::MySql => mysql_columns(db, table).await?,
        Backend::Postgres => postgres_columns(db, table).await?,
        Backend::Sqlite => sqlite_columns(db, table).await?,
    };
    if raw.is_empty() {
        return Err(CatalogError::NoTable(table.to_string()));
    }
    let mut columns = Vec::new();
    let mut db_types = Vec::new();
    let mut column_idents = Vec::new();
    for c in raw {
        column_idents.push(Ident::new(db.backend, &c.name)?);
        let sql_type = check_type(db.backend, &c).map_err(|reason| CatalogError::Unsupported {
            table: table.to_string(),
            reason,
        })?;
        columns.push(ColumnSchema {
            name: c.name,
            sql_type,
            nullable: c.nullable,
            primary_key: c.primary_key,
            generated: c.generated,
            has_default: c.has_default,
        });
        db_types.push(c.full_type);
    }
    let schema = TableSchema {
        name: table.to_string(),
        columns,
        writable: false,
    };
    let key = schema
        .key_index()
        .map_err(|e| CatalogError::NoKey(e.to_string()))?;
    Ok(TableInfo {
        id,
        schema,
        db_types,
        key,
        table_ident,
        column_idents,
    })
}

fn parse_u<T: std::str::FromStr>(s: Option<String>) -> Option<T> {
    s.and_then(|s| s.trim().parse().ok())
}

async fn mysql_columns(db: &Db, table: &str) -> Result<Vec<RawColumn>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT CAST(COLUMN_NAME AS CHAR), CAST(DATA_TYPE AS CHAR), CAST(COLUMN_TYPE AS CHAR), \
         CAST(IS_NULLABLE AS CHAR), CAST(COLUMN_KEY AS CHAR), CAST(EXTRA AS CHAR), \
         CAST(CHARACTER_MAXIMUM_LENGTH AS CHAR), CAST(NUMERIC_PRECISION AS CHAR), \
         CAST(NUMERIC_SCALE AS CHAR), \
         CAST(EXISTS (SELECT 1 FROM information_schema.CHECK_CONSTRAINTS k \
           WHERE k.CONSTRAINT_SCHEMA = c.TABLE_SCHEMA AND k.TABLE_NAME = c.TABLE_NAME \
           AND k.CHECK_CLAUSE = CONCAT('json_valid(`', REPLACE(c.COLUMN_NAME, '`', '``'), '`)')) AS CHAR), \
         CAST(c.COLUMN_DEFAULT IS NOT NULL AND c.COLUMN_DEFAULT <> 'NULL' AS CHAR) \
         FROM information_schema.COLUMNS c WHERE c.TABLE_SCHEMA = DATABASE() AND c.TABLE_NAME = ? \
         ORDER BY c.ORDINAL_POSITION",
    )
    .bind(table)
    .fetch_all(&db.pool)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let full_type = text_at(&r, 2)?.unwrap_or_default();
        let extra = text_at(&r, 5)?.unwrap_or_default().to_ascii_lowercase();
        let data_type = text_at(&r, 1)?.unwrap_or_default().to_ascii_lowercase();
        let max_chars = if data_type.contains("char") {
            parse_u(text_at(&r, 6)?)
        } else {
            None
        };
        let enum_values = if data_type == "enum" {
            parse_enum_list(&full_type)
        } else {
            Vec::new()
        };
        let max_bytes = if super::types::mysql_is_binary(&full_type) {
            parse_u(text_at(&r, 6)?)
        } else if data_type == "bit" {
            parse_u(text_at(&r, 7)?)
        } else {
            None
        };
        let json = data_type == "json" || text_at(&r, 9)?.as_deref() == Some("1");
        out.push(RawColumn {
            name: text_at(&r, 0)?.unwrap_or_default(),
            data_type,
            full_type,
            nullable: text_at(&r, 3)?.as_deref() == Some("YES"),
            primary_key: text_at(&r, 4)?.as_deref() == Some("PRI"),
            generated: extra.contains("auto_increment") || extra.contains("generated"),
            // MariaDB shows a column without a default as NULL, DEFAULT NULL as the bare text
            // NULL and a text default quoted ('NULL' for the word). MySQL shows a text default
            // unquoted, so its default 'NULL' reads as none: the safe side, a new row then
            // waits for a value the database could have supplied.
            has_default: text_at(&r, 10)?.as_deref() == Some("1"),
            max_chars,
            precision: parse_u(text_at(&r, 7)?),
            scale: parse_u(text_at(&r, 8)?),
            enum_values,
            max_bytes,
            json,
        });
    }
    Ok(out)
}

async fn postgres_columns(db: &Db, table: &str) -> Result<Vec<RawColumn>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT a.attname::text, t.typname::text, format_type(a.atttypid, a.atttypmod)::text, \
           (NOT a.attnotnull)::text, \
           (EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary \
                    AND a.attnum = ANY(i.indkey)))::text, \
           (a.attidentity <> '' OR a.attgenerated <> '' \
            OR COALESCE(pg_get_expr(d.adbin, d.adrelid), '') LIKE 'nextval(%')::text, \
           t.typtype::text, \
           (SELECT string_agg(e.enumlabel, chr(31) ORDER BY e.enumsortorder) FROM pg_enum e \
             WHERE e.enumtypid = t.oid)::text, \
           information_schema._pg_char_max_length(a.atttypid, a.atttypmod)::text, \
           information_schema._pg_numeric_precision(a.atttypid, a.atttypmod)::text, \
           information_schema._pg_numeric_scale(a.atttypid, a.atttypmod)::text, \
           (d.adbin IS NOT NULL)::text \
         FROM pg_attribute a \
         JOIN pg_class c ON c.oid = a.attrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_type t ON t.oid = a.atttypid \
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
         WHERE c.relname = $1 AND n.nspname = current_schema() AND c.relkind IN ('r', 'p') \
           AND a.attnum > 0 AND NOT a.attisdropped \
         ORDER BY a.attnum",
    )
    .bind(table)
    .fetch_all(&db.pool)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let typtype = text_at(&r, 6)?.unwrap_or_default();
        let enum_values = if typtype == "e" {
            text_at(&r, 7)?
                .unwrap_or_default()
                .split('\u{1f}')
                .map(str::to_string)
                .collect()
        } else {
            Vec::new()
        };
        let typname = text_at(&r, 1)?.unwrap_or_default();
        let bits = typname == "bit" || typname == "varbit";
        let max_chars: Option<u32> = parse_u(text_at(&r, 8)?);
        out.push(RawColumn {
            name: text_at(&r, 0)?.unwrap_or_default(),
            data_type: if typtype == "e" {
                "enum".to_string()
            } else {
                typname
            },
            full_type: text_at(&r, 2)?.unwrap_or_default(),
            nullable: text_at(&r, 3)?.as_deref() == Some("true"),
            primary_key: text_at(&r, 4)?.as_deref() == Some("true"),
            generated: text_at(&r, 5)?.as_deref() == Some("true"),
            has_default: text_at(&r, 11)?.as_deref() == Some("true"),
            max_chars: if bits { None } else { max_chars },
            precision: parse_u(text_at(&r, 9)?),
            scale: parse_u(text_at(&r, 10)?),
            enum_values,
            max_bytes: if bits { max_chars } else { None },
            json: false,
        });
    }
    Ok(out)
}

async fn sqlite_columns(db: &Db, table: &str) -> Result<Vec<RawColumn>, sqlx::Error> {
    let rows = sqlx::query(
        // table_xinfo also lists generated columns (hidden 2 virtual, 3 stored); hidden 1
        // marks a virtual table's hidden columns, which are not the table's data.
        "SELECT name, type, CAST(\"notnull\" AS TEXT), CAST(pk AS TEXT), CAST(hidden AS TEXT), \
         CAST(dflt_value IS NOT NULL AND upper(dflt_value) <> 'NULL' AS TEXT) \
         FROM pragma_table_xinfo(?) WHERE hidden IN (0, 2, 3) ORDER BY cid",
    )
    .bind(table)
    .fetch_all(&db.pool)
    .await?;
    let key_count = rows
        .iter()
        .filter(|r| text_at(r, 3).ok().flatten().as_deref() != Some("0"))
        .count();
    let mut out = Vec::new();
    for r in rows {
        let declared = text_at(&r, 1)?.unwrap_or_default();
        let upper = declared.to_ascii_uppercase();
        let primary_key = text_at(&r, 3)?.as_deref() != Some("0");
        // An INTEGER PRIMARY KEY is the rowid: SQLite assigns it.
        let computed = matches!(text_at(&r, 4)?.as_deref(), Some("2" | "3"));
        let generated = computed || primary_key && key_count == 1 && upper == "INTEGER";
        let (precision, scale, max_chars) = sqlite_type_args(&upper);
        out.push(RawColumn {
            name: text_at(&r, 0)?.unwrap_or_default(),
            data_type: upper,
            full_type: declared,
            nullable: text_at(&r, 2)?.as_deref() == Some("0") && !primary_key,
            primary_key,
            generated,
            has_default: text_at(&r, 5)?.as_deref() == Some("1"),
            max_chars,
            precision,
            scale,
            enum_values: Vec::new(),
            max_bytes: None,
            json: false,
        });
    }
    Ok(out)
}
