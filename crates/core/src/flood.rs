//! A per-person flood limit: a token bucket per person, so one person sending a thousand
//! messages a second cannot keep the store busy for everyone else (and, at its own rate, one
//! person cannot make the bot join rooms without end). Pure: the caller gives the time.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use jiff::Timestamp;

use crate::records::PersonId;

/// Messages a person may send at once before the limit applies.
pub const BURST: f64 = 30.0;
/// Messages a second a person may send for as long as they like.
pub const PER_SECOND: f64 = 2.0;
/// People remembered before full buckets are forgotten, so memory stays bounded.
const MAX_PEOPLE: usize = 100_000;

/// What to do with one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admit {
    /// Handle it.
    Yes,
    /// Over the limit: do not handle it, and say once that it was not read.
    Warn,
    /// Over the limit, already told: do not handle it, say nothing.
    Quiet,
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Timestamp,
    warned: bool,
}

/// How much a person may do: at once, and for as long as they like.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    pub burst: f64,
    pub per_second: f64,
}

impl Rate {
    /// Messages: [`BURST`] at once, [`PER_SECOND`] a second.
    pub const MESSAGES: Rate = Rate {
        burst: BURST,
        per_second: PER_SECOND,
    };
}

#[derive(Debug)]
pub struct FloodGate {
    rate: Rate,
    people: Mutex<HashMap<PersonId, Bucket>>,
}

impl Default for FloodGate {
    /// The limit on messages.
    fn default() -> FloodGate {
        FloodGate::new(Rate::MESSAGES)
    }
}

impl FloodGate {
    #[must_use]
    pub fn new(rate: Rate) -> FloodGate {
        FloodGate {
            rate,
            people: Mutex::new(HashMap::new()),
        }
    }

    /// Whether to read one message from `person` arriving at `now`. A person told to slow
    /// down is read again only once their bucket has refilled whole (for messages about 15 s
    /// without one read), so a continuing flood gets one note, not one per token that trickles
    /// in.
    pub fn admit(&self, person: &PersonId, now: Timestamp) -> Admit {
        let mut people = self.people.lock().unwrap_or_else(PoisonError::into_inner);
        if people.len() >= MAX_PEOPLE && !people.contains_key(person) {
            people.retain(|_, bucket| self.refilled(bucket, now) < self.rate.burst);
        }
        let burst = self.rate.burst;
        let bucket = people.entry(person.clone()).or_insert(Bucket {
            tokens: burst,
            at: now,
            warned: false,
        });
        bucket.tokens = self.refilled(bucket, now);
        bucket.at = now;
        if bucket.warned && bucket.tokens >= burst {
            bucket.warned = false;
        }
        if bucket.warned {
            Admit::Quiet
        } else if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Admit::Yes
        } else {
            bucket.warned = true;
            Admit::Warn
        }
    }

    /// The bucket's tokens at `now`: refilled since it was last used, never above the burst,
    /// and never drained by a clock that went back.
    fn refilled(&self, bucket: &Bucket, now: Timestamp) -> f64 {
        let seconds = now.duration_since(bucket.at).as_secs_f64().max(0.0);
        (bucket.tokens + seconds * self.rate.per_second).min(self.rate.burst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::SignedDuration;

    #[test]
    fn a_burst_passes_then_one_warning_then_quiet_until_refilled() {
        let gate = FloodGate::default();
        let anna = PersonId::new("test", "anna");
        let bo = PersonId::new("test", "bo");
        let start: Timestamp = "2026-11-23T10:00:00Z".parse().unwrap();
        let answers: Vec<Admit> = (0..1000).map(|_| gate.admit(&anna, start)).collect();
        assert!(answers[..30].iter().all(|a| *a == Admit::Yes));
        assert_eq!(answers[30], Admit::Warn);
        assert!(answers[31..].iter().all(|a| *a == Admit::Quiet));
        // Someone else is not held up.
        assert_eq!(gate.admit(&bo, start), Admit::Yes);
        // A flood that goes on at 10 a second stays unread and is not told again while the
        // bucket refills.
        let mut at = start;
        for _ in 0..100 {
            at += SignedDuration::from_millis(100);
            assert_eq!(gate.admit(&anna, at), Admit::Quiet);
        }
        // Refilled whole (15 s at 2 a second): read again, a whole burst.
        let rested = start + SignedDuration::from_secs(16);
        assert!((0..30).all(|_| gate.admit(&anna, rested) == Admit::Yes));
        assert_eq!(gate.admit(&anna, rested), Admit::Warn);
        // A clock that steps back does not take tokens away.
        let earlier = start - SignedDuration::from_secs(3600);
        assert_eq!(gate.admit(&bo, earlier), Admit::Yes);
    }

    #[test]
    fn a_slow_rate_refills_slowly() {
        let gate = FloodGate::new(Rate {
            burst: 3.0,
            per_second: 1.0 / 3600.0,
        });
        let eve = PersonId::new("test", "eve");
        let start: Timestamp = "2026-11-23T10:00:00Z".parse().unwrap();
        assert!((0..3).all(|_| gate.admit(&eve, start) == Admit::Yes));
        assert_eq!(gate.admit(&eve, start), Admit::Warn);
        let later = start + SignedDuration::from_secs(3 * 3600 + 1);
        assert_eq!(gate.admit(&eve, later), Admit::Yes);
    }
}
