//! Groups and roles: /newgroup, /newcodes, /join, /groups, /group, /name and /remind (the
//! care of members is in `members.rs`). Facilitator commands act on the person's own groups only, so a refusal never
//! tells whether some other group exists.

use jiff::{SignedDuration, Timestamp};

use super::{codes, parse, EngineError, GroupView, Reply, ReplyChoice, Turn};
use crate::dialogs::Role;
use crate::records::{
    Group, GroupRole, Invite, Member, Membership, Pending, ReminderRule, ReminderState, Write,
    SCHEMA,
};
use crate::schedule::{parse_reminder, ReminderProblem, OFF_WORDS};

/// A group name fits on one line of a menu.
const GROUP_NAME_MAX: usize = 60;
/// A shown first name is one short word.
const SHOWN_NAME_MAX: usize = 30;
/// The wrong code in a row that starts a pause of /join; each further one doubles it.
const FREE_GUESSES: u32 = 5;
/// Wrong codes this long ago no longer count.
const FORGET_FAILURES_AFTER: SignedDuration = SignedDuration::from_hours(24);
const LONGEST_PAUSE_MINUTES: i64 = 60;
/// Invite codes may be given at most this many days.
const INVITE_DAYS_MAX: i64 = 365;

impl Turn<'_, '_> {
    /// The membership the person's answers count for, if it still exists.
    pub(super) fn current_membership(&self) -> Option<&Membership> {
        let group = self.conv.group.as_deref()?;
        self.conv.memberships.iter().find(|m| m.group == group)
    }

    /// Keeps the chosen group valid and the role the one that group gave. Not during a
    /// dialogue: a run keeps the group and role it began with.
    pub(super) fn sync_group(&mut self) {
        if self.conv.active.is_some() {
            return;
        }
        if self.conv.group.is_some() && self.current_membership().is_none() {
            self.conv.group = None;
        }
        if self.conv.group.is_none() && self.conv.memberships.len() == 1 {
            self.conv.group = Some(self.conv.memberships[0].group.clone());
        }
        if let Some(role) = self.current_membership().map(|m| m.role.reflects_as()) {
            self.conv.role = role;
        }
    }

    /// True when the person may create groups: named in the configuration, or already a
    /// facilitator of a group.
    pub(super) fn may_create_groups(&self) -> bool {
        self.engine.settings.creators.contains(&self.conv.person)
            || self
                .conv
                .memberships
                .iter()
                .any(|m| m.role == GroupRole::Facilitator)
    }

    pub(super) fn refuse(&mut self) -> Result<(), EngineError> {
        self.say("not-allowed", &[])
    }

    pub(super) fn new_group(&mut self, arg: &str) -> Result<(), EngineError> {
        if !self.may_create_groups() {
            return self.refuse();
        }
        let name = parse::clean_text(arg)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if name.is_empty() || !parse::has_words(&name) {
            return self.say("newgroup-how", &[]);
        }
        let length = name.chars().count();
        if length > GROUP_NAME_MAX {
            return self.say(
                "newgroup-name-long",
                &[("max", GROUP_NAME_MAX.into()), ("length", length.into())],
            );
        }
        let (id, staff_code, citizen_code) = codes::new_group(self.ctx.entropy);
        let expires = self.invite_expiry(None);
        let group = Group {
            schema: SCHEMA,
            id: id.clone(),
            name: name.clone(),
            created_by: self.conv.person.clone(),
            created_at: self.now,
            staff_code,
            citizen_code,
            codes_expire: expires,
        };
        self.write_codes(&group);
        self.writes.push(Write::Group(group.clone()));
        self.add_membership(&id, &name, GroupRole::Facilitator);
        self.conv.group = Some(id);
        self.sync_group();
        self.say("newgroup-done", &[("name", name.into())])?;
        self.show_codes(&group)
    }

    /// Codes given `days` work to the end of the local day `days` days from today, so "until
    /// and including" a date is true.
    fn invite_expiry(&self, days: Option<i64>) -> Option<Timestamp> {
        let days = days.or(self.engine.settings.invite_days.map(i64::from))?;
        let tz = self.engine.settings.time_zone.clone();
        let last_day = self
            .engine
            .local_date(self.now)
            .checked_add(jiff::Span::new().days(days))
            .ok()?;
        let next_midnight = last_day.tomorrow().ok()?.to_zoned(tz).ok()?;
        Some(next_midnight.timestamp())
    }

    fn write_codes(&mut self, group: &Group) {
        for (code, role) in [
            (&group.staff_code, GroupRole::Staff),
            (&group.citizen_code, GroupRole::Citizen),
        ] {
            self.writes.push(Write::Invite(Invite {
                schema: SCHEMA,
                code: code.clone(),
                group: group.id.clone(),
                name: group.name.clone(),
                role,
                expires: group.codes_expire,
            }));
        }
    }

    pub(super) fn show_codes(&mut self, group: &Group) -> Result<(), EngineError> {
        self.say(
            "codes",
            &[
                ("staffcode", group.staff_code.clone().into()),
                ("citizencode", group.citizen_code.clone().into()),
            ],
        )?;
        match group.codes_expire {
            Some(at) if at <= self.now => self.say("codes-expired", &[]),
            Some(at) => {
                // The last day they work is the day before the midnight they stop at.
                let last_day = self
                    .engine
                    .local_date(at)
                    .yesterday()
                    .unwrap_or(self.engine.local_date(at));
                let date = self.date_text(last_day)?;
                self.say("codes-expire", &[("date", date.into())])
            }
            None => self.say("codes-no-expiry", &[]),
        }
    }

    fn add_membership(&mut self, group: &str, name: &str, role: GroupRole) {
        self.conv.memberships.retain(|m| m.group != group);
        self.conv.memberships.push(Membership {
            group: group.to_owned(),
            name: name.to_owned(),
            role,
            joined_at: self.now,
            focus: None,
        });
        self.writes.push(Write::Member(Member {
            schema: SCHEMA,
            group: group.to_owned(),
            person: self.conv.person.clone(),
            role,
            joined_at: self.now,
        }));
    }

    /// The loaded group a facilitator command needs, or the reply that says why not.
    pub(super) fn facilitated_group(&mut self) -> Result<Option<Membership>, EngineError> {
        if let Some(membership) = self.engine.facilitated_group(&self.conv) {
            return Ok(Some(membership.clone()));
        }
        let admin = self.engine.settings.creators.contains(&self.conv.person);
        let runs_any = self
            .conv
            .memberships
            .iter()
            .any(|m| admin || m.role == GroupRole::Facilitator);
        if runs_any {
            self.say("group-choose-first", &[])?;
        } else {
            self.refuse()?;
        }
        Ok(None)
    }

    pub(super) fn new_codes(&mut self, arg: &str) -> Result<(), EngineError> {
        let Some(membership) = self.facilitated_group()? else {
            return Ok(());
        };
        let days = if arg.is_empty() {
            None
        } else {
            match parse::parse_number(arg).filter(|d| (1..=INVITE_DAYS_MAX).contains(d)) {
                Some(days) => Some(days),
                None => {
                    return self.say("newcodes-days", &[("max", INVITE_DAYS_MAX.into())]);
                }
            }
        };
        let Some(old) = self.loaded_group(&membership) else {
            // The caller loads the group for this command; without it, nothing is changed.
            return self.say("group-unavailable", &[]);
        };
        let (_, staff_code, citizen_code) = codes::new_group(self.ctx.entropy);
        let group = Group {
            staff_code,
            citizen_code,
            codes_expire: self.invite_expiry(days),
            ..old.group.clone()
        };
        for code in [&old.group.staff_code, &old.group.citizen_code] {
            self.writes.push(Write::RevokeInvite { code: code.clone() });
        }
        self.write_codes(&group);
        self.writes.push(Write::Group(group.clone()));
        self.say("newcodes-done", &[("name", group.name.clone().into())])?;
        self.show_codes(&group)
    }

    pub(super) fn join(&mut self, arg: &str) -> Result<(), EngineError> {
        let forgiven = self
            .conv
            .join_failed_at
            .is_some_and(|at| self.now.duration_since(at) > FORGET_FAILURES_AFTER);
        if forgiven {
            self.conv.join_failures = 0;
            self.conv.join_failed_at = None;
        }
        if let Some(until) = self.conv.join_paused_until.filter(|u| *u > self.now) {
            let minutes = (until.duration_since(self.now).as_secs() + 59) / 60;
            return self.say("join-paused", &[("minutes", minutes.into())]);
        }
        if arg.is_empty() {
            return self.say("join-how", &[]);
        }
        let valid = codes::normalize_code(arg).and_then(|code| {
            self.ctx
                .invite
                .filter(|i| i.code == code && i.expires.is_none_or(|at| at > self.now))
        });
        let Some(invite) = valid.cloned() else {
            return self.wrong_code();
        };
        self.conv.join_failures = 0;
        self.conv.join_paused_until = None;
        self.conv.join_failed_at = None;
        let name = invite.name.clone();
        if let Some(existing) = self
            .conv
            .memberships
            .iter()
            .find(|m| m.group == invite.group)
        {
            let role = self.role_text(existing.role)?;
            return self.say(
                "join-already",
                &[
                    ("name", existing.name.clone().into()),
                    ("role", role.into()),
                ],
            );
        }
        self.add_membership(&invite.group, &name, invite.role);
        if self.conv.active.is_none() && self.conv.memberships.len() > 1 {
            // In several groups now: the next dialogue asks which one the answers count for.
            self.conv.group = None;
        }
        self.sync_group();
        let role = self.role_text(invite.role)?;
        self.say("join-done", &[("name", name.into()), ("role", role.into())])?;
        self.say(
            match invite.role {
                GroupRole::Citizen => "join-sees-citizen",
                GroupRole::Staff | GroupRole::Facilitator => "join-sees-staff",
            },
            &[],
        )?;
        if self.conv.active.is_some() {
            self.ask_current()
        } else {
            self.say("dialogue-next", &[])
        }
    }

    /// A wrong or expired code: the same answer for both, and a growing pause after a few.
    fn wrong_code(&mut self) -> Result<(), EngineError> {
        self.conv.join_failures = self.conv.join_failures.saturating_add(1);
        self.conv.join_failed_at = Some(self.now);
        if self.conv.join_failures >= FREE_GUESSES {
            let doublings = (self.conv.join_failures - FREE_GUESSES).min(6);
            let minutes = (1i64 << doublings).min(LONGEST_PAUSE_MINUTES);
            self.conv.join_paused_until = self
                .now
                .checked_add(SignedDuration::from_mins(minutes))
                .ok();
            tracing::info!(
                failures = self.conv.join_failures,
                "join paused after wrong codes"
            );
            return self.say("join-wrong-paused", &[("minutes", minutes.into())]);
        }
        self.say("join-wrong", &[])
    }

    pub(super) fn role_text(&self, role: GroupRole) -> Result<String, EngineError> {
        self.text(&format!("role-{}", role.name()), &[])
    }

    pub(super) fn list_groups(&mut self) -> Result<(), EngineError> {
        if self.conv.memberships.is_empty() {
            return self.say("groups-none", &[]);
        }
        let mut lines = vec![self.text("groups-header", &[])?];
        let memberships = self.conv.memberships.clone();
        for (i, m) in memberships.iter().enumerate() {
            let role = self.role_text(m.role)?;
            let id = if self.conv.group.as_deref() == Some(m.group.as_str()) {
                "groups-line-current"
            } else {
                "groups-line"
            };
            lines.push(self.text(
                id,
                &[
                    ("number", (i + 1).into()),
                    ("name", m.name.clone().into()),
                    ("role", role.into()),
                ],
            )?);
        }
        if memberships.len() > 1 {
            lines.push(self.text("groups-choose-hint", &[])?);
        }
        self.replies.push(Reply::plain(lines.join("\n")));
        Ok(())
    }

    pub(super) fn choose_group_command(&mut self, arg: &str) -> Result<(), EngineError> {
        if self.conv.active.is_some() {
            self.say("group-busy", &[])?;
            return self.ask_current();
        }
        if arg.is_empty() || self.conv.memberships.is_empty() {
            return self.list_groups();
        }
        match self.pick_group(arg) {
            Some(i) => self.set_group(i),
            None => self.list_groups(),
        }
    }

    pub(super) fn pick_group(&self, text: &str) -> Option<usize> {
        let names: Vec<String> = self
            .conv
            .memberships
            .iter()
            .map(|m| m.name.clone())
            .collect();
        parse::parse_choice(text, &names)
    }

    fn set_group(&mut self, index: usize) -> Result<(), EngineError> {
        let Some(m) = self.conv.memberships.get(index) else {
            return self.list_groups();
        };
        let name = m.name.clone();
        self.conv.group = Some(m.group.clone());
        self.sync_group();
        self.say("group-set", &[("name", name.into())])
    }

    /// Before a dialogue: asks which group the answers count for, once, when there are
    /// several. True when the question was asked.
    pub(super) fn ask_group_if_unclear(&mut self, then_try: bool) -> Result<bool, EngineError> {
        self.sync_group();
        if self.conv.group.is_some() || self.conv.memberships.len() < 2 {
            return Ok(false);
        }
        self.conv.pending = Some(Pending::Group { then_try });
        self.ask_group()?;
        Ok(true)
    }

    pub(super) fn ask_group(&mut self) -> Result<(), EngineError> {
        let text = self.text("group-ask", &[])?;
        let choices = self
            .conv
            .memberships
            .iter()
            .enumerate()
            .map(|(i, m)| ReplyChoice {
                label: m.name.clone(),
                reply: (i + 1).to_string(),
                button: None,
            })
            .collect();
        self.ask(text, choices);
        Ok(())
    }

    pub(super) fn choose_group(&mut self, text: &str, then_try: bool) -> Result<(), EngineError> {
        match self.pick_group(text) {
            Some(i) => {
                self.conv.pending = None;
                self.set_group(i)?;
                if then_try {
                    self.try_something()
                } else {
                    self.show_menu()
                }
            }
            None => {
                let count = self.conv.memberships.len();
                self.say("reask-choice", &[("count", count.into())])?;
                self.ask_group()
            }
        }
    }

    pub(super) fn digest(&mut self) -> Result<(), EngineError> {
        if self.facilitated_group()?.is_none() {
            return Ok(());
        }
        let Some(digest) = self.ctx.digest else {
            return self.say("group-unavailable", &[]);
        };
        self.replies.push(Reply::plain(digest.to_owned()));
        Ok(())
    }

    pub(super) fn shown_name(&mut self, arg: &str) -> Result<(), EngineError> {
        if self.conv.role == Role::Citizen {
            // Citizens' answers and trial actions are never shown with a name.
            self.conv.shown_name = None;
            return self.say("name-citizen", &[]);
        }
        let cleaned = parse::clean_text(arg);
        if cleaned.is_empty() {
            return match self.conv.shown_name.clone() {
                Some(name) => self.say("name-current", &[("name", name.into())]),
                None => self.say("name-how", &[]),
            };
        }
        if is_off(&cleaned) {
            self.conv.shown_name = None;
            return self.say("name-removed", &[]);
        }
        let name: String = cleaned
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned();
        let letters = name.chars().all(|c| c.is_alphabetic() || c == '-');
        if !letters || name.chars().count() > SHOWN_NAME_MAX {
            return self.say("name-how", &[]);
        }
        self.conv.shown_name = Some(name.clone());
        self.say("name-set", &[("name", name.into())])
    }

    pub(super) fn remind(&mut self, arg: &str) -> Result<(), EngineError> {
        if arg.is_empty() {
            return match self.conv.reminder {
                Some(rule) => {
                    let text = self.reminder_text(rule)?;
                    self.say("remind-current", &[("when", text.into())])
                }
                None => self.say("remind-how", &[]),
            };
        }
        match parse_reminder(arg) {
            Ok(Some(rule)) => {
                self.conv.reminder = Some(rule);
                self.writes.push(Write::Reminder(Some(ReminderState {
                    schema: SCHEMA,
                    person: self.conv.person.clone(),
                    rule,
                    after: self.now,
                })));
                let text = self.reminder_text(rule)?;
                self.say("remind-set", &[("when", text.into())])
            }
            Ok(None) => {
                self.conv.reminder = None;
                self.writes.push(Write::Reminder(None));
                self.say("remind-removed", &[])
            }
            Err(ReminderProblem::BadTime) => self.say("remind-bad-time", &[]),
            Err(ReminderProblem::NoTime | ReminderProblem::UnknownWord) => {
                self.say("remind-how", &[])
            }
        }
    }

    /// "weekdays at 22:15", "Monday, Wednesday at 21:30", "every day at 07:00".
    pub(super) fn reminder_text(&self, rule: ReminderRule) -> Result<String, EngineError> {
        let days = match rule.weekdays & 0x7f {
            0x7f => self.text("remind-every-day", &[])?,
            0x1f => self.text("remind-weekdays", &[])?,
            0x60 => self.text("remind-weekend", &[])?,
            bits => {
                let names = (0..7)
                    .filter(|i| bits & (1 << i) != 0)
                    .map(|i| self.text(&format!("weekday-{}", i + 1), &[]))
                    .collect::<Result<Vec<_>, _>>()?;
                let list = self.and_list(names)?;
                self.text("remind-on-days", &[("days", list.into())])?
            }
        };
        let time = self.text(
            "time-of-day",
            &[
                ("hour", format!("{:02}", rule.hour).into()),
                ("minute", format!("{:02}", rule.minute).into()),
            ],
        )?;
        self.text(
            "remind-when",
            &[("days", days.into()), ("time", time.into())],
        )
    }
}

impl<'e> Turn<'e, '_> {
    /// The facilitated group as loaded for this command, if it is the one `membership` names.
    pub(super) fn loaded_group(&self, membership: &Membership) -> Option<&'e GroupView> {
        self.ctx.group.filter(|g| g.group.id == membership.group)
    }

    /// "a, b and c" in the person's language.
    pub(super) fn and_list(&self, mut items: Vec<String>) -> Result<String, EngineError> {
        let Some(last) = items.pop() else {
            return Ok(String::new());
        };
        if items.is_empty() {
            return Ok(last);
        }
        let rest = items.join(", ");
        self.text("list-and", &[("rest", rest.into()), ("last", last.into())])
    }
}

/// "off" in the words people use.
pub(super) fn is_off(text: &str) -> bool {
    OFF_WORDS.contains(&parse::normalize(text).as_str())
}
