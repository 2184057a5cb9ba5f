//! Turns what the database refused about one row into a reason a person can act on, naming
//! the column where the database's message lets us find it. The raw message is logged, not
//! sent: it may show other rows' data or the schema's internals.

use sheetsync_core::schema::CellError;
use sheetsync_core::value::{SqlType, ValueError};
use sheetsync_core::wire::RejectCode;

use crate::db::catalog::TableInfo;

/// A refused row: which column, what kind of refusal, and a sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The column at fault, if known.
    pub column: Option<String>,
    /// The kind of refusal.
    pub code: RejectCode,
    /// A sentence for the person who typed the value.
    pub reason: String,
}

/// The refusal for a value the core's decoder did not accept.
pub fn from_cell(e: &CellError) -> Refusal {
    let code = match e.error {
        ValueError::NullNotAllowed => RejectCode::NotNull,
        _ => RejectCode::BadValue,
    };
    Refusal {
        column: Some(e.column.clone()),
        code,
        reason: format!("column {:?}: {}", e.column, e.error),
    }
}

/// The refusal for a database error raised by one row's statement, or `None` if the error is
/// not about the row (a lost connection, a deadlock), which must fail the whole batch.
pub fn from_db(info: &TableInfo, err: &sqlx::Error) -> Option<Refusal> {
    let sqlx::Error::Database(db) = err else {
        return None;
    };
    // MySQL's SQLSTATEs are too coarse (HY000 for most); its error numbers say what happened.
    let code_text = match db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
        Some(e) => e.number().to_string(),
        None => db.code().map(|c| c.into_owned()).unwrap_or_default(),
    };
    let message = db.message().to_string();
    let detail = db
        .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
        .map(|e| {
            format!(
                "{} \"{}\" {}",
                e.detail().unwrap_or_default(),
                e.column().unwrap_or_default(),
                e.constraint().unwrap_or_default()
            )
        })
        .unwrap_or_default();
    let text = format!("{message} {detail}");
    let lower = text.to_ascii_lowercase();
    let code = classify(&code_text, &lower)?;
    let column = find_column(info, &text).or_else(|| spatial_column(info, &code_text));
    tracing::info!(table = %info.schema.name, code = %code_text, message = %text, "row refused by the database");
    let place = column
        .as_ref()
        .map(|c| format!("column {c:?}: "))
        .unwrap_or_default();
    let reason = match code {
        RejectCode::Unique => "another row already has this value, and it must be unique",
        RejectCode::ForeignKey => "the value does not match any row of the table it refers to",
        RejectCode::NotNull => "a value is required (the column is NOT NULL)",
        RejectCode::Check => "the value breaks a rule (check constraint) of the table",
        RejectCode::BadValue => {
            "the value does not fit the column (wrong type, too long or out of range)"
        }
        RejectCode::UnknownColumn => "the table has no such column",
        RejectCode::Other => "the database refused the row",
    };
    Some(Refusal {
        column,
        code,
        reason: format!("{place}{reason}"),
    })
}

/// Maps an error code (MySQL error number, SQLSTATE, or SQLite extended code) and message to a
/// refusal kind; `None` for errors that are not about the row's data.
fn classify(code: &str, lower: &str) -> Option<RejectCode> {
    Some(match code {
        // MySQL / MariaDB error numbers.
        "1062" | "1586" => RejectCode::Unique,
        "1451" | "1452" | "1216" | "1217" => RejectCode::ForeignKey,
        "1048" | "1364" => RejectCode::NotNull,
        "3819" | "4025" => RejectCode::Check,
        // 1416, 3037: text that is no geometry of the column's type.
        "1406" | "1264" | "1366" | "1265" | "1292" | "1367" | "4078" | "3140" | "1416" | "3037" => {
            RejectCode::BadValue
        }
        // PostgreSQL SQLSTATEs.
        "23505" => RejectCode::Unique,
        "23503" => RejectCode::ForeignKey,
        "23502" => RejectCode::NotNull,
        "23514" => RejectCode::Check,
        "23000" | "23001" | "23P01" => RejectCode::Other,
        c if c.starts_with("22") && c.len() == 5 => RejectCode::BadValue,
        _ if lower.contains("unique constraint failed") => RejectCode::Unique,
        _ if lower.contains("foreign key constraint failed") => RejectCode::ForeignKey,
        _ if lower.contains("not null constraint failed") => RejectCode::NotNull,
        _ if lower.contains("check constraint failed") => RejectCode::Check,
        _ if lower.contains("datatype mismatch") => RejectCode::BadValue,
        _ => return None,
    })
}

/// MySQL's refusals of a geometry (1416, 3037) name no column; when the table has one
/// spatial column, it is that one.
fn spatial_column(info: &TableInfo, code: &str) -> Option<String> {
    if !matches!(code, "1416" | "3037") {
        return None;
    }
    let mut spatial = info
        .schema
        .columns
        .iter()
        .filter(|c| c.sql_type == SqlType::Geometry);
    match (spatial.next(), spatial.next()) {
        (Some(c), None) => Some(c.name.clone()),
        _ => None,
    }
}

/// The table's column the message names, trying each dialect's way of quoting a column.
fn find_column(info: &TableInfo, text: &str) -> Option<String> {
    let table = &info.schema.name;
    // Longest names first, so `email` does not match inside `email_verified`.
    let mut names: Vec<&str> = info
        .schema
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    names.into_iter().map(str::to_string).find(|c| {
        [
            format!("'{c}'"),
            format!("\"{c}\""),
            format!("`{c}`"),
            format!("({c})"),
            format!("{table}.{c}"),
        ]
        .iter()
        .any(|p| text.contains(p.as_str()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraint_codes_of_each_database_map_to_a_refusal_kind() {
        assert_eq!(classify("1062", ""), Some(RejectCode::Unique));
        assert_eq!(classify("23503", ""), Some(RejectCode::ForeignKey));
        assert_eq!(classify("22001", ""), Some(RejectCode::BadValue));
        assert_eq!(
            classify("1299", "not null constraint failed: t.name"),
            Some(RejectCode::NotNull)
        );
        assert_eq!(classify("40001", "deadlock"), None);
    }
}
