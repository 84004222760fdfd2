//! What the scheduler brings up: a trial action's follow-up offer and the reflection
//! reminder. Each records that it was sent in the same commit, so it fires once.

use super::{Due, EngineError, ReplyChoice, Turn};
use crate::records::{Pending, ReminderState, Write, SCHEMA};

impl Turn<'_, '_> {
    pub(super) fn due(&mut self, due: Due) -> Result<(), EngineError> {
        match due {
            Due::FollowUp { trial } => self.offer_follow_up(&trial),
            Due::Reminder => self.remind_now(),
            Due::Membership { group, role } => self.membership_changed(&group, role),
            Due::Meeting {
                group,
                group_name,
                trials,
                focus,
                ..
            } => self.meeting_news(&group, &group_name, &trials, focus),
            Due::IdeaTakenUp { idea, note, .. } => self.idea_taken_up(&idea, &note),
        }
    }

    fn offer_follow_up(&mut self, id: &str) -> Result<(), EngineError> {
        let trials = self.trials_in_order();
        let Some((index, trial)) = trials.iter().enumerate().find(|(_, t)| t.id == id) else {
            return Ok(());
        };
        let following_it = self
            .conv
            .active
            .as_ref()
            .and_then(|run| run.follows.as_ref())
            .is_some_and(|t| t.id == id);
        if !trial.state.is_open() || following_it {
            return Ok(());
        }
        let again = trial.offers > 0;
        let mut offered = (*trial).clone();
        offered.offers = offered.offers.saturating_add(1);
        offered.offered_at = Some(self.now);
        let number = index + 1;
        let what = offered.what.clone();
        self.writes.push(Write::Trial(offered));
        let args = [("what", what.into()), ("number", number.into())];
        let busy = self.conv.active.is_some()
            || !matches!(self.conv.pending, None | Some(Pending::Dialogue));
        if busy {
            // In the middle of something else: a note to come back to.
            return self.say("follow-up-offer-busy", &args);
        }
        let id = if again {
            "follow-up-offer-again"
        } else {
            "follow-up-offer"
        };
        let text = self.text(id, &args)?;
        let label = self.text("follow-up-now", &[])?;
        self.ask(
            text,
            vec![ReplyChoice {
                label,
                reply: format!("/followup {number}"),
                button: None,
            }],
        );
        Ok(())
    }

    fn remind_now(&mut self) -> Result<(), EngineError> {
        let Some(rule) = self.conv.reminder else {
            // Removed since it was scheduled.
            self.writes.push(Write::Reminder(None));
            return Ok(());
        };
        self.writes.push(Write::Reminder(Some(ReminderState {
            schema: SCHEMA,
            person: self.conv.person.clone(),
            rule,
            after: self.now,
        })));
        if self.conv.active.is_some() {
            return self.say("reminder-busy", &[]);
        }
        let text = self.text("reminder", &[])?;
        let label = self.text("reminder-start", &[])?;
        self.ask(
            text,
            vec![ReplyChoice {
                label,
                reply: "/reflect".into(),
                button: None,
            }],
        );
        Ok(())
    }
}
