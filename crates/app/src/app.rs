//! Wiring: load and check everything at start-up, then handle events: read the conversation,
//! run the engine, make its writes durable, and only then hand back the replies to send.

use std::collections::BTreeMap;
use std::hash::BuildHasher;

use std::sync::Arc;

use jiff::civil::ISOWeekDate;
use jiff::Timestamp;
use tokio::sync::Mutex;

use eftertanke_core::agenda::{self, AgendaInput};
use eftertanke_core::content::Content;
use eftertanke_core::dialogs::Role;
use eftertanke_core::digest::{self, DigestInput};
use eftertanke_core::engine::{
    codes, Body, Context, Due, Engine, EngineError, GroupView, MeetingView, PersonData, Picture,
    Reply, Settings,
};
use eftertanke_core::i18n::{I18nError, Lang};
use eftertanke_core::records::{
    AgendaIdea, Conversation, DigestChat, Group, GroupRole, IdeaNotice, Meeting, PersonId,
    TrialState, Write, SCHEMA,
};
use eftertanke_core::schedule;
use eftertanke_store::{Commit, KeptDigest, Outgoing, Purged, Records, Store, StoreError, Vault};

use crate::metrics::Metrics;

/// At most this many citizens' ideas on a meeting's agenda (the newest): it is read aloud.
const MAX_AGENDA_IDEAS: usize = 10;

/// How far back the ideas a meeting took up are looked for (ten years of weeks): a bound,
/// never reached by a meeting's loop.
const MAX_WEEKS_SEARCHED: usize = 520;

/// Where time comes from; tests use a hand-set clock.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that starts at a given moment and runs at real speed: for trying out and testing
/// what happens on another day (`eftertanke chat --now`).
#[derive(Clone, Copy, Debug)]
pub struct ShiftedClock {
    start: Timestamp,
    since: std::time::Instant,
}

impl ShiftedClock {
    #[must_use]
    pub fn starting_at(start: Timestamp) -> ShiftedClock {
        ShiftedClock {
            start,
            since: std::time::Instant::now(),
        }
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> Timestamp {
        let elapsed = jiff::SignedDuration::try_from(self.since.elapsed()).unwrap_or_default();
        self.start.saturating_add(elapsed).unwrap_or(self.start)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("random numbers: {0}")]
    Entropy(String),
    #[error(transparent)]
    Message(#[from] I18nError),
    #[error(transparent)]
    Chart(#[from] eftertanke_chart::ChartError),
}

/// What a channel knows about a person: defaults for a new conversation, and what the person
/// asked for explicitly (terminal flags), which changes an existing conversation too.
#[derive(Clone, Copy, Debug)]
pub struct Profile {
    pub lang: Lang,
    pub role: Role,
    pub set_lang: Option<Lang>,
    pub set_role: Option<Role>,
}

impl Profile {
    /// Defaults only; nothing is changed for a person who already has a conversation.
    #[must_use]
    pub fn new(lang: Lang, role: Role) -> Profile {
        Profile {
            lang,
            role,
            set_lang: None,
            set_role: None,
        }
    }
}

/// One incoming event for one person.
#[derive(Clone, Debug)]
pub struct Event {
    /// The platform's id for it (message or update id); a redelivered event repeats it.
    pub id: Option<String>,
    pub body: Body,
}

/// A random seed (for the order of a digest's quotes).
fn random_seed() -> Result<u64, AppError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|err| AppError::Entropy(err.to_string()))?;
    Ok(u64::from_le_bytes(bytes))
}

/// Events of one person are handled one at a time; lock stripes keep memory bounded.
const LOCK_STRIPES: usize = 4096;

pub struct App<S> {
    content: Arc<Content>,
    settings: Settings,
    records: Records<S>,
    clock: Box<dyn Clock>,
    stripes: Vec<Mutex<()>>,
    hasher: std::collections::hash_map::RandomState,
    metrics: Metrics,
}

impl<S: Store> App<S> {
    pub fn new(
        content: Arc<Content>,
        settings: Settings,
        store: S,
        vault: Vault,
        clock: Box<dyn Clock>,
    ) -> App<S> {
        let records = Records::new(store, settings.time_zone.clone(), vault);
        App {
            content,
            settings,
            records,
            clock,
            stripes: (0..LOCK_STRIPES).map(|_| Mutex::new(())).collect(),
            hasher: Default::default(),
            metrics: Metrics::new(),
        }
    }

    /// Gives back the store, for benchmarks that inspect what was written.
    pub fn into_store(self) -> S {
        self.records.into_store()
    }

    pub fn records(&self) -> &Records<S> {
        &self.records
    }

    /// What is counted for `/metrics` and `/healthz`.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    fn stripe(&self, person: &PersonId) -> &Mutex<()> {
        &self.stripes[(self.hasher.hash_one(person) as usize) % LOCK_STRIPES]
    }

    fn engine(&self) -> Engine<'_> {
        Engine::new(&self.content.catalog, &self.content.locales, &self.settings)
    }

    /// A group as a facilitator command sees it: its members with the first names staff
    /// allowed, the open trial actions of those still in it, and its linked chats.
    fn group_view(&self, id: &str) -> Result<Option<GroupView>, AppError> {
        let Some(group) = self.records.group(id)? else {
            return Ok(None);
        };
        let members = self.records.members(id)?;
        let mut names = BTreeMap::new();
        for member in members.iter().filter(|m| m.role != GroupRole::Citizen) {
            let name = self.records.conversation(&member.person)?;
            if let Some(name) = name.and_then(|c| c.shown_name) {
                names.insert(member.person.clone(), name);
            }
        }
        Ok(Some(GroupView {
            open_trials: self.open_trials_of_members(id, &members)?,
            links: self.records.digest_chats(id)?,
            names,
            members,
            group,
        }))
    }

    /// A group's open trial actions, of the people still in it: who left is not counted on.
    fn open_trials_of_members(
        &self,
        group: &str,
        members: &[eftertanke_core::records::Member],
    ) -> Result<Vec<eftertanke_core::records::TrialAction>, AppError> {
        let mut open = self.records.open_trials(Some(group))?;
        open.retain(|t| members.iter().any(|m| m.person == t.person));
        Ok(open)
    }

    /// New invite codes and group ids carry 49 random bits; should one still equal a stored
    /// one, the event fails (the person can simply try again) rather than hijack a group.
    fn refuse_code_collisions(&self, writes: &[Write]) -> Result<(), AppError> {
        for write in writes {
            let taken = match write {
                Write::Invite(invite) => self
                    .records
                    .invite(&invite.code)?
                    .is_some_and(|old| old.group != invite.group),
                Write::Group(group) => self
                    .records
                    .group(&group.id)?
                    .is_some_and(|old| old.created_at != group.created_at),
                _ => false,
            };
            if taken {
                return Err(AppError::Entropy("a new code equals a stored one".into()));
            }
        }
        Ok(())
    }

    /// The digest of one group for one ISO week, worded in `lang`, as one text (a channel
    /// splits it at its platform's limit). Reads only that week (and the week before, for
    /// comparison) by prefix. `today` bounds "overdue": the week's Sunday for a finished week,
    /// today for one so far.
    ///
    /// Once the week is over, its figures are kept as first composed (sealed), and every later
    /// wording (to another facilitator, a newly linked chat, after a restart, a day late)
    /// shows those same figures: two wordings around someone's `/forget` differ only in that
    /// person's words, never in a count.
    pub async fn digest(
        &self,
        group: &Group,
        week: ISOWeekDate,
        today: jiff::civil::Date,
        lang: Lang,
    ) -> Result<String, AppError> {
        let digest = self.composed_digest(group, week, today).await?;
        Ok(digest::render(&digest, &self.content.locales, lang)?)
    }

    /// The digest as two replies: the week worded as by [`App::digest`], then its picture of
    /// the last [`eftertanke_chart::WEEKS`] weeks drawn from their kept figures (weeks that
    /// ended before the group was made are left out). Two replies, so a picture that fails
    /// to go is tried again without sending the text twice.
    pub async fn digest_with_picture(
        &self,
        group: &Group,
        week: ISOWeekDate,
        today: jiff::civil::Date,
        lang: Lang,
    ) -> Result<[Reply; 2], AppError> {
        let digest = self.composed_digest(group, week, today).await?;
        let text = digest::render(&digest, &self.content.locales, lang)?;
        let mut weeks = Vec::with_capacity(eftertanke_chart::WEEKS);
        let mut earlier = week;
        for _ in 1..eftertanke_chart::WEEKS {
            earlier = schedule::previous_week(earlier);
            let (_, end) = schedule::week_bounds(earlier, &self.settings.time_zone);
            if group.created_at >= end {
                break;
            }
            weeks.push(self.week_figures(group, earlier).await?);
        }
        weeks.reverse();
        weeks.push(digest);
        let chart = eftertanke_chart::draw(&weeks, &self.content.locales, lang)?;
        let picture = Reply {
            picture: Some(Picture {
                name: format!("eftertanke-{}.png", schedule::format_week(week)),
                png: chart.png,
                alt: chart.alt,
            }),
            ..Reply::plain(String::new())
        };
        Ok([Reply::plain(text), picture])
    }

    /// The figures of a finished week as kept, composed (and kept) now if they never were.
    async fn week_figures(
        &self,
        group: &Group,
        week: ISOWeekDate,
    ) -> Result<digest::Digest, AppError> {
        let key = schedule::format_week(week);
        if let Some(kept) = self.records.kept_digest(&group.id, &key)? {
            return Ok(kept.figures);
        }
        let (_, sunday) = schedule::week_dates(week);
        Ok(self.composed_digest(group, week, sunday).await?.figures())
    }

    /// The digest of one group's week: kept figures with today's words once the week is
    /// over (kept now if this is the first time), the week so far as it stands.
    async fn composed_digest(
        &self,
        group: &Group,
        week: ISOWeekDate,
        today: jiff::civil::Date,
    ) -> Result<digest::Digest, AppError> {
        let over = self.now() >= schedule::week_bounds(week, &self.settings.time_zone).1;
        let key = schedule::format_week(week);
        let kept = if over {
            self.records.kept_digest(&group.id, &key)?
        } else {
            None
        };
        let seed = match &kept {
            Some(kept) => kept.seed,
            None => random_seed()?,
        };
        let fresh = self.build_digest(group, week, today, seed)?;
        let digest = match kept {
            Some(kept) => kept.figures.with_words_of(fresh),
            None if over => {
                let kept = KeptDigest {
                    schema: eftertanke_core::records::SCHEMA,
                    figures: fresh.clone().figures(),
                    seed,
                };
                self.records.keep_digest(&group.id, &key, &kept).await?;
                fresh
            }
            None => fresh,
        };
        Ok(digest)
    }

    /// The digest of one group's week as the records stand now.
    fn build_digest(
        &self,
        group: &Group,
        week: ISOWeekDate,
        today: jiff::civil::Date,
        seed: u64,
    ) -> Result<digest::Digest, AppError> {
        let key = schedule::format_week(week);
        let previous = schedule::format_week(schedule::previous_week(week));
        let runs = self.records.group_week_runs(&group.id, &key)?;
        let answers = self.records.group_week_answers(&group.id, &key)?;
        let previous_runs = self.records.group_week_runs(&group.id, &previous)?;
        let trials = self.records.group_week_trials(&group.id, &key)?;
        let members = self.records.members(&group.id)?;
        let open_trials = self.open_trials_of_members(&group.id, &members)?;
        // First names only of staff who allowed it, and only of those the digest may name:
        // who made a trial action this week, or shared something with the group.
        let sharers: std::collections::BTreeSet<&PersonId> =
            digest::shared_answers(&self.content.catalog, answers.iter())
                .into_iter()
                .map(|(person, ..)| person)
                .collect();
        let named = trials
            .iter()
            .filter(|t| t.role == Role::Staff)
            .map(|t| &t.person)
            .chain(
                answers
                    .iter()
                    .filter(|a| a.role == Role::Staff)
                    .map(|a| &a.person)
                    .filter(|person| sharers.contains(person)),
            );
        let mut names = BTreeMap::new();
        for person in named {
            if names.contains_key(person) {
                continue;
            }
            if let Some(name) = self
                .records
                .conversation(person)?
                .and_then(|c| c.shown_name)
            {
                names.insert(person.clone(), name);
            }
        }
        // The group's latest learning meeting held by the week's end.
        let (_, week_end) = schedule::week_bounds(week, &self.settings.time_zone);
        let meetings = self.records.meetings(&group.id)?;
        let meeting = meetings.iter().rev().find(|m| m.held_at < week_end);
        let input = DigestInput {
            group_name: &group.name,
            week,
            today,
            time_zone: &self.settings.time_zone,
            runs: &runs,
            answers: &answers,
            previous_runs: &previous_runs,
            trials: &trials,
            open_trials: &open_trials,
            names: &names,
            citizen_floor: self.settings.citizen_floor,
            retry_days: self.settings.retry_days,
            so_far: today < schedule::week_dates(week).1,
            seed,
            meeting,
        };
        Ok(digest::build(&input, &self.content.catalog))
    }

    /// Links (or unlinks) `chat` to receive the digest of the group `person` facilitates.
    /// The group's name when done; `None` when the person facilitates no group, so the
    /// refusal says nothing about any group.
    pub async fn link_digest_chat(
        &self,
        person: &PersonId,
        chat: PersonId,
        title: Option<String>,
        lang: Lang,
        link: bool,
    ) -> Result<Option<String>, AppError> {
        let Some(conversation) = self.records.conversation(person)? else {
            return Ok(None);
        };
        let engine = self.engine();
        let Some(membership) = engine.facilitated_group(&conversation) else {
            return Ok(None);
        };
        let writes = if link {
            vec![Write::DigestChat(DigestChat {
                schema: eftertanke_core::records::SCHEMA,
                group: membership.group.clone(),
                chat,
                lang,
                linked_by: person.clone(),
                linked_at: self.clock.now(),
                title,
            })]
        } else {
            // From every group this person runs, whichever one the chat was linked to.
            conversation
                .memberships
                .iter()
                .filter(|m| m.role == GroupRole::Facilitator)
                .map(|m| Write::UnlinkDigestChat {
                    group: m.group.clone(),
                    chat: chat.clone(),
                })
                .collect()
        };
        self.records
            .commit(Commit {
                writes,
                ..Commit::default()
            })
            .await?;
        Ok(Some(membership.name.clone()))
    }

    /// The retention purge (`Records::purge_person`), one person at a time under their lock,
    /// so it never overwrites something they are changing.
    pub async fn purge_before(&self, cutoff: Timestamp) -> Result<Purged, AppError> {
        let mut total = Purged::default();
        for person in self.records.people()? {
            let _one_at_a_time = self.stripe(&person).lock().await;
            let purged = self.records.purge_person(&person, cutoff).await?;
            total.answers += purged.answers;
            total.trials += purged.trials;
        }
        Ok(total)
    }

    /// Brings up something the scheduler found due for `person`: the engine decides what to
    /// say, and the replies are stored for delivery in the same commit as the record that it
    /// was sent, so it happens once. Returns false when there was nothing to say.
    pub async fn bring_up(&self, person: &PersonId, due: Due) -> Result<bool, AppError> {
        let _one_at_a_time = self.stripe(person).lock().await;
        let now = self.clock.now();
        let Some(before) = self.records.conversation(person)? else {
            return Ok(false);
        };
        // Another pass (the scheduler's tick, or the settling after an event) told it already.
        if !self.records.still_due(person, &due)? {
            return Ok(false);
        }
        let body = Body::Due(due);
        let engine = self.engine();
        let trials = if engine.needs(&before, &body).trials {
            self.records.trials(person)?
        } else {
            Vec::new()
        };
        let ctx = Context {
            trials: &trials,
            ..Context::default()
        };
        let mut outcome = engine.handle(before.clone(), body.clone(), ctx, now)?;
        let tag = match &body {
            Body::Due(Due::FollowUp { trial }) => format!("follow-up-{trial}"),
            Body::Due(Due::Membership { group, role }) => {
                // Taken in: the notice goes in the same commit.
                outcome.writes.push(Write::MemberNoticeSeen {
                    group: group.clone(),
                });
                let role = role.map_or("removed", GroupRole::name);
                format!("member-{group}-{role}")
            }
            Body::Due(Due::Meeting { group, held_at, .. }) => {
                outcome.writes.push(Write::MeetingNoticeSeen {
                    group: group.clone(),
                    held_at: *held_at,
                });
                format!("meeting-{group}-{}", held_at.as_second())
            }
            Body::Due(Due::IdeaTakenUp { token, held_at, .. }) => {
                outcome.writes.push(Write::IdeaNoticeSeen {
                    token: token.clone(),
                    held_at: *held_at,
                });
                format!("idea-{token}-{}", held_at.as_second())
            }
            _ => "reminder".to_owned(),
        };
        let said = !outcome.replies.is_empty();
        if !said && outcome.writes.is_empty() && outcome.conversation == before {
            return Ok(false);
        }
        self.records
            .commit(Commit {
                conversation: Some(outcome.conversation),
                writes: outcome.writes,
                outbox: said.then(|| Outgoing {
                    person: person.clone(),
                    at: now,
                    tag,
                    replies: outcome.replies,
                }),
                ..Commit::default()
            })
            .await?;
        Ok(said)
    }

    /// Lets each person whose membership a facilitator changed take it in, and tells them.
    /// Called after every such change and by the scheduler, which finds those a crash left.
    pub async fn settle_memberships(&self) -> Result<usize, AppError> {
        let mut settled = 0;
        for notice in self.records.member_notices()? {
            let due = Due::Membership {
                group: notice.group,
                role: notice.role,
            };
            if self.bring_up(&notice.person, due).await? {
                settled += 1;
            }
        }
        Ok(settled)
    }

    /// Tells each staff member what their group's learning meeting decided (the engine
    /// passes over those who said no to it), and each citizen whose idea it took up what
    /// will be done. Called after a meeting is saved and by the scheduler, which finds what
    /// a crash left.
    pub async fn settle_meetings(&self) -> Result<usize, AppError> {
        let decisions = self.records.meeting_notices()?.into_iter().map(|notice| {
            let due = Due::Meeting {
                group: notice.group,
                group_name: notice.group_name,
                held_at: notice.held_at,
                trials: notice.trials,
                focus: notice.focus,
            };
            (notice.person, due)
        });
        let answers = self.records.idea_notices()?.into_iter().map(|notice| {
            let due = Due::IdeaTakenUp {
                token: notice.token,
                held_at: notice.held_at,
                idea: notice.idea,
                note: notice.note,
            };
            (notice.person, due)
        });
        let mut told = 0;
        for (person, due) in decisions.chain(answers) {
            if self.bring_up(&person, due).await? {
                told += 1;
            }
        }
        Ok(told)
    }

    /// The weeks of the loop that began at `since` (the last meeting, or the group's start)
    /// until `now`: the latest `most` of them, the week so far last.
    fn loop_weeks(&self, since: Timestamp, now: Timestamp, most: usize) -> Vec<ISOWeekDate> {
        let tz = &self.settings.time_zone;
        let mut week = schedule::week_of(now, tz);
        let mut weeks = vec![week];
        while weeks.len() < most && schedule::week_bounds(week, tz).0 > since {
            week = schedule::previous_week(week);
            weeks.push(week);
        }
        weeks.reverse();
        weeks
    }

    /// The ideas citizens of `group` shared in `weeks`, oldest first, each with its author
    /// and its token (see [`Records::idea_token`]).
    fn shared_ideas(
        &self,
        group: &str,
        weeks: impl Iterator<Item = ISOWeekDate>,
    ) -> Result<Vec<(PersonId, AgendaIdea)>, AppError> {
        let mut ideas = Vec::new();
        for week in weeks {
            let answers = self
                .records
                .group_week_answers(group, &schedule::format_week(week))?;
            for (key, text) in digest::shared_ideas(&self.content.catalog, &answers) {
                let token = self.records.idea_token(key);
                ideas.push((key.0.clone(), AgendaIdea { token, text }));
            }
        }
        Ok(ideas)
    }

    /// The notices that tell the authors of the citizens' ideas a meeting took up what will
    /// be done: each token is found again among the ideas shared since the meeting's loop
    /// began (all its weeks, however long the draft was open; the facilitator's side only
    /// ever held the token). An idea whose author erased it since is answered to nobody.
    fn idea_notices_for(&self, meeting: &Meeting) -> Result<Vec<Write>, AppError> {
        if meeting.ideas_taken_up.is_empty() {
            return Ok(Vec::new());
        }
        let weeks = self.loop_weeks(meeting.since, meeting.held_at, MAX_WEEKS_SEARCHED);
        let shared = self.shared_ideas(&meeting.group, weeks.into_iter())?;
        let notices: Vec<Write> = meeting
            .ideas_taken_up
            .iter()
            .filter_map(|taken| {
                let (person, idea) = shared.iter().find(|(_, idea)| idea.token == taken.token)?;
                Some(Write::IdeaNotice(IdeaNotice {
                    schema: SCHEMA,
                    person: person.clone(),
                    token: taken.token.clone(),
                    held_at: meeting.held_at,
                    idea: idea.text.clone(),
                    note: taken.note.clone(),
                }))
            })
            .collect();
        let unmatched = meeting.ideas_taken_up.len() - notices.len();
        if unmatched > 0 {
            tracing::warn!("{unmatched} idea(s) taken up at a meeting match no shared idea now");
        }
        Ok(notices)
    }

    /// What a facilitator's /meeting starts from: the agenda of the loop since the group's
    /// last meeting (at most [`eftertanke_chart::WEEKS`] weeks, the week so far last), that
    /// meeting's group trial actions still to follow up, and the citizens' ideas by token.
    async fn meeting_view(&self, group: &Group, lang: Lang) -> Result<MeetingView, AppError> {
        let meetings = self.records.meetings(&group.id)?;
        let last = meetings.last();
        let since = last.map_or(group.created_at, |m| m.held_at);
        let tz = &self.settings.time_zone;
        let now = self.now();
        let today = now.to_zoned(tz.clone()).date();
        let mut digests = Vec::new();
        for week in self.loop_weeks(since, now, eftertanke_chart::WEEKS) {
            let (_, sunday) = schedule::week_dates(week);
            digests.push(self.composed_digest(group, week, sunday.min(today)).await?);
        }
        // Ideas from the weeks whose citizens are shown, as they stand now (a digest shows
        // ideas only while both its kept figures and today's records are over the floor),
        // but none a meeting answered already; the newest when there are many. Ordered by
        // token, not by when they were written: who checked in when must not point to one.
        let shown = digests
            .iter()
            .filter(|d| matches!(&d.citizens, digest::Citizens::Shown(v) if !v.ideas.is_empty()))
            .map(|d| d.week);
        let answered: std::collections::BTreeSet<&str> = meetings
            .iter()
            .flat_map(|m| &m.ideas_taken_up)
            .map(|t| t.token.as_str())
            .collect();
        let mut ideas: Vec<AgendaIdea> = self
            .shared_ideas(&group.id, shown)?
            .into_iter()
            .map(|(_, idea)| idea)
            .filter(|idea| !answered.contains(idea.token.as_str()))
            .collect();
        let more_ideas = ideas.len().saturating_sub(MAX_AGENDA_IDEAS);
        ideas.drain(..more_ideas);
        ideas.sort_by(|a, b| a.token.cmp(&b.token));
        let texts: Vec<String> = ideas.iter().map(|idea| idea.text.clone()).collect();
        let input = AgendaInput {
            group_name: &group.name,
            time_zone: tz,
            last_meeting: last,
            weeks: &digests,
            ideas: &texts,
            more_ideas,
        };
        Ok(MeetingView {
            agenda: agenda::render(&input, &self.content.locales, lang)?,
            since,
            open: last
                .map(|m| {
                    m.trials
                        .iter()
                        .filter(|t| t.state == TrialState::Planned)
                        .cloned()
                        .collect()
                })
                .unwrap_or_default(),
            ideas,
        })
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The dialogues and messages, for channels that word a few messages of their own.
    pub fn content(&self) -> &Content {
        &self.content
    }

    /// Handles one event. The replies are returned only after the event's writes are durable,
    /// so a reply (the next question) is the acknowledgement that the answer is safe.
    #[tracing::instrument(skip_all, fields(person = %person.pseudonym(), event = ?event.id))]
    pub async fn handle(
        &self,
        person: &PersonId,
        profile: Profile,
        event: Event,
    ) -> Result<Vec<Reply>, AppError> {
        let (replies, changed_others) = self.handle_one(person, profile, event).await?;
        if changed_others {
            // Each changed member's conversation under their own lock, after this one's is
            // given up; a failure here is settled by the scheduler's next tick.
            if let Err(err) = self.settle_memberships().await {
                tracing::warn!("a membership change waits for the next tick: {err}");
            }
            if let Err(err) = self.settle_meetings().await {
                tracing::warn!("a meeting's news waits for the next tick: {err}");
            }
        }
        Ok(replies)
    }

    /// [`App::handle`] under the person's lock; true besides the replies when it changed
    /// another person's membership.
    async fn handle_one(
        &self,
        person: &PersonId,
        profile: Profile,
        event: Event,
    ) -> Result<(Vec<Reply>, bool), AppError> {
        let _one_at_a_time = self.stripe(person).lock().await;
        let now = self.clock.now();
        let stored = self.records.conversation(person)?;
        let duplicate = match &event.id {
            Some(id) => self.records.seen(person, id)?,
            None => false,
        };
        let before = match stored {
            Some(mut conversation) => {
                conversation.lang = profile.set_lang.unwrap_or(conversation.lang);
                conversation.role = profile.set_role.unwrap_or(conversation.role);
                conversation
            }
            None => Conversation::new(
                person.clone(),
                profile.set_lang.unwrap_or(profile.lang),
                profile.set_role.unwrap_or(profile.role),
                now,
            ),
        };
        // A redelivered event is not handled again; the current question is shown once more
        // in case the reply to the first delivery was lost in a crash.
        let body = if duplicate {
            tracing::info!("redelivered event: not stored again");
            Body::Opened
        } else {
            event.body
        };
        let engine = self.engine();
        let needs = engine.needs(&before, &body);
        let trials = if needs.trials {
            self.records.trials(person)?
        } else {
            Vec::new()
        };
        let invite = match &needs.invite {
            Some(code) => self.records.invite(code)?,
            None => None,
        };
        let group = match &needs.group {
            Some(id) => self.group_view(id)?,
            None => None,
        };
        let digest = match (&group, needs.digest) {
            (Some(view), true) => {
                let tz = &self.settings.time_zone;
                let week = schedule::week_of(now, tz);
                let today = now.to_zoned(tz.clone()).date();
                Some(self.digest(&view.group, week, today, before.lang).await?)
            }
            _ => None,
        };
        let meeting = match (&group, needs.meeting) {
            // Boxed: up to eight weeks' digests make a large future, which would otherwise
            // sit inline in every event's.
            (Some(view), true) => {
                Some(Box::pin(self.meeting_view(&view.group, before.lang)).await?)
            }
            _ => None,
        };
        let mut entropy = [0u8; codes::ENTROPY_BYTES];
        if needs.entropy {
            getrandom::fill(&mut entropy).map_err(|err| AppError::Entropy(err.to_string()))?;
        }
        let mydata = if needs.mydata {
            Some(PersonData {
                answers: self.records.answers(person)?,
                runs: self.records.runs(person)?,
                trials: self.records.trials(person)?,
            })
        } else {
            None
        };
        let ctx = Context {
            trials: &trials,
            invite: invite.as_ref(),
            group: group.as_ref(),
            entropy: &entropy,
            digest: digest.as_deref(),
            mydata: mydata.as_ref(),
            meeting: meeting.as_ref(),
        };
        let mut outcome = engine.handle(before.clone(), body, ctx, now)?;
        self.refuse_code_collisions(&outcome.writes)?;
        // A meeting's answers to citizens' ideas go in the same commit as the meeting.
        let mut answers = Vec::new();
        for write in &outcome.writes {
            if let Write::Meeting(meeting) = write {
                answers.extend(self.idea_notices_for(meeting)?);
            }
        }
        outcome.writes.extend(answers);
        let changed_others = outcome
            .writes
            .iter()
            .any(|w| matches!(w, Write::ChangeMember { .. } | Write::Meeting(_)));
        let event_id = if duplicate { None } else { event.id };
        if outcome.conversation != before || !outcome.writes.is_empty() || event_id.is_some() {
            let began = std::time::Instant::now();
            self.records
                .commit(Commit {
                    conversation: Some(outcome.conversation),
                    writes: outcome.writes,
                    event: event_id,
                    ..Commit::default()
                })
                .await?;
            self.metrics
                .commit_seconds
                .observe(began.elapsed().as_secs_f64());
            self.metrics.steps.inc();
        }
        Ok((outcome.replies, changed_others))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eftertanke_store::MemoryStore;

    struct FixedClock(Timestamp);

    impl Clock for FixedClock {
        fn now(&self) -> Timestamp {
            self.0
        }
    }

    fn app() -> App<MemoryStore> {
        let content = Content::load(None, None, &[crate::console::MESSAGES]).unwrap();
        let now = "2026-11-23T14:00:00Z".parse().unwrap();
        App::new(
            Arc::new(content),
            Settings::standard().unwrap(),
            MemoryStore::new(),
            Vault::ephemeral().unwrap(),
            Box::new(FixedClock(now)),
        )
    }

    fn text(id: &str, text: &str) -> Event {
        Event {
            id: Some(id.into()),
            body: Body::Text(text.into()),
        }
    }

    const STAFF: Profile = Profile {
        lang: Lang::En,
        role: Role::Staff,
        set_lang: None,
        set_role: None,
    };

    #[tokio::test]
    async fn a_redelivered_event_is_not_stored_twice_and_the_question_is_shown_again() {
        let app = app();
        let person = PersonId::new("telegram", "7");
        app.handle(&person, STAFF, text("u1", "/reflect"))
            .await
            .unwrap();
        app.handle(&person, STAFF, text("u2", "1")).await.unwrap();
        // Yes to saving the answers.
        app.handle(&person, STAFF, text("u2b", "1")).await.unwrap();
        let first = app
            .handle(&person, STAFF, text("u3", "Something happened."))
            .await
            .unwrap();
        let again = app
            .handle(&person, STAFF, text("u3", "Something happened."))
            .await
            .unwrap();
        let answers = app.records().answers(&person).unwrap();
        assert_eq!(answers.len(), 1);
        let conversation = app.records().conversation(&person).unwrap().unwrap();
        assert_eq!(conversation.active.unwrap().step, "citizen-view");
        let question = |replies: &[Reply]| replies.iter().any(|r| r.text.contains("2/8"));
        assert!(question(&first) && question(&again));
    }

    #[tokio::test]
    async fn explicit_profile_changes_apply_to_an_existing_conversation() {
        let app = app();
        let person = PersonId::new("console", "anna");
        app.handle(&person, STAFF, text("a", "/help"))
            .await
            .unwrap();
        let citizen = Profile {
            set_role: Some(Role::Citizen),
            ..STAFF
        };
        let replies = app
            .handle(&person, citizen, text("b", "/reflect"))
            .await
            .unwrap();
        let menu = &replies.last().unwrap().choices;
        assert_eq!(menu.len(), 1, "a citizen is offered the check-in only");
        assert_eq!(menu[0].label, "Check in", "the language was not changed");
        let danish = Profile {
            set_lang: Some(Lang::Da),
            ..STAFF
        };
        let replies = app
            .handle(&person, danish, text("c", "/reflect"))
            .await
            .unwrap();
        let menu = &replies.last().unwrap().choices;
        assert_eq!(menu[0].label, "Tjek ind", "still a citizen, now in Danish");
    }
}
