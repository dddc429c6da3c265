//! When to try a request again, and how long to wait first: exponential
//! backoff with jitter (backon), and the system's own `Retry-After`, in
//! seconds or as an HTTP date.

use std::time::{Duration, SystemTime};

use backon::{BackoffBuilder, ExponentialBuilder};
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// How many times a request is sent at most, and the waits between.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The first wait; each next one doubles, with jitter.
    pub first_wait: Duration,
    pub longest_wait: Duration,
    /// The longest `Retry-After` obeyed: a system asking for more fails
    /// the request instead of stalling the run.
    pub longest_retry_after: Duration,
    /// How many 429s a request waits out before they count as failed
    /// attempts: a 429 is the system pacing its clients, not a failure
    /// (with several records in flight, a busy endpoint answers many).
    pub rate_limited_waits: u32,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            attempts: 5,
            first_wait: Duration::from_millis(250),
            longest_wait: Duration::from_secs(20),
            longest_retry_after: Duration::from_secs(120),
            rate_limited_waits: 30,
        }
    }
}

impl Policy {
    /// The waits between attempts, with jitter.
    pub fn waits(&self) -> impl Iterator<Item = Duration> + use<> {
        ExponentialBuilder::default()
            .with_jitter()
            .with_min_delay(self.first_wait)
            .with_max_delay(self.longest_wait)
            .with_max_times(self.attempts.saturating_sub(1) as usize)
            .build()
    }

    /// The wait after the `n`th 429 (from 0) that gave no `Retry-After`.
    pub fn rate_limited_wait(&self, n: u32) -> Duration {
        self.first_wait.saturating_mul(1 << n.min(10)).min(self.longest_wait)
    }
}

/// The wait a response's `Retry-After` asks for: a number of seconds, or
/// an HTTP date (a date in the past asks for none). `None` without one, or
/// with one that reads as neither.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let moment = httpdate::parse_http_date(value).ok()?;
    Some(moment.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_as_a_date() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(retry_after(&headers("120"), now), Some(Duration::from_secs(120)));
        assert_eq!(retry_after(&headers(" 0 "), now), Some(Duration::ZERO));
        assert_eq!(
            retry_after(&headers("Wed, 21 Oct 2015 07:28:30 GMT"), now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after(&headers("Wed, 21 Oct 2015 07:27:00 GMT"), now),
            Some(Duration::ZERO),
            "a moment passed asks for no wait"
        );
        assert_eq!(retry_after(&headers("soon"), now), None);
        assert_eq!(retry_after(&headers("-5"), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn waits_grow_and_stop() {
        let policy = Policy {
            attempts: 4,
            first_wait: Duration::from_millis(100),
            longest_wait: Duration::from_millis(300),
            longest_retry_after: Duration::from_secs(1),
            rate_limited_waits: 3,
        };
        assert_eq!(policy.rate_limited_wait(0), Duration::from_millis(100));
        assert_eq!(policy.rate_limited_wait(1), Duration::from_millis(200));
        assert_eq!(
            policy.rate_limited_wait(40),
            Duration::from_millis(300),
            "never longer than the longest"
        );
        let waits: Vec<Duration> = policy.waits().collect();
        assert_eq!(waits.len(), 3, "three waits between four attempts");
        for wait in &waits {
            assert!(
                *wait >= Duration::from_millis(100) && *wait <= Duration::from_millis(600),
                "{wait:?}"
            );
        }
    }
}
