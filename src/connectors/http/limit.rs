//! The client-side rate limit: a system's published limit, kept per
//! endpoint (eAccounting allows 600 requests a minute on each), so that
//! flowc slows itself down instead of being refused.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota};

pub struct Limiter {
    limiter: DefaultKeyedRateLimiter<String>,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Limiter")
    }
}

impl Limiter {
    /// At most `per_minute` requests a minute on each endpoint. The bucket
    /// is small (a tenth of a second's worth, at least one): a burst would
    /// let more than `per_minute` through in the first minute, which a
    /// system counting a fixed minute refuses.
    pub fn per_minute(per_minute: NonZeroU32) -> Limiter {
        let burst = NonZeroU32::new((per_minute.get() / 600).max(1)).unwrap_or(NonZeroU32::MIN);
        let period = Duration::from_secs(60) / per_minute.get();
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_minute(per_minute))
            .allow_burst(burst);
        Limiter {
            limiter: DefaultKeyedRateLimiter::keyed(quota),
        }
    }

    /// Waits until a request to `endpoint` may go.
    pub async fn ready(&self, endpoint: &str) {
        self.limiter.until_key_ready(&endpoint.to_string()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_a_tenth_of_a_second_and_endpoints_count_apart() {
        let limiter = Limiter::per_minute(NonZeroU32::new(6000).unwrap());
        let passed = (0..100)
            .filter(|_| limiter.limiter.check_key(&"customers".to_string()).is_ok())
            .count();
        assert!((10..=11).contains(&passed), "{passed} went at once");
        assert!(
            limiter.limiter.check_key(&"articles".to_string()).is_ok(),
            "another endpoint has its own"
        );
        let slow = Limiter::per_minute(NonZeroU32::new(60).unwrap());
        assert!(slow.limiter.check_key(&"orders".to_string()).is_ok());
        assert!(slow.limiter.check_key(&"orders".to_string()).is_err(), "one a second");
    }
}
