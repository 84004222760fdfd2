//! Storage at the edge. [`Store`] is the small trait a backend implements: read a key, scan a
//! prefix, and apply a batch atomically and durably. [`Records`] turns the engine's writes into
//! keys and values on top of any backend, so every backend stores exactly the same layout.
//!
//! # Keys
//! Parts are joined by NUL, which no id contains. Each serves a read we need:
//! - `c\0{person}` the conversation;
//! - `a\0{person}\0{run}\0{step}` an answer (a changed one, after /back, replaces it);
//! - `r\0{person}\0{run}` a completed run;
//! - `t\0{person}\0{trial}` a trial action;
//! - `g\0{group}\0{iso week}\0{person}\0{run}\0{step}` an answer again, by group and week,
//!   so a weekly digest reads one week of one group by prefix;
//! - `e\0{person}\0{platform event id}` events already handled, so a redelivered one is not
//!   stored twice (platform ids such as Telegram's message ids are unique only per chat).

mod memory;
mod sled_store;

use std::future::Future;

use jiff::tz::TimeZone;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use memory::MemoryStore;
pub use sled_store::{SledStore, CACHE_BYTES};

use crate::records::{AnswerRecord, Conversation, PersonId, RunRecord, TrialAction, Write, SCHEMA};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage: {0}")]
    Backend(String),
    #[error("stored value under {key} cannot be read: {reason}")]
    Corrupt { key: String, reason: String },
    #[error("the store is closed")]
    Closed,
}

/// A key and its value, as a prefix scan returns them.
pub type Entry = (Vec<u8>, Vec<u8>);

/// One change in an atomic batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Put(Vec<u8>, Vec<u8>),
    Delete(Vec<u8>),
}

/// A key-value backend. `apply` makes a batch atomic and durable before it returns: when the
/// future resolves, the batch survives a crash.
pub trait Store: Send + Sync + 'static {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<Entry>, StoreError>;
    fn apply(&self, ops: Vec<Op>) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// An ISO week, "2026-W48": the unit digests are built for.
#[must_use]
pub fn iso_week(at: jiff::Timestamp, tz: &TimeZone) -> String {
    let week = at.to_zoned(tz.clone()).date().iso_week_date();
    format!("{:04}-W{:02}", week.year(), week.week())
}

fn key(parts: &[&str]) -> Vec<u8> {
    parts.join("\0").into_bytes()
}

fn prefix(parts: &[&str]) -> Vec<u8> {
    let mut key = key(parts);
    key.push(0);
    key
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising these plain data types cannot fail: no maps with non-string keys, no
    // custom serialisers that error.
    serde_json::to_vec(value).unwrap_or_default()
}

fn decode<T: DeserializeOwned>(key: &[u8], bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|err| StoreError::Corrupt {
        key: String::from_utf8_lossy(key).replace('\0', "/"),
        reason: err.to_string(),
    })
}

/// A change to commit for one event: the writes, the new conversation, the event id.
#[derive(Clone, Debug, Default)]
pub struct Commit {
    pub conversation: Option<Conversation>,
    pub writes: Vec<Write>,
    pub event: Option<String>,
}

/// Typed records over a [`Store`].
#[derive(Debug)]
pub struct Records<S> {
    store: S,
    tz: TimeZone,
}

impl<S: Store> Records<S> {
    pub fn new(store: S, tz: TimeZone) -> Records<S> {
        Records { store, tz }
    }

    pub fn into_store(self) -> S {
        self.store
    }

    pub fn backend(&self) -> &S {
        &self.store
    }

    pub fn conversation(&self, person: &PersonId) -> Result<Option<Conversation>, StoreError> {
        let key = key(&["c", person.as_str()]);
        let Some(bytes) = self.store.get(&key)? else {
            return Ok(None);
        };
        let conversation: Conversation = decode(&key, &bytes)?;
        if conversation.schema > SCHEMA {
            return Err(StoreError::Corrupt {
                key: String::from_utf8_lossy(&key).replace('\0', "/"),
                reason: format!(
                    "written by a newer eftertanke (schema {}, this one reads {SCHEMA})",
                    conversation.schema
                ),
            });
        }
        Ok(Some(conversation))
    }

    fn scan<T: DeserializeOwned>(&self, prefix: &[u8]) -> Result<Vec<T>, StoreError> {
        self.store
            .scan_prefix(prefix)?
            .into_iter()
            .map(|(key, bytes)| decode(&key, &bytes))
            .collect()
    }

    pub fn answers(&self, person: &PersonId) -> Result<Vec<AnswerRecord>, StoreError> {
        self.scan(&prefix(&["a", person.as_str()]))
    }

    pub fn runs(&self, person: &PersonId) -> Result<Vec<RunRecord>, StoreError> {
        self.scan(&prefix(&["r", person.as_str()]))
    }

    pub fn trials(&self, person: &PersonId) -> Result<Vec<TrialAction>, StoreError> {
        self.scan(&prefix(&["t", person.as_str()]))
    }

    /// One group's answers in one ISO week ("2026-W48"), by prefix: cost follows that week.
    pub fn group_week_answers(
        &self,
        group: &str,
        week: &str,
    ) -> Result<Vec<AnswerRecord>, StoreError> {
        self.scan(&prefix(&["g", group, week]))
    }

    /// True when this platform event of this person was handled already.
    pub fn seen(&self, person: &PersonId, event: &str) -> Result<bool, StoreError> {
        Ok(self
            .store
            .get(&key(&["e", person.as_str(), event]))?
            .is_some())
    }

    /// Applies one event's changes atomically and durably.
    pub async fn commit(&self, commit: Commit) -> Result<(), StoreError> {
        let ops = self.ops(commit)?;
        self.store.apply(ops).await
    }

    fn ops(&self, commit: Commit) -> Result<Vec<Op>, StoreError> {
        let mut ops = Vec::new();
        let person = commit.conversation.as_ref().map(|c| c.person.clone());
        let who = person.as_ref().map(PersonId::as_str).unwrap_or_default();
        for write in commit.writes {
            match write {
                Write::Answer(answer) => {
                    let value = encode(&answer);
                    if let Some(group) = &answer.group {
                        let week = iso_week(answer.answered_at, &self.tz);
                        let index = key(&[
                            "g",
                            group,
                            &week,
                            answer.person.as_str(),
                            &answer.run,
                            &answer.step,
                        ]);
                        ops.push(Op::Put(index, value.clone()));
                    }
                    let primary = key(&["a", answer.person.as_str(), &answer.run, &answer.step]);
                    ops.push(Op::Put(primary, value));
                }
                Write::RetractAnswer { run, step } => {
                    self.retract(who, &run, Some(&step), &mut ops)?;
                }
                Write::DiscardRun { run } => {
                    self.retract(who, &run, None, &mut ops)?;
                    for trial in self.trials(&PersonId(who.to_owned()))? {
                        if trial.id.starts_with(&format!("{run}-")) {
                            ops.push(Op::Delete(key(&["t", who, &trial.id])));
                        }
                    }
                }
                Write::Completed(run) => {
                    let k = key(&["r", run.person.as_str(), &run.run]);
                    ops.push(Op::Put(k, encode(&run)));
                }
                Write::Trial(trial) => {
                    let k = key(&["t", trial.person.as_str(), &trial.id]);
                    ops.push(Op::Put(k, encode(&trial)));
                }
                Write::DeleteTrial { id } => ops.push(Op::Delete(key(&["t", who, &id]))),
            }
        }
        if let Some(conversation) = &commit.conversation {
            let k = key(&["c", conversation.person.as_str()]);
            ops.push(Op::Put(k, encode(conversation)));
        }
        if let Some(event) = &commit.event {
            ops.push(Op::Put(key(&["e", who, event]), Vec::new()));
        }
        Ok(ops)
    }

    /// Deletes a run's answers (or one step's), with their group-week index entries.
    fn retract(
        &self,
        person: &str,
        run: &str,
        step: Option<&str>,
        ops: &mut Vec<Op>,
    ) -> Result<(), StoreError> {
        let scan = match step {
            Some(step) => self
                .store
                .get(&key(&["a", person, run, step]))?
                .map(|v| (key(&["a", person, run, step]), v))
                .into_iter()
                .collect(),
            None => self.store.scan_prefix(&prefix(&["a", person, run]))?,
        };
        for (k, bytes) in scan {
            let answer: AnswerRecord = decode(&k, &bytes)?;
            if let Some(group) = &answer.group {
                let week = iso_week(answer.answered_at, &self.tz);
                ops.push(Op::Delete(key(&[
                    "g",
                    group,
                    &week,
                    person,
                    run,
                    &answer.step,
                ])));
            }
            ops.push(Op::Delete(k));
        }
        Ok(())
    }
}

#[cfg(test)]
mod contract;
