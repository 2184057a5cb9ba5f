//! The savepoint a multi-row run of a push is written under, so that a refusal by the database
//! undoes the whole run and nothing else, and the run can be applied again row by row.

use sqlx::{AnyConnection, Executor};

use super::PushError;
use crate::db::catalog::TableInfo;
use crate::reject;

/// Opens the savepoint of a run.
pub(super) async fn open(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    conn.execute("SAVEPOINT sheetsync_chunk").await?;
    Ok(())
}

/// Closes the savepoint of a run after `written`: kept (`true`) when it succeeded, undone
/// (`false`) when the database refused part of it, so the caller goes row by row; any other
/// failure is passed on.
pub(super) async fn close(
    conn: &mut AnyConnection,
    info: &TableInfo,
    written: Result<(), PushError>,
) -> Result<bool, PushError> {
    match written {
        Ok(()) => {
            conn.execute("RELEASE SAVEPOINT sheetsync_chunk").await?;
            Ok(true)
        }
        Err(PushError::Db(e)) if reject::from_db(info, &e).is_some() => {
            conn.execute("ROLLBACK TO SAVEPOINT sheetsync_chunk")
                .await?;
            Ok(false)
        }
        Err(e) => Err(e),
    }
}
