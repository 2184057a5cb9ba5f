//! An in-memory database: versioned rows, compare-and-set push, a change log, and batch ids
//! honoured as the real server does: a batch is applied once, in one transaction, and its
//! answer is stored, so a delivery of the same batch id again gets that answer
//! (`replayed: true`) instead of being applied twice. A push can also fail on its way: the
//! commit may fail (nothing applied, nothing stored) or the answer may be lost after the commit.
#![allow(dead_code)]

use std::collections::BTreeMap;

use serde_json::{json, Value as J};
use sheetsync_core::schema::{RowKey, TableSchema};
use sheetsync_core::value::Value;
use sheetsync_core::wire::{
    ChangeOp, PushOp, PushRequest, PushResponse, PushResult, RejectCode, RowChange, RowVersion,
    VersionedRow,
};

/// The database: rows with versions, a change log whose ids are the versions.
#[derive(Default)]
pub struct Server {
    pub schema: Option<TableSchema>,
    pub rows: BTreeMap<RowKey, (RowVersion, Vec<J>)>,
    pub log: Vec<RowChange>,
    pub history: BTreeMap<(RowKey, RowVersion), Vec<J>>,
    pub next_id: i64,
    pub clock: i64,
    /// Each applied batch: its request as first delivered and its stored answer.
    pub batches: BTreeMap<String, (PushRequest, PushResponse)>,
}

/// What happens to one delivery of a push.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Applied (or replayed) and answered.
    Delivered,
    /// The transaction fails before its commit: nothing applied, no answer stored.
    CommitFails,
    /// Applied and its answer stored, but the answer never reaches the client.
    AnswerLost,
}

/// Why a push got no answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Undelivered {
    /// Nothing was applied.
    NotCommitted,
    /// The batch was applied; its answer is stored under its batch id.
    AnswerLost,
}

impl Server {
    pub fn new(schema: TableSchema) -> Server {
        Server {
            schema: Some(schema),
            next_id: 1000,
            ..Server::default()
        }
    }

    fn schema(&self) -> &TableSchema {
        self.schema.as_ref().unwrap()
    }

    fn record(&mut self, key: &RowKey, cells: Option<Vec<J>>, origin: Option<&str>) -> RowVersion {
        self.clock += 1;
        let version = self.log.len() as RowVersion + 1;
        let op = match &cells {
            Some(c) => {
                self.rows.insert(key.clone(), (version, c.clone()));
                self.history.insert((key.clone(), version), c.clone());
                ChangeOp::Upsert { cells: c.clone() }
            }
            None => {
                self.rows.remove(key);
                ChangeOp::Delete
            }
        };
        self.log.push(RowChange {
            key: key.clone(),
            version,
            op,
            origin: origin.map(str::to_string),
            changed_at_ms: self.clock,
        });
        version
    }

    fn current(&self, key: &RowKey) -> Option<VersionedRow> {
        self.rows.get(key).map(|(v, c)| VersionedRow {
            key: key.clone(),
            version: *v,
            cells: c.clone(),
        })
    }

    fn check(&self, row: &[J]) -> Option<(String, RejectCode)> {
        for (c, cell) in self.schema().columns.iter().zip(row) {
            if cell.is_null() && !c.nullable && !c.generated {
                return Some((c.name.clone(), RejectCode::NotNull));
            }
            if c.decode(cell).is_err() {
                return Some((c.name.clone(), RejectCode::BadValue));
            }
        }
        None
    }

    /// Applies a push with compare-and-set on each row's version and answers it.
    pub fn push(&mut self, req: &PushRequest) -> PushResponse {
        self.deliver(req, Fate::Delivered)
            .expect("a delivered push is answered")
    }

    /// One delivery of `req` that meets `fate`. A batch id already applied is answered with
    /// the stored answer and applies nothing; it must carry the same changes as the first
    /// delivery (the protocol's rule for a retried batch).
    pub fn deliver(&mut self, req: &PushRequest, fate: Fate) -> Result<PushResponse, Undelivered> {
        if let Some((first, answer)) = self.batches.get(&req.batch_id) {
            assert_eq!(
                first.changes, req.changes,
                "batch {} was sent again with other changes",
                req.batch_id
            );
            let mut answer = answer.clone();
            answer.replayed = true;
            return match fate {
                Fate::Delivered => Ok(answer),
                Fate::CommitFails | Fate::AnswerLost => Err(Undelivered::AnswerLost),
            };
        }
        if fate == Fate::CommitFails {
            return Err(Undelivered::NotCommitted);
        }
        let answer = self.apply_batch(req);
        self.batches
            .insert(req.batch_id.clone(), (req.clone(), answer.clone()));
        match fate {
            Fate::Delivered => Ok(answer),
            _ => Err(Undelivered::AnswerLost),
        }
    }

    fn apply_batch(&mut self, req: &PushRequest) -> PushResponse {
        let mut results = Vec::new();
        for change in &req.changes {
            results.push(self.apply(change, &req.origin));
        }
        PushResponse {
            batch_id: req.batch_id.clone(),
            results,
            replayed: false,
        }
    }

    fn apply(&mut self, change: &PushOp, origin: &str) -> PushResult {
        let names: Vec<String> = self
            .schema()
            .columns
            .iter()
            .map(|c| c.name.clone())
            .collect();
        match change {
            PushOp::Insert { cells } => {
                let key_json = cells.get("id").cloned().unwrap_or(J::Null);
                let key = if key_json.is_null() {
                    self.next_id += 1;
                    RowKey(self.next_id.to_string())
                } else {
                    RowKey(key_json.to_string().trim_matches('"').to_string())
                };
                if self.rows.contains_key(&key) {
                    return PushResult::Conflict {
                        current: self.current(&key),
                        key,
                    };
                }
                let row: Vec<J> = names
                    .iter()
                    .map(|n| match n.as_str() {
                        "id" => json!(key.0.parse::<i64>().unwrap_or(0)),
                        _ => cells.get(n).cloned().unwrap_or(J::Null),
                    })
                    .collect();
                let mut row = row;
                self.trim_note(&mut row);
                self.finish(key, row, origin)
            }
            PushOp::Update {
                key,
                expected_version,
                cells,
            } => match self.rows.get(key) {
                Some((v, row)) if v == expected_version => {
                    let mut row = row.clone();
                    for (i, n) in names.iter().enumerate() {
                        if let Some(v) = cells.get(n) {
                            row[i] = v.clone();
                        }
                    }
                    self.trim_note(&mut row);
                    self.finish(key.clone(), row, origin)
                }
                _ => PushResult::Conflict {
                    key: key.clone(),
                    current: self.current(key),
                },
            },
            PushOp::Delete {
                key,
                expected_version,
            } => match self.rows.get(key) {
                Some((v, _)) if v == expected_version => {
                    let version = self.record(key, None, Some(origin));
                    PushResult::Applied {
                        key: key.clone(),
                        version,
                        row: None,
                    }
                }
                _ => PushResult::Conflict {
                    key: key.clone(),
                    current: self.current(key),
                },
            },
        }
    }

    fn finish(&mut self, key: RowKey, row: Vec<J>, origin: &str) -> PushResult {
        if let Some((column, code)) = self.check(&row) {
            return PushResult::Rejected {
                key: Some(key),
                column: Some(column.clone()),
                code,
                reason: format!("{column} refused"),
            };
        }
        let version = self.record(&key, Some(row.clone()), Some(origin));
        PushResult::Applied {
            key,
            version,
            row: Some(row),
        }
    }

    /// Drops trailing spaces from the `note` cell on every write, as a MariaDB `CHAR` column
    /// stores text: what the database stores then differs from what was pushed, and is
    /// written back.
    fn trim_note(&self, row: &mut [J]) {
        let Some((i, _)) = self.schema().column("note") else {
            return;
        };
        if let Some(J::String(s)) = row.get_mut(i) {
            *s = s.trim_end().to_string();
        }
    }

    /// A direct SQL write by another application.
    pub fn sql_upsert(&mut self, key: &RowKey, row: Vec<J>) {
        self.record(key, Some(row), None);
    }

    pub fn sql_delete(&mut self, key: &RowKey) {
        if self.rows.contains_key(key) {
            self.record(key, None, None);
        }
    }

    /// The table as decoded values.
    pub fn table(&self) -> BTreeMap<RowKey, Vec<Value>> {
        self.rows
            .iter()
            .map(|(k, (_, c))| (k.clone(), self.schema().decode_row(c).unwrap()))
            .collect()
    }
}
