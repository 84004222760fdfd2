//! What is stored: conversation state, answers, completed runs, trial actions, groups, invite
//! codes, members and reminders. Plain data, serialised with serde; each value carries a
//! schema version so later releases can migrate.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::dialogs::Role;
use crate::i18n::Lang;

/// The schema version written into every stored value.
pub const SCHEMA: u32 = 1;

/// A person, as "platform:id" (`console:anna`, `telegram:12345`). Never a display name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PersonId(pub String);

impl PersonId {
    #[must_use]
    pub fn new(platform: &str, id: &str) -> PersonId {
        // Key separators (NUL) cannot come from a platform id; strip them to be sure.
        let clean = |s: &str| s.replace('\0', "");
        PersonId(format!("{}:{}", clean(platform), clean(id)))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A short stand-in for logs, so no platform id or name given with `--user` appears
    /// there. Keyed by [`key_pseudonyms`], so knowing someone's Telegram id does not find
    /// them in a log; stable for one data folder, which is what reading its logs needs.
    #[must_use]
    pub fn pseudonym(&self) -> String {
        format!("p{}", pseudonym_of(self.0.as_bytes()))
    }

    /// Where messages to this id go: a person's private chat, or a shared chat.
    #[must_use]
    pub fn recipient(&self) -> Option<Recipient<'_>> {
        let (kind, id) = self.0.split_once(':')?;
        Platform::ALL.into_iter().find_map(|platform| {
            if kind == platform.name() {
                Some(Recipient::Person(platform, id))
            } else if kind == platform.chat_kind() {
                Some(Recipient::Chat(platform, id))
            } else {
                None
            }
        })
    }

    /// The id of a shared chat (a Telegram group chat, a Matrix room) on `platform`.
    #[must_use]
    pub fn chat(platform: Platform, id: &str) -> PersonId {
        PersonId::new(platform.chat_kind(), id)
    }
}

/// A chat platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Platform {
    Console,
    Telegram,
    Matrix,
}

impl Platform {
    pub const ALL: [Platform; 3] = [Platform::Console, Platform::Telegram, Platform::Matrix];

    /// How its people's ids begin ("telegram" in "telegram:12345").
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Platform::Console => "console",
            Platform::Telegram => "telegram",
            Platform::Matrix => "matrix",
        }
    }

    /// How its shared chats' ids begin.
    #[must_use]
    fn chat_kind(self) -> &'static str {
        match self {
            Platform::Console => "console-chat",
            Platform::Telegram => "telegram-chat",
            Platform::Matrix => "matrix-room",
        }
    }
}

/// Where a message goes, read from a stored id ([`PersonId::recipient`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recipient<'a> {
    /// A person, in their private chat with the bot: the platform's own id for them.
    Person(Platform, &'a str),
    /// A shared chat linked to a group's digest: the platform's id for the chat.
    Chat(Platform, &'a str),
}

impl Recipient<'_> {
    #[must_use]
    pub fn platform(self) -> Platform {
        match self {
            Recipient::Person(platform, _) | Recipient::Chat(platform, _) => platform,
        }
    }
}

/// The key of every pseudonym in this process; see [`PersonId::pseudonym`].
static PSEUDONYM_KEY: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();

/// Keys the pseudonyms in logs with a secret of the data folder's (derived from its master
/// key). The first call wins: one process serves one folder.
pub fn key_pseudonyms(key: [u8; 32]) {
    let _ = PSEUDONYM_KEY.set(key);
}

/// Eight hex digits standing for `bytes` in logs (a person id, a store key): the start of
/// their HMAC under the pseudonym key.
#[must_use]
pub fn pseudonym_of(bytes: &[u8]) -> String {
    let key = PSEUDONYM_KEY.get().copied().unwrap_or_default();
    crate::keyed::hex(&crate::keyed::hmac(&key, bytes)[..4])
}

/// One answer's stored value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum Value {
    Text(String),
    Choice(String),
    Choices(Vec<String>),
    Scale(i64),
    YesNo(bool),
    Principles(Vec<u8>),
    Date(Date),
    /// The id of the trial action this step created.
    TrialAction(String),
    Skipped,
}

/// One answer to one step of one run of a dialogue. Keyed by (person, run, step), so a
/// changed answer (after /back) replaces the old one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerRecord {
    pub schema: u32,
    pub person: PersonId,
    pub role: Role,
    pub group: Option<String>,
    pub run: String,
    pub dialogue: String,
    pub step: String,
    pub principles: Vec<u8>,
    pub value: Value,
    pub answered_at: Timestamp,
}

/// A dialogue run that reached its end: what the digest counts as a reflection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    pub schema: u32,
    pub person: PersonId,
    pub role: Role,
    pub group: Option<String>,
    pub run: String,
    pub dialogue: String,
    pub principles: Vec<u8>,
    pub started_at: Timestamp,
    pub completed_at: Timestamp,
}

/// Where a trial action stands in its plan-do-study-act cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrialState {
    Planned,
    Tried,
    Kept,
    Adjusted,
    Dropped,
    Done,
}

impl TrialState {
    /// Reads the state names used in dialogue files (see `dialogs::TRIAL_STATES`).
    #[must_use]
    pub fn from_name(name: &str) -> Option<TrialState> {
        Some(match name {
            "planned" => TrialState::Planned,
            "tried" => TrialState::Tried,
            "kept" => TrialState::Kept,
            "adjusted" => TrialState::Adjusted,
            "dropped" => TrialState::Dropped,
            "done" => TrialState::Done,
            _ => return None,
        })
    }

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            TrialState::Planned => "planned",
            TrialState::Tried => "tried",
            TrialState::Kept => "kept",
            TrialState::Adjusted => "adjusted",
            TrialState::Dropped => "dropped",
            TrialState::Done => "done",
        }
    }

    /// Still something to look back on.
    #[must_use]
    pub fn is_open(self) -> bool {
        matches!(self, TrialState::Planned | TrialState::Tried)
    }
}

/// A prøvehandling: a small change someone commits to try, then looks back on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrialAction {
    pub schema: u32,
    pub id: String,
    pub person: PersonId,
    pub role: Role,
    pub group: Option<String>,
    pub what: String,
    pub principles: Vec<u8>,
    pub due: Date,
    pub state: TrialState,
    /// The trial action this one adjusts, when it is a new version of an older one.
    pub replaces: Option<String>,
    /// How the person will know it worked, if they said.
    #[serde(default)]
    pub sign: Option<String>,
    /// Follow-up offers sent so far (the first at the due date, one more later).
    #[serde(default)]
    pub offers: u8,
    #[serde(default)]
    pub offered_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What the person is asked to choose outside a dialogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Pending {
    /// The dialogue menu is shown.
    Dialogue,
    /// /stop asked whether to keep what was answered.
    ConfirmStop,
    /// /language asked which language.
    Language,
    /// Which group the answers count for (asked once, for people in several groups);
    /// then the menu, or /try's trial action.
    Group {
        #[serde(default)]
        then_try: bool,
    },
    /// The consent text was shown: yes or no, then the dialogue (if one was chosen) begins,
    /// kept or not. Without a dialogue (/consent), no withdraws the consent.
    Consent {
        dialogue: Option<String>,
        follows: Option<Box<TrialAction>>,
    },
    /// /forget asked to confirm erasing everything.
    ConfirmForget,
    /// /leave asked to confirm leaving this group.
    ConfirmLeave { group: String },
    /// /remove asked to confirm removing member `number` of the facilitator's list, who
    /// joined at `joined_at`: if the list changed meanwhile, nothing is removed. No id is kept.
    ConfirmRemove {
        group: String,
        number: usize,
        joined_at: Timestamp,
    },
    /// A facilitator records what their group's learning meeting decided (/meeting).
    Meeting(Box<MeetingDraft>),
}

/// What a learning meeting decided so far, while the facilitator records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingDraft {
    pub group: String,
    /// Where the loop this meeting closes began: the last meeting, or the group's start.
    pub since: Timestamp,
    pub step: MeetingStep,
    /// New group trial actions.
    pub trials: Vec<GroupTrial>,
    /// The last meeting's group trial actions, with what became of each (as the meeting said).
    pub earlier: Vec<GroupTrial>,
    pub focus: Option<u8>,
    /// The citizens' ideas on the agenda, as the meeting may take them up.
    #[serde(default)]
    pub ideas: Vec<AgendaIdea>,
    /// The ideas taken up so far, with what the group will do.
    #[serde(default)]
    pub ideas_taken_up: Vec<TakenIdea>,
}

/// A citizen's idea as a learning meeting sees it: its words, and a token the caller made
/// from its answer with a key of the data folder. The facilitator's side never holds who
/// wrote it; only the caller can find the author again, to answer them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaIdea {
    pub token: String,
    pub text: String,
}

/// An idea a learning meeting took up: which one (its token) and what the group will do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TakenIdea {
    pub token: String,
    pub note: String,
}

/// Where in recording a meeting the facilitator is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "kebab-case")]
pub enum MeetingStep {
    /// What did the group decide? (the menu)
    Menu,
    TrialWhat,
    TrialPrinciples {
        what: String,
    },
    TrialWhen {
        what: String,
        principles: Vec<u8>,
    },
    Focus,
    /// What became of the last meeting's group trial action number `index`.
    FollowUp {
        index: usize,
    },
    /// Which of the agenda's ideas the group takes up.
    IdeaWhich,
    /// What the group will do with the agenda's idea number `index`.
    IdeaNote {
        index: usize,
    },
}

/// A trial action a group decided on together at a learning meeting: owned by the group,
/// followed up at the next meeting, shown in the digests meanwhile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupTrial {
    pub id: String,
    pub what: String,
    pub principles: Vec<u8>,
    pub due: Date,
    pub state: TrialState,
}

/// A learning meeting a group held: what it decided. Kept per group, read by its
/// facilitators (the next agenda), the digests (the focus, the group's trial actions) and
/// the evaluator export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub schema: u32,
    pub group: String,
    pub held_at: Timestamp,
    /// Where the loop it closed began: the meeting before, or the group's start.
    pub since: Timestamp,
    /// Group trial actions decided at this meeting.
    pub trials: Vec<GroupTrial>,
    /// The meeting before's group trial actions, as this meeting followed them up.
    pub followed_up: Vec<GroupTrial>,
    /// The principle the group chose to focus on until the next meeting.
    pub focus: Option<u8>,
    /// The citizens' ideas the meeting took up; each author is told what will be done.
    #[serde(default)]
    pub ideas_taken_up: Vec<TakenIdea>,
}

/// What a learning meeting will do with a citizen's idea, waiting to be told to the citizen
/// who gave it (found by the caller from the idea's token).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdeaNotice {
    pub schema: u32,
    pub person: PersonId,
    pub token: String,
    /// When the meeting that took it up was held.
    pub held_at: Timestamp,
    /// The idea, as it was shared.
    pub idea: String,
    pub note: String,
}

/// A meeting's decision waiting to be told to one staff member of its group (or to be
/// passed over, if they said no to such messages).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingNotice {
    pub schema: u32,
    pub person: PersonId,
    pub group: String,
    pub group_name: String,
    pub held_at: Timestamp,
    pub trials: Vec<GroupTrial>,
    pub focus: Option<u8>,
}

/// The consent a person gave: to which version of the consent text, and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub version: u32,
    pub at: Timestamp,
}

/// A trial action being written inside a `trial-action` step, part by part.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrialDraft {
    pub what: Option<String>,
    pub principles: Option<Vec<u8>>,
    #[serde(default)]
    pub due: Option<Date>,
}

/// A dialogue in progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveRun {
    pub run: String,
    pub dialogue: String,
    /// The step now asked.
    pub step: String,
    /// Steps answered so far, in order: for /back and for "3/7".
    pub path: Vec<String>,
    /// This run's answers, for branching.
    pub answers: BTreeMap<String, Value>,
    pub draft: Option<TrialDraft>,
    /// In a follow-up: the trial action looked back on.
    pub follows: Option<TrialAction>,
    /// The group this run's answers count for, fixed when it starts (a follow-up counts for
    /// the group of its trial action).
    #[serde(default)]
    pub group: Option<String>,
    pub started_at: Timestamp,
    /// False for a run tried without consent: none of it is stored, and its written words
    /// are not even kept in this state.
    #[serde(default = "kept")]
    pub kept: bool,
    /// The principles a person chose for a trial action made in this run, by its step: they
    /// count for the run as the principles chosen in a principles step do.
    #[serde(default)]
    pub trial_principles: BTreeMap<String, Vec<u8>>,
}

fn kept() -> bool {
    true
}

/// One person's conversation with the bot: everything needed to continue after a restart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    pub schema: u32,
    pub person: PersonId,
    pub lang: Lang,
    pub role: Role,
    pub group: Option<String>,
    /// Counts runs, for run ids and for picking from question banks.
    pub runs_started: u64,
    pub active: Option<ActiveRun>,
    pub pending: Option<Pending>,
    /// Numbers each question with buttons, so an old button can be told from a current one.
    pub prompt: u64,
    /// When each principle (1-8, index 0-7) was last reflected on: to suggest the one
    /// reflected on least lately.
    pub principle_last: [Option<Timestamp>; 8],
    pub last_seen: Timestamp,
    /// The groups this person belongs to, and in which role.
    #[serde(default)]
    pub memberships: Vec<Membership>,
    /// The first name the person allowed facilitators to see beside their trial actions.
    #[serde(default)]
    pub shown_name: Option<String>,
    /// A reminder to reflect, on chosen weekdays at a chosen time.
    #[serde(default)]
    pub reminder: Option<ReminderRule>,
    /// Wrong invite codes in a row, and until when /join is paused after too many.
    #[serde(default)]
    pub join_failures: u32,
    #[serde(default)]
    pub join_paused_until: Option<Timestamp>,
    #[serde(default)]
    pub join_failed_at: Option<Timestamp>,
    /// The consent to storing this person's answers, if given.
    #[serde(default)]
    pub consent: Option<Consent>,
    /// The person said no to messages about their group's learning meetings (/news off).
    #[serde(default)]
    pub no_meeting_news: bool,
}

impl Conversation {
    #[must_use]
    pub fn new(person: PersonId, lang: Lang, role: Role, now: Timestamp) -> Conversation {
        Conversation {
            schema: SCHEMA,
            person,
            lang,
            role,
            group: None,
            runs_started: 0,
            active: None,
            pending: None,
            prompt: 0,
            principle_last: [None; 8],
            last_seen: now,
            memberships: Vec::new(),
            shown_name: None,
            reminder: None,
            join_failures: 0,
            join_paused_until: None,
            join_failed_at: None,
            consent: None,
            no_meeting_news: false,
        }
    }
}

/// A person's role in one group. Facilitators run the group and reflect as staff.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupRole {
    Facilitator,
    Staff,
    Citizen,
}

impl GroupRole {
    /// The dialogues this role is offered.
    #[must_use]
    pub fn reflects_as(self) -> Role {
        match self {
            GroupRole::Facilitator | GroupRole::Staff => Role::Staff,
            GroupRole::Citizen => Role::Citizen,
        }
    }

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            GroupRole::Facilitator => "facilitator",
            GroupRole::Staff => "staff",
            GroupRole::Citizen => "citizen",
        }
    }
}

/// One group a person belongs to. The name is copied here so menus need no lookup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub group: String,
    pub name: String,
    pub role: GroupRole,
    pub joined_at: Timestamp,
    /// The principle the group chose to focus on at its latest learning meeting, as the
    /// meeting's news brought it: the principle dialogue offers it first.
    #[serde(default)]
    pub focus: Option<u8>,
}

/// A learning group: its name, and the two invite codes that let people join it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub schema: u32,
    pub id: String,
    pub name: String,
    pub created_by: PersonId,
    pub created_at: Timestamp,
    pub staff_code: String,
    pub citizen_code: String,
    /// When the two codes stop working, if they were given an expiry.
    pub codes_expire: Option<Timestamp>,
}

/// An invite code, stored under the code itself so /join finds it with one read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invite {
    pub schema: u32,
    pub code: String,
    pub group: String,
    /// The group's name, to greet the person who joins.
    pub name: String,
    pub role: GroupRole,
    pub expires: Option<Timestamp>,
}

/// One member of a group, stored by group so a facilitator's counts and the digest's
/// recipients come from one prefix read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub schema: u32,
    pub group: String,
    pub person: PersonId,
    pub role: GroupRole,
    pub joined_at: Timestamp,
}

/// A chat (a Telegram group, say) that receives a group's digest besides its facilitators,
/// linked there by a facilitator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestChat {
    pub schema: u32,
    pub group: String,
    /// The chat, as "platform-chat:id", so the outbox can address it like a person.
    pub chat: PersonId,
    pub lang: Lang,
    pub linked_by: PersonId,
    pub linked_at: Timestamp,
    /// The chat's title when it was linked, so a facilitator can tell their links apart.
    #[serde(default)]
    pub title: Option<String>,
}

/// A change a facilitator made to someone's membership, kept until that person's
/// conversation has taken it in (at once, or after a restart).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberNotice {
    pub schema: u32,
    pub person: PersonId,
    pub group: String,
    /// The new role; `None`: removed from the group.
    pub role: Option<GroupRole>,
}

/// A person's reflection reminder as the scheduler reads it: the rule, and the moment after
/// which the next reminder falls (when it was set, or when it last fired).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderState {
    pub schema: u32,
    pub person: PersonId,
    pub rule: ReminderRule,
    pub after: Timestamp,
}

/// When to remind a person to reflect: weekdays (bit 0 is Monday) at a local time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderRule {
    pub weekdays: u8,
    pub hour: i8,
    pub minute: i8,
}

/// A change the engine asks the store to make, together with the new conversation state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Write {
    Answer(AnswerRecord),
    /// A step's answer taken back with /back.
    RetractAnswer {
        run: String,
        step: String,
    },
    /// A stopped run whose answers the person chose not to keep.
    DiscardRun {
        run: String,
    },
    Completed(RunRecord),
    Trial(TrialAction),
    /// A follow-up's outcome: the person's trial action `id` is now in `state`, and was
    /// looked back on (which counts as its first offer).
    TrialState {
        id: String,
        state: TrialState,
        at: Timestamp,
    },
    DeleteTrial {
        id: String,
    },
    Group(Group),
    Invite(Invite),
    RevokeInvite {
        code: String,
    },
    Member(Member),
    /// The person left this group themselves.
    Leave {
        group: String,
    },
    /// A facilitator changed another member's role (`None`: removed them). The member record
    /// changes at once; the member's own conversation learns it from a notice kept for them
    /// (see [`MemberNotice`]).
    ChangeMember {
        group: String,
        person: PersonId,
        role: Option<GroupRole>,
    },
    /// The person's conversation took in the notice of a change to their membership.
    MemberNoticeSeen {
        group: String,
    },
    /// Sets (or with `None` removes) this person's reflection reminder.
    Reminder(Option<ReminderState>),
    DigestChat(DigestChat),
    UnlinkDigestChat {
        group: String,
        chat: PersonId,
    },
    /// A learning meeting's record; its decision waits for each of the group's staff.
    Meeting(Meeting),
    /// The person's conversation took in the notice of the meeting held at `held_at`.
    MeetingNoticeSeen {
        group: String,
        held_at: Timestamp,
    },
    /// A learning meeting took up a citizen's idea: the answer waits for its author.
    IdeaNotice(IdeaNotice),
    /// The person was told what the meeting held at `held_at` will do with their idea.
    IdeaNoticeSeen {
        token: String,
        held_at: Timestamp,
    },
    /// Erase everything stored about this person, for good (see `Records::forget`).
    Forget,
}
