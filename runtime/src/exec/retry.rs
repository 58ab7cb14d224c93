//! Retry and Catch: which retrier or catcher an error selects, and how long
//! to wait before the next attempt.

use crate::error::names;
use crate::machine::Retrier;
use std::time::Duration;

/// Whether an `ErrorEquals` list selects `error`. `States.ALL` selects
/// everything and `States.TaskFailed` everything but `States.Timeout`;
/// `States.Runtime` is never selected (the caller checks that first).
pub fn error_matches(error_equals: &[String], error: &str) -> bool {
    error_equals
        .iter()
        .any(|e| e == error || e == names::ALL || (e == names::TASK_FAILED && task_failed_selects(error)))
}

/// Whether `States.TaskFailed` selects `error`: every error but the
/// timeouts. Generated matchers call it for a list that names it.
pub fn task_failed_selects(error: &str) -> bool {
    error != names::TIMEOUT && error != names::HEARTBEAT_TIMEOUT
}

/// The wait before retry number `attempt` (0-based) of `r`.
pub(crate) fn backoff(r: &Retrier, attempt: u64) -> Duration {
    let mut secs = r.interval_seconds as f64 * r.backoff_rate.powi(attempt.min(1000) as i32);
    if let Some(max) = r.max_delay_seconds {
        secs = secs.min(max as f64);
    }
    if r.full_jitter {
        secs *= crate::random::unit();
    }
    Duration::from_secs_f64(secs.clamp(0.0, 31_622_400.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retrier(interval: u64, rate: f64, max: Option<u64>) -> Retrier {
        Retrier {
            error_equals: vec![],
            interval_seconds: interval,
            max_attempts: 3,
            backoff_rate: rate,
            max_delay_seconds: max,
            full_jitter: false,
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let r = retrier(3, 2.0, None);
        assert_eq!(backoff(&r, 0), Duration::from_secs(3));
        assert_eq!(backoff(&r, 1), Duration::from_secs(6));
        let r = retrier(3, 2.0, Some(4));
        assert_eq!(backoff(&r, 1), Duration::from_secs(4));
    }

    #[test]
    fn matching_rules() {
        let all = vec!["States.ALL".to_string()];
        let tf = vec!["States.TaskFailed".to_string()];
        assert!(error_matches(&all, "Custom"));
        assert!(error_matches(&tf, "Lambda.Unknown"));
        assert!(!error_matches(&tf, "States.Timeout"));
        assert!(error_matches(&["X".to_string()], "X"));
        assert!(!error_matches(&["X".to_string()], "x"));
    }
}
