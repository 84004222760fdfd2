//! Per-conversation lanes: one conversation's jobs in order, conversations in parallel, and
//! no conversation able to hold up another.
//!
//! A lane's queue is bounded. A job that does not fit is dropped and counted, never waited
//! on: the one loop that takes a platform's updates must never stop for one busy chat (a
//! full queue that made the loop wait once let one flooding chat silence the whole bot).

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use jiff::Timestamp;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use eftertanke_core::flood::{Admit, FloodGate};
use eftertanke_core::records::{PersonId, Platform};
use prometheus_client::metrics::counter::Counter;

use crate::metrics::Metrics;

/// Jobs one lane may hold waiting. Above the flood limit's burst, so a whole burst and the
/// note after it fit even while the first job is still being handled.
pub const LANE_CAPACITY: usize = 64;
/// Lanes kept at once before idle ones are let go (memory stays bounded).
const MAX_LANES: usize = 4096;

/// The work of one lane, made when the lane opens.
pub trait Worker: Send + 'static {
    type Job: Send + 'static;
    /// One job; the lane's next job waits for it.
    fn work(&mut self, job: Self::Job) -> impl Future<Output = ()> + Send;
    /// The lane closes (idle, or the channel stops): finish what was begun.
    fn finish(self) -> impl Future<Output = ()> + Send;
}

/// What became of input: read, or not read and why. Counted for the logs and `/metrics`.
#[derive(Debug, Default)]
pub struct Drops {
    /// Messages over a person's flood limit, not read.
    pub flooded: Counter,
    /// Jobs that found their lane full, dropped.
    pub full: Counter,
}

impl Drops {
    /// The drop counters `/metrics` shows for `platform`.
    #[must_use]
    pub fn counted(metrics: &Metrics, platform: Platform) -> Drops {
        let (flooded, full) = metrics.drop_counters(platform);
        Drops { flooded, full }
    }

    /// (flooded, full) so far.
    #[must_use]
    pub fn counts(&self) -> (u64, u64) {
        (self.flooded.get(), self.full.get())
    }

    /// Logs the counts if they changed since `before`; returns them.
    pub fn log_if_changed(&self, before: (u64, u64), channel: &str) -> (u64, u64) {
        let now = self.counts();
        if now != before {
            tracing::warn!(
                channel,
                flooded = now.0,
                full = now.1,
                "messages dropped since the start: over a person's flood limit, or their chat's \
                 queue was full"
            );
        }
        now
    }
}

/// The flood limit at the door: whether one message from `person`, arriving `now`, is read.
/// `limit` off (benchmarks) reads everything.
pub fn admit(
    gate: &FloodGate,
    drops: &Drops,
    limit: bool,
    person: &PersonId,
    now: Timestamp,
) -> Admit {
    if !limit {
        return Admit::Yes;
    }
    let admit = gate.admit(person, now);
    if admit != Admit::Yes {
        drops.flooded.inc();
    }
    if admit == Admit::Warn {
        tracing::info!(person = %person.pseudonym(), "flood limit: messages not read");
    }
    admit
}

struct Lane<J> {
    jobs: mpsc::Sender<J>,
    /// Jobs given and not yet finished: a lane with none can be let go.
    pending: Arc<AtomicUsize>,
}

/// The lanes of one channel, owned by the one loop that gives them work.
pub struct Lanes<K, W: Worker> {
    lanes: HashMap<K, Lane<W::Job>>,
    tasks: JoinSet<()>,
    drops: Arc<Drops>,
}

impl<K, W> Lanes<K, W>
where
    K: Eq + Hash + Clone,
    W: Worker,
{
    #[must_use]
    pub fn new(drops: Arc<Drops>) -> Lanes<K, W> {
        Lanes {
            lanes: HashMap::new(),
            tasks: JoinSet::new(),
            drops,
        }
    }

    /// Gives `job` to the lane of `key`, opening it with `open` if it has none. Never waits:
    /// a full lane drops the job (counted). True when the job was taken.
    pub fn offer(&mut self, key: K, job: W::Job, open: impl FnOnce() -> W) -> bool {
        if self.lanes.len() >= MAX_LANES && !self.lanes.contains_key(&key) {
            // Only this loop gives work, so a lane with nothing pending has finished it all;
            // dropping its sender ends its task.
            self.lanes
                .retain(|_, lane| lane.pending.load(Ordering::Acquire) > 0);
        }
        self.reap();
        let lane = self.lanes.entry(key.clone()).or_insert_with(|| {
            let (jobs, mut queue) = mpsc::channel::<W::Job>(LANE_CAPACITY);
            let pending = Arc::new(AtomicUsize::new(0));
            let left = pending.clone();
            let mut worker = open();
            self.tasks.spawn(async move {
                while let Some(job) = queue.recv().await {
                    worker.work(job).await;
                    left.fetch_sub(1, Ordering::AcqRel);
                }
                worker.finish().await;
            });
            Lane { jobs, pending }
        });
        lane.pending.fetch_add(1, Ordering::AcqRel);
        match lane.jobs.try_send(job) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                lane.pending.fetch_sub(1, Ordering::AcqRel);
                self.drops.full.inc();
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                // Its task died (a panic, logged by `reap`): the lane goes, the next job
                // opens a new one.
                self.lanes.remove(&key);
                self.drops.full.inc();
                false
            }
        }
    }

    /// Logs lane tasks that ended abnormally.
    fn reap(&mut self) {
        while let Some(ended) = self.tasks.try_join_next() {
            if let Err(err) = ended {
                tracing::error!("a conversation lane ended abnormally: {err}");
            }
        }
    }

    /// Closes every lane and waits until each finished the jobs it took.
    pub async fn close(mut self) {
        self.lanes.clear();
        while let Some(ended) = self.tasks.join_next().await {
            if let Err(err) = ended {
                tracing::error!("a conversation lane ended abnormally: {err}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::time::Duration;

    /// Records jobs; jobs of lane "slow" wait until released.
    struct Recorder {
        key: &'static str,
        seen: Arc<Mutex<Vec<(&'static str, u32)>>>,
        gate: Arc<tokio::sync::Semaphore>,
    }

    impl Worker for Recorder {
        type Job = u32;
        async fn work(&mut self, job: u32) {
            if self.key == "slow" {
                let _held = self.gate.acquire().await;
            }
            self.seen.lock().unwrap().push((self.key, job));
        }
        async fn finish(self) {}
    }

    #[tokio::test]
    async fn a_full_lane_drops_without_waiting_and_other_lanes_go_on_in_order() {
        let drops = Arc::new(Drops::default());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        let mut lanes: Lanes<&'static str, Recorder> = Lanes::new(drops.clone());
        let open = |key| {
            let (seen, gate) = (seen.clone(), gate.clone());
            move || Recorder { key, seen, gate }
        };
        let mut taken = 0;
        for n in 0..1000 {
            taken += usize::from(lanes.offer("slow", n, open("slow")));
        }
        // The slow lane holds its first job and a full queue behind it; the rest dropped.
        assert!(
            (LANE_CAPACITY..=LANE_CAPACITY + 1).contains(&taken),
            "{taken}"
        );
        assert_eq!(drops.counts().1, 1000 - taken as u64);
        for n in 0..3 {
            assert!(lanes.offer("quick", n, open("quick")));
        }
        tokio::time::timeout(Duration::from_secs(5), async {
            while seen.lock().unwrap().len() < 3 {
                tokio::task::yield_now().await;
            }
        })
        .await
        .expect("the quick lane is not held up");
        gate.add_permits(10_000);
        lanes.close().await;
        let seen = seen.lock().unwrap();
        let slow: Vec<u32> = seen.iter().filter(|s| s.0 == "slow").map(|s| s.1).collect();
        assert_eq!(slow.len(), taken);
        assert!(slow.windows(2).all(|w| w[0] < w[1]), "in order");
    }
}
