//! Server-mode bindings in the database: made and checked, paused and resumed, their round
//! state stored, and leases that let instances share them one owner at a time.

mod common;

use std::process::{Command, Stdio};

use serde_json::json;
use sheetsync_core::base::{Base, BaseRow};
use sheetsync_core::policy::{ConflictPolicy, PolicySet};
use sheetsync_core::round::BindingState;
use sheetsync_core::schema::RowKey;
use sheetsync_core::wire::{Cursor, RowChange};
use sheetsync_server::bindings::lease::{self, Lease};
use sheetsync_server::bindings::state::{self, StoredState};
use sheetsync_server::bindings::{self, BindingError, NewBinding};
use sheetsync_server::db::Db;

const SHEET_ID: &str = "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms";
const TTL: i64 = 30_000;

fn people_binding(sheet: &str) -> NewBinding {
    NewBinding {
        spreadsheet_id: SHEET_ID.into(),
        sheet_name: sheet.into(),
        table: "people".into(),
        policies: PolicySet {
            default: ConflictPolicy::LatestWins,
            columns: [("score".to_string(), ConflictPolicy::NumericDelta)].into(),
        },
    }
}

/// A round state with a base row and a held change, as a real round leaves it.
fn some_state() -> BindingState {
    let mut base = Base::default();
    base.rows
        .insert(RowKey("7".into()), BaseRow::new(12, vec![1, 2, 3, 4, 5, 6]));
    BindingState {
        base: Some(base),
        held_changes: vec![RowChange {
            key: RowKey("8".into()),
            version: 13,
            op: sheetsync_core::wire::ChangeOp::Upsert {
                cells: vec![json!(8), json!("Ann")],
            },
            origin: None,
            changed_at_ms: 99,
        }],
        in_flight: None,
    }
}

/// Runs the server binary on `url` with `args`: (success, stdout, stderr).
async fn cli(url: &str, args: &[&str]) -> (bool, String, String) {
    let mut all = vec!["--database-url".to_string(), url.to_string()];
    all.extend(args.iter().map(|a| a.to_string()));
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_sheetsync-server"))
            .args(&all)
            .env_remove("SHEETSYNC_DATABASE_URL")
            .stdin(Stdio::null())
            .output()
            .expect("run sheetsync-server")
    })
    .await
    .expect("join");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

backend_tests! {
    async fn a_binding_is_created_listed_paused_resumed_and_removed(ctx) {
        ctx.people().await;
        let id = bindings::create(&ctx.db, &people_binding("People")).await.unwrap();

        let listed = bindings::list(&ctx.db).await.unwrap();
        assert_eq!(listed.len(), 1);
        let b = &listed[0];
        assert_eq!((b.id, b.table.as_str(), b.sheet_name.as_str()), (id, "people", "People"));
        assert_eq!(b.policies, people_binding("People").policies);
        assert!(!b.paused && b.lease.is_none());
        assert_eq!(state::load(&ctx.db, id).await.unwrap(), StoredState::default());

        assert!(bindings::set_paused(&ctx.db, id, true).await.unwrap());
        assert!(!bindings::set_paused(&ctx.db, id, true).await.unwrap(), "already paused");
        assert!(bindings::get(&ctx.db, id).await.unwrap().paused);
        assert!(bindings::set_paused(&ctx.db, id, false).await.unwrap());

        bindings::remove(&ctx.db, id).await.unwrap();
        assert!(bindings::list(&ctx.db).await.unwrap().is_empty());
        assert!(matches!(state::load(&ctx.db, id).await, Err(BindingError::NoBinding(i)) if i == id));
        let again = bindings::remove(&ctx.db, id).await.unwrap_err().to_string();
        assert!(again.contains(&format!("no binding {id}")), "{again}");
    }

    async fn a_binding_to_a_table_not_enabled_is_refused_naming_the_command(ctx) {
        ctx.people().await;
        let refused = bindings::create(&ctx.db, &NewBinding { table: "teams".into(), ..people_binding("T") })
            .await
            .unwrap_err()
            .to_string();
        assert!(refused.contains("sheetsync-server table enable teams"), "{refused}");
        assert!(bindings::list(&ctx.db).await.unwrap().is_empty());
    }

    async fn a_policy_for_a_column_the_table_lacks_is_refused_naming_its_columns(ctx) {
        ctx.people().await;
        let mut new = people_binding("People");
        new.policies.columns.insert("scroe".into(), ConflictPolicy::Manual);
        let refused = bindings::create(&ctx.db, &new).await.unwrap_err().to_string();
        assert!(refused.contains("\"scroe\""), "{refused}");
        assert!(refused.contains("score"), "{refused}");
        assert!(bindings::list(&ctx.db).await.unwrap().is_empty());
    }

    async fn a_sheet_bound_twice_is_refused_naming_the_first_binding(ctx) {
        ctx.people().await;
        let first = bindings::create(&ctx.db, &people_binding("People")).await.unwrap();
        let refused = bindings::create(&ctx.db, &people_binding("People")).await.unwrap_err();
        assert!(refused.to_string().contains(&format!("binding {first}")), "{refused}");
        // Another tab of the same spreadsheet may be bound to the same table.
        bindings::create(&ctx.db, &people_binding("People 2")).await.unwrap();
    }

    async fn a_round_state_and_cursor_are_saved_and_read_back(ctx) {
        ctx.people().await;
        let id = bindings::create(&ctx.db, &people_binding("People")).await.unwrap();
        let lease = lease::acquire(&ctx.db, id, "a", 1_000, TTL).await.unwrap().unwrap();
        let saved = StoredState { round: some_state(), cursor: Some(Cursor("42".into())) };

        state::save(&ctx.db, &lease, &saved).await.unwrap();

        assert_eq!(state::load(&ctx.db, id).await.unwrap(), saved);
    }

    async fn a_lease_has_one_owner_until_it_expires_and_a_takeover_fences_the_old_owner(ctx) {
        ctx.people().await;
        let id = bindings::create(&ctx.db, &people_binding("People")).await.unwrap();
        let other = Db::open(&ctx.url, 2).await.unwrap();
        let mut a = lease::acquire(&ctx.db, id, "a", 1_000, TTL).await.unwrap().unwrap();
        assert_eq!(lease::acquire(&other, id, "b", 2_000, TTL).await.unwrap(), None);
        assert!(lease::renew(&ctx.db, &mut a, 20_000, TTL).await.unwrap());
        assert_eq!(a.expires_at_ms, 50_000);
        assert_eq!(lease::acquire(&other, id, "b", 40_000, TTL).await.unwrap(), None);

        // A stalls past its expiry; B takes the binding over.
        let b = lease::acquire(&other, id, "b", 50_000, TTL).await.unwrap().unwrap();
        assert_eq!(b.epoch, a.epoch + 1);
        let listed = bindings::get(&ctx.db, id).await.unwrap();
        assert_eq!(listed.lease, Some(("b".to_string(), 80_000)));

        let late = StoredState { round: some_state(), cursor: Some(Cursor("7".into())) };
        let fenced = state::save(&ctx.db, &a, &late).await.unwrap_err();
        assert!(matches!(fenced, BindingError::LeaseLost(i) if i == id), "{fenced}");
        assert!(!lease::renew(&ctx.db, &mut a, 51_000, TTL).await.unwrap());
        assert_eq!(state::load(&ctx.db, id).await.unwrap(), StoredState::default(), "A wrote nothing");
        lease::release(&ctx.db, &a).await.unwrap();
        assert_eq!(bindings::get(&ctx.db, id).await.unwrap().lease.unwrap().0, "b", "A cannot release B's lease");

        let mine = StoredState { round: BindingState::default(), cursor: Some(Cursor("8".into())) };
        state::save(&other, &b, &mine).await.unwrap();
        lease::release(&other, &b).await.unwrap();
        assert!(lease::acquire(&ctx.db, id, "a", 51_000, TTL).await.unwrap().is_some(), "released at once");
        other.pool.close().await;
    }

    async fn instances_claiming_at_once_split_the_bindings_without_sharing_any(ctx) {
        ctx.people().await;
        for n in 0..6 {
            bindings::create(&ctx.db, &people_binding(&format!("S{n}"))).await.unwrap();
        }
        let paused = bindings::create(&ctx.db, &people_binding("Paused")).await.unwrap();
        bindings::set_paused(&ctx.db, paused, true).await.unwrap();
        let other = Db::open(&ctx.url, 2).await.unwrap();

        let (a, b) = tokio::join!(
            lease::claim(&ctx.db, "a", 1_000, TTL, 100),
            lease::claim(&other, "b", 1_000, TTL, 100),
        );
        let (a, b) = (a.unwrap(), b.unwrap());

        let mut ids: Vec<i64> = a.iter().chain(&b).map(|l: &Lease| l.binding_id).collect();
        ids.sort();
        assert_eq!(ids.len(), 6, "every active binding has exactly one owner: {a:?} {b:?}");
        ids.dedup();
        assert_eq!(ids.len(), 6, "no binding has two owners");
        assert!(!ids.contains(&paused), "a paused binding is not taken");
        assert!(lease::claim(&ctx.db, "c", 2_000, TTL, 100).await.unwrap().is_empty());
        other.pool.close().await;
    }

    async fn a_paused_binding_keeps_its_state_and_its_lease_is_not_renewed(ctx) {
        ctx.people().await;
        let id = bindings::create(&ctx.db, &people_binding("People")).await.unwrap();
        let mut a = lease::acquire(&ctx.db, id, "a", 1_000, TTL).await.unwrap().unwrap();
        let saved = StoredState { round: some_state(), cursor: Some(Cursor("42".into())) };
        state::save(&ctx.db, &a, &saved).await.unwrap();

        bindings::set_paused(&ctx.db, id, true).await.unwrap();
        assert!(!lease::renew(&ctx.db, &mut a, 2_000, TTL).await.unwrap());
        bindings::set_paused(&ctx.db, id, false).await.unwrap();

        assert_eq!(state::load(&ctx.db, id).await.unwrap(), saved, "resumed with the same base");
    }

    async fn the_binding_subcommands_create_list_pause_resume_and_remove(ctx) {
        ctx.people().await;
        let (ok, out, err) = cli(&ctx.url, &[
            "binding", "create", "--spreadsheet", SHEET_ID, "--sheet", "People", "--table",
            "people", "--policy", "manual,score=numeric-delta",
        ]).await;
        assert!(ok, "{err}");
        assert!(out.contains("binding 1 created"), "{out}");
        let (_, list, _) = cli(&ctx.url, &["binding", "list"]).await;
        assert!(list.contains("active") && list.contains("manual,score=numeric-delta"), "{list}");
        let (ok, out, _) = cli(&ctx.url, &["binding", "pause", "1"]).await;
        assert!(ok && out.contains("binding 1 paused"), "{out}");
        let (_, list, _) = cli(&ctx.url, &["binding", "list"]).await;
        assert!(list.contains("paused"), "{list}");
        let (ok, out, _) = cli(&ctx.url, &["binding", "resume", "1"]).await;
        assert!(ok && out.contains("binding 1 resumed"), "{out}");
        let (ok, _, _) = cli(&ctx.url, &["binding", "remove", "1"]).await;
        assert!(ok);

        let (ok, _, err) = cli(&ctx.url, &["binding", "pause", "1"]).await;
        assert!(!ok);
        let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
        assert_eq!(errors, vec!["error: there is no binding 1: `binding list` shows them"]);
        let (ok, _, err) = cli(&ctx.url, &[
            "binding", "create", "--spreadsheet", SHEET_ID, "--sheet", "P", "--table", "people",
            "--policy", "custom",
        ]).await;
        assert!(!ok && err.contains("resolveConflict"), "{err}");
    }
}
