//! `sheetsync-server binding …`: make, list, pause, resume and remove server-mode bindings.

use clap::Subcommand;

use crate::bindings::{self, NewBinding};
use crate::db::Db;

/// `binding` subcommands.
#[derive(Debug, Subcommand)]
pub enum BindingCommand {
    /// Bind a sheet of a spreadsheet to a table; the server then syncs it through the Sheets
    /// API (share the spreadsheet with the service account's email first).
    Create {
        /// The spreadsheet's id: the part of its URL between /d/ and /edit.
        #[arg(long)]
        spreadsheet: String,
        /// The sheet's tab name.
        #[arg(long)]
        sheet: String,
        /// The table, enabled with `table enable`.
        #[arg(long)]
        table: String,
        /// Conflict policy: a default (`database-wins`, `sheet-wins`, `latest-wins`,
        /// `manual`, `numeric-delta`) and `column=policy` overrides; repeat or comma-separate.
        #[arg(long, value_delimiter = ',')]
        policy: Vec<String>,
    },
    /// List the bindings, their state and which instance holds each.
    List,
    /// Stop syncing a binding; its state is kept for `resume`.
    Pause {
        /// The binding's id, from `binding list`.
        id: i64,
    },
    /// Sync a paused binding again, from where it stopped.
    Resume {
        /// The binding's id.
        id: i64,
    },
    /// Remove a binding and its state (the sheet and the table keep their rows).
    Remove {
        /// The binding's id.
        id: i64,
    },
}

/// Runs a `binding` subcommand.
pub async fn run(db: &Db, cmd: BindingCommand) -> Result<(), Box<dyn std::error::Error>> {
    match cmd {
        BindingCommand::Create {
            spreadsheet,
            sheet,
            table,
            policy,
        } => {
            let policies = bindings::parse_policies(&policy)?;
            let new = NewBinding {
                spreadsheet_id: spreadsheet,
                sheet_name: sheet,
                table,
                policies,
            };
            let id = bindings::create(db, &new).await?;
            println!(
                "binding {id} created: sheet {:?} of spreadsheet {} ↔ table {:?}",
                new.sheet_name, new.spreadsheet_id, new.table
            );
        }
        BindingCommand::List => {
            println!(
                "{:>4}  {:<8} {:<20} {:<44} {:<20} policy",
                "id", "state", "table", "spreadsheet", "sheet"
            );
            for b in bindings::list(db).await? {
                println!(
                    "{:>4}  {:<8} {:<20} {:<44} {:<20} {}",
                    b.id,
                    if b.paused { "paused" } else { "active" },
                    b.table,
                    b.spreadsheet_id,
                    b.sheet_name,
                    policy_text(&b.policies)
                );
            }
        }
        BindingCommand::Pause { id } => {
            let changed = bindings::set_paused(db, id, true).await?;
            println!(
                "binding {id} {}",
                if changed {
                    "paused"
                } else {
                    "was already paused"
                }
            );
        }
        BindingCommand::Resume { id } => {
            let changed = bindings::set_paused(db, id, false).await?;
            println!(
                "binding {id} {}",
                if changed { "resumed" } else { "was not paused" }
            );
        }
        BindingCommand::Remove { id } => {
            bindings::remove(db, id).await?;
            println!("binding {id} removed; the sheet and the table keep their rows");
        }
    }
    Ok(())
}

/// A policy set as `--policy` takes it.
fn policy_text(p: &sheetsync_core::policy::PolicySet) -> String {
    let name = |c| match serde_json::to_value(c) {
        Ok(serde_json::Value::String(s)) => s,
        other => format!("{other:?}"),
    };
    std::iter::once(name(p.default))
        .chain(p.columns.iter().map(|(c, v)| format!("{c}={}", name(*v))))
        .collect::<Vec<_>>()
        .join(",")
}
