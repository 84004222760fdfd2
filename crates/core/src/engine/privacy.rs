//! Consent, `/consent`, `/mydata` and `/forget`: what a person agreed to, and their right to
//! see and erase what is stored about them.
//!
//! Nobody's answers are stored before they said yes to the current consent text. Saying no
//! still lets them try a dialogue; that run is marked not kept, its writes are dropped before
//! they leave the engine, and its written words are not kept even in the conversation state.

use serde::Serialize;

use super::{Attachment, EngineError, Reply, ReplyChoice, Turn};
use crate::dialogs::Role;
use crate::digest::shared_answers;
use crate::records::{
    ActiveRun, AnswerRecord, Consent, Conversation, Membership, Pending, PersonId, ReminderRule,
    RunRecord, TrialAction, Value, Write,
};

/// The version of the consent texts (`consent-citizen`, `consent-staff`, `consent-alone`). Raise it when
/// their meaning changes: everyone is asked again before their next dialogue.
pub const CONSENT_VERSION: u32 = 1;

const CONSENT_CHOICES: [&str; 2] = ["consent-yes", "consent-no"];
const FORGET_CHOICES: [&str; 2] = ["forget-yes", "forget-no"];

/// What is stored about a person besides their conversation, loaded for /mydata only.
#[derive(Clone, Debug, Default)]
pub struct PersonData {
    pub answers: Vec<AnswerRecord>,
    pub runs: Vec<RunRecord>,
    pub trials: Vec<TrialAction>,
}

/// The JSON copy /mydata attaches: every stored record, as stored.
#[derive(Serialize)]
struct Export<'a> {
    person: &'a PersonId,
    exported_at: jiff::Timestamp,
    language: &'a str,
    consent: Option<Consent>,
    memberships: &'a [Membership],
    shown_name: Option<&'a str>,
    reminder: Option<ReminderRule>,
    answers: &'a [AnswerRecord],
    completed_dialogues: &'a [RunRecord],
    trial_actions: &'a [TrialAction],
}

impl Turn<'_, '_> {
    fn has_consent(&self) -> bool {
        self.conv
            .consent
            .is_some_and(|consent| consent.version == CONSENT_VERSION)
    }

    /// Begins dialogue `id`, after asking for consent when the person has not given it to
    /// the current text.
    pub(super) fn start(
        &mut self,
        id: &str,
        follows: Option<TrialAction>,
    ) -> Result<(), EngineError> {
        if self.has_consent() {
            return self.begin(id, follows, true);
        }
        self.conv.pending = Some(Pending::Consent {
            dialogue: Some(id.to_owned()),
            follows: follows.map(Box::new),
        });
        if self.conv.consent.is_some() {
            self.say("consent-changed", &[])?;
        }
        self.ask_consent()
    }

    pub(super) fn ask_consent(&mut self) -> Result<(), EngineError> {
        // Who sees what depends on the group: in none, nobody else does.
        let text_id = match self.conv.role {
            _ if self.conv.memberships.is_empty() => "consent-alone",
            Role::Citizen => "consent-citizen",
            Role::Staff => "consent-staff",
        };
        let months = i64::from(self.engine.settings.retention_months);
        let text = self.text(text_id, &[("months", months.into())])?;
        let choices = self.labels(&CONSENT_CHOICES)?;
        self.ask(text, choices);
        Ok(())
    }

    pub(super) fn labels(&self, ids: &[&str]) -> Result<Vec<ReplyChoice>, EngineError> {
        ids.iter()
            .enumerate()
            .map(|(i, id)| {
                Ok(ReplyChoice {
                    label: self.text(id, &[])?,
                    reply: (i + 1).to_string(),
                    button: None,
                })
            })
            .collect()
    }

    /// Reads yes or no to one of two labelled choices (the first is yes).
    pub(super) fn yes_or_no(
        &self,
        text: &str,
        ids: &[&str; 2],
    ) -> Result<Option<bool>, EngineError> {
        let labels = ids
            .iter()
            .map(|id| self.text(id, &[]))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(match super::parse::parse_choice(text, &labels) {
            Some(i) => Some(i == 0),
            None => super::parse::parse_yes_no(text),
        })
    }

    /// /consent: what was agreed and when, the text again, and yes or no (no withdraws).
    pub(super) fn consent_command(&mut self) -> Result<(), EngineError> {
        match self.conv.consent {
            Some(consent) if self.has_consent() => {
                let date = self.date_text(self.engine.local_date(consent.at))?;
                self.say("consent-status-yes", &[("date", date.into())])?;
            }
            _ => self.say("consent-status-no", &[])?,
        }
        self.conv.pending = Some(Pending::Consent {
            dialogue: None,
            follows: None,
        });
        self.ask_consent()
    }

    pub(super) fn choose_consent(
        &mut self,
        text: &str,
        dialogue: Option<String>,
        follows: Option<Box<TrialAction>>,
    ) -> Result<(), EngineError> {
        let Some(yes) = self.yes_or_no(text, &CONSENT_CHOICES)? else {
            self.say("reask-choice", &[("count", CONSENT_CHOICES.len().into())])?;
            return self.ask_consent();
        };
        self.conv.pending = None;
        let had_consent = self.has_consent();
        if yes {
            self.conv.consent = Some(Consent {
                version: CONSENT_VERSION,
                at: self.now,
            });
            self.say("consent-thanks", &[])?;
        } else if dialogue.is_some() {
            self.conv.consent = None;
            self.say("consent-declined", &[])?;
        } else {
            self.conv.consent = None;
            // A run under way stops being stored from here.
            if let Some(run) = self.conv.active.as_mut() {
                run.kept = false;
            }
            let id = if had_consent {
                "consent-withdrawn"
            } else {
                "consent-still-no"
            };
            self.say(id, &[])?;
        }
        match dialogue {
            Some(id) => self.begin(&id, follows.map(|t| *t), yes),
            None if self.conv.active.is_some() => self.ask_current(),
            None => Ok(()),
        }
    }

    /// /forget: asks to confirm, since it cannot be undone.
    pub(super) fn forget_command(&mut self) -> Result<(), EngineError> {
        self.conv.pending = Some(Pending::ConfirmForget);
        self.ask_forget()
    }

    pub(super) fn ask_forget(&mut self) -> Result<(), EngineError> {
        let text = self.text("forget-confirm", &[])?;
        let choices = self.labels(&FORGET_CHOICES)?;
        self.ask(text, choices);
        Ok(())
    }

    pub(super) fn confirm_forget(&mut self, text: &str) -> Result<(), EngineError> {
        match self.yes_or_no(text, &FORGET_CHOICES)? {
            Some(true) => {
                self.writes.clear();
                self.writes.push(Write::Forget);
                let Conversation {
                    person, lang, role, ..
                } = &self.conv;
                self.conv = Conversation::new(person.clone(), *lang, *role, self.now);
                self.say("forget-done", &[])
            }
            Some(false) => {
                self.conv.pending = None;
                self.say("forget-cancelled", &[])?;
                if self.conv.active.is_some() {
                    self.ask_current()?;
                }
                Ok(())
            }
            None => {
                self.say("reask-choice", &[("count", FORGET_CHOICES.len().into())])?;
                self.ask_forget()
            }
        }
    }

    /// /mydata: everything stored about the person, readable, and as a JSON file.
    pub(super) fn my_data(&mut self) -> Result<(), EngineError> {
        let Some(data) = self.ctx.mydata else {
            return Ok(());
        };
        let mut lines = vec![self.text("mydata-intro", &[])?];
        lines.push(match self.conv.consent {
            Some(consent) => {
                let date = self.date_text(self.engine.local_date(consent.at))?;
                self.text(
                    "mydata-consent-yes",
                    &[
                        ("date", date.into()),
                        ("version", i64::from(consent.version).into()),
                    ],
                )?
            }
            None => self.text("mydata-consent-no", &[])?,
        });
        let groups = self
            .conv
            .memberships
            .iter()
            .map(|m| {
                let role = self.text(&format!("mydata-role-{}", m.role.name()), &[])?;
                self.text(
                    "mydata-group",
                    &[("group", m.name.clone().into()), ("role", role.into())],
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        lines.push(self.text("mydata-groups", &[("count", groups.len().into())])?);
        lines.extend(groups);
        if let Some(name) = &self.conv.shown_name {
            lines.push(self.text("mydata-name", &[("name", name.clone().into())])?);
        }
        if let Some(rule) = self.conv.reminder {
            let when = self.reminder_text(rule)?;
            lines.push(self.text("mydata-reminder", &[("when", when.into())])?);
        }
        lines.push(self.text(
            "mydata-answers",
            &[
                ("count", data.answers.len().into()),
                ("runs", data.runs.len().into()),
            ],
        )?);
        let shared = shared_answers(self.engine.catalog, data.answers.iter());
        let mut answers: Vec<&AnswerRecord> = data.answers.iter().collect();
        answers.sort_by(|a, b| a.answered_at.cmp(&b.answered_at).then(a.step.cmp(&b.step)));
        for answer in answers {
            let Some(value) = self.value_text(&answer.value)? else {
                continue;
            };
            let title = match self.engine.catalog.get(&answer.dialogue) {
                Some(dialogue) => self.text(&dialogue.title, &[])?,
                None => answer.dialogue.clone(),
            };
            let date = self.date_text(self.engine.local_date(answer.answered_at))?;
            let key = (
                &answer.person,
                answer.run.as_str(),
                answer.dialogue.as_str(),
                answer.step.as_str(),
            );
            // Shared answers say with whom, so the person sees what /forget takes back.
            let id = if shared.contains(&key) {
                "mydata-answer-shared"
            } else {
                "mydata-answer"
            };
            lines.push(self.text(
                id,
                &[
                    ("date", date.into()),
                    ("dialogue", title.into()),
                    ("answer", value.into()),
                    ("role", answer.role.name().into()),
                ],
            )?);
        }
        lines.push(self.text("mydata-trials", &[("count", data.trials.len().into())])?);
        let mut trials: Vec<&TrialAction> = data.trials.iter().collect();
        trials.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        let shared_trials = crate::digest::shared_trials(&shared, data.answers.iter());
        for (i, trial) in trials.iter().enumerate() {
            let line = self.trial_line(i + 1, trial)?;
            lines.push(
                if shared_trials.contains(&(&trial.person, trial.id.as_str())) {
                    self.text("mydata-trial-shared", &[("line", line.into())])?
                } else {
                    line
                },
            );
        }
        lines.push(self.text("mydata-file", &[])?);
        let export = Export {
            person: &self.conv.person,
            exported_at: self.now,
            language: self.conv.lang.code(),
            consent: self.conv.consent,
            memberships: &self.conv.memberships,
            shown_name: self.conv.shown_name.as_deref(),
            reminder: self.conv.reminder,
            answers: &data.answers,
            completed_dialogues: &data.runs,
            trial_actions: &data.trials,
        };
        // Plain records with string keys: serialising them cannot fail.
        let content = serde_json::to_string_pretty(&export).unwrap_or_default();
        let day = self.engine.local_date(self.now);
        self.replies.push(Reply {
            file: Some(Attachment {
                name: format!("eftertanke-{day}.json"),
                content,
            }),
            // One message: each channel splits it at its own platform's limit.
            ..Reply::plain(lines.join("\n"))
        });
        Ok(())
    }

    /// An answer as the person would recognise it; `None` for steps that hold no answer of
    /// their own (a trial action is listed with the trial actions).
    fn value_text(&self, value: &Value) -> Result<Option<String>, EngineError> {
        Ok(Some(match value {
            Value::Text(text) | Value::Choice(text) => text.clone(),
            Value::Choices(items) => items.join(", "),
            Value::Scale(n) => n.to_string(),
            Value::YesNo(yes) => self.text(if *yes { "mydata-yes" } else { "mydata-no" }, &[])?,
            Value::Principles(numbers) => numbers
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            Value::Date(date) => self.date_text(*date)?,
            Value::TrialAction(_) => return Ok(None),
            Value::Skipped => self.text("mydata-skipped", &[])?,
        }))
    }
}

/// Drops every write of a run tried without consent (and of one whose consent was withdrawn
/// meanwhile), and blanks its written words in the conversation: nothing of it is kept.
pub(super) fn drop_unkept(
    before: Option<&ActiveRun>,
    conv: &mut Conversation,
    writes: &mut Vec<Write>,
) {
    let unkept: Vec<String> = before
        .into_iter()
        .chain(conv.active.as_ref())
        .filter(|run| !run.kept)
        .map(|run| run.run.clone())
        .collect();
    if unkept.is_empty() {
        return;
    }
    let of_unkept = |run: &str| unkept.iter().any(|r| r == run);
    let trial_of_unkept = |id: &str| unkept.iter().any(|r| id.starts_with(&format!("{r}-")));
    writes.retain(|write| match write {
        Write::Answer(answer) => !of_unkept(&answer.run),
        Write::Completed(run) => !of_unkept(&run.run),
        Write::RetractAnswer { run, .. } | Write::DiscardRun { run } => !of_unkept(run),
        Write::Trial(trial) => !trial_of_unkept(&trial.id),
        // A follow-up's outcome, in a run not kept.
        Write::TrialState { .. } => false,
        _ => true,
    });
    if let Some(run) = conv.active.as_mut().filter(|run| !run.kept) {
        for value in run.answers.values_mut() {
            if let Value::Text(text) = value {
                text.clear();
            }
        }
        if let Some(what) = run.draft.as_mut().and_then(|draft| draft.what.as_mut()) {
            what.clear();
        }
    }
}
