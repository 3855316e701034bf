//! A discrete-event clock for concurrency tests: virtual time moves only when every live
//! participant task is asleep on it, and then straight to the earliest deadline. A request
//! in flight (or a task waiting for one) holds time still, so the network is instantaneous
//! in virtual time and the limiter's pacing is measured without scheduling noise.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use zdkit::{Clock, Timestamp};
use zdkit_clock::Sleep;

#[derive(Clone)]
pub struct Lockstep(Arc<Mutex<State>>);

struct State {
    now: Timestamp,
    next_id: u64,
    sleepers: BTreeMap<(Timestamp, u64), Waker>,
    live: usize,
}

impl fmt::Debug for Lockstep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Lockstep")
    }
}

impl Lockstep {
    pub fn new(start: Timestamp, participants: usize) -> Self {
        Lockstep(Arc::new(Mutex::new(State {
            now: start,
            next_id: 0,
            sleepers: BTreeMap::new(),
            live: participants,
        })))
    }

    /// A participant finished: it no longer holds time.
    pub fn leave(&self) {
        let mut st = self.0.lock().unwrap();
        st.live -= 1;
        advance(&mut st);
    }
}

fn advance(st: &mut State) {
    if st.live == 0 || st.sleepers.len() < st.live {
        return;
    }
    let Some((&(deadline, _), _)) = st.sleepers.iter().next() else {
        return;
    };
    if deadline > st.now {
        st.now = deadline;
    }
    let later = st.sleepers.split_off(&(st.now, u64::MAX));
    for (_, w) in std::mem::replace(&mut st.sleepers, later) {
        w.wake();
    }
}

impl Clock for Lockstep {
    fn now(&self) -> Timestamp {
        self.0.lock().unwrap().now
    }
    fn sleep(&self, d: Duration) -> Sleep {
        let at = self.now() + d;
        self.sleep_until(at)
    }
    fn sleep_until(&self, deadline: Timestamp) -> Sleep {
        Box::pin(LockSleep {
            clock: self.clone(),
            deadline,
            id: None,
        })
    }
}

struct LockSleep {
    clock: Lockstep,
    deadline: Timestamp,
    id: Option<u64>,
}

impl Future for LockSleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let clock = self.clock.clone();
        let mut st = clock.0.lock().unwrap();
        if st.now >= self.deadline {
            if let Some(id) = self.id.take() {
                st.sleepers.remove(&(self.deadline, id));
            }
            return Poll::Ready(());
        }
        let id = *self.id.get_or_insert_with(|| {
            st.next_id += 1;
            st.next_id
        });
        st.sleepers.insert((self.deadline, id), cx.waker().clone());
        advance(&mut st);
        if st.now >= self.deadline {
            st.sleepers.remove(&(self.deadline, id));
            self.id = None;
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

impl Drop for LockSleep {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            self.clock
                .0
                .lock()
                .unwrap()
                .sleepers
                .remove(&(self.deadline, id));
        }
    }
}
