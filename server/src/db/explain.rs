//! Database failures as one sentence that names the cause and where it happened: connection
//! refused at host:port, unknown host, TLS, authentication, missing privileges, a missing
//! database. The driver's own words follow in parentheses when they add anything.

use std::io::ErrorKind;

use sqlx::error::DatabaseError;
use sqlx::mysql::MySqlDatabaseError;
use sqlx::postgres::PgDatabaseError;

use super::target::Target;

/// What kind of failure a database error is, as far as a person fixing it cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cause {
    Authentication,
    Privileges,
    NoDatabase,
    Other,
}

/// One sentence for `err`, met while connecting to or preparing `target`.
pub fn explain(target: &Target, err: &sqlx::Error) -> String {
    let at = target.address();
    match err {
        sqlx::Error::Io(io) if io.kind() == ErrorKind::ConnectionRefused => format!(
            "connection refused at {at}: no database server is listening there (is it running, \
             and is the port in --database-url right?)"
        ),
        sqlx::Error::Io(io) if io.kind() == ErrorKind::TimedOut => {
            format!("no answer from {at}: the connection timed out ({io})")
        }
        sqlx::Error::Io(io) if is_tls(io) => format!("TLS with the database at {at} failed: {io}"),
        sqlx::Error::Io(io) => format!("cannot reach the database at {at}: {io}"),
        sqlx::Error::Tls(e) => format!("TLS with the database at {at} failed: {e}"),
        sqlx::Error::PoolTimedOut => {
            format!("no answer from the database at {at} in time")
        }
        sqlx::Error::Configuration(e) => format!("invalid database URL: {e}"),
        sqlx::Error::Database(db) => explain_refusal(target, db.as_ref()),
        other => format!("the database at {at} failed: {other}"),
    }
}

/// Whether an I/O error came from the TLS layer (the drivers pass a refused certificate up as
/// I/O).
fn is_tls(io: &std::io::Error) -> bool {
    io.get_ref()
        .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some())
}

fn explain_refusal(target: &Target, db: &dyn DatabaseError) -> String {
    let at = target.address();
    let said = db.message();
    match cause(db) {
        Cause::Authentication => format!(
            "authentication failed for {} at {at}: check the user name and password in \
             --database-url ({said})",
            target.user()
        ),
        Cause::Privileges => format!(
            "{} lacks a privilege sheetsync needs on {} at {at}: grant it, or use another \
             user ({said})",
            target.user(),
            target.database()
        ),
        Cause::NoDatabase => format!(
            "{} does not exist at {at}: create it, or fix its name in --database-url ({said})",
            target.database()
        ),
        Cause::Other => format!("the database at {at} refused: {said}"),
    }
}

fn cause(db: &dyn DatabaseError) -> Cause {
    if let Some(my) = db.try_downcast_ref::<MySqlDatabaseError>() {
        // MySQL/MariaDB error numbers: their SQLSTATEs are shared with unrelated errors.
        return match my.number() {
            1045 | 1698 => Cause::Authentication,
            1044 | 1142 | 1143 | 1227 | 1370 => Cause::Privileges,
            1049 => Cause::NoDatabase,
            _ => Cause::Other,
        };
    }
    if let Some(pg) = db.try_downcast_ref::<PgDatabaseError>() {
        return match pg.code() {
            "28P01" | "28000" => Cause::Authentication,
            "42501" => Cause::Privileges,
            "3D000" => Cause::NoDatabase,
            _ => Cause::Other,
        };
    }
    Cause::Other
}
