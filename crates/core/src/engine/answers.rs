//! Answering: reading an answer of each kind, re-asking kindly, trial actions, branching
//! and completing a run.

use jiff::civil::Date;
use jiff::ToSpan;

use super::redact::{redact, Removed};
use super::{
    parse, EngineError, Reply, Turn, MAX_OPEN_TRIALS, SKIP_WORDS, TRIAL_SIGN_MAX, TRIAL_WHAT_MAX,
};
use crate::dialogs::{AnswerKind, Condition, Purpose, Role, Step, Target};
use crate::records::{
    ActiveRun, AnswerRecord, RunRecord, TrialAction, TrialDraft, TrialState, Value, Write, SCHEMA,
};

impl Turn<'_, '_> {
    pub(super) fn answer(&mut self, text: &str) -> Result<(), EngineError> {
        // CPR numbers, phone numbers and e-mail addresses never reach the store.
        let text = &self.without_personal_numbers(text)?;
        let Some((_, step, run)) = self.current() else {
            self.conv.active = None;
            return self.show_menu();
        };
        let step = step.clone();
        let has_draft = run.draft.is_some();
        // A typed number picks the option shown with that number, also where the option's
        // own reply is a word (yes/no, dates, skip) as in the terminal's numbered lines.
        let picked = match parse::parse_number(text) {
            Some(n) => self
                .shown_choices(&step, run)?
                .into_iter()
                .nth(usize::try_from(n).unwrap_or(0).wrapping_sub(1))
                .filter(|choice| parse::parse_number(&choice.reply).is_none())
                .map(|choice| choice.reply),
            None => None,
        };
        let text = picked.as_deref().unwrap_or(text);
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

    /// `text` with personal numbers and addresses replaced by a marker; the person is told
    /// what was taken out and why.
    pub(super) fn without_personal_numbers(&mut self, text: &str) -> Result<String, EngineError> {
        // Markers are worded only when something is found: most answers hold nothing. Start-up
        // formats every marker in every language, so the empty fallback is never used; the
        // number would still be gone.
        let marker = |kind: Removed| self.text(kind.marker(), &[]).unwrap_or_default();
        let (clean, removed) = redact(text, marker);
        if !removed.is_empty() {
            let names = removed
                .iter()
                .map(|kind| self.text(&format!("{}-name", kind.marker()), &[]))
                .collect::<Result<Vec<_>, _>>()?;
            let what = self.and_list(names)?;
            self.say("redacted-note", &[("what", what.into())])?;
        }
        Ok(clean)
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
            AnswerKind::Principles => self.read_principles(text)?.map(Value::Principles),
            AnswerKind::Date => self.read_date(text).map(Value::Date),
            // Handled part by part in `trial_part` before values are read.
            AnswerKind::TrialAction => reask("reask-empty"),
        })
    }

    pub(super) fn read_principles(
        &self,
        text: &str,
    ) -> Result<Result<Vec<u8>, Reask>, EngineError> {
        let labels = self.principle_labels()?;
        Ok(match parse::parse_choices(text, &labels) {
            Some(picked) => Ok(picked.into_iter().map(|i| i as u8 + 1).collect()),
            None => Err(Reask::new("reask-principles")),
        })
    }

    pub(super) fn read_date(&self, text: &str) -> Result<Date, Reask> {
        let today = self.engine.today(self.now);
        match parse::parse_date(text, today) {
            Some(date) if date < today => Err(Reask::new("reask-date-past")),
            Some(date) if date > today.checked_add(1.year()).unwrap_or(today) => {
                Err(Reask::new("reask-date-far"))
            }
            Some(date) => Ok(date),
            None => {
                let (day, month) = self.date_example();
                Err(Reask {
                    id: "reask-date".to_owned(),
                    args: vec![("day", day), ("month", month)],
                })
            }
        }
    }

    pub(super) fn reask(&mut self, reask: Reask) -> Result<(), EngineError> {
        let args: Vec<(&str, fluent_bundle::FluentValue<'_>)> = reask
            .args
            .iter()
            .map(|(name, value)| (*name, (*value).into()))
            .collect();
        let text = self.text(&reask.id, &args)?;
        // Keep the buttons of the question, under the same number, so they still work.
        let choices = match self.current() {
            Some((_, step, run)) => self.shown_choices(step, run)?,
            None => Vec::new(),
        };
        let prompt = (!choices.is_empty()).then_some(self.conv.prompt);
        self.replies.push(Reply {
            text,
            choices,
            prompt,
            file: None,
            picture: None,
        });
        Ok(())
    }

    /// One part of a trial-action step: what, then which principles (staff), then when, then
    /// how the person will know it worked (optional).
    fn trial_part(&mut self, step: &Step, text: &str) -> Result<(), EngineError> {
        let draft = self
            .conv
            .active
            .as_ref()
            .and_then(|r| r.draft.clone())
            .unwrap_or_default();
        if draft.what.is_none() {
            let open = self.ctx.trials.iter().filter(|t| t.state.is_open()).count();
            if open >= MAX_OPEN_TRIALS {
                // Bounded, so one person cannot grow the store and the reminders without end.
                self.say(
                    "trial-too-many",
                    &[("count", i64::try_from(open).unwrap_or(i64::MAX).into())],
                )?;
                return self.accept(step, Value::Skipped);
            }
        }
        let result = match (&draft.what, &draft.principles, draft.due) {
            (None, _, _) => free_text(text, TRIAL_WHAT_MAX).map(|what| TrialDraft {
                what: Some(what),
                // Citizens are not asked to sort their idea by principle; the step says which.
                principles: (self.conv.role == Role::Citizen).then(|| step.principles.clone()),
                due: None,
            }),
            (Some(_), None, _) => self.read_principles(text)?.map(|p| TrialDraft {
                principles: Some(p),
                ..draft.clone()
            }),
            (Some(_), Some(_), None) => self.read_date(text).map(|due| TrialDraft {
                due: Some(due),
                ..draft.clone()
            }),
            (Some(what), Some(principles), Some(due)) => {
                let sign = if SKIP_WORDS.contains(&parse::normalize(text).as_str()) {
                    Ok(None)
                } else {
                    free_text(text, TRIAL_SIGN_MAX).map(Some)
                };
                match sign {
                    Ok(sign) => {
                        let (what, principles) = (what.clone(), principles.clone());
                        return self.save_trial(step, what, principles, due, sign);
                    }
                    Err(reask) => Err(reask),
                }
            }
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
        sign: Option<String>,
    ) -> Result<(), EngineError> {
        let Some(id) = self.write_trial(step, what.clone(), principles, due, sign) else {
            return Ok(());
        };
        let date = self.date_text(due)?;
        if self.conv.active.as_ref().is_some_and(|run| !run.kept) {
            self.say("trial-not-saved", &[])?;
        } else {
            self.say(
                "trial-saved",
                &[("what", what.into()), ("date", date.into())],
            )?;
        }
        self.accept(step, Value::TrialAction(id))
    }

    /// On "keep and stop" inside a trial-action step: a draft with what, principles and date
    /// is saved (without "how will you know"). True when an unfinished draft was let go.
    pub(super) fn keep_trial_draft(&mut self) -> bool {
        let Some((_, step, run)) = self.current() else {
            return false;
        };
        let Some(draft) = run.draft.clone() else {
            return false;
        };
        let step = step.clone();
        match draft {
            TrialDraft {
                what: Some(what),
                principles: Some(principles),
                due: Some(due),
            } => {
                if let Some(id) = self.write_trial(&step, what, principles, due, None) {
                    self.record_answer(&step, Value::TrialAction(id));
                }
                false
            }
            _ => true,
        }
    }

    /// Writes a new trial action from the current run; its id.
    fn write_trial(
        &mut self,
        step: &Step,
        what: String,
        principles: Vec<u8>,
        due: Date,
        sign: Option<String>,
    ) -> Option<String> {
        let run = self.conv.active.as_mut()?;
        run.draft = None;
        run.trial_principles
            .insert(step.id.clone(), principles.clone());
        let trial = TrialAction {
            schema: SCHEMA,
            id: format!("{}-{}", run.run, step.id),
            person: self.conv.person.clone(),
            role: self.conv.role,
            group: run.group.clone(),
            what: what.clone(),
            principles,
            due,
            state: TrialState::Planned,
            replaces: run.follows.as_ref().map(|t| t.id.clone()),
            sign,
            offers: 0,
            offered_at: None,
            created_at: self.now,
            updated_at: self.now,
        };
        let id = trial.id.clone();
        self.writes.push(Write::Trial(trial));
        Some(id)
    }

    /// Stores an accepted answer and moves on.
    fn accept(&mut self, step: &Step, value: Value) -> Result<(), EngineError> {
        if !self.record_answer(step, value) {
            return Ok(());
        }
        let next = self.skip_unasked(self.next_target(step));
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

    /// Stores an answer in the run and as a record; false when no run is active.
    fn record_answer(&mut self, step: &Step, value: Value) -> bool {
        let Some(run) = self.conv.active.as_mut() else {
            return false;
        };
        self.writes.push(Write::Answer(AnswerRecord {
            schema: SCHEMA,
            person: self.conv.person.clone(),
            role: self.conv.role,
            group: run.group.clone(),
            run: run.run.clone(),
            dialogue: run.dialogue.clone(),
            step: step.id.clone(),
            // A skipped step touched no principle.
            principles: if value == Value::Skipped {
                Vec::new()
            } else {
                step.principles.clone()
            },
            value: value.clone(),
            answered_at: self.now,
        }));
        run.answers.insert(step.id.clone(), value.clone());
        run.path.push(step.id.clone());
        true
    }

    /// In a follow-up, writes the trial action's state as the run's answers set it. Done
    /// only when the run ends (or is stopped and kept), so /back and a discarded run need no
    /// undo.
    pub(super) fn write_follow_up_outcome(&mut self, run: &ActiveRun) {
        let Some(follows) = &run.follows else { return };
        let Some(dialogue) = self.engine.catalog.get(&run.dialogue) else {
            return;
        };
        let mut state = follows.state;
        for step in dialogue.steps.iter().filter(|s| s.sets_trial_state) {
            match run.answers.get(&step.id) {
                Some(Value::YesNo(true)) => state = TrialState::Tried,
                Some(Value::Choice(name)) => state = TrialState::from_name(name).unwrap_or(state),
                _ => {}
            }
        }
        // Written even when the state stays: looking back counts as the first offer.
        self.writes.push(Write::TrialState {
            id: follows.id.clone(),
            state,
            at: self.now,
        });
    }

    /// Passes over the questions that would ask for nothing: a consent question (`shares`)
    /// when none of the answers it asks about holds words, or when the run counts for no
    /// group (there is nothing to share, or nobody to share it with); an idea step when the
    /// run counts for no group (nobody would take it up).
    fn skip_unasked(&self, mut target: Target) -> Target {
        let (Some(dialogue), Some(run)) = (self.dialogue(), self.conv.active.as_ref()) else {
            return target;
        };
        // Dialogues have no loops (the loader refuses them), so this ends; the bound is a
        // second guard.
        for _ in 0..dialogue.steps.len() {
            let Target::Step(i) = target else { break };
            let Some(candidate) = dialogue.steps.get(i) else {
                break;
            };
            let anything_to_share = run.group.is_some()
                && candidate.shares.iter().any(|&shared| {
                    let id = &dialogue.steps[shared].id;
                    match run.answers.get(id) {
                        Some(Value::Text(_)) => true,
                        // Staff trial actions are shown to their group anyway; a citizen's
                        // words only with a yes.
                        Some(Value::TrialAction(_)) => self.conv.role == Role::Citizen,
                        _ => false,
                    }
                });
            let idea_for_nobody = candidate.idea && run.group.is_none();
            if (candidate.shares.is_empty() || anything_to_share) && !idea_for_nobody {
                break;
            }
            target = self.next_target(candidate);
        }
        target
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
        // Only what the person chose counts: a principles step, a principle chosen, and the
        // principles of a trial action made here. The principles a dialogue file attaches
        // to a step say what it is about, not what anyone did.
        let mut principles: Vec<u8> = Vec::new();
        for step_id in &run.path {
            if let Some(Value::Principles(chosen)) = run.answers.get(step_id) {
                principles.extend(chosen);
            }
            if let Some(chosen) = run.trial_principles.get(step_id) {
                principles.extend(chosen);
            }
        }
        principles.sort_unstable();
        principles.dedup();
        for p in &principles {
            if let Some(slot) = self
                .conv
                .principle_last
                .get_mut(usize::from(*p).wrapping_sub(1))
            {
                *slot = Some(self.now);
            }
        }
        self.write_follow_up_outcome(&run);
        self.writes.push(Write::Completed(RunRecord {
            schema: SCHEMA,
            person: self.conv.person.clone(),
            role: self.conv.role,
            group: run.group.clone(),
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
        if dialogue.is_some_and(|d| matches!(d.purpose, Purpose::Reflection | Purpose::CheckIn)) {
            self.say("dialogue-next", &[])?;
        }
        Ok(())
    }
}

/// A kind re-ask: the message id and its whole-number arguments.
#[derive(Clone, Debug)]
pub(super) struct Reask {
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
pub(super) fn free_text(text: &str, max_chars: usize) -> Result<String, Reask> {
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
