//! When each stage of the last wake-up of long-polls happened: the sequencer run that placed
//! the change began and committed, the woken long-polls resumed, and they built their answers.
//! `/metrics` shows them as wall-clock microseconds, so a client on the same machine can line
//! them up with its own commit and receive times and see where a change's delay goes.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

/// Microseconds since the Unix epoch, from the server's clock.
pub fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

/// The stages of the last wake-up (0 until one happened).
#[derive(Debug, Default)]
pub struct WakeTimes {
    /// When the sequencer run that last moved the feed position began.
    pub tick_began_us: AtomicI64,
    /// When that run had committed and published the new position.
    pub advanced_us: AtomicI64,
    woken: Mutex<Woken>,
}

/// The long-polls woken by the newest position that woke any.
#[derive(Clone, Copy, Debug, Default)]
struct Woken {
    position: i64,
    first_woken_us: i64,
    last_woken_us: i64,
    first_answered_us: i64,
    last_answered_us: i64,
    answered: u64,
}

impl WakeTimes {
    /// Records a published position and when the run that published it began.
    pub fn advanced(&self, began_us: i64) {
        self.tick_began_us.store(began_us, Ordering::Relaxed);
        self.advanced_us.store(now_us(), Ordering::Relaxed);
    }

    /// Records that a parked long-poll resumed, seeing feed position `position`.
    pub fn woken(&self, position: i64) {
        let at = now_us();
        let mut w = self.woken.lock().unwrap_or_else(|e| e.into_inner());
        if position > w.position {
            *w = Woken {
                position,
                first_woken_us: at,
                last_woken_us: at,
                ..Woken::default()
            };
        } else if position == w.position {
            w.last_woken_us = w.last_woken_us.max(at);
        }
    }

    /// Records that a long-poll woken at `position` has built its answer.
    pub fn answered(&self, position: i64) {
        let at = now_us();
        let mut w = self.woken.lock().unwrap_or_else(|e| e.into_inner());
        if position != w.position {
            return;
        }
        if w.answered == 0 {
            w.first_answered_us = at;
        }
        w.last_answered_us = w.last_answered_us.max(at);
        w.answered += 1;
    }

    /// The Prometheus lines of the last wake-up.
    pub fn render(&self) -> String {
        let w = *self.woken.lock().unwrap_or_else(|e| e.into_inner());
        let stages = [
            ("tick_began", self.tick_began_us.load(Ordering::Relaxed)),
            ("advanced", self.advanced_us.load(Ordering::Relaxed)),
            ("first_woken", w.first_woken_us),
            ("last_woken", w.last_woken_us),
            ("first_answered", w.first_answered_us),
            ("last_answered", w.last_answered_us),
        ];
        let mut out = String::from(
            "# HELP sheetsync_feed_wake_microseconds When each stage of the last wake-up of long-polls happened (Unix epoch, microseconds).\n\
             # TYPE sheetsync_feed_wake_microseconds gauge\n",
        );
        for (stage, us) in stages {
            out.push_str(&format!(
                "sheetsync_feed_wake_microseconds{{stage=\"{stage}\"}} {us}\n"
            ));
        }
        out.push_str(&format!(
            "# HELP sheetsync_feed_wake_position The feed position of the last wake-up.\n\
             # TYPE sheetsync_feed_wake_position gauge\nsheetsync_feed_wake_position {}\n\
             # HELP sheetsync_feed_wake_answers Long-polls answered after the last wake-up.\n\
             # TYPE sheetsync_feed_wake_answers gauge\nsheetsync_feed_wake_answers {}\n",
            w.position, w.answered
        ));
        out
    }
}
