//! The dialogue engine: sans-I/O. Given the dialogues, one person's conversation, an incoming
//! event and `now`, it returns the new conversation, the replies to send and the records to
//! store. It reads no clock, touches no disk and knows no chat platform.

mod answers;
mod commands;
mod messages;
pub mod parse;
mod questions;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::dialogs::{AnswerKind, Catalog, Dialogue, Step};
use crate::i18n::{Args, I18nError, Locales};
use crate::records::{ActiveRun, Conversation, Pending, TrialAction, Write};

pub use messages::{check_messages, MESSAGES};

/// What the engine needs besides the dialogues: time zone and how long a dialogue may rest.
#[derive(Clone, Debug)]
pub struct Settings {
    pub time_zone: TimeZone,
    /// A dialogue left longer than this is closed kindly at the next message.
    pub idle_close: SignedDuration,
}

impl Settings {
    /// Europe/Copenhagen and three days. The time zone database is compiled in.
    pub fn standard() -> Result<Settings, EngineError> {
        let time_zone = TimeZone::get("Europe/Copenhagen")
            .map_err(|err| EngineError::TimeZone(err.to_string()))?;
        Ok(Settings {
            time_zone,
            idle_close: SignedDuration::from_hours(72),
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
}

/// One button under a reply. `reply` is what the engine reads when it is pressed, the same
/// text a person could type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplyChoice {
    pub label: String,
    pub reply: String,
}

/// One message to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub text: String,
    pub choices: Vec<ReplyChoice>,
    /// The question number the buttons belong to.
    pub prompt: Option<u64>,
}

/// What the person has stored that the engine may need to show: their trial actions.
#[derive(Clone, Copy, Debug, Default)]
pub struct Context<'a> {
    pub trials: &'a [TrialAction],
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

/// The names of the two commands that read the person's trial actions.
const TRIALS_COMMAND: &[&str] = &["trials", "proevehandlinger", "prøvehandlinger"];
const FOLLOW_UP_COMMAND: &[&str] = &["followup", "opfølgning", "opfoelgning"];

/// Reads `/name rest` from text already cleaned by `parse::clean_text`: the lowercased name
/// without a Telegram `@bot` suffix, and the rest trimmed. `None` when it is not a command.
fn parse_command(text: &str) -> Option<(String, &str)> {
    let command = text.strip_prefix('/')?;
    let (name, arg) = command
        .split_once(char::is_whitespace)
        .unwrap_or((command, ""));
    let name = name.split('@').next().unwrap_or_default().to_lowercase();
    Some((name, arg.trim()))
}

const SKIP_WORDS: &[&str] = &["spring over", "skip", "-", "videre", "next", "pas", "pass"];
/// A trial action's "what" is kept short enough to read in a digest line.
const TRIAL_WHAT_MAX: usize = 500;

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
        turn.handle(body)?;
        Ok(Outcome {
            conversation: turn.conv,
            replies: turn.replies,
            writes: turn.writes,
        })
    }

    /// True when handling `body` reads the person's trial actions (`/trials`, `/followup`):
    /// the caller loads them only then, so a step's cost does not grow with history.
    #[must_use]
    pub fn needs_trials(body: &Body) -> bool {
        let text = match body {
            Body::Text(text) => text,
            Body::Button { reply, .. } => reply,
            Body::Opened | Body::Unsupported => return false,
        };
        // Most events are answers, not commands: skip cleaning them twice.
        if !text.contains('/') {
            return false;
        }
        parse_command(&parse::clean_text(text)).is_some_and(|(name, _)| {
            TRIALS_COMMAND.contains(&name.as_str()) || FOLLOW_UP_COMMAND.contains(&name.as_str())
        })
    }

    fn today(&self, now: Timestamp) -> Date {
        now.to_zoned(self.settings.time_zone.clone()).date()
    }
}

impl Turn<'_, '_> {
    fn text(&self, id: &str, args: &Args<'_>) -> Result<String, EngineError> {
        Ok(self.engine.locales.format(self.conv.lang, id, args)?)
    }

    fn say(&mut self, id: &str, args: &Args<'_>) -> Result<(), EngineError> {
        let text = self.text(id, args)?;
        self.replies.push(Reply {
            text,
            choices: Vec::new(),
            prompt: None,
        });
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
        });
    }

    fn dialogue(&self) -> Option<&Dialogue> {
        let run = self.conv.active.as_ref()?;
        self.engine.catalog.get(&run.dialogue)
    }

    fn handle(&mut self, body: Body) -> Result<(), EngineError> {
        let idle = self.now.duration_since(self.conv.last_seen);
        // Opening the chat is not an answer: it does not keep a run alive.
        if body != Body::Opened {
            self.conv.last_seen = self.now;
        }
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
            Body::Button { prompt, reply } => {
                if prompt != self.conv.prompt {
                    return self.say("old-button", &[]);
                }
                self.handle_text(&reply)
            }
            Body::Text(text) => self.handle_text(&text),
        }
    }

    fn handle_text(&mut self, raw: &str) -> Result<(), EngineError> {
        let text = parse::clean_text(raw);
        if let Some((name, arg)) = parse_command(&text) {
            return self.command(&name, arg);
        }
        match self.conv.pending.clone() {
            Some(Pending::Dialogue) => self.choose_dialogue(&text),
            Some(Pending::ConfirmStop) => self.confirm_stop(&text),
            Some(Pending::Language) => self.choose_language(&text),
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
}

/// The part of `step` being asked, given how far its trial-action draft has come.
fn part_of(step: &Step, run: &ActiveRun) -> Part {
    match (&step.answer, &run.draft) {
        (AnswerKind::TrialAction, Some(draft)) if draft.principles.is_some() => Part::Date,
        (AnswerKind::TrialAction, Some(_)) => Part::Principles,
        (AnswerKind::TrialAction, None) => Part::TrialWhat,
        _ => Part::Whole,
    }
}

#[cfg(test)]
mod tests;
