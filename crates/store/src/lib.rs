//! Storage at the edge. [`Store`] is the small trait a backend implements: read a key, scan a
//! prefix, and apply a batch atomically and durably. [`Records`] turns the engine's writes into
//! keys and values on top of any backend, so every backend stores exactly the same layout.
//!
//! # Keys
//! Parts are joined by NUL, which no id contains. Every id in a key is a keyed name
//! ([`names`]: `{person}`, `{group}`, `{step}`, `{trial}`, `{code}`, `{event}`, `{chat}` below
//! are such names), and every value holding anything of anyone's is sealed, bound to its key
//! ([`vault`]): for its person, or under the folder's shared key (groups, invite codes,
//! linked chats, erasure markers). Each key serves a read we need:
//! - `c\0{person}` the conversation;
//! - `a\0{person}\0{run}\0{step}` an answer (a changed one, after /back, replaces it);
//! - `r\0{person}\0{run}` a completed run;
//! - `t\0{person}\0{trial}` a trial action;
//! - `g\0{group}\0{iso week}\0{person}\0{run}\0{step}` an answer again, by group and week,
//!   so a weekly digest reads one week of one group by prefix;
//! - `e\0{person}\0{platform event id}` events already handled (the value: when), so a
//!   redelivered one is not stored twice (platform ids are unique only per chat); the
//!   scheduler forgets them after a week;
//! - `grun\0{group}\0{iso week}\0{person}\0{run}` a completed run by group and week;
//! - `gtrial\0{group}\0{iso week}\0{person}\0{trial}` a trial action as it was last changed
//!   in that week (created, followed up), so the digest reads a week's trial events by prefix
//!   (trial ids are unique per person only);
//! - `open\0{group or "-"}\0{person}\0{trial}` trial actions still planned or tried: what the
//!   scheduler offers follow-ups for, and what can become overdue;
//! - `group\0{group}` a group; `invite\0{code}` an invite code; `member\0{group}\0{person}`
//!   a member, for counts and digest recipients;
//! - `remind\0{person}` a reflection reminder;
//! - `dchat\0{group}\0{chat}` a chat that receives the group's digest too;
//! - `sent\0{group}\0{iso week}\0{person}` a digest already sent, so it goes out once;
//! - `kdigest\0{group}\0{iso week}` a week's digest figures as first composed (no words);
//! - `outbox\0{platform}\0{person}\0{when}\0{tag}` messages for a person (or a shared chat)
//!   until a channel delivers them, by platform so each channel reads its own;
//! - `forget\0{person}` an erasure under way (see [`Records::forget`]);
//! - `mnote\0{person}\0{group}` a membership a facilitator changed (removed, made a
//!   facilitator or staff again), until the person was told;
//! - `meeting\0{group}\0{when}` a learning meeting (sealed under the shared key), and
//!   `mtnote\0{person}\0{group}\0{when}` its decision until that staff member was told;
//! - `idnote\0{person}\0{idea}\0{when}` what the learning meeting held then will do with a
//!   citizen's idea (the idea's token, [`Records::idea_token`]), until the citizen was told;
//! - `room\0{person}` the private room a channel made for messages to the person (Matrix);
//! - `purged` the day of the last retention purge; `layout` the layout's version; `health`
//!   when `/healthz` last wrote (whether the store takes writes).

pub mod backup;
mod folder;
mod memory;
mod migrate;
pub mod names;
pub mod secret;
mod sled_store;
pub mod vault;

use std::future::Future;

use jiff::tz::TimeZone;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use folder::{create_private, holds_data, open_folder, refuse_if_shared};
pub use memory::MemoryStore;
pub use sled_store::{SledStore, CACHE_BYTES};
pub use vault::{default_key_file, find_master_key, MasterKey, Vault, VaultError};

/// Runs blocking work (a sync, a wait for a checkpoint) so that, on tokio's multi-thread
/// runtime, the worker's other tasks move to another thread meanwhile instead of waiting too.
pub(crate) fn off_the_runtime<T>(work: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(runtime) if runtime.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}

use eftertanke_core::digest::AnswerKey;
use eftertanke_core::engine::{Due, Reply};
use eftertanke_core::records::{
    AnswerRecord, Conversation, DigestChat, Group, GroupRole, IdeaNotice, Invite, Meeting,
    MeetingNotice, Member, MemberNotice, PersonId, ReminderState, RunRecord, TrialAction, Write,
    SCHEMA,
};
use names::Kind;

/// The group part of a key for records that belong to no group.
const NO_GROUP: &str = "-";
/// The key of the day the retention purge last ran.
const PURGED_ON: &[u8] = b"purged";

/// Who made a group, once its maker has been forgotten.
const FORGOTTEN: &str = "forgotten";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage: {0}")]
    Backend(String),
    #[error("stored value under {key} cannot be read: {reason}")]
    Corrupt { key: String, reason: String },
    #[error("the store is closed")]
    Closed,
    #[error(transparent)]
    Vault(#[from] VaultError),
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
    /// The keys under `prefix`, without reading their values.
    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, StoreError> {
        Ok(self
            .scan_prefix(prefix)?
            .into_iter()
            .map(|(k, _)| k)
            .collect())
    }
    fn apply(&self, ops: Vec<Op>) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// An ISO week, "2026-W48": the unit digests are built for.
#[must_use]
pub fn iso_week(at: jiff::Timestamp, tz: &TimeZone) -> String {
    let week = at.to_zoned(tz.clone()).date().iso_week_date();
    format!("{:04}-W{:02}", week.year(), week.week())
}

pub(crate) fn key(parts: &[&str]) -> Vec<u8> {
    parts.join("\0").into_bytes()
}

/// An instant as a key part: seconds since 1970, zero-padded so keys sort by time.
fn instant(at: jiff::Timestamp) -> String {
    format!("{:020}", at.as_second().max(0))
}

pub(crate) fn prefix(parts: &[&str]) -> Vec<u8> {
    let mut key = key(parts);
    key.push(0);
    key
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising these plain data types cannot fail: no maps with non-string keys, no
    // custom serialisers that error.
    serde_json::to_vec(value).unwrap_or_default()
}

/// A key as errors (and so logs) may show it: its kind and a pseudonym of the rest, since
/// keys hold person ids and invite codes.
fn key_for_logs(key: &[u8]) -> String {
    let kind = key.split(|&b| b == 0).next().unwrap_or_default();
    format!(
        "{}/#{}",
        String::from_utf8_lossy(kind),
        eftertanke_core::records::pseudonym_of(key)
    )
}

/// A value that could not be unsealed.
fn unreadable(key: &[u8], err: &VaultError) -> StoreError {
    StoreError::Corrupt {
        key: key_for_logs(key),
        reason: err.to_string(),
    }
}

/// An unsealed value read as a record; the error does not quote the value.
pub(crate) fn parse<T: DeserializeOwned>(key: &[u8], plain: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(plain).map_err(|err| StoreError::Corrupt {
        key: key_for_logs(key),
        reason: serde_problem(&err),
    })
}

/// A JSON error as it may be logged: its class and place. Its message would quote what it
/// found, which can be a person's words.
pub fn serde_problem(err: &serde_json::Error) -> String {
    format!(
        "{:?} error at line {} column {}",
        err.classify(),
        err.line(),
        err.column()
    )
}

/// A change to commit for one event: the writes, the new conversation, the event id, and
/// messages to keep for the person until a channel delivers them.
#[derive(Clone, Debug, Default)]
pub struct Commit {
    pub conversation: Option<Conversation>,
    pub writes: Vec<Write>,
    pub event: Option<String>,
    pub outbox: Option<Outgoing>,
    /// A digest marked as sent: (group, iso week, facilitator).
    pub digest_sent: Option<(String, String, PersonId)>,
}

/// Messages the scheduler made for a person. `at` and `tag` (what it is about) make the key,
/// so messages keep their order and the same message made twice is kept once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    pub person: PersonId,
    pub at: jiff::Timestamp,
    pub tag: String,
    pub replies: Vec<Reply>,
}

/// What a retention purge did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub answers: usize,
    pub trials: usize,
}

/// A week's digest figures as first composed, kept so every later wording shows the same
/// figures (see `App::digest`): no quote, no trial action's words, no name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct KeptDigest {
    pub schema: u32,
    pub figures: eftertanke_core::digest::Digest,
    /// The order of the quotes shown with the figures.
    pub seed: u64,
}

/// Messages waiting for a person, under the key that removes them once delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiting {
    pub key: Vec<u8>,
    pub person: PersonId,
    pub replies: Vec<Reply>,
}

/// Typed records over a [`Store`]. Values holding a person's words are sealed under that
/// person's key (see [`vault`]); groups, invites and markers are plain.
#[derive(Debug)]
pub struct Records<S> {
    store: S,
    tz: TimeZone,
    vault: Vault,
    recent: RecentConversations,
}

/// Conversations as last committed, for people active lately: a step reads what the step
/// before it wrote without reading and unsealing it again. Filled only by durable commits
/// (never by reads, which could race an erasure) and emptied of a person they erase. Writes
/// of one person's conversation are serialised by the app's per-person lock, so the one
/// kept is the one on disk.
#[derive(Debug, Default)]
struct RecentConversations(std::sync::Mutex<std::collections::HashMap<PersonId, Conversation>>);

/// People whose conversation is kept in memory at most (a few kB each); when full, it is
/// emptied and fills again from the next steps.
const RECENT_CONVERSATIONS: usize = 16_384;

impl RecentConversations {
    fn map(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<PersonId, Conversation>> {
        // Nothing is left half-done under this lock: each use is one map operation.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn get(&self, person: &PersonId) -> Option<Conversation> {
        self.map().get(person).cloned()
    }

    fn put(&self, conversation: Conversation) {
        let mut map = self.map();
        if map.len() >= RECENT_CONVERSATIONS && !map.contains_key(&conversation.person) {
            map.clear();
        }
        map.insert(conversation.person.clone(), conversation);
    }

    fn forget(&self, person: &PersonId) {
        self.map().remove(person);
    }
}

impl<S: Store> Records<S> {
    pub fn new(store: S, tz: TimeZone, vault: Vault) -> Records<S> {
        Records {
            store,
            tz,
            vault,
            recent: RecentConversations::default(),
        }
    }

    /// Finishes erasures cut short by a crash (see [`Records::forget`]): destroys the keys
    /// of people whose records were deleted, then their markers. The number finished.
    pub async fn finish_forgetting(&self) -> Result<usize, StoreError> {
        let markers = self.store.scan_prefix(&prefix(&["forget"]))?;
        for (key, value) in &markers {
            let person: PersonId = self.decode(key, value)?;
            self.vault.shred(person.as_str())?;
        }
        let markers: Vec<Vec<u8>> = markers.into_iter().map(|(key, _)| key).collect();
        let count = markers.len();
        if count > 0 {
            self.store
                .apply(markers.into_iter().map(Op::Delete).collect())
                .await?;
        }
        Ok(count)
    }

    /// A value of `person`'s, sealed under their key, to be stored under `key`.
    fn seal<T: Serialize>(
        &self,
        person: &PersonId,
        key: &[u8],
        value: &T,
    ) -> Result<Vec<u8>, StoreError> {
        Ok(self.vault.seal(person.as_str(), key, &encode(value))?)
    }

    /// A value that belongs to nobody in particular, sealed under the folder's shared key.
    fn seal_shared<T: Serialize>(&self, key: &[u8], value: &T) -> Result<Vec<u8>, StoreError> {
        Ok(self.vault.seal_shared(key, &encode(value))?)
    }

    fn decode<T: DeserializeOwned>(&self, key: &[u8], bytes: &[u8]) -> Result<T, StoreError> {
        let plain = self
            .vault
            .unseal(key, bytes)
            .map_err(|err| unreadable(key, &err))?;
        parse(key, &plain)
    }

    /// A person's (or a shared chat's) keyed name.
    fn p(&self, person: &PersonId) -> String {
        self.vault.names().name(Kind::Person, person.as_str())
    }

    /// A group's keyed name.
    fn g(&self, group: &str) -> String {
        self.vault.names().name(Kind::Group, group)
    }

    fn name(&self, kind: Kind, id: &str) -> String {
        self.vault.names().name(kind, id)
    }

    pub fn into_store(self) -> S {
        self.store
    }

    pub fn backend(&self) -> &S {
        &self.store
    }

    /// The folder's keys and keyed names: to look into the store, as tests and checks do.
    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    pub fn conversation(&self, person: &PersonId) -> Result<Option<Conversation>, StoreError> {
        if let Some(conversation) = self.recent.get(person) {
            return Ok(Some(conversation));
        }
        let key = key(&["c", &self.p(person)]);
        let Some(bytes) = self.store.get(&key)? else {
            return Ok(None);
        };
        let conversation: Conversation = self.decode(&key, &bytes)?;
        if conversation.schema > SCHEMA {
            return Err(StoreError::Corrupt {
                key: key_for_logs(&key),
                reason: format!(
                    "written by a newer eftertanke (schema {}, this one reads {SCHEMA})",
                    conversation.schema
                ),
            });
        }
        Ok(Some(conversation))
    }

    /// Every record under `prefix`. One sealed under a destroyed key (left by a write that
    /// raced an erasure) is skipped with a warning: it belongs to someone forgotten, and
    /// must not stop a scan that serves everyone else.
    fn scan<T: DeserializeOwned>(&self, prefix: &[u8]) -> Result<Vec<T>, StoreError> {
        Ok(self
            .scan_keyed(prefix)?
            .into_iter()
            .map(|(_, record)| record)
            .collect())
    }

    /// [`Records::scan`] with each record's key.
    fn scan_keyed<T: DeserializeOwned>(
        &self,
        prefix: &[u8],
    ) -> Result<Vec<(Vec<u8>, T)>, StoreError> {
        let entries = self.store.scan_prefix(prefix)?;
        let mut records = Vec::with_capacity(entries.len());
        let mut lost = 0;
        for (key, bytes) in entries {
            match self.vault.unseal(&key, &bytes) {
                Err(VaultError::NoKey) => lost += 1,
                Err(err) => return Err(unreadable(&key, &err)),
                Ok(plain) => {
                    let record = parse(&key, &plain)?;
                    records.push((key, record));
                }
            }
        }
        if lost > 0 {
            tracing::warn!(lost, under = %key_for_logs(prefix), "records of forgotten people skipped");
        }
        Ok(records)
    }

    /// A person's answers, run by run, in the order given (their keys' order tells nothing:
    /// the step is a keyed name).
    pub fn answers(&self, person: &PersonId) -> Result<Vec<AnswerRecord>, StoreError> {
        let mut answers: Vec<AnswerRecord> = self.scan(&prefix(&["a", &self.p(person)]))?;
        answers.sort_by(|a, b| {
            (&a.run, a.answered_at, &a.step).cmp(&(&b.run, b.answered_at, &b.step))
        });
        Ok(answers)
    }

    pub fn runs(&self, person: &PersonId) -> Result<Vec<RunRecord>, StoreError> {
        self.scan(&prefix(&["r", &self.p(person)]))
    }

    /// A person's trial actions, oldest first (as `/trials` numbers them).
    pub fn trials(&self, person: &PersonId) -> Result<Vec<TrialAction>, StoreError> {
        let mut trials: Vec<TrialAction> = self.scan(&prefix(&["t", &self.p(person)]))?;
        trials.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(trials)
    }

    /// One group's answers in one ISO week ("2026-W48"), by prefix: cost follows that week.
    pub fn group_week_answers(
        &self,
        group: &str,
        week: &str,
    ) -> Result<Vec<AnswerRecord>, StoreError> {
        self.scan(&prefix(&["g", &self.g(group), week]))
    }

    /// One group's completed runs in one ISO week.
    pub fn group_week_runs(&self, group: &str, week: &str) -> Result<Vec<RunRecord>, StoreError> {
        self.scan(&prefix(&["grun", &self.g(group), week]))
    }

    /// One group's trial actions created or changed in one ISO week, as last changed then.
    pub fn group_week_trials(
        &self,
        group: &str,
        week: &str,
    ) -> Result<Vec<TrialAction>, StoreError> {
        self.scan(&prefix(&["gtrial", &self.g(group), week]))
    }

    /// Open trial actions (planned or tried): of one group, or of everyone; oldest first.
    pub fn open_trials(&self, group: Option<&str>) -> Result<Vec<TrialAction>, StoreError> {
        let mut open: Vec<TrialAction> = match group {
            Some(group) => self.scan(&prefix(&["open", &self.g(group)]))?,
            None => self.scan(&prefix(&["open"]))?,
        };
        open.sort_by(|a, b| {
            (a.created_at, &a.person, &a.id).cmp(&(b.created_at, &b.person, &b.id))
        });
        Ok(open)
    }

    pub fn group(&self, id: &str) -> Result<Option<Group>, StoreError> {
        self.get(&key(&["group", &self.g(id)]))
    }

    pub fn groups(&self) -> Result<Vec<Group>, StoreError> {
        self.scan(&prefix(&["group"]))
    }

    pub fn invite(&self, code: &str) -> Result<Option<Invite>, StoreError> {
        self.get(&key(&["invite", &self.name(Kind::Code, code)]))
    }

    pub fn members(&self, group: &str) -> Result<Vec<Member>, StoreError> {
        self.scan(&prefix(&["member", &self.g(group)]))
    }

    /// Changes made to people's memberships that their conversations have not taken in yet.
    pub fn member_notices(&self) -> Result<Vec<MemberNotice>, StoreError> {
        self.scan(&prefix(&["mnote"]))
    }

    /// A facilitator's change to `person`'s membership: their member record changes (or goes)
    /// now, and a notice waits for their conversation, which another lock guards.
    fn change_member(
        &self,
        group: &str,
        person: &PersonId,
        role: Option<GroupRole>,
        ops: &mut Vec<Op>,
    ) -> Result<(), StoreError> {
        let k = key(&["member", &self.g(group), &self.p(person)]);
        let Some(mut member) = self.get::<Member>(&k)? else {
            // Left or removed meanwhile: nothing to change.
            return Ok(());
        };
        match role {
            Some(role) => {
                member.role = role;
                ops.push(Op::Put(k.clone(), self.seal(person, &k, &member)?));
            }
            None => ops.push(Op::Delete(k)),
        }
        let notice = MemberNotice {
            schema: SCHEMA,
            person: person.clone(),
            group: group.to_owned(),
            role,
        };
        let k = key(&["mnote", &self.p(person), &self.g(group)]);
        ops.push(Op::Put(k.clone(), self.seal(person, &k, &notice)?));
        Ok(())
    }

    /// A group's learning meetings, oldest first.
    pub fn meetings(&self, group: &str) -> Result<Vec<Meeting>, StoreError> {
        self.scan(&prefix(&["meeting", &self.g(group)]))
    }

    /// The token a learning meeting knows a citizen's shared idea by: a keyed name of the
    /// answer, so the meeting never holds who wrote it, and only this folder's records can
    /// find the author again (by naming the ideas shared since, see `App::settle`).
    #[must_use]
    pub fn idea_token(&self, (person, run, dialogue, step): AnswerKey<'_>) -> String {
        let answer = format!("{}\0{run}\0{dialogue}\0{step}", person.as_str());
        self.vault.names().name(Kind::Idea, &answer)
    }

    /// Answers to citizens' ideas their conversations have not taken in yet.
    pub fn idea_notices(&self) -> Result<Vec<IdeaNotice>, StoreError> {
        self.scan(&prefix(&["idnote"]))
    }

    /// Whether a notice is still waiting for `person`: a membership change, a meeting's
    /// decision, an answer to an idea (`Due` of those kinds; any other is always due). Read
    /// under the person's lock before telling them, so two passes that both listed a notice
    /// tell it once.
    pub fn still_due(&self, person: &PersonId, due: &Due) -> Result<bool, StoreError> {
        let who = self.p(person);
        let k = match due {
            Due::Membership { group, .. } => key(&["mnote", &who, &self.g(group)]),
            Due::Meeting { group, held_at, .. } => {
                key(&["mtnote", &who, &self.g(group), &instant(*held_at)])
            }
            Due::IdeaTakenUp { token, held_at, .. } => {
                key(&["idnote", &who, token, &instant(*held_at)])
            }
            Due::FollowUp { .. } | Due::Reminder => return Ok(true),
        };
        Ok(self.store.get(&k)?.is_some())
    }

    /// Meetings' decisions that staff members' conversations have not taken in yet.
    pub fn meeting_notices(&self) -> Result<Vec<MeetingNotice>, StoreError> {
        self.scan(&prefix(&["mtnote"]))
    }

    /// A meeting kept for its group (sealed under the folder's shared key: it holds the
    /// group's decisions, no one's own words), and its decision waiting for each facilitator
    /// and staff member of the group as it is now.
    fn hold_meeting(&self, meeting: &Meeting, ops: &mut Vec<Op>) -> Result<(), StoreError> {
        let g = self.g(&meeting.group);
        let at = instant(meeting.held_at);
        let k = key(&["meeting", &g, &at]);
        ops.push(Op::Put(k.clone(), self.seal_shared(&k, meeting)?));
        let name = self
            .get::<Group>(&key(&["group", &g]))?
            .map(|group| group.name)
            .unwrap_or_default();
        for member in self.members(&meeting.group)? {
            if member.role == GroupRole::Citizen {
                continue;
            }
            let notice = MeetingNotice {
                schema: SCHEMA,
                person: member.person.clone(),
                group: meeting.group.clone(),
                group_name: name.clone(),
                held_at: meeting.held_at,
                trials: meeting.trials.clone(),
                focus: meeting.focus,
            };
            let k = key(&["mtnote", &self.p(&member.person), &g, &at]);
            ops.push(Op::Put(k.clone(), self.seal(&member.person, &k, &notice)?));
        }
        Ok(())
    }

    /// Chats that receive a group's digest besides its facilitators.
    pub fn digest_chats(&self, group: &str) -> Result<Vec<DigestChat>, StoreError> {
        self.scan(&prefix(&["dchat", &self.g(group)]))
    }

    /// A shared chat got a new id (a Telegram group became a supergroup): every group's digest
    /// link to `from` now points to `to`.
    pub async fn move_chat(&self, from: &PersonId, to: &PersonId) -> Result<(), StoreError> {
        let mut ops = Vec::new();
        for group in self.groups()? {
            for mut link in self.digest_chats(&group.id)? {
                if link.chat == *from {
                    let g = self.g(&group.id);
                    ops.push(Op::Delete(key(&["dchat", &g, &self.p(from)])));
                    link.chat = to.clone();
                    let k = key(&["dchat", &g, &self.p(to)]);
                    ops.push(Op::Put(k.clone(), self.seal_shared(&k, &link)?));
                }
            }
        }
        if ops.is_empty() {
            return Ok(());
        }
        self.store.apply(ops).await
    }

    pub fn reminders(&self) -> Result<Vec<ReminderState>, StoreError> {
        self.scan(&prefix(&["remind"]))
    }

    /// The digest figures of a group's week as first composed, if they were.
    pub fn kept_digest(&self, group: &str, week: &str) -> Result<Option<KeptDigest>, StoreError> {
        self.get(&key(&["kdigest", &self.g(group), week]))
    }

    /// Keeps a week's digest figures, sealed under the folder's shared key (they hold no
    /// one's words); the first kept stays: figures never change once composed.
    pub async fn keep_digest(
        &self,
        group: &str,
        week: &str,
        kept: &KeptDigest,
    ) -> Result<(), StoreError> {
        let k = key(&["kdigest", &self.g(group), week]);
        if self.store.get(&k)?.is_some() {
            return Ok(());
        }
        let value = self.seal_shared(&k, kept)?;
        self.store.apply(vec![Op::Put(k, value)]).await
    }

    /// True when this group's digest for this week went to this facilitator already.
    pub fn digest_sent(
        &self,
        group: &str,
        week: &str,
        person: &PersonId,
    ) -> Result<bool, StoreError> {
        Ok(self
            .store
            .get(&key(&["sent", &self.g(group), week, &self.p(person)]))?
            .is_some())
    }

    /// Messages waiting for delivery: for one person, or for everyone.
    pub fn outbox(&self, person: Option<&PersonId>) -> Result<Vec<Waiting>, StoreError> {
        let scan = match person {
            Some(person) => prefix(&["outbox", platform_of(person), &self.p(person)]),
            None => prefix(&["outbox"]),
        };
        self.waiting(&scan)
    }

    /// How many messages wait in the outbox, and since when the oldest: read from the keys
    /// alone, so counting opens nothing of anyone's.
    pub fn outbox_depth(&self) -> Result<(u64, Option<jiff::Timestamp>), StoreError> {
        let keys = self.store.keys_with_prefix(&prefix(&["outbox"]))?;
        let oldest = keys
            .iter()
            .filter_map(|key| key.split(|&byte| byte == 0).nth(3))
            .filter_map(|at| std::str::from_utf8(at).ok()?.parse::<i64>().ok())
            .min()
            .and_then(|second| jiff::Timestamp::from_second(second).ok());
        Ok((keys.len() as u64, oldest))
    }

    /// Writes the time under `health`: whether the store still takes writes (nothing of
    /// anyone's is in it).
    pub async fn probe(&self, now: jiff::Timestamp) -> Result<(), StoreError> {
        let at = now.as_second().to_string().into_bytes();
        self.store
            .apply(vec![Op::Put(b"health".to_vec(), at)])
            .await
    }

    /// Messages waiting for the people and chats of one platform ("telegram" covers
    /// `telegram:` people and `telegram-chat:` chats): what that channel delivers.
    pub fn outbox_of_platform(&self, platform: &str) -> Result<Vec<Waiting>, StoreError> {
        self.waiting(&prefix(&["outbox", platform]))
    }

    fn waiting(&self, scan: &[u8]) -> Result<Vec<Waiting>, StoreError> {
        Ok(self
            .scan_keyed::<(PersonId, Vec<Reply>)>(scan)?
            .into_iter()
            .map(|(key, (person, replies))| Waiting {
                key,
                person,
                replies,
            })
            .collect())
    }

    /// Keeps messages for a person in the outbox: for a reply a channel could not send now.
    pub async fn keep(&self, outgoing: Outgoing) -> Result<(), StoreError> {
        self.commit(Commit {
            outbox: Some(outgoing),
            ..Commit::default()
        })
        .await
    }

    /// Keeps only `rest` of a waiting message, after the replies before it were delivered;
    /// with nothing left, the message goes.
    pub async fn keep_rest(&self, waiting: &Waiting, rest: Vec<Reply>) -> Result<(), StoreError> {
        if rest.is_empty() {
            return self.delivered(std::slice::from_ref(waiting)).await;
        }
        let value = self.seal(&waiting.person, &waiting.key, &(&waiting.person, &rest))?;
        self.store
            .apply(vec![Op::Put(waiting.key.clone(), value)])
            .await
    }

    /// Removes delivered messages.
    pub async fn delivered(&self, waiting: &[Waiting]) -> Result<(), StoreError> {
        let ops = waiting.iter().map(|w| Op::Delete(w.key.clone())).collect();
        self.store.apply(ops).await
    }

    fn get<T: DeserializeOwned>(&self, key: &[u8]) -> Result<Option<T>, StoreError> {
        match self.store.get(key)? {
            Some(bytes) => self.decode(key, &bytes).map(Some),
            None => Ok(None),
        }
    }

    /// The private room a channel made for messages to `person` (its platform's room id).
    pub fn private_room(&self, person: &PersonId) -> Result<Option<String>, StoreError> {
        self.get(&key(&["room", &self.p(person)]))
    }

    /// Remembers (or, with `None`, forgets) the private room made for `person`.
    pub async fn set_private_room(
        &self,
        person: &PersonId,
        room: Option<&str>,
    ) -> Result<(), StoreError> {
        let k = key(&["room", &self.p(person)]);
        let op = match room {
            Some(room) => {
                let value = self.seal(person, &k, &room)?;
                Op::Put(k, value)
            }
            None => Op::Delete(k),
        };
        self.store.apply(vec![op]).await
    }

    /// True when this platform event of this person was handled already.
    pub fn seen(&self, person: &PersonId, event: &str) -> Result<bool, StoreError> {
        Ok(self
            .store
            .get(&key(&[
                "e",
                &self.p(person),
                &self.name(Kind::Event, event),
            ]))?
            .is_some())
    }

    /// Forgets handled platform events older than `before`, at most `limit` of them: a
    /// platform redelivers an update within minutes or hours, not weeks. The number removed.
    pub async fn forget_events(
        &self,
        before: jiff::Timestamp,
        limit: usize,
    ) -> Result<usize, StoreError> {
        let cutoff = before.as_second();
        let old: Vec<Op> = self
            .store
            .scan_prefix(&prefix(&["e"]))?
            .into_iter()
            .filter(|(_, value)| {
                // Events stored before their time was kept have an empty value: old.
                std::str::from_utf8(value)
                    .ok()
                    .and_then(|v| v.parse::<i64>().ok())
                    .is_none_or(|at| at < cutoff)
            })
            .take(limit)
            .map(|(key, _)| Op::Delete(key))
            .collect();
        let count = old.len();
        if count > 0 {
            self.store.apply(old).await?;
        }
        Ok(count)
    }

    /// Applies one event's changes atomically and durably. A commit that forgets its person
    /// does only that (see [`Records::forget`]).
    pub async fn commit(&self, commit: Commit) -> Result<(), StoreError> {
        if commit.writes.contains(&Write::Forget) {
            if let Some(conversation) = &commit.conversation {
                return self.forget(&conversation.person).await;
            }
        }
        let conversation = commit.conversation.clone();
        if let Some(conversation) = &conversation {
            self.vault.prepare_key(conversation.person.as_str()).await?;
        }
        let ops = self.ops(commit)?;
        let applied = self.store.apply(ops).await;
        if let Some(conversation) = conversation {
            match applied {
                Ok(()) => self.recent.put(conversation),
                // On disk or not: read it from there next time.
                Err(_) => self.recent.forget(&conversation.person),
            }
        }
        applied
    }

    /// Erases everything stored about `person`, for good, in three steps that each leave a
    /// whole state behind if the process dies between them:
    /// 1. one atomic batch deletes every key naming the person (their records and every
    ///    index entry, so later digests count without them) and leaves a marker;
    /// 2. the person's key is destroyed, so the copies sled still keeps in old log segments
    ///    cannot be read by anyone;
    /// 3. the marker goes.
    ///
    /// Killed before 1: all is there and can be erased again. After 1: the person is gone
    /// from every read, and [`Records::new`] finishes step 2 at the next start.
    pub async fn forget(&self, person: &PersonId) -> Result<(), StoreError> {
        let mut ops: Vec<Op> = self
            .keys_naming(person)?
            .into_iter()
            .map(Op::Delete)
            .collect();
        // Groups they made stay for their members, without their maker; chats they linked
        // to a digest are unlinked (the link needs a facilitator, which they no longer are).
        for mut group in self.groups()? {
            let g = self.g(&group.id);
            if group.created_by == *person {
                group.created_by = PersonId(FORGOTTEN.to_owned());
                let k = key(&["group", &g]);
                ops.push(Op::Put(k.clone(), self.seal_shared(&k, &group)?));
            }
            for link in self.digest_chats(&group.id)? {
                if link.linked_by == *person {
                    ops.push(Op::Delete(key(&["dchat", &g, &self.p(&link.chat)])));
                }
            }
        }
        // The marker says whose key to destroy, should the process die before it is: sealed
        // under the folder's shared key, as the person's own is about to go.
        let marker = key(&["forget", &self.p(person)]);
        ops.push(Op::Put(marker.clone(), self.seal_shared(&marker, person)?));
        let erased = self.store.apply(ops).await;
        self.recent.forget(person);
        erased?;
        self.vault.shred(person.as_str())?;
        self.store.apply(vec![Op::Delete(marker)]).await
    }

    /// The local day the retention purge last ran.
    pub fn purged_on(&self) -> Result<Option<jiff::civil::Date>, StoreError> {
        Ok(self
            .store
            .get(PURGED_ON)?
            .and_then(|v| std::str::from_utf8(&v).ok()?.parse().ok()))
    }

    pub async fn mark_purged(&self, day: jiff::civil::Date) -> Result<(), StoreError> {
        let day = day.to_string().into_bytes();
        self.store
            .apply(vec![Op::Put(PURGED_ON.to_vec(), day)])
            .await
    }

    /// Everyone with a conversation: the people a pass over all data visits one at a time.
    /// (Their ids are in their sealed conversations only, not in any key.)
    pub fn people(&self) -> Result<Vec<PersonId>, StoreError> {
        Ok(self
            .scan::<Conversation>(&prefix(&["c"]))?
            .into_iter()
            .map(|conversation| conversation.person)
            .collect())
    }

    /// The retention purge of one person (the caller holds their lock): deletes answers given
    /// before `cutoff` with their group-week index entries, and trims trial actions last
    /// changed before it to their counts (state, dates and principles stay; the words go), in
    /// every weekly copy the digest keeps. Counts what it did.
    pub async fn purge_person(
        &self,
        person: &PersonId,
        cutoff: jiff::Timestamp,
    ) -> Result<Purged, StoreError> {
        let mut purged = Purged::default();
        let mut ops = Vec::new();
        for answer in self.answers(person)? {
            if answer.answered_at < cutoff {
                self.delete_answer(&answer, &mut ops);
                purged.answers += 1;
            }
        }
        let has_words = |t: &TrialAction| !t.what.is_empty() || t.sign.is_some();
        for mut trial in self.trials(person)? {
            // The weeks it changed in each keep a copy of it as it was then.
            for k in self.trial_copy_keys(&trial) {
                let Some(bytes) = self.store.get(&k)? else {
                    continue;
                };
                let mut copy: TrialAction = self.decode(&k, &bytes)?;
                if copy.updated_at < cutoff && has_words(&copy) {
                    copy.what.clear();
                    copy.sign = None;
                    let value = self.seal(person, &k, &copy)?;
                    ops.push(Op::Put(k, value));
                }
            }
            if trial.updated_at < cutoff && has_words(&trial) {
                trial.what.clear();
                trial.sign = None;
                self.put_trial(&trial, &mut ops)?;
                purged.trials += 1;
            }
        }
        if !ops.is_empty() {
            self.store.apply(ops).await?;
        }
        Ok(purged)
    }

    /// Every key that names `person`: the records under the person, and the group indexes
    /// of each group they have records in (found from the records themselves).
    fn keys_naming(&self, person: &PersonId) -> Result<Vec<Vec<u8>>, StoreError> {
        let who = self.p(person);
        let mut keys = Vec::new();
        for kind in ["c", "remind", "forget", "room"] {
            let k = key(&[kind, &who]);
            if self.store.get(&k)?.is_some() {
                keys.push(k);
            }
        }
        for kind in ["a", "r", "t", "e", "mnote", "mtnote", "idnote"] {
            keys.extend(self.store.keys_with_prefix(&prefix(&[kind, &who]))?);
        }
        let outbox = prefix(&["outbox", platform_of(person), &who]);
        keys.extend(self.store.keys_with_prefix(&outbox)?);
        let mut groups: std::collections::BTreeSet<String> = [NO_GROUP.to_owned()].into();
        if let Some(conversation) = self.conversation(person)? {
            groups.extend(
                conversation
                    .memberships
                    .into_iter()
                    .map(|m| self.g(&m.group)),
            );
        }
        groups.extend(
            self.answers(person)?
                .iter()
                .filter_map(|a| a.group.as_deref().map(|g| self.g(g))),
        );
        groups.extend(
            self.runs(person)?
                .iter()
                .filter_map(|r| r.group.as_deref().map(|g| self.g(g))),
        );
        groups.extend(
            self.trials(person)?
                .iter()
                .filter_map(|t| t.group.as_deref().map(|g| self.g(g))),
        );
        // (index kind, the position of the person among the key's parts)
        const INDEXES: [(&str, usize); 6] = [
            ("g", 3),
            ("grun", 3),
            ("gtrial", 3),
            ("open", 2),
            ("member", 2),
            ("sent", 3),
        ];
        for group in &groups {
            for (kind, position) in INDEXES {
                for k in self.store.keys_with_prefix(&prefix(&[kind, group]))? {
                    let names_person = k
                        .split(|&b| b == 0)
                        .nth(position)
                        .is_some_and(|part| part == who.as_bytes());
                    if names_person {
                        keys.push(k);
                    }
                }
            }
        }
        Ok(keys)
    }

    /// The key of an answer, and of its copy in its group's week if it belongs to a group.
    fn answer_keys(&self, answer: &AnswerRecord) -> (Vec<u8>, Option<Vec<u8>>) {
        let (who, step) = (self.p(&answer.person), self.name(Kind::Step, &answer.step));
        let index = answer.group.as_deref().map(|group| {
            let week = iso_week(answer.answered_at, &self.tz);
            key(&["g", &self.g(group), &week, &who, &answer.run, &step])
        });
        (key(&["a", &who, &answer.run, &step]), index)
    }

    fn ops(&self, commit: Commit) -> Result<Vec<Op>, StoreError> {
        let mut ops = Vec::new();
        let person = commit
            .conversation
            .as_ref()
            .map(|c| c.person.clone())
            .unwrap_or_else(|| PersonId(String::new()));
        let who = self.p(&person);
        for write in commit.writes {
            match write {
                Write::Answer(answer) => {
                    let (primary, index) = self.answer_keys(&answer);
                    // Sealed once for each key: a value opens only under the key it was
                    // sealed for.
                    if let Some(index) = index {
                        let value = self.seal(&answer.person, &index, &answer)?;
                        ops.push(Op::Put(index, value));
                    }
                    let value = self.seal(&answer.person, &primary, &answer)?;
                    ops.push(Op::Put(primary, value));
                }
                Write::RetractAnswer { run, step } => {
                    self.retract(&person, &run, Some(&step), &mut ops)?;
                }
                Write::DiscardRun { run } => {
                    self.retract(&person, &run, None, &mut ops)?;
                    for trial in self.trials(&person)? {
                        if trial.id.starts_with(&format!("{run}-")) {
                            self.delete_trial(&trial, &mut ops);
                        }
                    }
                }
                Write::Completed(run) => {
                    let runner = self.p(&run.person);
                    if let Some(group) = &run.group {
                        let week = iso_week(run.completed_at, &self.tz);
                        let index = key(&["grun", &self.g(group), &week, &runner, &run.run]);
                        let value = self.seal(&run.person, &index, &run)?;
                        ops.push(Op::Put(index, value));
                    }
                    let primary = key(&["r", &runner, &run.run]);
                    let value = self.seal(&run.person, &primary, &run)?;
                    ops.push(Op::Put(primary, value));
                }
                Write::Trial(trial) => self.put_trial(&trial, &mut ops)?,
                Write::TrialState { id, state, at } => {
                    // Read back, so what else changed meanwhile (offers made) is kept.
                    let primary = key(&["t", &who, &self.name(Kind::Trial, &id)]);
                    if let Some(mut trial) = self.get::<TrialAction>(&primary)? {
                        if trial.state != state {
                            trial.state = state;
                            trial.updated_at = at;
                        }
                        // Looked back on: no first offer needed any more.
                        trial.offers = trial.offers.max(1);
                        trial.offered_at = trial.offered_at.or(Some(at));
                        self.put_trial(&trial, &mut ops)?;
                    }
                }
                Write::DeleteTrial { id } => {
                    let primary = key(&["t", &who, &self.name(Kind::Trial, &id)]);
                    if let Some(trial) = self.get::<TrialAction>(&primary)? {
                        self.delete_trial(&trial, &mut ops);
                    }
                }
                Write::Group(group) => {
                    let k = key(&["group", &self.g(&group.id)]);
                    ops.push(Op::Put(k.clone(), self.seal_shared(&k, &group)?));
                }
                Write::Invite(invite) => {
                    let k = key(&["invite", &self.name(Kind::Code, &invite.code)]);
                    ops.push(Op::Put(k.clone(), self.seal_shared(&k, &invite)?));
                }
                Write::RevokeInvite { code } => {
                    let k = key(&["invite", &self.name(Kind::Code, &code)]);
                    ops.push(Op::Delete(k));
                }
                Write::Member(member) => {
                    let k = key(&["member", &self.g(&member.group), &self.p(&member.person)]);
                    ops.push(Op::Put(k.clone(), self.seal(&member.person, &k, &member)?));
                }
                Write::Leave { group } => {
                    ops.push(Op::Delete(key(&["member", &self.g(&group), &who])));
                }
                Write::ChangeMember {
                    group,
                    person: member,
                    role,
                } => self.change_member(&group, &member, role, &mut ops)?,
                Write::MemberNoticeSeen { group } => {
                    ops.push(Op::Delete(key(&["mnote", &who, &self.g(&group)])));
                }
                Write::Meeting(meeting) => self.hold_meeting(&meeting, &mut ops)?,
                Write::MeetingNoticeSeen { group, held_at } => {
                    let at = instant(held_at);
                    ops.push(Op::Delete(key(&["mtnote", &who, &self.g(&group), &at])));
                }
                Write::IdeaNotice(notice) => {
                    let at = instant(notice.held_at);
                    let k = key(&["idnote", &self.p(&notice.person), &notice.token, &at]);
                    ops.push(Op::Put(k.clone(), self.seal(&notice.person, &k, &notice)?));
                }
                Write::IdeaNoticeSeen { token, held_at } => {
                    let at = instant(held_at);
                    ops.push(Op::Delete(key(&["idnote", &who, &token, &at])));
                }
                Write::Reminder(Some(reminder)) => {
                    let k = key(&["remind", &self.p(&reminder.person)]);
                    ops.push(Op::Put(
                        k.clone(),
                        self.seal(&reminder.person, &k, &reminder)?,
                    ));
                }
                Write::Reminder(None) => ops.push(Op::Delete(key(&["remind", &who]))),
                Write::DigestChat(link) => {
                    let k = key(&["dchat", &self.g(&link.group), &self.p(&link.chat)]);
                    ops.push(Op::Put(k.clone(), self.seal_shared(&k, &link)?));
                }
                Write::UnlinkDigestChat { group, chat } => {
                    ops.push(Op::Delete(key(&["dchat", &self.g(&group), &self.p(&chat)])));
                }
                // `commit` erases instead of writing when it sees this.
                Write::Forget => {}
            }
        }
        if let Some(out) = &commit.outbox {
            let at = instant(out.at);
            let (platform, to) = (platform_of(&out.person), self.p(&out.person));
            let k = key(&[
                "outbox",
                platform,
                &to,
                &at,
                &self.name(Kind::Tag, &out.tag),
            ]);
            let value = self.seal(&out.person, &k, &(&out.person, &out.replies))?;
            ops.push(Op::Put(k, value));
        }
        if let Some((group, week, person)) = &commit.digest_sent {
            let k = key(&["sent", &self.g(group), week, &self.p(person)]);
            ops.push(Op::Put(k, Vec::new()));
        }
        if let Some(conversation) = &commit.conversation {
            let k = key(&["c", &who]);
            ops.push(Op::Put(
                k.clone(),
                self.seal(&conversation.person, &k, conversation)?,
            ));
        }
        if let Some(event) = &commit.event {
            // When it was handled (the conversation's last activity), so old ones can go.
            let when = commit
                .conversation
                .as_ref()
                .map_or(0, |c| c.last_seen.as_second());
            let k = key(&["e", &who, &self.name(Kind::Event, event)]);
            ops.push(Op::Put(k, when.to_string().into_bytes()));
        }
        Ok(ops)
    }

    /// The keys of a trial action: its own, and whether open or not.
    fn trial_keys(&self, trial: &TrialAction) -> (Vec<u8>, Vec<u8>) {
        let (who, id) = (self.p(&trial.person), self.name(Kind::Trial, &trial.id));
        let group = trial
            .group
            .as_deref()
            .map_or_else(|| NO_GROUP.to_owned(), |group| self.g(group));
        (key(&["t", &who, &id]), key(&["open", &group, &who, &id]))
    }

    /// A trial action and its indexes: the week it changed in, and open or not.
    fn put_trial(&self, trial: &TrialAction, ops: &mut Vec<Op>) -> Result<(), StoreError> {
        let (primary, open) = self.trial_keys(trial);
        if let Some(group) = &trial.group {
            let week = iso_week(trial.updated_at, &self.tz);
            let index = self.trial_copy_key(group, &week, trial);
            ops.push(Op::Put(
                index.clone(),
                self.seal(&trial.person, &index, trial)?,
            ));
        }
        if trial.state.is_open() {
            ops.push(Op::Put(
                open.clone(),
                self.seal(&trial.person, &open, trial)?,
            ));
        } else {
            ops.push(Op::Delete(open));
        }
        ops.push(Op::Put(
            primary.clone(),
            self.seal(&trial.person, &primary, trial)?,
        ));
        Ok(())
    }

    fn delete_trial(&self, trial: &TrialAction, ops: &mut Vec<Op>) {
        let (primary, open) = self.trial_keys(trial);
        ops.extend(self.trial_copy_keys(trial).into_iter().map(Op::Delete));
        ops.push(Op::Delete(open));
        ops.push(Op::Delete(primary));
    }

    /// The key of a group's trial action as it was in `week`.
    fn trial_copy_key(&self, group: &str, week: &str, trial: &TrialAction) -> Vec<u8> {
        let (who, id) = (self.p(&trial.person), self.name(Kind::Trial, &trial.id));
        key(&["gtrial", &self.g(group), week, &who, &id])
    }

    /// Where a group's trial action may have weekly copies (`put_trial` writes one in the week
    /// of each change): every week from the one it was made in to the one it last changed in.
    fn trial_copy_keys(&self, trial: &TrialAction) -> Vec<Vec<u8>> {
        /// Ten years of weeks: a bound for dates that make no sense.
        const MOST_WEEKS: usize = 520;
        let Some(group) = &trial.group else {
            return Vec::new();
        };
        let last = iso_week(trial.updated_at, &self.tz);
        let mut weeks = vec![iso_week(trial.created_at, &self.tz)];
        let mut at = trial.created_at;
        while weeks.last() != Some(&last) && weeks.len() < MOST_WEEKS {
            at = at
                .saturating_add(jiff::SignedDuration::from_hours(24 * 7))
                .unwrap_or(at);
            let week = iso_week(at.min(trial.updated_at), &self.tz);
            if weeks.last() != Some(&week) {
                weeks.push(week);
            }
        }
        weeks
            .iter()
            .map(|week| self.trial_copy_key(group, week, trial))
            .collect()
    }

    /// Deletes a run's answers (or one step's), with their group-week index entries.
    fn retract(
        &self,
        person: &PersonId,
        run: &str,
        step: Option<&str>,
        ops: &mut Vec<Op>,
    ) -> Result<(), StoreError> {
        let who = self.p(person);
        let scan = match step {
            Some(step) => {
                let k = key(&["a", &who, run, &self.name(Kind::Step, step)]);
                self.store.get(&k)?.map(|v| (k, v)).into_iter().collect()
            }
            None => self.store.scan_prefix(&prefix(&["a", &who, run]))?,
        };
        for (k, bytes) in scan {
            let answer: AnswerRecord = self.decode(&k, &bytes)?;
            self.delete_answer(&answer, ops);
        }
        Ok(())
    }

    /// Deletes one answer with its group-week index entry.
    fn delete_answer(&self, answer: &AnswerRecord, ops: &mut Vec<Op>) {
        let (primary, index) = self.answer_keys(answer);
        ops.extend(index.map(Op::Delete));
        ops.push(Op::Delete(primary));
    }
}

/// The platform part of an outbox key: each channel reads its own platform's messages.
fn platform_of(person: &PersonId) -> &'static str {
    person
        .recipient()
        .map_or("other", |to| to.platform().name())
}

#[cfg(test)]
mod contract;
