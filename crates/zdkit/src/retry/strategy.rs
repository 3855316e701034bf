//! When to retry: the wait before attempt `n + 1`.

use std::time::Duration;

use super::{RetryPolicy, RetryReason};

/// Exponential backoff with full jitter: uniform in `[0, min(cap, base × 2^(attempt−1))]`.
/// `attempt` is the number of the attempt that just failed (1-based).
pub fn backoff(policy: &RetryPolicy, attempt: u32, rng: &mut fastrand::Rng) -> Duration {
    let exp = attempt.saturating_sub(1).min(30);
    let ceiling = policy.base.saturating_mul(1u32 << exp).min(policy.cap);
    ceiling.mul_f64(rng.f64())
}

/// The wait before the next attempt: the server's `Retry-After` when it gave one, else
/// backoff.
pub fn delay(
    policy: &RetryPolicy,
    reason: RetryReason,
    attempt: u32,
    rng: &mut fastrand::Rng,
) -> Duration {
    match reason {
        RetryReason::Throttled {
            retry_after: Some(ra),
        }
        | RetryReason::ServerError {
            retry_after: Some(ra),
            ..
        } => ra,
        _ => backoff(policy, attempt, rng),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn server_retry_after_wins() {
        let p = RetryPolicy::default();
        let mut rng = fastrand::Rng::with_seed(1);
        let ra = Some(Duration::from_secs(42));
        assert_eq!(
            delay(&p, RetryReason::Throttled { retry_after: ra }, 1, &mut rng),
            Duration::from_secs(42)
        );
        assert_eq!(
            delay(
                &p,
                RetryReason::ServerError {
                    status: 503,
                    retry_after: ra
                },
                3,
                &mut rng
            ),
            Duration::from_secs(42)
        );
    }

    #[test]
    fn seeded_backoff_is_deterministic() {
        let p = RetryPolicy::default();
        let a: Vec<_> = {
            let mut r = fastrand::Rng::with_seed(7);
            (1..6).map(|n| backoff(&p, n, &mut r)).collect()
        };
        let b: Vec<_> = {
            let mut r = fastrand::Rng::with_seed(7);
            (1..6).map(|n| backoff(&p, n, &mut r)).collect()
        };
        assert_eq!(a, b);
    }

    proptest! {
        #[test]
        fn backoff_stays_within_bounds(seed in any::<u64>(), attempt in 1u32..100) {
            let p = RetryPolicy::default();
            let mut rng = fastrand::Rng::with_seed(seed);
            let d = backoff(&p, attempt, &mut rng);
            let ceiling = Duration::from_millis(500).saturating_mul(1 << (attempt - 1).min(30)).min(Duration::from_secs(30));
            prop_assert!(d <= ceiling);
        }
    }

    #[test]
    fn full_jitter_uses_the_whole_range() {
        let p = RetryPolicy::default();
        let mut rng = fastrand::Rng::with_seed(3);
        let ds: Vec<Duration> = (0..1000).map(|_| backoff(&p, 4, &mut rng)).collect();
        // Attempt 4: ceiling 4 s. Full jitter reaches both ends of [0, 4 s].
        assert!(ds.iter().any(|d| *d < Duration::from_millis(200)));
        assert!(ds.iter().any(|d| *d > Duration::from_millis(3800)));
        assert!(ds.iter().all(|d| *d <= Duration::from_secs(4)));
    }
}
