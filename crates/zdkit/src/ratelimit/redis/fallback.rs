//! [`RedisFallback::Measured`](super::RedisFallback::Measured): how much of the shared
//! budget this process used, to pace alone with when Redis goes away.

/// The smallest measured share a process falls back to.
const MIN_MEASURED_SHARE: f64 = 0.02;

/// This process's grants per account window (epoch) through Redis, for
/// [`RedisFallback::Measured`](super::RedisFallback::Measured).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct ShareMeter {
    /// The first epoch seen (its count is partial).
    first: Option<u64>,
    /// The current epoch and its grants so far.
    epoch: u64,
    count: u32,
    /// Grants in the last complete epoch, when the one just before the current.
    last_full: Option<u32>,
}

impl ShareMeter {
    pub(super) fn grant(&mut self, epoch: u64) {
        match self.first {
            None => {
                *self = ShareMeter {
                    first: Some(epoch),
                    epoch,
                    count: 1,
                    last_full: None,
                };
            }
            Some(_) if epoch == self.epoch => self.count += 1,
            Some(first) if epoch == self.epoch + 1 => {
                self.last_full = (self.epoch > first).then_some(self.count);
                self.epoch = epoch;
                self.count = 1;
            }
            Some(_) if epoch > self.epoch => {
                // Windows without a grant: idle, nothing measured.
                self.last_full = None;
                self.epoch = epoch;
                self.count = 1;
            }
            // A restarted Redis counts epochs from 0 again.
            Some(_) => *self = ShareMeter::default(),
        }
    }

    /// The measured share of a window of `usable` requests.
    pub(super) fn share(&self, usable: u32) -> Option<f64> {
        let n = self.last_full?;
        Some((f64::from(n) / f64::from(usable.max(1))).clamp(MIN_MEASURED_SHARE, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_the_last_complete_window_only() {
        let mut m = ShareMeter::default();
        m.grant(5);
        m.grant(5);
        assert_eq!(m.share(100), None, "the first window seen is partial");
        for _ in 0..25 {
            m.grant(6);
        }
        assert_eq!(m.share(100), None, "no complete window yet");
        m.grant(7);
        assert_eq!(m.share(100), Some(0.25));
        m.grant(9);
        assert_eq!(m.share(100), None, "idle for a window: nothing measured");
        m.grant(10);
        assert_eq!(
            m.share(1000),
            Some(MIN_MEASURED_SHARE),
            "at least the floor"
        );
        m.grant(0);
        assert_eq!(m.share(100), None, "a restarted Redis starts afresh");
    }
}
