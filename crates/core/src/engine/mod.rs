//! The dialogue engine: sans-I/O. Given the dialogues, one person's conversation, an incoming
//! event and `now`, it returns the new conversation, the replies to send and the records to
//! store. It reads no clock, touches no disk and knows no chat platform.

mod answers;
pub mod codes;
mod commands;
mod due;
mod groups;
mod meeting;
mod members;
mod messages;
pub mod parse;
mod privacy;
mod questions;
pub mod redact;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::command::{split_command, Command};
use crate::dialogs::{AnswerKind, Catalog, Dialogue, Step};
use crate::i18n::{Args, I18nError, Locales};
use crate::records::{
    ActiveRun, Conversation, DigestChat, Group, GroupRole, Invite, Member, Membership, Pending,
    PersonId, TrialAction, Write,
};

pub use messages::{check_messages, MESSAGES};
pub use privacy::{PersonData, CONSENT_VERSION};

/// What the engine needs besides the dialogues.
#[derive(Clone, Debug)]
pub struct Settings {
    pub time_zone: TimeZone,
    /// A dialogue left longer than this is closed kindly at the next message.
    pub idle_close: SignedDuration,
    /// Who may create groups besides facilitators: the administrators and facilitators
    /// named in the configuration.
    pub creators: Vec<PersonId>,
    /// How long new invite codes work, unless /newcodes says otherwise (30 days unless the
    /// configuration says otherwise); `None`: until replaced.
    pub invite_days: Option<u32>,
    /// Days between the first and the last follow-up offer; after that a trial is overdue.
    pub retry_days: u32,
    /// Citizen figures appear in a digest only when at least this many citizens answered.
    pub citizen_floor: usize,
    /// Answers older than this many months are deleted (and the consent text says so).
    pub retention_months: u32,
    /// Whether the chat channels apply the per-person flood limit (`crate::flood`) as
    /// messages arrive: on for chat channels,
    /// off for the local terminal (a script may be piped in) and for benchmarks.
    pub flood_limit: bool,
}

impl Settings {
    /// Europe/Copenhagen and three days. The time zone database is compiled in.
    pub fn standard() -> Result<Settings, EngineError> {
        let time_zone = TimeZone::get("Europe/Copenhagen")
            .map_err(|err| EngineError::TimeZone(err.to_string()))?;
        Ok(Settings {
            time_zone,
            idle_close: SignedDuration::from_hours(72),
            creators: Vec::new(),
            invite_days: Some(30),
            retry_days: 3,
            citizen_floor: 3,
            retention_months: 18,
            flood_limit: true,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Message(#[from] I18nError),
    #[error("time zone: {0}")]
    TimeZone(String),
}

/// An event from a person, already stripped of its platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// The person opened the chat (terminal start): greet or resume, store nothing.
    Opened,
    Text(String),
    /// A button pressed on question number `prompt`, carrying what typing would have meant.
    Button {
        prompt: u64,
        reply: String,
    },
    /// A photo, sticker, voice message or anything else that is not text.
    Unsupported,
    /// The person edited a message they sent earlier: the first version stands.
    Edited,
    /// Something the scheduler brings up: not a message from the person.
    Due(Due),
}

/// What the scheduler brings up for a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Due {
    /// A trial action's planned date has come: offer to look back on it.
    FollowUp { trial: String },
    /// The person's reflection reminder.
    Reminder,
    /// A facilitator changed the person's role in a group (`None`: removed them).
    Membership {
        group: String,
        role: Option<GroupRole>,
    },
    /// The person's group held a learning meeting (at `held_at`) and decided this.
    Meeting {
        group: String,
        group_name: String,
        held_at: Timestamp,
        trials: Vec<crate::records::GroupTrial>,
        focus: Option<u8>,
    },
    /// A learning meeting took up the idea `token` the person shared: tell them what will
    /// be done.
    IdeaTakenUp {
        token: String,
        held_at: Timestamp,
        idea: String,
        note: String,
    },
}

/// One button under a reply. `reply` is what the engine reads when it is pressed, the same
/// text a person could type.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReplyChoice {
    pub label: String,
    pub reply: String,
    /// A shorter label for a button, when `label` is a sentence (a principle as *Borgeren ved
    /// roret* writes it): a channel with buttons shows this on the button and lists the
    /// labels in the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub button: Option<String>,
}

/// One message to send.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reply {
    pub text: String,
    pub choices: Vec<ReplyChoice>,
    /// The question number the buttons belong to.
    pub prompt: Option<u64>,
    /// A file to send with the message, where the channel can send files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<Attachment>,
    /// A picture to show after the message (the digest's), where the channel can; a reply
    /// with a picture may have no text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<Picture>,
}

/// A PNG picture with its words: the caption, and what a screen reader reads.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Picture {
    pub name: String,
    /// Base64 in the outbox's JSON, not an array of numbers.
    #[serde(with = "base64_bytes")]
    pub png: Vec<u8>,
    pub alt: String,
}

mod base64_bytes {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;
    use serde::{Deserialize as _, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], to: S) -> Result<S::Ok, S::Error> {
        to.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(from: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(from)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

/// A file for the person: the JSON copy of their data from /mydata.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Attachment {
    pub name: String,
    pub content: String,
}

impl Reply {
    /// A message without buttons.
    #[must_use]
    pub fn plain(text: String) -> Reply {
        Reply {
            text,
            choices: Vec::new(),
            prompt: None,
            file: None,
            picture: None,
        }
    }
}

/// What the engine may need beyond the conversation, loaded by the caller only when
/// [`Engine::needs`] asks for it, so an ordinary answer costs no extra reads.
#[derive(Clone, Copy, Debug, Default)]
pub struct Context<'a> {
    /// The person's trial actions.
    pub trials: &'a [TrialAction],
    /// The invite stored under the code given to /join, if any.
    pub invite: Option<&'a Invite>,
    /// The group a facilitator command acts on.
    pub group: Option<&'a GroupView>,
    /// Fresh random bytes (at least [`codes::ENTROPY_BYTES`]) for new groups and codes.
    pub entropy: &'a [u8],
    /// The digest of the group so far this week, as messages in the person's language.
    pub digest: Option<&'a str>,
    /// Everything stored about the person, for /mydata.
    pub mydata: Option<&'a PersonData>,
    /// The facilitator's group's learning meeting: its agenda, for /meeting.
    pub meeting: Option<&'a MeetingView>,
}

/// One group as a facilitator command sees it.
#[derive(Clone, Debug)]
pub struct GroupView {
    pub group: Group,
    pub members: Vec<Member>,
    /// The group's trial actions still planned or tried.
    pub open_trials: Vec<TrialAction>,
    /// The first names staff members allowed facilitators to see, by person.
    pub names: std::collections::BTreeMap<PersonId, String>,
    /// The chats linked to receive the group's digest.
    pub links: Vec<DigestChat>,
}

/// What handling an event will read besides the conversation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    pub trials: bool,
    /// The invite code to look up, normalised.
    pub invite: Option<String>,
    /// The group to load, by id.
    pub group: Option<String>,
    /// The digest of that group, this week so far.
    pub digest: bool,
    pub entropy: bool,
    /// Everything stored about the person (/mydata).
    pub mydata: bool,
    /// The agenda of that group's learning meeting (/meeting).
    pub meeting: bool,
}

/// What a facilitator's /meeting starts from, loaded and worded by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingView {
    /// The agenda of the loop since the last meeting, in the facilitator's language.
    pub agenda: String,
    /// Where that loop began: the last meeting, or the group's start.
    pub since: Timestamp,
    /// The last meeting's group trial actions, to follow up.
    pub open: Vec<crate::records::GroupTrial>,
    /// The citizens' ideas on the agenda, numbered as there, by token: never by author.
    pub ideas: Vec<crate::records::AgendaIdea>,
}

#[derive(Clone, Debug)]
pub struct Outcome {
    pub conversation: Conversation,
    pub replies: Vec<Reply>,
    pub writes: Vec<Write>,
}

/// The engine over one set of dialogues and locales.
#[derive(Clone, Copy, Debug)]
pub struct Engine<'a> {
    catalog: &'a Catalog,
    locales: &'a Locales,
    settings: &'a Settings,
}

const SKIP_WORDS: &[&str] = &["spring over", "skip", "-", "videre", "next", "pas", "pass"];
/// A trial action's "what" is kept short enough to read in a digest line.
const TRIAL_WHAT_MAX: usize = 500;
/// Open trial actions a person may have; a new one waits until one is looked back on.
/// Bounds what one person can make the store, the reminders and the digests carry.
pub const MAX_OPEN_TRIALS: usize = 20;
/// "How will we know it worked" is a sentence or two.
const TRIAL_SIGN_MAX: usize = 500;

/// Work on one event: the conversation being changed, replies and writes collected.
struct Turn<'e, 'a> {
    engine: &'e Engine<'a>,
    conv: Conversation,
    ctx: Context<'e>,
    now: Timestamp,
    replies: Vec<Reply>,
    writes: Vec<Write>,
}

impl<'a> Engine<'a> {
    #[must_use]
    pub fn new(catalog: &'a Catalog, locales: &'a Locales, settings: &'a Settings) -> Engine<'a> {
        Engine {
            catalog,
            locales,
            settings,
        }
    }

    /// Handles one event. Never panics on any input; an error means a message failed to
    /// format, which start-up checks rule out.
    pub fn handle(
        &self,
        conversation: Conversation,
        body: Body,
        ctx: Context<'_>,
        now: Timestamp,
    ) -> Result<Outcome, EngineError> {
        let mut turn = Turn {
            engine: self,
            conv: conversation,
            ctx,
            now,
            replies: Vec::new(),
            writes: Vec::new(),
        };
        let before = turn.conv.active.clone();
        turn.handle(body)?;
        privacy::drop_unkept(before.as_ref(), &mut turn.conv, &mut turn.writes);
        Ok(Outcome {
            conversation: turn.conv,
            replies: turn.replies,
            writes: turn.writes,
        })
    }

    /// True when the next answer is the "what" of a new trial action.
    fn begins_trial_action(&self, conversation: &Conversation) -> bool {
        let Some(run) = conversation.active.as_ref() else {
            return false;
        };
        run.draft.is_none()
            && self.catalog.get(&run.dialogue).is_some_and(|dialogue| {
                dialogue.steps.iter().any(|step| {
                    step.id == run.step && matches!(step.answer, AnswerKind::TrialAction)
                })
            })
    }

    /// What handling `body` for `conversation` reads besides the conversation: the caller
    /// loads only that, so a step's cost does not grow with history.
    #[must_use]
    pub fn needs(&self, conversation: &Conversation, body: &Body) -> Needs {
        let text = match body {
            Body::Text(text) => text,
            Body::Button { reply, .. } => reply,
            Body::Due(Due::FollowUp { .. }) => {
                return Needs {
                    trials: true,
                    ..Needs::default()
                }
            }
            Body::Opened
            | Body::Unsupported
            | Body::Edited
            | Body::Due(
                Due::Reminder
                | Due::Membership { .. }
                | Due::Meeting { .. }
                | Due::IdeaTakenUp { .. },
            ) => return Needs::default(),
        };
        let group = |group: Option<&str>| Needs {
            group: group.map(str::to_owned),
            ..Needs::default()
        };
        // The answer to "leave?" or "remove?" is checked against the group as it is then.
        let confirming = match &conversation.pending {
            Some(Pending::ConfirmLeave { group } | Pending::ConfirmRemove { group, .. }) => {
                Some(group.as_str())
            }
            _ => None,
        };
        // Most events are answers, not commands: skip cleaning them twice.
        if !text.contains('/') {
            return Needs {
                // A new trial action is counted against the open ones first.
                trials: self.begins_trial_action(conversation),
                ..group(confirming)
            };
        }
        let cleaned = parse::clean_text(text);
        let Some((name, arg)) = split_command(&cleaned) else {
            return group(confirming);
        };
        let facilitated = self
            .facilitated_group(conversation)
            .map(|m| m.group.as_str());
        match Command::named(&name) {
            Some(Command::Trials) => Needs {
                trials: true,
                ..group(facilitated)
            },
            Some(Command::FollowUp) => Needs {
                trials: true,
                ..Needs::default()
            },
            Some(Command::Join) => Needs {
                invite: codes::normalize_code(arg),
                ..Needs::default()
            },
            Some(Command::NewGroup) => Needs {
                entropy: true,
                ..Needs::default()
            },
            Some(Command::NewCodes) => Needs {
                entropy: true,
                ..group(facilitated)
            },
            Some(
                Command::Members
                | Command::Remove
                | Command::Facilitator
                | Command::LinkDigest
                | Command::UnlinkDigest,
            ) => group(facilitated),
            Some(Command::Leave) => {
                group(members::leaving(conversation, arg).map(|m| m.group.as_str()))
            }
            Some(Command::Digest) => Needs {
                digest: true,
                ..group(facilitated)
            },
            Some(Command::Meeting) => Needs {
                meeting: true,
                ..group(facilitated)
            },
            Some(Command::MyData) => Needs {
                mydata: true,
                ..Needs::default()
            },
            _ => Needs::default(),
        }
    }

    /// The group a facilitator command of this person acts on, if any: the chosen group if
    /// they may run it, else the only group they may run. Facilitators run their groups;
    /// administrators run every group they are in, so they can hand one over.
    #[must_use]
    pub fn facilitated_group<'c>(
        &self,
        conversation: &'c Conversation,
    ) -> Option<&'c crate::records::Membership> {
        let admin = self.settings.creators.contains(&conversation.person);
        let runs: Vec<&Membership> = conversation
            .memberships
            .iter()
            .filter(|m| admin || m.role == GroupRole::Facilitator)
            .collect();
        let chosen = conversation.group.as_deref();
        runs.iter()
            .find(|m| Some(m.group.as_str()) == chosen)
            .or(if runs.len() == 1 { runs.first() } else { None })
            .copied()
    }

    /// The local calendar date of `at`.
    fn local_date(&self, at: Timestamp) -> Date {
        at.to_zoned(self.settings.time_zone.clone()).date()
    }

    fn today(&self, now: Timestamp) -> Date {
        self.local_date(now)
    }
}

impl Turn<'_, '_> {
    fn text(&self, id: &str, args: &Args<'_>) -> Result<String, EngineError> {
        Ok(self.engine.locales.format(self.conv.lang, id, args)?)
    }

    fn say(&mut self, id: &str, args: &Args<'_>) -> Result<(), EngineError> {
        let text = self.text(id, args)?;
        self.replies.push(Reply::plain(text));
        Ok(())
    }

    /// Sends a question, with or without buttons. Every question gets a new number, so a
    /// button of an earlier question never counts as an answer to a later one.
    fn ask(&mut self, text: String, choices: Vec<ReplyChoice>) {
        self.conv.prompt += 1;
        let prompt = (!choices.is_empty()).then_some(self.conv.prompt);
        self.replies.push(Reply {
            text,
            choices,
            prompt,
            file: None,
            picture: None,
        });
    }

    fn dialogue(&self) -> Option<&Dialogue> {
        let run = self.conv.active.as_ref()?;
        self.engine.catalog.get(&run.dialogue)
    }

    fn handle(&mut self, body: Body) -> Result<(), EngineError> {
        if let Body::Due(due) = body {
            // Not the person's own doing: it neither keeps a dialogue alive nor closes one.
            return self.due(due);
        }
        let idle = self.now.duration_since(self.conv.last_seen);
        // Opening the chat is not an answer: it does not keep a run alive.
        if body != Body::Opened {
            self.conv.last_seen = self.now;
        }
        self.sync_group();
        if self.conv.active.is_some() && self.dialogue().is_none() {
            // The dialogue file was removed since this run began.
            self.conv.active = None;
            self.say("dialogue-gone", &[])?;
            return self.show_menu();
        }
        let expired = idle > self.engine.settings.idle_close && self.conv.active.is_some();
        if expired {
            self.conv.active = None;
            self.conv.pending = None;
            self.say("dialogue-expired", &[])?;
            // A command still does what it says; anything else gets the menu.
            let command = matches!(&body, Body::Text(t) if parse::clean_text(t).starts_with('/'));
            if !command {
                return self.show_menu();
            }
        }
        match body {
            Body::Opened => self.greet(),
            Body::Unsupported => {
                self.say("unsupported", &[])?;
                self.repeat_prompt()
            }
            Body::Edited => {
                self.say("edited", &[])?;
                self.repeat_prompt()
            }
            Body::Button { prompt, reply } => {
                if prompt != self.conv.prompt {
                    return self.say("old-button", &[]);
                }
                self.handle_text(&reply)
            }
            Body::Text(text) => self.handle_text(&text),
            Body::Due(due) => self.due(due),
        }
    }

    fn handle_text(&mut self, raw: &str) -> Result<(), EngineError> {
        let text = parse::clean_text(raw);
        if let Some((name, arg)) = split_command(&text) {
            return match Command::named(&name) {
                Some(command) => self.command(command, arg),
                None => {
                    self.say("unknown-command", &[])?;
                    self.repeat_prompt()
                }
            };
        }
        match self.conv.pending.clone() {
            Some(Pending::Dialogue) => self.choose_dialogue(&text),
            Some(Pending::ConfirmStop) => self.confirm_stop(&text),
            Some(Pending::Language) => self.choose_language(&text),
            Some(Pending::Group { then_try }) => self.choose_group(&text, then_try),
            Some(Pending::Consent { dialogue, follows }) => {
                self.choose_consent(&text, dialogue, follows)
            }
            Some(Pending::ConfirmForget) => self.confirm_forget(&text),
            Some(Pending::ConfirmLeave { group }) => self.confirm_leave(&text, &group),
            Some(Pending::ConfirmRemove {
                group,
                number,
                joined_at,
            }) => self.confirm_remove(&text, &group, number, joined_at),
            Some(Pending::Meeting(draft)) => self.meeting_answer(&text, *draft),
            None if self.conv.active.is_some() => self.answer(&text),
            None => {
                self.say("no-dialogue", &[])?;
                self.show_menu()
            }
        }
    }

    fn greet(&mut self) -> Result<(), EngineError> {
        if self.conv.active.is_some() {
            self.say("welcome-back", &[])?;
        } else {
            self.say("welcome", &[])?;
        }
        self.repeat_prompt()
    }

    /// Shows again whatever the person is being asked: a question, a menu or a confirmation.
    fn repeat_prompt(&mut self) -> Result<(), EngineError> {
        match self.conv.pending {
            Some(Pending::Dialogue) => self.show_menu(),
            Some(Pending::ConfirmStop) => self.ask_confirm_stop(),
            Some(Pending::Language) => self.ask_language(),
            Some(Pending::Group { .. }) => self.ask_group(),
            Some(Pending::Consent { .. }) => self.ask_consent(),
            Some(Pending::ConfirmForget) => self.ask_forget(),
            Some(Pending::ConfirmLeave { .. } | Pending::ConfirmRemove { .. }) => {
                self.ask_member_change()
            }
            Some(Pending::Meeting(_)) => self.ask_meeting(),
            None if self.conv.active.is_some() => self.ask_current(),
            None => self.show_menu(),
        }
    }
}

/// Which part of a step is being asked (a trial-action step has three).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    /// The step as a whole (any step but a trial action).
    Whole,
    TrialWhat,
    Principles,
    Date,
    /// How the person will know it worked: optional.
    Sign,
}

/// The part of `step` being asked, given how far its trial-action draft has come.
fn part_of(step: &Step, run: &ActiveRun) -> Part {
    match (&step.answer, &run.draft) {
        (AnswerKind::TrialAction, Some(draft)) if draft.due.is_some() => Part::Sign,
        (AnswerKind::TrialAction, Some(draft)) if draft.principles.is_some() => Part::Date,
        (AnswerKind::TrialAction, Some(_)) => Part::Principles,
        (AnswerKind::TrialAction, None) => Part::TrialWhat,
        _ => Part::Whole,
    }
}

#[cfg(test)]
mod group_tests;
#[cfg(test)]
mod tests;
