//! Exponential back-off for Google's 429 (quota) and 5xx answers, as the Sheets API's usage
//! limits page asks: wait 1 s, 2 s, 4 s, … (plus up to a second of jitter, so instances that
//! were refused together do not retry together), up to a ceiling, a bounded number of times.

use std::time::Duration;

/// How to retry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The first wait.
    pub first: Duration,
    /// The longest wait.
    pub ceiling: Duration,
    /// How many retries after the first try.
    pub retries: u32,
    /// The most random extra per wait.
    pub jitter: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            first: Duration::from_secs(1),
            ceiling: Duration::from_secs(64),
            retries: 6,
            jitter: Duration::from_secs(1),
        }
    }
}

impl Backoff {
    /// The wait before retry `n` (0-based), without jitter.
    pub fn base_wait(&self, n: u32) -> Duration {
        self.first
            .saturating_mul(1u32.checked_shl(n).unwrap_or(u32::MAX))
            .min(self.ceiling)
    }

    /// The wait before retry `n`, with jitter.
    pub fn wait(&self, n: u32) -> Duration {
        let jitter_ms = self.jitter.as_millis() as u64;
        let extra = if jitter_ms == 0 {
            0
        } else {
            rand::random::<u64>() % (jitter_ms + 1)
        };
        self.base_wait(n) + Duration::from_millis(extra)
    }
}

/// Whether an answer with `status` is worth retrying.
pub fn retryable(status: u16) -> bool {
    status == 429 || (500..600).contains(&status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_the_first_up_to_the_ceiling() {
        let b = Backoff::default();
        let waits: Vec<u64> = (0..9).map(|n| b.base_wait(n).as_secs()).collect();
        assert_eq!(waits, vec![1, 2, 4, 8, 16, 32, 64, 64, 64]);
        assert_eq!(b.base_wait(200), Duration::from_secs(64), "no overflow");
        let w = b.wait(0);
        assert!(w >= Duration::from_secs(1) && w <= Duration::from_secs(2));
    }

    #[test]
    fn only_quota_and_server_errors_are_retried() {
        assert!(retryable(429) && retryable(500) && retryable(503));
        assert!(!retryable(400) && !retryable(403) && !retryable(404) && !retryable(200));
    }
}
