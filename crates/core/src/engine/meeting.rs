//! /meeting: a facilitator opens their group's learning meeting. They get the agenda of the
//! loop since the last meeting, then record in the chat what the group decided: trial
//! actions the group owns, a focus principle, what became of the last meeting's trial
//! actions. Saving it keeps the meeting for the group and tells the group's staff.

use super::{EngineError, Reply, ReplyChoice, Turn, TRIAL_WHAT_MAX};
use crate::records::{
    GroupRole, GroupTrial, Meeting, MeetingDraft, MeetingStep, Pending, TakenIdea, TrialState,
    Write, SCHEMA,
};

/// The states a meeting can give an earlier group trial action, in the order offered.
const OUTCOMES: [TrialState; 4] = [
    TrialState::Kept,
    TrialState::Adjusted,
    TrialState::Dropped,
    TrialState::Done,
];

/// At most this many group trial actions per meeting: a loop is a few small things.
const MAX_GROUP_TRIALS: usize = 5;

/// What the group will do with a citizen's idea: a few sentences, told to the citizen.
const IDEA_NOTE_MAX: usize = 400;

/// What the menu offers, in order; follow-ups only for earlier trial actions still open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Choice {
    AddTrial,
    Focus,
    FollowUp(usize),
    TakeIdea,
    Save,
    Cancel,
}

impl Turn<'_, '_> {
    /// /meeting: the agenda, then the menu of decisions.
    pub(super) fn meeting(&mut self) -> Result<(), EngineError> {
        let Some(membership) = self.facilitated_group()? else {
            return Ok(());
        };
        let Some(view) = self.ctx.meeting else {
            return self.say("group-unavailable", &[]);
        };
        self.replies.push(Reply::plain(view.agenda.clone()));
        let draft = MeetingDraft {
            group: membership.group,
            since: view.since,
            step: MeetingStep::Menu,
            trials: Vec::new(),
            earlier: view.open.clone(),
            focus: None,
            ideas: view.ideas.clone(),
            ideas_taken_up: Vec::new(),
        };
        self.conv.pending = Some(Pending::Meeting(Box::new(draft)));
        self.ask_meeting()
    }

    /// Asks what the meeting's current step asks.
    pub(super) fn ask_meeting(&mut self) -> Result<(), EngineError> {
        let Some(Pending::Meeting(draft)) = &self.conv.pending else {
            return Ok(());
        };
        let draft = (**draft).clone();
        match &draft.step {
            MeetingStep::Menu => {
                let focus = match draft.focus {
                    Some(p) => self.text(&format!("principle-{p}"), &[])?,
                    None => self.text("meeting-no-focus", &[])?,
                };
                let text = self.text(
                    "meeting-menu",
                    &[
                        ("trials", draft.trials.len().into()),
                        ("focus", focus.into()),
                        ("ideas", draft.ideas_taken_up.len().into()),
                    ],
                )?;
                let choices = self.meeting_choices(&draft)?;
                self.ask(text, choices);
            }
            MeetingStep::TrialWhat => {
                let text = self.text("meeting-trial-what", &[])?;
                self.ask(text, Vec::new());
            }
            MeetingStep::TrialPrinciples { .. } => {
                let text = self.text("meeting-trial-principles", &[])?;
                let choices = self.principle_choices()?;
                self.ask(text, choices);
            }
            MeetingStep::TrialWhen { .. } => {
                let (hint, choices) = self.date_hint()?;
                let mut text = self.text("meeting-trial-when", &[])?;
                if let Some(hint) = hint {
                    text.push('\n');
                    text.push_str(&hint);
                }
                self.ask(text, choices);
            }
            MeetingStep::Focus => {
                let text = self.text("meeting-focus", &[])?;
                let choices = self.principle_choices()?;
                self.ask(text, choices);
            }
            MeetingStep::FollowUp { index } => {
                let what = draft
                    .earlier
                    .get(*index)
                    .map(|t| t.what.clone())
                    .unwrap_or_default();
                let text = self.text("meeting-follow-up-ask", &[("what", what.into())])?;
                let choices = OUTCOMES
                    .iter()
                    .enumerate()
                    .map(|(i, state)| {
                        Ok(ReplyChoice {
                            label: self.text(&format!("trial-state-{}", state.name()), &[])?,
                            reply: (i + 1).to_string(),
                            button: None,
                        })
                    })
                    .collect::<Result<Vec<_>, EngineError>>()?;
                self.ask(text, choices);
            }
            MeetingStep::IdeaWhich => {
                let text = self.text("meeting-idea-which", &[])?;
                let choices = draft
                    .ideas
                    .iter()
                    .enumerate()
                    .map(|(i, idea)| ReplyChoice {
                        label: idea.text.clone(),
                        reply: (i + 1).to_string(),
                        button: None,
                    })
                    .collect();
                self.ask(text, choices);
            }
            MeetingStep::IdeaNote { index } => {
                let idea = draft
                    .ideas
                    .get(*index)
                    .map(|idea| idea.text.clone())
                    .unwrap_or_default();
                let text = self.text("meeting-idea-note", &[("idea", idea.into())])?;
                self.ask(text, Vec::new());
            }
        }
        Ok(())
    }

    /// Reads an answer to the meeting's current step.
    pub(super) fn meeting_answer(
        &mut self,
        text: &str,
        mut draft: MeetingDraft,
    ) -> Result<(), EngineError> {
        let step = std::mem::replace(&mut draft.step, MeetingStep::Menu);
        match step {
            MeetingStep::Menu => {
                let offered = self.offered(&draft);
                let labels: Vec<String> = self
                    .meeting_choices(&draft)?
                    .into_iter()
                    .map(|c| c.label)
                    .collect();
                let Some(choice) =
                    super::parse::parse_choice(text, &labels).and_then(|i| offered.get(i).copied())
                else {
                    self.say("reask-choice", &[("count", labels.len().into())])?;
                    draft.step = MeetingStep::Menu;
                    return self.keep_meeting(draft);
                };
                match choice {
                    Choice::AddTrial if draft.trials.len() >= MAX_GROUP_TRIALS => {
                        self.say("meeting-trials-full", &[("count", MAX_GROUP_TRIALS.into())])?;
                    }
                    Choice::AddTrial => draft.step = MeetingStep::TrialWhat,
                    Choice::Focus => draft.step = MeetingStep::Focus,
                    Choice::FollowUp(index) => draft.step = MeetingStep::FollowUp { index },
                    Choice::TakeIdea => draft.step = MeetingStep::IdeaWhich,
                    Choice::Save => return self.save_meeting(draft),
                    Choice::Cancel => {
                        self.conv.pending = None;
                        return self.say("meeting-cancelled", &[]);
                    }
                }
            }
            MeetingStep::TrialWhat => match super::answers::free_text(text, TRIAL_WHAT_MAX) {
                Ok(what) => {
                    let what = self.without_personal_numbers(&what)?;
                    draft.step = MeetingStep::TrialPrinciples { what };
                }
                Err(reask) => {
                    draft.step = MeetingStep::TrialWhat;
                    self.keep_meeting_quietly(draft);
                    return self.reask(reask);
                }
            },
            MeetingStep::TrialPrinciples { what } => match self.read_principles(text)? {
                Ok(principles) => draft.step = MeetingStep::TrialWhen { what, principles },
                Err(reask) => {
                    draft.step = MeetingStep::TrialPrinciples { what };
                    self.keep_meeting_quietly(draft);
                    return self.reask(reask);
                }
            },
            MeetingStep::TrialWhen { what, principles } => match self.read_date(text) {
                Ok(due) => {
                    let date = self.date_text(due)?;
                    self.say(
                        "meeting-trial-added",
                        &[("what", what.as_str().into()), ("date", date.into())],
                    )?;
                    let number = draft.trials.len() + 1;
                    draft.trials.push(GroupTrial {
                        id: format!("{}-{number}", self.now.as_second()),
                        what,
                        principles,
                        due,
                        state: TrialState::Planned,
                    });
                }
                Err(reask) => {
                    draft.step = MeetingStep::TrialWhen { what, principles };
                    self.keep_meeting_quietly(draft);
                    return self.reask(reask);
                }
            },
            MeetingStep::Focus => {
                let labels = self.principle_labels()?;
                match super::parse::parse_choice(text, &labels) {
                    #[expect(clippy::cast_possible_truncation, reason = "one of eight principles")]
                    Some(i) => draft.focus = Some(i as u8 + 1),
                    None => {
                        draft.step = MeetingStep::Focus;
                        self.say("reask-choice", &[("count", labels.len().into())])?;
                    }
                }
            }
            MeetingStep::FollowUp { index } => {
                let labels = OUTCOMES
                    .iter()
                    .map(|state| self.text(&format!("trial-state-{}", state.name()), &[]))
                    .collect::<Result<Vec<_>, _>>()?;
                match super::parse::parse_choice(text, &labels) {
                    Some(i) => {
                        if let (Some(trial), Some(state)) =
                            (draft.earlier.get_mut(index), OUTCOMES.get(i))
                        {
                            trial.state = *state;
                        }
                    }
                    None => {
                        draft.step = MeetingStep::FollowUp { index };
                        self.say("reask-choice", &[("count", labels.len().into())])?;
                    }
                }
            }
            MeetingStep::IdeaWhich => {
                let labels: Vec<String> = draft.ideas.iter().map(|i| i.text.clone()).collect();
                match super::parse::parse_choice(text, &labels) {
                    Some(index) => draft.step = MeetingStep::IdeaNote { index },
                    None => {
                        draft.step = MeetingStep::IdeaWhich;
                        self.say("reask-choice", &[("count", labels.len().into())])?;
                    }
                }
            }
            MeetingStep::IdeaNote { index } => match super::answers::free_text(text, IDEA_NOTE_MAX)
            {
                Ok(note) => {
                    let note = self.without_personal_numbers(&note)?;
                    if let Some(idea) = draft.ideas.get(index) {
                        // Taken up twice: the second note stands.
                        draft.ideas_taken_up.retain(|t| t.token != idea.token);
                        draft.ideas_taken_up.push(TakenIdea {
                            token: idea.token.clone(),
                            note,
                        });
                        self.say("meeting-idea-added", &[])?;
                    }
                }
                Err(reask) => {
                    draft.step = MeetingStep::IdeaNote { index };
                    self.keep_meeting_quietly(draft);
                    return self.reask(reask);
                }
            },
        }
        self.keep_meeting(draft)
    }

    fn keep_meeting(&mut self, draft: MeetingDraft) -> Result<(), EngineError> {
        self.keep_meeting_quietly(draft);
        self.ask_meeting()
    }

    /// Keeps the draft without asking again (a re-ask says what to do itself).
    fn keep_meeting_quietly(&mut self, draft: MeetingDraft) {
        self.conv.pending = Some(Pending::Meeting(Box::new(draft)));
    }

    /// Keeps the meeting for the group, and its decision for each staff member to hear.
    fn save_meeting(&mut self, draft: MeetingDraft) -> Result<(), EngineError> {
        // Taken out of the group (or made staff) while writing it down: nothing is saved.
        let admin = self.engine.settings.creators.contains(&self.conv.person);
        let still_runs_it = self
            .conv
            .memberships
            .iter()
            .any(|m| m.group == draft.group && (admin || m.role == GroupRole::Facilitator));
        if !still_runs_it {
            self.conv.pending = None;
            return self.say("meeting-not-yours", &[]);
        }
        let followed_up: Vec<GroupTrial> = draft
            .earlier
            .iter()
            .filter(|t| t.state != TrialState::Planned)
            .cloned()
            .collect();
        if draft.trials.is_empty()
            && draft.focus.is_none()
            && followed_up.is_empty()
            && draft.ideas_taken_up.is_empty()
        {
            self.say("meeting-nothing-yet", &[])?;
            return self.keep_meeting(draft);
        }
        self.conv.pending = None;
        self.writes.push(Write::Meeting(Meeting {
            schema: SCHEMA,
            group: draft.group,
            held_at: self.now,
            since: draft.since,
            trials: draft.trials,
            followed_up,
            focus: draft.focus,
            ideas_taken_up: draft.ideas_taken_up,
        }));
        self.say("meeting-saved", &[])
    }

    /// The menu's choices as offered now.
    fn offered(&self, draft: &MeetingDraft) -> Vec<Choice> {
        let mut offered = vec![Choice::AddTrial, Choice::Focus];
        offered.extend(
            draft
                .earlier
                .iter()
                .enumerate()
                .filter(|(_, t)| t.state == TrialState::Planned)
                .map(|(i, _)| Choice::FollowUp(i)),
        );
        if !draft.ideas.is_empty() {
            offered.push(Choice::TakeIdea);
        }
        offered.extend([Choice::Save, Choice::Cancel]);
        offered
    }

    fn meeting_choices(&self, draft: &MeetingDraft) -> Result<Vec<ReplyChoice>, EngineError> {
        self.offered(draft)
            .into_iter()
            .enumerate()
            .map(|(i, choice)| {
                let label = match choice {
                    Choice::AddTrial => self.text("meeting-add-trial", &[])?,
                    Choice::Focus => self.text("meeting-choose-focus", &[])?,
                    Choice::FollowUp(index) => {
                        let what = draft
                            .earlier
                            .get(index)
                            .map(|t| t.what.clone())
                            .unwrap_or_default();
                        self.text("meeting-follow-up", &[("what", what.into())])?
                    }
                    Choice::TakeIdea => self.text("meeting-take-idea", &[])?,
                    Choice::Save => self.text("meeting-save", &[])?,
                    Choice::Cancel => self.text("meeting-cancel", &[])?,
                };
                Ok(ReplyChoice {
                    label,
                    reply: (i + 1).to_string(),
                    button: None,
                })
            })
            .collect()
    }
}

impl Turn<'_, '_> {
    /// Tells a staff member what their group's learning meeting decided, unless they said no
    /// to such messages.
    pub(super) fn meeting_news(
        &mut self,
        group: &str,
        group_name: &str,
        trials: &[GroupTrial],
        focus: Option<u8>,
    ) -> Result<(), EngineError> {
        // The group's focus is taken in either way: the principle dialogue offers it.
        let focus = focus.filter(|p| (1..=8).contains(p));
        if let Some(membership) = self.conv.memberships.iter_mut().find(|m| m.group == group) {
            membership.focus = focus;
        }
        if self.conv.no_meeting_news {
            return Ok(());
        }
        let mut lines = vec![self.text("meeting-news", &[("group", group_name.into())])?];
        for trial in trials {
            let date = self.date_text(trial.due)?;
            lines.push(self.text(
                "meeting-news-trial",
                &[("what", trial.what.as_str().into()), ("date", date.into())],
            )?);
        }
        if let Some(p) = focus {
            let principle = self.text(&format!("principle-{p}"), &[])?;
            lines.push(self.text("meeting-news-focus", &[("principle", principle.into())])?);
        }
        lines.push(self.text("meeting-news-stop", &[])?);
        self.replies.push(Reply::plain(lines.join("\n")));
        Ok(())
    }

    /// Tells a citizen what a learning meeting will do with the idea they shared. Not
    /// passed over by /news off: it answers the citizen's own words.
    pub(super) fn idea_taken_up(&mut self, idea: &str, note: &str) -> Result<(), EngineError> {
        self.say(
            "idea-taken-up",
            &[("idea", idea.into()), ("note", note.into())],
        )
    }

    /// /news on|off: messages about the group's learning meetings.
    pub(super) fn news(&mut self, arg: &str) -> Result<(), EngineError> {
        let on = if super::groups::is_off(arg) {
            Some(false)
        } else {
            super::parse::parse_yes_no(arg).or_else(|| is_on(arg).then_some(true))
        };
        match on {
            Some(on) => {
                self.conv.no_meeting_news = !on;
                self.say(if on { "news-on" } else { "news-off" }, &[])
            }
            None if self.conv.no_meeting_news => self.say("news-is-off", &[]),
            None => self.say("news-is-on", &[]),
        }
    }
}

/// "on" in the words people use ("off" is [`super::groups::is_off`]).
fn is_on(arg: &str) -> bool {
    matches!(super::parse::normalize(arg).as_str(), "on" | "til")
}
