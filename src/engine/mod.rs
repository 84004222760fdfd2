//! The dialogue engine: sans-I/O. Given the dialogues, one person's conversation, an incoming
//! event and `now`, it returns the new conversation, the replies to send and the records to
//! store. It reads no clock, touches no disk and knows no chat platform.

mod messages;
pub mod parse;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};

use crate::dialogs::{AnswerKind, Catalog, Condition, Dialogue, Purpose, Role, Step, Target};
use crate::i18n::{Args, I18nError, Lang, Locales};
use crate::records::{
    ActiveRun, AnswerRecord, Conversation, Pending, RunRecord, TrialAction, TrialDraft, TrialState,
    Value, Write, SCHEMA,
};

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

/// Commands that show or start from the person's trial actions.
const TRIAL_COMMANDS: &[&str] = &[
    "trials",
    "proevehandlinger",
    "prøvehandlinger",
    "followup",
    "opfølgning",
    "opfoelgning",
];
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
        let Some(command) = text.trim_start().strip_prefix('/') else {
            return false;
        };
        let name = command
            .split(|c: char| c.is_whitespace() || c == '@')
            .next()
            .unwrap_or_default()
            .to_lowercase();
        TRIAL_COMMANDS.contains(&name.as_str())
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

    /// Sends a message with buttons, numbering it so an old button can be recognised.
    fn ask(&mut self, text: String, choices: Vec<ReplyChoice>) {
        let prompt = if choices.is_empty() {
            None
        } else {
            self.conv.prompt += 1;
            Some(self.conv.prompt)
        };
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
        self.conv.last_seen = self.now;
        if self.conv.active.is_some() && self.dialogue().is_none() {
            // The dialogue file was removed since this run began.
            self.conv.active = None;
            self.say("dialogue-gone", &[])?;
            return self.show_menu();
        }
        let expired = idle > self.engine.settings.idle_close
            && (self.conv.active.is_some() || self.conv.pending.is_some());
        if expired && body != Body::Opened {
            self.conv.active = None;
            self.conv.pending = None;
            self.say("dialogue-expired", &[])?;
            if !matches!(&body, Body::Text(t) if t.trim_start().starts_with('/')) {
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
                self.text_in(&reply)
            }
            Body::Text(text) => self.text_in(&text),
        }
    }

    fn text_in(&mut self, raw: &str) -> Result<(), EngineError> {
        let text = parse::clean_text(raw);
        if let Some(command) = text.strip_prefix('/') {
            return self.command(command);
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

    fn command(&mut self, command: &str) -> Result<(), EngineError> {
        let (name, arg) = command
            .split_once(char::is_whitespace)
            .unwrap_or((command, ""));
        // Telegram appends the bot's name in groups: /help@eftertanke_bot.
        let name = name.split('@').next().unwrap_or_default().to_lowercase();
        let arg = arg.trim();
        match name.as_str() {
            "start" => {
                self.conv.pending = None;
                self.greet()
            }
            "help" | "hjælp" | "hjaelp" => {
                self.say("help", &[])?;
                if self.conv.active.is_some() && self.conv.pending.is_none() {
                    self.ask_current()?;
                }
                Ok(())
            }
            "reflect" | "refleksion" | "reflekter" => self.reflect(arg),
            "stop" => self.stop(),
            "back" | "tilbage" => self.back(),
            "language" | "sprog" => self.language(arg),
            "trials" | "proevehandlinger" | "prøvehandlinger" => self.list_trials(),
            "followup" | "opfølgning" | "opfoelgning" => self.follow_up(arg),
            // Keep TRIAL_COMMANDS in step with the two arms above.
            _ => {
                self.say("unknown-command", &[])?;
                self.repeat_prompt()
            }
        }
    }

    fn reflect(&mut self, arg: &str) -> Result<(), EngineError> {
        if self.conv.active.is_some() {
            self.conv.pending = None;
            self.say("reflect-busy", &[])?;
            return self.ask_current();
        }
        if !arg.is_empty() {
            if let Some(id) = self.menu_pick(arg)? {
                return self.start(&id, None);
            }
        }
        self.show_menu()
    }

    fn menu_titles(&self) -> Result<Vec<(String, String)>, EngineError> {
        self.engine
            .catalog
            .menu(self.conv.role)
            .map(|d| Ok((d.id.clone(), self.text(&d.title, &[])?)))
            .collect()
    }

    fn menu_pick(&self, text: &str) -> Result<Option<String>, EngineError> {
        let menu = self.menu_titles()?;
        let titles: Vec<String> = menu.iter().map(|(_, title)| title.clone()).collect();
        let by_title = parse::parse_choice(text, &titles).map(|i| menu[i].0.clone());
        Ok(by_title.or_else(|| {
            let id = parse::normalize(text);
            menu.iter().find(|(d, _)| *d == id).map(|(d, _)| d.clone())
        }))
    }

    fn show_menu(&mut self) -> Result<(), EngineError> {
        self.conv.pending = Some(Pending::Dialogue);
        let menu = self.menu_titles()?;
        let text = self.text("menu", &[])?;
        let choices = menu
            .into_iter()
            .enumerate()
            .map(|(i, (_, title))| ReplyChoice {
                label: title,
                reply: (i + 1).to_string(),
            })
            .collect();
        self.ask(text, choices);
        Ok(())
    }

    fn choose_dialogue(&mut self, text: &str) -> Result<(), EngineError> {
        match self.menu_pick(text)? {
            Some(id) => {
                self.conv.pending = None;
                self.start(&id, None)
            }
            None => {
                let count = self.menu_titles()?.len();
                self.say("reask-menu", &[("count", count.into())])?;
                self.show_menu()
            }
        }
    }

    /// Begins a run of dialogue `id`; `follows` is the trial action a follow-up looks back on.
    fn start(&mut self, id: &str, follows: Option<TrialAction>) -> Result<(), EngineError> {
        let Some(dialogue) = self.engine.catalog.get(id) else {
            return self.show_menu();
        };
        let (first, intro) = (dialogue.steps[0].id.clone(), dialogue.intro.clone());
        self.conv.runs_started += 1;
        self.conv.pending = None;
        self.conv.active = Some(ActiveRun {
            run: format!("r{:06}", self.conv.runs_started),
            dialogue: id.to_owned(),
            step: first,
            path: Vec::new(),
            answers: Default::default(),
            draft: None,
            follows: follows.clone(),
            started_at: self.now,
        });
        if let Some(intro) = intro {
            let what = follows.map(|t| t.what).unwrap_or_default();
            self.say(&intro, &[("trial", what.into())])?;
        }
        self.ask_current()
    }

    fn stop(&mut self) -> Result<(), EngineError> {
        if self.conv.active.is_none() {
            self.conv.pending = None;
            return self.say("stop-nothing", &[]);
        }
        self.conv.pending = Some(Pending::ConfirmStop);
        self.ask_confirm_stop()
    }

    fn ask_confirm_stop(&mut self) -> Result<(), EngineError> {
        let text = self.text("stop-confirm", &[])?;
        let choices = ["stop-keep", "stop-discard", "stop-continue"]
            .iter()
            .enumerate()
            .map(|(i, id)| {
                Ok(ReplyChoice {
                    label: self.text(id, &[])?,
                    reply: (i + 1).to_string(),
                })
            })
            .collect::<Result<_, EngineError>>()?;
        self.ask(text, choices);
        Ok(())
    }

    fn confirm_stop(&mut self, text: &str) -> Result<(), EngineError> {
        let labels = ["stop-keep", "stop-discard", "stop-continue"]
            .iter()
            .map(|id| self.text(id, &[]))
            .collect::<Result<Vec<_>, _>>()?;
        match parse::parse_choice(text, &labels) {
            Some(0) => {
                self.conv.pending = None;
                self.conv.active = None;
                self.say("stopped-kept", &[])
            }
            Some(1) => {
                self.conv.pending = None;
                if let Some(run) = self.conv.active.take() {
                    self.writes.push(Write::DiscardRun { run: run.run });
                }
                self.say("stopped-discarded", &[])
            }
            Some(_) => {
                self.conv.pending = None;
                self.ask_current()
            }
            None => {
                self.say("reask-choice", &[("count", 3.into())])?;
                self.ask_confirm_stop()
            }
        }
    }

    fn back(&mut self) -> Result<(), EngineError> {
        self.conv.pending = None;
        let Some(run) = self.conv.active.as_mut() else {
            return self.say("back-nothing", &[]);
        };
        if let Some(draft) = run.draft.take() {
            // Inside a trial action: step back one part of it. Citizens are not asked for
            // principles, so for them the part before "when" is "what".
            let staff = self.conv.role == Role::Staff;
            if draft.principles.is_some() && staff {
                run.draft = Some(TrialDraft {
                    what: draft.what,
                    principles: None,
                });
            }
            self.say("back-done", &[])?;
            return self.ask_current();
        }
        let Some(previous) = run.path.pop() else {
            self.say("back-at-start", &[])?;
            return self.ask_current();
        };
        let old = run.answers.remove(&previous);
        run.step = previous.clone();
        let run_id = run.run.clone();
        if let Some(Value::TrialAction(id)) = old {
            self.writes.push(Write::DeleteTrial { id });
        }
        self.writes.push(Write::RetractAnswer {
            run: run_id,
            step: previous,
        });
        self.say("back-done", &[])?;
        self.ask_current()
    }

    fn language(&mut self, arg: &str) -> Result<(), EngineError> {
        match Lang::parse(arg) {
            Some(lang) => self.set_language(lang),
            None => {
                self.conv.pending = Some(Pending::Language);
                self.ask_language()
            }
        }
    }

    fn ask_language(&mut self) -> Result<(), EngineError> {
        let text = self.text("language-ask", &[])?;
        let choices = Lang::ALL
            .iter()
            .map(|lang| {
                Ok(ReplyChoice {
                    label: self.engine.locales.format(*lang, "language-name", &[])?,
                    reply: lang.code().to_owned(),
                })
            })
            .collect::<Result<_, EngineError>>()?;
        self.ask(text, choices);
        Ok(())
    }

    fn choose_language(&mut self, text: &str) -> Result<(), EngineError> {
        let by_number = parse::parse_number(text)
            .and_then(|n| usize::try_from(n - 1).ok())
            .and_then(|i| Lang::ALL.get(i).copied());
        match Lang::parse(text).or(by_number) {
            Some(lang) => self.set_language(lang),
            None => {
                self.say("reask-choice", &[("count", Lang::ALL.len().into())])?;
                self.ask_language()
            }
        }
    }

    fn set_language(&mut self, lang: Lang) -> Result<(), EngineError> {
        self.conv.lang = lang;
        if self.conv.pending == Some(Pending::Language) {
            self.conv.pending = None;
        }
        self.say("language-set", &[])?;
        if self.conv.active.is_some() || self.conv.pending.is_some() {
            self.repeat_prompt()?;
        }
        Ok(())
    }

    /// The person's trial actions, oldest first: the numbering /trials shows.
    fn trials_in_order(&self) -> Vec<&TrialAction> {
        let mut trials: Vec<&TrialAction> = self.ctx.trials.iter().collect();
        trials.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        trials
    }

    fn list_trials(&mut self) -> Result<(), EngineError> {
        let trials = self.trials_in_order();
        if trials.is_empty() {
            return self.say("trials-none", &[]);
        }
        let mut lines = vec![self.text("trials-header", &[("count", trials.len().into())])?];
        for (i, trial) in trials.iter().enumerate() {
            let state = self.text(&format!("trial-state-{}", trial.state.name()), &[])?;
            let due = self.date_text(trial.due)?;
            lines.push(self.text(
                "trials-line",
                &[
                    ("number", (i + 1).into()),
                    ("what", trial.what.clone().into()),
                    ("state", state.into()),
                    ("date", due.into()),
                ],
            )?);
        }
        if trials.iter().any(|t| t.state.is_open()) {
            lines.push(self.text("trials-follow-up-hint", &[])?);
        }
        self.replies.push(Reply {
            text: lines.join("\n"),
            choices: Vec::new(),
            prompt: None,
        });
        Ok(())
    }

    fn follow_up(&mut self, arg: &str) -> Result<(), EngineError> {
        if self.conv.active.is_some() {
            self.say("reflect-busy", &[])?;
            return self.ask_current();
        }
        let trials = self.trials_in_order();
        let open: Vec<&TrialAction> = trials
            .iter()
            .copied()
            .filter(|t| t.state.is_open())
            .collect();
        let chosen = match parse::parse_number(arg) {
            Some(n) if n >= 1 => trials.get(n as usize - 1).copied(),
            _ if open.len() == 1 => open.first().copied(),
            _ => None,
        };
        let dialogue = self
            .engine
            .catalog
            .follow_up(self.conv.role)
            .map(|d| d.id.clone());
        match (chosen.cloned(), dialogue) {
            (Some(trial), Some(dialogue)) if trial.state.is_open() => {
                self.start(&dialogue, Some(trial))
            }
            (Some(_), Some(_)) => self.say("follow-up-closed", &[]),
            _ if trials.is_empty() => self.say("trials-none", &[]),
            _ => {
                self.say("follow-up-which", &[])?;
                self.list_trials()
            }
        }
    }

    // ----- questions -----

    fn current(&self) -> Option<(&Dialogue, &Step, &ActiveRun)> {
        let run = self.conv.active.as_ref()?;
        let dialogue = self.engine.catalog.get(&run.dialogue)?;
        let step = dialogue.steps.iter().find(|s| s.id == run.step)?;
        Some((dialogue, step, run))
    }

    fn ask_current(&mut self) -> Result<(), EngineError> {
        let Some((_, step, run)) = self.current() else {
            self.conv.active = None;
            return self.show_menu();
        };
        let position = run.path.len() + 1;
        let total = run.path.len() + step.remaining;
        let bank_pick = (self.conv.runs_started as usize) % step.ask.len().max(1);
        let kind = part_of(step, run);
        let question_id = match kind {
            Part::Date => "trial-when".to_owned(),
            Part::Principles => "trial-principles".to_owned(),
            Part::Step | Part::TrialWhat => step.ask[bank_pick].clone(),
        };
        let optional = step.optional && kind != Part::Principles && kind != Part::Date;
        let question = self.text(&question_id, &[])?;
        let mut text = self.text(
            "question",
            &[
                ("step", position.into()),
                ("total", total.into()),
                ("question", question.into()),
            ],
        )?;
        let (hint, choices) = self.hint_and_choices(step, kind)?;
        if let Some(hint) = hint {
            text.push('\n');
            text.push_str(&hint);
        }
        let mut choices = choices;
        if optional {
            text.push('\n');
            text.push_str(&self.text("hint-optional", &[])?);
            if !choices.is_empty() {
                choices.push(ReplyChoice {
                    label: self.text("skip-label", &[])?,
                    reply: "skip".into(),
                });
            }
        }
        self.ask(text, choices);
        Ok(())
    }

    fn hint_and_choices(
        &self,
        step: &Step,
        part: Part,
    ) -> Result<(Option<String>, Vec<ReplyChoice>), EngineError> {
        let numbered = |labels: Vec<String>| {
            labels
                .into_iter()
                .enumerate()
                .map(|(i, label)| ReplyChoice {
                    label,
                    reply: (i + 1).to_string(),
                })
                .collect::<Vec<_>>()
        };
        match part {
            Part::TrialWhat => return Ok((Some(self.text("hint-trial-what", &[])?), Vec::new())),
            Part::Principles => {
                let hint = self.text("hint-principles", &[])?;
                return Ok((Some(hint), numbered(self.principle_labels()?)));
            }
            Part::Date => return self.date_hint(),
            Part::Step => {}
        }
        Ok(match &step.answer {
            AnswerKind::Text { .. } | AnswerKind::TrialAction => (None, Vec::new()),
            AnswerKind::Choice { options } => (None, numbered(self.option_labels(options)?)),
            AnswerKind::Choices { options } => (
                Some(self.text("hint-choices", &[])?),
                numbered(self.option_labels(options)?),
            ),
            AnswerKind::Scale {
                min,
                max,
                low,
                high,
            } => {
                let hint = self.text(
                    "hint-scale",
                    &[
                        ("min", (*min).into()),
                        ("max", (*max).into()),
                        ("low", self.text(low, &[])?.into()),
                        ("high", self.text(high, &[])?.into()),
                    ],
                )?;
                let choices = (*min..=*max)
                    .map(|n| ReplyChoice {
                        label: n.to_string(),
                        reply: n.to_string(),
                    })
                    .collect();
                (Some(hint), choices)
            }
            AnswerKind::YesNo => (
                None,
                vec![
                    ReplyChoice {
                        label: self.text("yes", &[])?,
                        reply: "yes".into(),
                    },
                    ReplyChoice {
                        label: self.text("no", &[])?,
                        reply: "no".into(),
                    },
                ],
            ),
            AnswerKind::Principle { suggest } => {
                let hint = if *suggest {
                    let p = self.least_reflected_principle();
                    let name = self.text(&format!("principle-{p}"), &[])?;
                    Some(self.text(
                        "hint-principle-suggest",
                        &[("number", p.into()), ("name", name.into())],
                    )?)
                } else {
                    None
                };
                (hint, numbered(self.principle_labels()?))
            }
            AnswerKind::Principles => (
                Some(self.text("hint-principles", &[])?),
                numbered(self.principle_labels()?),
            ),
            AnswerKind::Date => self.date_hint()?,
        })
    }

    fn date_hint(&self) -> Result<(Option<String>, Vec<ReplyChoice>), EngineError> {
        let today = self.engine.today(self.now);
        let mut choices = Vec::new();
        for (label, days) in [
            ("date-today", 0),
            ("date-tomorrow", 1),
            ("date-next-week", 7),
        ] {
            let day = if days == 7 {
                today.nth_weekday(1, jiff::civil::Weekday::Monday).ok()
            } else {
                today.checked_add(days.days()).ok()
            };
            if let Some(day) = day {
                choices.push(ReplyChoice {
                    label: self.text(label, &[])?,
                    reply: day.to_string(),
                });
            }
        }
        Ok((Some(self.text("hint-date", &[])?), choices))
    }

    fn option_labels(
        &self,
        options: &[crate::dialogs::ChoiceOption],
    ) -> Result<Vec<String>, EngineError> {
        options.iter().map(|o| self.text(&o.label, &[])).collect()
    }

    fn principle_labels(&self) -> Result<Vec<String>, EngineError> {
        (1..=8)
            .map(|p| self.text(&format!("principle-{p}"), &[]))
            .collect()
    }

    /// The principle not reflected on for the longest time (never counts as longest).
    fn least_reflected_principle(&self) -> u8 {
        let mut best = 0;
        for (i, last) in self.conv.principle_last.iter().enumerate() {
            if *last < self.conv.principle_last[best] {
                best = i;
            }
        }
        best as u8 + 1
    }

    pub(crate) fn date_text(&self, date: Date) -> Result<String, EngineError> {
        let weekday = self.text(
            &format!("weekday-{}", date.weekday().to_monday_one_offset()),
            &[],
        )?;
        let month = self.text(&format!("month-{}", date.month()), &[])?;
        self.text(
            "date-format",
            &[
                ("weekday", weekday.into()),
                ("day", i64::from(date.day()).into()),
                ("month", month.into()),
                ("year", i64::from(date.year()).into()),
            ],
        )
    }

    // ----- answers -----

    fn answer(&mut self, text: &str) -> Result<(), EngineError> {
        let Some((_, step, run)) = self.current() else {
            self.conv.active = None;
            return self.show_menu();
        };
        let step = step.clone();
        let has_draft = run.draft.is_some();
        if step.optional && !has_draft && SKIP_WORDS.contains(&parse::normalize(text).as_str()) {
            return self.accept(&step, Value::Skipped);
        }
        if let AnswerKind::TrialAction = step.answer {
            return self.trial_part(&step, text);
        }
        match self.read_value(&step.answer, text)? {
            Ok(value) => self.accept(&step, value),
            Err(reask) => self.reask(reask),
        }
    }

    /// Reads `text` as an answer of `kind`: the value, or the re-ask that says what fits.
    fn read_value(
        &self,
        kind: &AnswerKind,
        text: &str,
    ) -> Result<Result<Value, Reask>, EngineError> {
        let reask = |id: &'static str| Err(Reask::new(id));
        Ok(match kind {
            AnswerKind::Text { max_chars, pattern } => match free_text(text, *max_chars) {
                Err(reask) => Err(reask),
                Ok(text) => match pattern {
                    Some((regex, hint)) if !regex.is_match(&text) => Err(Reask {
                        id: hint.clone(),
                        args: Vec::new(),
                    }),
                    _ => Ok(Value::Text(text)),
                },
            },
            AnswerKind::Choice { options } => {
                let labels = self.option_labels(options)?;
                match parse::parse_choice(text, &labels) {
                    Some(i) => Ok(Value::Choice(options[i].value.clone())),
                    None => Err(Reask::count("reask-choice", options.len())),
                }
            }
            AnswerKind::Choices { options } => {
                let labels = self.option_labels(options)?;
                match parse::parse_choices(text, &labels) {
                    Some(picked) => Ok(Value::Choices(
                        picked
                            .into_iter()
                            .map(|i| options[i].value.clone())
                            .collect(),
                    )),
                    None => Err(Reask::count("reask-choices", options.len())),
                }
            }
            AnswerKind::Scale { min, max, .. } => match parse::parse_scale(text, *min, *max) {
                Some(n) => Ok(Value::Scale(n)),
                None => Err(Reask {
                    id: "reask-scale".into(),
                    args: vec![("min", *min), ("max", *max)],
                }),
            },
            AnswerKind::YesNo => match parse::parse_yes_no(text) {
                Some(yes) => Ok(Value::YesNo(yes)),
                None => reask("reask-yes-no"),
            },
            AnswerKind::Principle { .. } => {
                match parse::parse_choice(text, &self.principle_labels()?) {
                    Some(i) => Ok(Value::Principles(vec![i as u8 + 1])),
                    None => reask("reask-principle"),
                }
            }
            AnswerKind::Principles => self.read_principles(text)?,
            AnswerKind::Date => self.read_date(text),
            AnswerKind::TrialAction => reask("reask-empty"),
        })
    }

    fn read_principles(&self, text: &str) -> Result<Result<Value, Reask>, EngineError> {
        Ok(
            match parse::parse_choices(text, &self.principle_labels()?) {
                Some(picked) => Ok(Value::Principles(
                    picked.into_iter().map(|i| i as u8 + 1).collect(),
                )),
                None => Err(Reask::new("reask-principles")),
            },
        )
    }

    fn read_date(&self, text: &str) -> Result<Value, Reask> {
        let today = self.engine.today(self.now);
        match parse::parse_date(text, today) {
            Some(date) if date < today => Err(Reask::new("reask-date-past")),
            Some(date) if date > today.checked_add(1.year()).unwrap_or(today) => {
                Err(Reask::new("reask-date-far"))
            }
            Some(date) => Ok(Value::Date(date)),
            None => Err(Reask::new("reask-date")),
        }
    }

    fn reask(&mut self, reask: Reask) -> Result<(), EngineError> {
        let args: Vec<(&str, fluent_bundle::FluentValue<'_>)> = reask
            .args
            .iter()
            .map(|(name, value)| (*name, (*value).into()))
            .collect();
        let text = self.text(&reask.id, &args)?;
        // Keep the buttons of the question, under the same number, so they still work.
        let choices = match self.current() {
            Some((_, step, run)) => self.hint_and_choices(step, part_of(step, run))?.1,
            None => Vec::new(),
        };
        let prompt = (!choices.is_empty()).then_some(self.conv.prompt);
        self.replies.push(Reply {
            text,
            choices,
            prompt,
        });
        Ok(())
    }

    /// One part of a trial-action step: what, then which principles, then when.
    fn trial_part(&mut self, step: &Step, text: &str) -> Result<(), EngineError> {
        let draft = self
            .conv
            .active
            .as_ref()
            .and_then(|r| r.draft.clone())
            .unwrap_or_default();
        let result = match (&draft.what, &draft.principles) {
            (None, _) => free_text(text, TRIAL_WHAT_MAX).map(|what| TrialDraft {
                what: Some(what),
                // Citizens are not asked to sort their idea by principle; the step says which.
                principles: (self.conv.role == Role::Citizen).then(|| step.principles.clone()),
            }),
            (Some(_), None) => match self.read_principles(text)? {
                Ok(Value::Principles(p)) => Ok(TrialDraft {
                    principles: Some(p),
                    ..draft.clone()
                }),
                Ok(_) | Err(_) => Err(Reask::new("reask-principles")),
            },
            (Some(what), Some(principles)) => match self.read_date(text) {
                Ok(Value::Date(due)) => {
                    return self.save_trial(step, what.clone(), principles.clone(), due)
                }
                Ok(_) => Err(Reask::new("reask-date")),
                Err(reask) => Err(reask),
            },
        };
        match result {
            Ok(draft) => {
                if let Some(run) = self.conv.active.as_mut() {
                    run.draft = Some(draft);
                }
                self.ask_current()
            }
            Err(reask) => self.reask(reask),
        }
    }

    fn save_trial(
        &mut self,
        step: &Step,
        what: String,
        principles: Vec<u8>,
        due: Date,
    ) -> Result<(), EngineError> {
        let Some(run) = self.conv.active.as_mut() else {
            return Ok(());
        };
        run.draft = None;
        let trial = TrialAction {
            schema: SCHEMA,
            id: format!("{}-{}", run.run, step.id),
            person: self.conv.person.clone(),
            role: self.conv.role,
            group: self.conv.group.clone(),
            what: what.clone(),
            principles,
            due,
            state: TrialState::Planned,
            replaces: run.follows.as_ref().map(|t| t.id.clone()),
            created_at: self.now,
            updated_at: self.now,
        };
        let id = trial.id.clone();
        self.writes.push(Write::Trial(trial));
        let date = self.date_text(due)?;
        self.say(
            "trial-saved",
            &[("what", what.into()), ("date", date.into())],
        )?;
        self.accept(step, Value::TrialAction(id))
    }

    /// Stores an accepted answer and moves on.
    fn accept(&mut self, step: &Step, value: Value) -> Result<(), EngineError> {
        let Some(run) = self.conv.active.as_mut() else {
            return Ok(());
        };
        self.writes.push(Write::Answer(AnswerRecord {
            schema: SCHEMA,
            person: self.conv.person.clone(),
            role: self.conv.role,
            group: self.conv.group.clone(),
            run: run.run.clone(),
            dialogue: run.dialogue.clone(),
            step: step.id.clone(),
            principles: step.principles.clone(),
            value: value.clone(),
            answered_at: self.now,
        }));
        run.answers.insert(step.id.clone(), value.clone());
        run.path.push(step.id.clone());
        if step.sets_trial_state {
            if let Some(follows) = run.follows.as_mut() {
                let state = match &value {
                    Value::YesNo(true) => Some(TrialState::Tried),
                    Value::Choice(name) => TrialState::from_name(name),
                    _ => None,
                };
                if let Some(state) = state {
                    follows.state = state;
                    follows.updated_at = self.now;
                    self.writes.push(Write::Trial(follows.clone()));
                }
            }
        }
        let next = self.next_target(step);
        match next {
            Target::Step(i) => {
                let next_id = self
                    .dialogue()
                    .and_then(|d| d.steps.get(i))
                    .map(|s| s.id.clone());
                if let (Some(run), Some(next_id)) = (self.conv.active.as_mut(), next_id) {
                    run.step = next_id;
                }
                self.ask_current()
            }
            Target::End => self.complete(),
        }
    }

    fn next_target(&self, step: &Step) -> Target {
        let (Some(dialogue), Some(run)) = (self.dialogue(), self.conv.active.as_ref()) else {
            return Target::End;
        };
        for branch in &step.branches {
            let tested = &dialogue.steps[branch.step].id;
            if let Some(value) = run.answers.get(tested) {
                if holds(&branch.condition, value) {
                    return branch.goto;
                }
            }
        }
        step.next
    }

    fn complete(&mut self) -> Result<(), EngineError> {
        let Some(run) = self.conv.active.take() else {
            return Ok(());
        };
        let dialogue = self.engine.catalog.get(&run.dialogue);
        let mut principles: Vec<u8> = Vec::new();
        for step_id in &run.path {
            let step = dialogue.and_then(|d| d.steps.iter().find(|s| &s.id == step_id));
            if let Some(step) = step {
                principles.extend(&step.principles);
            }
            if let Some(Value::Principles(chosen)) = run.answers.get(step_id) {
                principles.extend(chosen);
            }
        }
        principles.sort_unstable();
        principles.dedup();
        for p in &principles {
            if let Some(slot) = self.conv.principle_last.get_mut(usize::from(*p) - 1) {
                *slot = Some(self.now);
            }
        }
        self.writes.push(Write::Completed(RunRecord {
            schema: SCHEMA,
            person: self.conv.person.clone(),
            role: self.conv.role,
            group: self.conv.group.clone(),
            run: run.run.clone(),
            dialogue: run.dialogue.clone(),
            principles,
            started_at: run.started_at,
            completed_at: self.now,
        }));
        let outro = dialogue
            .and_then(|d| d.outro.clone())
            .unwrap_or_else(|| "dialogue-done".to_owned());
        self.say(&outro, &[])?;
        if dialogue.is_some_and(|d| d.purpose != Purpose::FollowUp) {
            self.say("dialogue-next", &[])?;
        }
        Ok(())
    }
}

/// Which part of a step is being asked (a trial-action step has three).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Step,
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
        _ => Part::Step,
    }
}

/// A kind re-ask: the message id and its whole-number arguments.
#[derive(Clone, Debug)]
struct Reask {
    id: String,
    args: Vec<(&'static str, i64)>,
}

impl Reask {
    fn new(id: &str) -> Reask {
        Reask {
            id: id.to_owned(),
            args: Vec::new(),
        }
    }

    fn count(id: &str, count: usize) -> Reask {
        Reask {
            id: id.to_owned(),
            args: vec![("count", count as i64)],
        }
    }
}

/// Free text as stored: cleaned, with words in it, within the limit.
fn free_text(text: &str, max_chars: usize) -> Result<String, Reask> {
    let text = parse::clean_text(text);
    let length = text.chars().count();
    if text.is_empty() {
        Err(Reask::new("reask-empty"))
    } else if length > max_chars {
        Err(Reask {
            id: "reask-too-long".into(),
            args: vec![("max", max_chars as i64), ("length", length as i64)],
        })
    } else if !parse::has_words(&text) {
        Err(Reask::new("reask-words"))
    } else {
        Ok(text)
    }
}

fn holds(condition: &Condition, value: &Value) -> bool {
    match (condition, value) {
        (Condition::AtMost(n), Value::Scale(v)) => v <= n,
        (Condition::AtLeast(n), Value::Scale(v)) => v >= n,
        (Condition::Is(s), Value::Choice(c)) => c == s,
        (Condition::Is(s), Value::Choices(cs)) => cs.contains(s),
        (Condition::Is(s), Value::YesNo(yes)) => (s == "yes") == *yes,
        (Condition::Is(s), Value::Principles(ps)) => s.parse::<u8>().is_ok_and(|p| ps.contains(&p)),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
