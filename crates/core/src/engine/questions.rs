//! Asking: the current question with its progress ("3/7"), hint and buttons.

use jiff::civil::Date;
use jiff::ToSpan;

use super::{part_of, EngineError, Part, ReplyChoice, Turn};
use crate::dialogs::{AnswerKind, Dialogue, Role, Step};
use crate::records::ActiveRun;

impl Turn<'_, '_> {
    pub(super) fn current(&self) -> Option<(&Dialogue, &Step, &ActiveRun)> {
        let run = self.conv.active.as_ref()?;
        let dialogue = self.engine.catalog.get(&run.dialogue)?;
        let step = dialogue.steps.iter().find(|s| s.id == run.step)?;
        Some((dialogue, step, run))
    }

    pub(super) fn ask_current(&mut self) -> Result<(), EngineError> {
        // Whatever menu or confirmation was open is answered by asking the question again.
        self.conv.pending = None;
        let Some((_, step, run)) = self.current() else {
            self.conv.active = None;
            return self.show_menu();
        };
        let position = run.path.len() + 1;
        // A run for no group is not asked to share, nor for ideas; staff are not asked to
        // share a trial action (see `skip_unasked`).
        let remaining = match (&run.group, self.conv.role) {
            (None, _) => step.remaining_unshared,
            (Some(_), Role::Staff) => step.remaining_staff,
            (Some(_), Role::Citizen) => step.remaining,
        };
        let total = run.path.len() + remaining;
        let bank_pick = (self.conv.runs_started as usize) % step.ask.len().max(1);
        let part = part_of(step, run);
        let question_id = match part {
            Part::Date => "trial-when".to_owned(),
            Part::Sign => "trial-sign".to_owned(),
            Part::Principles => "trial-principles".to_owned(),
            Part::Whole | Part::TrialWhat => step.ask[bank_pick].clone(),
        };
        // A dialogue for both roles may word a question for each ($role).
        let role = self.conv.role.name();
        let question = self.text(&question_id, &[("role", role.into())])?;
        let mut text = self.text(
            "question",
            &[
                ("step", position.into()),
                ("total", total.into()),
                ("question", question.into()),
            ],
        )?;
        let (hint, choices) = self.hint_and_choices(step, part)?;
        if let Some(hint) = hint {
            text.push('\n');
            text.push_str(&hint);
        }
        if skippable(step, part) {
            text.push('\n');
            text.push_str(&self.text("hint-optional", &[])?);
        }
        let choices = self.with_skip(step, part, choices)?;
        self.ask(text, choices);
        Ok(())
    }

    /// The buttons shown for the current question, as asked: for re-asks and typed numbers.
    pub(super) fn shown_choices(
        &self,
        step: &Step,
        run: &ActiveRun,
    ) -> Result<Vec<ReplyChoice>, EngineError> {
        let part = part_of(step, run);
        let (_, choices) = self.hint_and_choices(step, part)?;
        self.with_skip(step, part, choices)
    }

    /// Adds a "skip" button to an optional question that has buttons.
    fn with_skip(
        &self,
        step: &Step,
        part: Part,
        mut choices: Vec<ReplyChoice>,
    ) -> Result<Vec<ReplyChoice>, EngineError> {
        if skippable(step, part) && (!choices.is_empty() || part == Part::Sign) {
            choices.push(ReplyChoice {
                label: self.text("skip-label", &[])?,
                reply: "skip".into(),
                button: None,
            });
        }
        Ok(choices)
    }

    pub(super) fn hint_and_choices(
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
                    button: None,
                })
                .collect::<Vec<_>>()
        };
        match part {
            Part::TrialWhat => return Ok((Some(self.text("hint-trial-what", &[])?), Vec::new())),
            Part::Principles => {
                let hint = self.text("hint-principles", &[])?;
                return Ok((Some(hint), self.principle_choices()?));
            }
            Part::Date => return self.date_hint(),
            Part::Sign => return Ok((None, Vec::new())),
            Part::Whole => {}
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
                        button: None,
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
                        button: None,
                    },
                    ReplyChoice {
                        label: self.text("no", &[])?,
                        reply: "no".into(),
                        button: None,
                    },
                ],
            ),
            AnswerKind::Principle { suggest } => {
                // The group's chosen focus first; else the one reflected on least lately.
                let focus = self.current_membership().and_then(|m| m.focus);
                let hint = match (suggest, focus) {
                    (false, _) => None,
                    (true, Some(p)) => {
                        let name = self.text(&format!("principle-{p}"), &[])?;
                        Some(self.text(
                            "hint-principle-focus",
                            &[("number", p.into()), ("name", name.into())],
                        )?)
                    }
                    (true, None) => {
                        let p = self.least_reflected_principle();
                        let name = self.text(&format!("principle-{p}"), &[])?;
                        Some(self.text(
                            "hint-principle-suggest",
                            &[("number", p.into()), ("name", name.into())],
                        )?)
                    }
                };
                (hint, self.principle_choices()?)
            }
            AnswerKind::Principles => (
                Some(self.text("hint-principles", &[])?),
                self.principle_choices()?,
            ),
            AnswerKind::Date => self.date_hint()?,
        })
    }

    pub(super) fn date_hint(&self) -> Result<(Option<String>, Vec<ReplyChoice>), EngineError> {
        let today = self.engine.today(self.now);
        let mut choices = Vec::new();
        let days = [
            ("date-today", Some(today)),
            ("date-tomorrow", today.checked_add(1.days()).ok()),
            (
                "date-next-week",
                today.nth_weekday(1, jiff::civil::Weekday::Monday).ok(),
            ),
        ];
        for (label, day) in days {
            if let Some(day) = day {
                choices.push(ReplyChoice {
                    label: self.text(label, &[])?,
                    reply: day.to_string(),
                    button: None,
                });
            }
        }
        let (day, month) = self.date_example();
        let hint = self.text("hint-date", &[("day", day.into()), ("month", month.into())])?;
        Ok((Some(hint), choices))
    }

    /// A date to show as an example of one written as day/month: ten days from today, so it
    /// is never stale and never one of the buttons.
    pub(super) fn date_example(&self) -> (i64, i64) {
        let today = self.engine.today(self.now);
        let example = today.checked_add(10.days()).unwrap_or(today);
        (i64::from(example.day()), i64::from(example.month()))
    }

    pub(super) fn option_labels(
        &self,
        options: &[crate::dialogs::ChoiceOption],
    ) -> Result<Vec<String>, EngineError> {
        options.iter().map(|o| self.text(&o.label, &[])).collect()
    }

    /// The eight principles to choose from, each as *Borgeren ved roret* writes it, with its
    /// short label (which keeps the key words) for a button.
    pub(super) fn principle_choices(&self) -> Result<Vec<ReplyChoice>, EngineError> {
        (1..=8u8)
            .map(|p| {
                Ok(ReplyChoice {
                    label: self.text(&format!("principle-{p}-full"), &[])?,
                    reply: p.to_string(),
                    button: Some(self.text(&format!("principle-{p}"), &[])?),
                })
            })
            .collect()
    }

    pub(super) fn principle_labels(&self) -> Result<Vec<String>, EngineError> {
        (1..=8)
            .map(|p| self.text(&format!("principle-{p}"), &[]))
            .collect()
    }

    /// The principle not reflected on for the longest time (never counts as longest).
    pub(super) fn least_reflected_principle(&self) -> u8 {
        let mut best = 0;
        for (i, last) in self.conv.principle_last.iter().enumerate() {
            if *last < self.conv.principle_last[best] {
                best = i;
            }
        }
        best as u8 + 1
    }

    /// A date as every message writes it (the digest's wording, in the person's language).
    pub(super) fn date_text(&self, date: Date) -> Result<String, EngineError> {
        let words = crate::digest::Words {
            locales: self.engine.locales,
            lang: self.conv.lang,
        };
        Ok(words.date(date)?)
    }
}

/// An optional step may be skipped as a whole (for a trial action: at its "what"); of a
/// trial action's later parts only "how will you know" may be.
pub(super) fn skippable(step: &Step, part: Part) -> bool {
    part == Part::Sign || (step.optional && matches!(part, Part::Whole | Part::TrialWhat))
}
