//! Reads of the feed shared by concurrent requests. When a commit wakes hundreds of long-polls
//! parked at the same cursor, one query answers all of them instead of one query each; and a
//! burst of requests arriving together stamps the log once, not once per request.
//!
//! A shared page is keyed by the table, the cursor, the limit and the feed position the reader
//! saw before reading. The query behind it starts after the clock reached that position, so it
//! holds every change placed up to it: exactly what each reader that saw the same position
//! needs (it may hold later ones too, as any read may).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Bytes;
use sheetsync_core::wire::RowChange;
use tokio::sync::OnceCell;

use super::{changes_after, tick, FeedClock, FeedError};
use crate::db::catalog::TableInfo;
use crate::db::Db;
use crate::metrics::Metrics;

/// A page of changes with their feed positions, and whether more are ready.
pub type Page = (Vec<(i64, RowChange)>, bool);

/// A page as its readers share it, with the answer made of it once for all of them: hundreds
/// of long-polls woken by one commit send the same bytes, serialized once.
#[derive(Debug)]
pub struct SharedPage {
    /// The changes and whether more are ready.
    pub page: Page,
    answer: OnceLock<Result<Answer, String>>,
}

/// The HTTP body answering a shared page, with the counts `/metrics` adds for each answer.
#[derive(Debug)]
pub struct Answer {
    /// The JSON body.
    pub body: Bytes,
    /// Changes served in the unreadable form.
    pub unreadable: u64,
    /// Cells served in the degraded form.
    pub degraded: u64,
}

impl SharedPage {
    /// The answer, built by `make` for the first reader that asks (every reader of a page asked
    /// for the same cursor, so the answer is the same for all of them).
    pub fn answer(
        &self,
        make: impl FnOnce(&Page) -> Result<Answer, String>,
    ) -> &Result<Answer, String> {
        self.answer.get_or_init(|| make(&self.page))
    }
}

/// Pages kept at most; beyond it only pages some request still holds are kept.
const MAX_PAGES: usize = 4096;

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
struct PageKey {
    table_id: i64,
    after: i64,
    limit: usize,
    position: i64,
}

#[derive(Debug)]
struct Slot {
    /// The schema the page was decoded with (a refreshed catalog gets its own page).
    info: Arc<TableInfo>,
    /// The page, or `None` when the cursor had expired; empty until the first reader filled it.
    page: OnceCell<Option<Arc<SharedPage>>>,
}

/// The shared reads of one server instance.
#[derive(Debug, Default)]
pub struct SharedReads {
    pages: Mutex<HashMap<PageKey, Arc<Slot>>>,
    /// Ticks begun by requests (numbered from 1).
    ticks_begun: AtomicU64,
    /// Held while a request's tick runs; holds the number of the last tick that finished.
    tick_done: tokio::sync::Mutex<u64>,
}

impl SharedReads {
    /// Stamps every change committed before this call, like [`tick`], unless a tick that began
    /// after this call has finished meanwhile (it has stamped them already).
    pub async fn tick(&self, db: &Db, clock: &FeedClock) -> Result<(), sqlx::Error> {
        let arrived = self.ticks_begun.load(Ordering::SeqCst);
        let mut done = self.tick_done.lock().await;
        if *done > arrived {
            return Ok(());
        }
        let number = self.ticks_begun.fetch_add(1, Ordering::SeqCst) + 1;
        tick(db, clock).await?;
        *done = number;
        Ok(())
    }

    /// The changes to `info`'s table after `after`, at most `limit`, read by a query that began
    /// once the feed had reached `position` (the clock's value the caller saw). Callers asking
    /// for the same page at the same position share one query.
    pub async fn changes_after(
        &self,
        db: &Db,
        metrics: &Metrics,
        info: &Arc<TableInfo>,
        after: i64,
        limit: usize,
        position: i64,
    ) -> Result<Arc<SharedPage>, FeedError> {
        let key = PageKey {
            table_id: info.id,
            after,
            limit,
            position,
        };
        let slot = self.slot(key, info);
        let read = slot
            .page
            .get_or_try_init(|| async {
                Metrics::add(&metrics.feed_reads, 1);
                match changes_after(db, info, after, limit).await {
                    Ok(page) => Ok(Some(Arc::new(SharedPage {
                        page,
                        answer: OnceLock::new(),
                    }))),
                    Err(FeedError::Expired) => Ok(None),
                    Err(FeedError::Db(e)) => Err(e),
                }
            })
            .await
            .cloned();
        self.release(key, slot);
        match read? {
            Some(page) => Ok(page),
            None => Err(FeedError::Expired),
        }
    }

    fn slot(&self, key: PageKey, info: &Arc<TableInfo>) -> Arc<Slot> {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = pages.get(&key) {
            if Arc::ptr_eq(&slot.info, info) {
                return slot.clone();
            }
        }
        // A page of an older position is never asked for again by a new reader.
        pages.retain(|k, slot| k.position >= key.position || Arc::strong_count(slot) > 1);
        if pages.len() >= MAX_PAGES {
            pages.retain(|_, slot| Arc::strong_count(slot) > 1);
        }
        let slot = Arc::new(Slot {
            info: info.clone(),
            page: OnceCell::new(),
        });
        pages.insert(key, slot.clone());
        slot
    }

    /// Drops the caller's hold on `slot`. A page with changes is forgotten once nobody holds
    /// it (readers woken together share it; a page read later is read again), while an empty
    /// page stays until the position moves on: it is small, and long-polls ask for it again
    /// and again.
    fn release(&self, key: PageKey, slot: Arc<Slot>) {
        let keep = matches!(slot.page.get(), Some(Some(shared)) if shared.page.0.is_empty());
        drop(slot);
        if keep {
            return;
        }
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        if pages
            .get(&key)
            .is_some_and(|slot| Arc::strong_count(slot) == 1)
        {
            pages.remove(&key);
        }
    }
}
