//! Leaving a group, and a facilitator's care of its members: the numbered list (/members),
//! taking someone out (/remove), handing over the facilitation (/facilitator), and the chats
//! linked to the digest (/unlinkdigest in a private chat). A facilitator never sees a
//! citizen's name or any id: a member is a number in the list and the week they joined.

use jiff::Timestamp;

use super::{parse, EngineError, GroupView, Reply, Turn};
use crate::records::{
    Conversation, DigestChat, GroupRole, Member, Membership, Pending, Platform, Write,
};

/// The answers to "leave?" and "remove?", in the order shown (the first is yes).
const LEAVE_CHOICES: [&str; 2] = ["leave-yes", "leave-no"];
const REMOVE_CHOICES: [&str; 2] = ["remove-yes", "remove-no"];

/// The group `/leave arg` leaves: the one named or numbered as in /groups, else the chosen
/// group, else the only one.
pub(super) fn leaving<'c>(conv: &'c Conversation, arg: &str) -> Option<&'c Membership> {
    if !arg.is_empty() {
        let names: Vec<String> = conv.memberships.iter().map(|m| m.name.clone()).collect();
        return parse::parse_choice(arg, &names).and_then(|i| conv.memberships.get(i));
    }
    let chosen = conv.group.as_deref();
    conv.memberships
        .iter()
        .find(|m| Some(m.group.as_str()) == chosen)
        .or(match conv.memberships.as_slice() {
            [only] => Some(only),
            _ => None,
        })
}

/// The group's members in the order the facilitator's list numbers them: who joined first
/// comes first, so a newcomer never changes anyone's number.
fn numbered(view: &GroupView) -> Vec<&Member> {
    let mut members: Vec<&Member> = view.members.iter().collect();
    members.sort_by(|a, b| (a.joined_at, &a.person).cmp(&(b.joined_at, &b.person)));
    members
}

/// The chats linked to the digest in the order the list numbers them: the oldest link first.
fn numbered_links(view: &GroupView) -> Vec<&DigestChat> {
    let mut links: Vec<&DigestChat> = view.links.iter().collect();
    links.sort_by(|a, b| (a.linked_at, &a.chat).cmp(&(b.linked_at, &b.chat)));
    links
}

fn facilitators(view: &GroupView) -> usize {
    view.members
        .iter()
        .filter(|m| m.role == GroupRole::Facilitator)
        .count()
}

impl Turn<'_, '_> {
    pub(super) fn leave(&mut self, arg: &str) -> Result<(), EngineError> {
        if self.conv.memberships.is_empty() {
            return self.say("groups-none", &[]);
        }
        let Some(membership) = leaving(&self.conv, arg).cloned() else {
            self.list_groups()?;
            return self.say("leave-which", &[]);
        };
        let running = self
            .conv
            .active
            .as_ref()
            .and_then(|run| run.group.as_deref());
        if running == Some(membership.group.as_str()) {
            self.say("group-busy", &[])?;
            return self.ask_current();
        }
        if self.last_facilitator_of(&membership)? {
            return Ok(());
        }
        self.conv.pending = Some(Pending::ConfirmLeave {
            group: membership.group,
        });
        self.ask_member_change()
    }

    /// True (and says so) when `membership` makes the person the only facilitator of a group
    /// that has others in it: a group is not left without someone to run it.
    fn last_facilitator_of(&mut self, membership: &Membership) -> Result<bool, EngineError> {
        if membership.role != GroupRole::Facilitator {
            return Ok(false);
        }
        let Some(view) = self.loaded_group(membership) else {
            self.say("group-unavailable", &[])?;
            return Ok(true);
        };
        let alone = facilitators(view) <= 1 && view.members.len() > 1;
        if alone {
            let name = view.group.name.clone();
            self.say("leave-last-facilitator", &[("name", name.into())])?;
        }
        Ok(alone)
    }

    /// Asks again whether to leave, or to remove the member, as pending.
    pub(super) fn ask_member_change(&mut self) -> Result<(), EngineError> {
        let (text, choices) = match self.conv.pending.clone() {
            Some(Pending::ConfirmLeave { group }) => {
                let name = self
                    .conv
                    .memberships
                    .iter()
                    .find(|m| m.group == group)
                    .map(|m| m.name.clone())
                    .unwrap_or_default();
                let text = self.text("leave-confirm", &[("name", name.into())])?;
                (text, self.labels(&LEAVE_CHOICES)?)
            }
            Some(Pending::ConfirmRemove {
                number, joined_at, ..
            }) => {
                let (week, year) = self.week_of(joined_at);
                let args = [
                    ("number", number.into()),
                    ("week", week.into()),
                    ("year", year.into()),
                ];
                let text = self.text("remove-confirm", &args)?;
                (text, self.labels(&REMOVE_CHOICES)?)
            }
            _ => return Ok(()),
        };
        self.ask(text, choices);
        Ok(())
    }

    pub(super) fn confirm_leave(&mut self, text: &str, group: &str) -> Result<(), EngineError> {
        match self.yes_or_no(text, &LEAVE_CHOICES)? {
            Some(true) => {
                self.conv.pending = None;
                let Some(membership) = self
                    .conv
                    .memberships
                    .iter()
                    .find(|m| m.group == group)
                    .cloned()
                else {
                    return self.show_menu();
                };
                // Someone else may have stepped down meanwhile.
                if self.last_facilitator_of(&membership)? {
                    return Ok(());
                }
                self.conv.memberships.retain(|m| m.group != group);
                self.writes.push(Write::Leave {
                    group: group.to_owned(),
                });
                self.sync_group();
                self.say("leave-done", &[("name", membership.name.into())])
            }
            Some(false) => {
                self.conv.pending = None;
                self.say("leave-cancelled", &[])?;
                self.repeat_prompt()
            }
            None => {
                self.say("reask-choice", &[("count", LEAVE_CHOICES.len().into())])?;
                self.ask_member_change()
            }
        }
    }

    /// /members: the numbered list (staff by the first name they allow, citizens by role and
    /// week only), how to change it, the linked chats and the codes.
    pub(super) fn members(&mut self) -> Result<(), EngineError> {
        let Some(membership) = self.facilitated_group()? else {
            return Ok(());
        };
        let Some(view) = self.loaded_group(&membership) else {
            return self.say("group-unavailable", &[]);
        };
        let header = self.text(
            "members-header",
            &[
                ("name", view.group.name.clone().into()),
                ("count", view.members.len().into()),
            ],
        )?;
        let mut lines = vec![header];
        for (i, member) in numbered(view).into_iter().enumerate() {
            lines.push(self.member_line(i + 1, member, view)?);
        }
        lines.push(self.text("members-how", &[])?);
        if !view.links.is_empty() {
            lines.push(self.text("members-linked", &[("count", view.links.len().into())])?);
        }
        self.replies.push(Reply::plain(lines.join("\n")));
        let group = view.group.clone();
        self.show_codes(&group)
    }

    fn member_line(
        &self,
        number: usize,
        member: &Member,
        view: &GroupView,
    ) -> Result<String, EngineError> {
        let (week, year) = self.week_of(member.joined_at);
        let name = if member.person == self.conv.person {
            Some(self.text("members-you", &[])?)
        } else if member.role == GroupRole::Citizen {
            // Citizens take part without a name, whatever they might have set.
            None
        } else {
            view.names.get(&member.person).cloned()
        };
        let role = member.role.name();
        let args = [
            ("number", number.into()),
            ("role", role.into()),
            ("week", week.into()),
            ("year", year.into()),
        ];
        match name {
            Some(name) => {
                let mut args = args.to_vec();
                args.push(("name", name.into()));
                self.text("members-line-named", &args)
            }
            None => self.text("members-line", &args),
        }
    }

    /// The ISO week and its year of a moment, in the local time zone.
    fn week_of(&self, at: Timestamp) -> (i64, i64) {
        let week = self.engine.local_date(at).iso_week_date();
        (i64::from(week.week()), i64::from(week.year()))
    }

    /// The member numbered `arg` in the facilitator's list, with the group loaded, or the
    /// reply that says why not.
    fn member_numbered(
        &mut self,
        arg: &str,
        how: &str,
    ) -> Result<Option<(Membership, usize, Member)>, EngineError> {
        let Some(membership) = self.facilitated_group()? else {
            return Ok(None);
        };
        let Some(view) = self.loaded_group(&membership) else {
            self.say("group-unavailable", &[])?;
            return Ok(None);
        };
        if arg.is_empty() {
            self.say(how, &[])?;
            return Ok(None);
        }
        let list = numbered(view);
        let found = parse::parse_number(arg)
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| (1..=list.len()).contains(n))
            .map(|n| (n, list[n - 1].clone()));
        match found {
            Some((number, member)) => Ok(Some((membership, number, member))),
            None => {
                self.say("members-no-such", &[("count", list.len().into())])?;
                Ok(None)
            }
        }
    }

    /// /remove N: asks first; the answer is checked against the list as it is then.
    pub(super) fn remove(&mut self, arg: &str) -> Result<(), EngineError> {
        let Some((membership, number, member)) = self.member_numbered(arg, "remove-how")? else {
            return Ok(());
        };
        if member.person == self.conv.person {
            return self.say("remove-self", &[]);
        }
        if member.role == GroupRole::Facilitator && self.would_leave_no_facilitator(&member) {
            return self.say("facilitator-last", &[]);
        }
        self.conv.pending = Some(Pending::ConfirmRemove {
            group: membership.group,
            number,
            joined_at: member.joined_at,
        });
        self.ask_member_change()
    }

    fn would_leave_no_facilitator(&self, member: &Member) -> bool {
        self.ctx
            .group
            .filter(|view| view.group.id == member.group)
            .is_some_and(|view| facilitators(view) <= 1)
    }

    pub(super) fn confirm_remove(
        &mut self,
        text: &str,
        group: &str,
        number: usize,
        joined_at: Timestamp,
    ) -> Result<(), EngineError> {
        match self.yes_or_no(text, &REMOVE_CHOICES)? {
            Some(true) => {
                self.conv.pending = None;
                let view = self.ctx.group.filter(|view| view.group.id == group);
                let member = view
                    .map(numbered)
                    .and_then(|list| list.get(number.wrapping_sub(1)).map(|m| (*m).clone()))
                    .filter(|m| m.joined_at == joined_at && m.person != self.conv.person);
                let Some(member) = member else {
                    return self.say("members-changed", &[]);
                };
                if member.role == GroupRole::Facilitator && self.would_leave_no_facilitator(&member)
                {
                    return self.say("facilitator-last", &[]);
                }
                self.writes.push(Write::ChangeMember {
                    group: group.to_owned(),
                    person: member.person,
                    role: None,
                });
                self.say("remove-done", &[("number", number.into())])
            }
            Some(false) => {
                self.conv.pending = None;
                self.say("remove-cancelled", &[])?;
                self.repeat_prompt()
            }
            None => {
                self.say("reask-choice", &[("count", REMOVE_CHOICES.len().into())])?;
                self.ask_member_change()
            }
        }
    }

    /// /facilitator N: a staff member becomes a facilitator, a facilitator staff again (never
    /// the last one). Citizens take part without a name, so they do not run groups here.
    pub(super) fn toggle_facilitator(&mut self, arg: &str) -> Result<(), EngineError> {
        let Some((membership, number, member)) = self.member_numbered(arg, "facilitator-how")?
        else {
            return Ok(());
        };
        let role = match member.role {
            GroupRole::Citizen => return self.say("facilitator-citizen", &[]),
            GroupRole::Staff => GroupRole::Facilitator,
            GroupRole::Facilitator if self.would_leave_no_facilitator(&member) => {
                return self.say("facilitator-last", &[]);
            }
            GroupRole::Facilitator => GroupRole::Staff,
        };
        if member.person == self.conv.person {
            // One's own role changes here and now, with the member record.
            if let Some(own) = self
                .conv
                .memberships
                .iter_mut()
                .find(|m| m.group == membership.group)
            {
                own.role = role;
            }
            self.writes.push(Write::Member(Member { role, ..member }));
            self.sync_group();
        } else {
            self.writes.push(Write::ChangeMember {
                group: membership.group.clone(),
                person: member.person,
                role: Some(role),
            });
        }
        let id = match role {
            GroupRole::Facilitator => "facilitator-added",
            _ => "facilitator-removed",
        };
        self.say(
            id,
            &[("number", number.into()), ("name", membership.name.into())],
        )
    }

    /// /linkdigest and /unlinkdigest in a private chat: they are typed in the group chat, so
    /// here a note, the chats linked now, and with a number, unlinking that one.
    pub(super) fn linked_chats(&mut self, arg: &str, unlink: bool) -> Result<(), EngineError> {
        let Some(membership) = self.facilitated_group()? else {
            return Ok(());
        };
        let Some(view) = self.loaded_group(&membership) else {
            return self.say("group-unavailable", &[]);
        };
        let links: Vec<DigestChat> = numbered_links(view).into_iter().cloned().collect();
        let name = view.group.name.clone();
        if unlink && !arg.is_empty() {
            let picked = parse::parse_number(arg)
                .and_then(|n| usize::try_from(n).ok())
                .filter(|n| (1..=links.len()).contains(n));
            let Some(number) = picked else {
                return self.say("linked-no-such", &[("count", links.len().into())]);
            };
            self.writes.push(Write::UnlinkDigestChat {
                group: membership.group,
                chat: links[number - 1].chat.clone(),
            });
            return self.say("unlinked-done", &[("number", number.into())]);
        }
        if links.is_empty() {
            // After /linkdigest, its note said how to link one.
            return if unlink {
                self.say("linked-none", &[("name", name.into())])
            } else {
                Ok(())
            };
        }
        let mut lines = vec![self.text("linked-header", &[("name", name.into())])?];
        for (i, link) in links.iter().enumerate() {
            lines.push(self.link_line(i + 1, link)?);
        }
        lines.push(self.text("linked-how", &[])?);
        self.replies.push(Reply::plain(lines.join("\n")));
        Ok(())
    }

    fn link_line(&self, number: usize, link: &DigestChat) -> Result<String, EngineError> {
        let platform = match link.chat.recipient().map(|r| r.platform()) {
            Some(Platform::Matrix) => "matrix",
            _ => "telegram",
        };
        let title = match &link.title {
            Some(title) => title.clone(),
            None => self.text("linked-untitled", &[])?,
        };
        let date = self.date_text(self.engine.local_date(link.linked_at))?;
        let by_you = if link.linked_by == self.conv.person {
            "yes"
        } else {
            "no"
        };
        self.text(
            "linked-line",
            &[
                ("number", number.into()),
                ("title", title.into()),
                ("platform", platform.into()),
                ("date", date.into()),
                ("byyou", by_you.into()),
            ],
        )
    }

    /// A facilitator changed this person's role in a group, or removed them: the
    /// conversation takes it in, and the person is told.
    pub(super) fn membership_changed(
        &mut self,
        group: &str,
        role: Option<GroupRole>,
    ) -> Result<(), EngineError> {
        let Some(index) = self.conv.memberships.iter().position(|m| m.group == group) else {
            return Ok(());
        };
        let name = self.conv.memberships[index].name.clone();
        let Some(role) = role else {
            self.conv.memberships.remove(index);
            if self.conv.group.as_deref() == Some(group) {
                self.conv.group = None;
            }
            if let Some(run) = self.conv.active.as_mut() {
                // The rest of a talk under way counts for no group.
                if run.group.as_deref() == Some(group) {
                    run.group = None;
                }
            }
            let about_it = matches!(
                &self.conv.pending,
                Some(Pending::ConfirmLeave { group: g } | Pending::ConfirmRemove { group: g, .. })
                    if g == group
            );
            if about_it {
                self.conv.pending = None;
            }
            self.sync_group();
            return self.say("member-removed", &[("name", name.into())]);
        };
        if self.conv.memberships[index].role == role {
            return Ok(());
        }
        self.conv.memberships[index].role = role;
        self.sync_group();
        let id = match role {
            GroupRole::Facilitator => "member-now-facilitator",
            _ => "member-now-staff",
        };
        self.say(id, &[("name", name.into())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialogs::Role;
    use crate::i18n::Lang;
    use crate::records::PersonId;

    fn membership(group: &str) -> Membership {
        Membership {
            group: group.into(),
            name: format!("Team {group}"),
            role: GroupRole::Staff,
            joined_at: Timestamp::UNIX_EPOCH,
            focus: None,
        }
    }

    #[test]
    fn leave_picks_the_named_the_chosen_or_the_only_group() {
        let now = Timestamp::UNIX_EPOCH;
        let mut conv = Conversation::new(PersonId::new("test", "a"), Lang::En, Role::Staff, now);
        assert!(leaving(&conv, "").is_none());
        conv.memberships = vec![membership("n")];
        assert_eq!(leaving(&conv, "").unwrap().group, "n");
        conv.memberships.push(membership("s"));
        assert!(leaving(&conv, "").is_none(), "two groups, none chosen");
        conv.group = Some("s".into());
        assert_eq!(leaving(&conv, "").unwrap().group, "s");
        assert_eq!(leaving(&conv, "1").unwrap().group, "n");
        assert_eq!(leaving(&conv, "team n").unwrap().group, "n");
        assert!(leaving(&conv, "3").is_none());
    }
}
