//! The retry budget: a token bucket shared by every clone of a client (smithy-rs's
//! standard strategy). Retries spend tokens, successes put some back, so when Zendesk is
//! really down a busy client makes a few retries, not a storm.

use super::{RetryPolicy, RetryReason};
use crate::error::TransportErrorKind;

/// The token bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryBudget {
    capacity: u32,
    tokens: u32,
    retry_cost: u32,
    timeout_cost: u32,
}

impl RetryBudget {
    /// A full budget as the policy describes.
    pub fn new(policy: &RetryPolicy) -> Self {
        RetryBudget {
            capacity: policy.budget_capacity,
            tokens: policy.budget_capacity,
            retry_cost: policy.retry_cost,
            timeout_cost: policy.timeout_cost,
        }
    }

    /// Tokens left.
    pub fn tokens(&self) -> u32 {
        self.tokens
    }

    /// What a retry for `reason` costs (a 429 costs nothing: the server set the pace).
    pub fn cost(&self, reason: RetryReason) -> u32 {
        match reason {
            RetryReason::Throttled { .. } => 0,
            RetryReason::Transient(TransportErrorKind::Timeout) => self.timeout_cost,
            _ => self.retry_cost,
        }
    }

    /// Spend the cost of a retry; `None` (and nothing spent) when the budget cannot pay.
    pub fn try_spend(&mut self, reason: RetryReason) -> Option<u32> {
        let cost = self.cost(reason);
        if cost > self.tokens {
            return None;
        }
        self.tokens -= cost;
        Some(cost)
    }

    /// A success: refund what its retries cost, or one token when it needed none.
    pub fn on_success(&mut self, spent_on_this_request: u32) {
        let refund = if spent_on_this_request == 0 {
            1
        } else {
            spent_on_this_request
        };
        self.tokens = (self.tokens + refund).min(self.capacity);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exhaustion_stops_retries_and_success_refills() {
        let mut b = RetryBudget::new(&RetryPolicy::default().budget(12));
        let e500 = RetryReason::ServerError {
            status: 500,
            retry_after: None,
        };
        assert_eq!(b.try_spend(e500), Some(5));
        assert_eq!(b.try_spend(e500), Some(5));
        assert_eq!(b.try_spend(e500), None, "2 tokens cannot pay for a retry");
        assert_eq!(b.tokens(), 2);
        assert_eq!(
            b.try_spend(RetryReason::Throttled { retry_after: None }),
            Some(0)
        );
        assert_eq!(
            b.try_spend(RetryReason::Transient(TransportErrorKind::Timeout)),
            None
        );
        b.on_success(5);
        assert_eq!(b.tokens(), 7);
        b.on_success(0);
        assert_eq!(b.tokens(), 8);
        for _ in 0..100 {
            b.on_success(0);
        }
        assert_eq!(b.tokens(), 12, "never above capacity");
    }
}
