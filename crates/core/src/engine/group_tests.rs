//! Engine tests of groups and roles: several people, one shared world of groups and codes,
//! applied as a store would, with a hand-set clock.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use jiff::{SignedDuration, Timestamp};

use super::*;
use crate::content::Content;
use crate::dialogs::Role;
use crate::i18n::Lang;
use crate::records::{
    AgendaIdea, Consent, GroupRole, GroupTrial, Meeting, Pending, PersonId, ReminderRule,
    TrialState, SCHEMA,
};

static CONTENT: LazyLock<Content> =
    LazyLock::new(|| Content::load(None, None, &[]).expect("compiled-in content loads"));

/// Everyone's conversations and the groups, codes and trial actions they made.
struct World {
    settings: Settings,
    people: BTreeMap<String, Conversation>,
    groups: BTreeMap<String, GroupView>,
    invites: BTreeMap<String, Invite>,
    trials: Vec<TrialAction>,
    writes: Vec<Write>,
    now: Timestamp,
    /// A different byte pattern each time, like fresh random bytes.
    draws: u8,
    /// Membership changes waiting for the changed person's conversation, as the store keeps
    /// them: (who, group, new role).
    notices: Vec<(String, String, Option<GroupRole>)>,
    /// Each group's learning meetings, oldest first.
    meetings: BTreeMap<String, Vec<Meeting>>,
    /// The citizens' ideas the next agenda offers, by token, as the app finds them.
    ideas: Vec<AgendaIdea>,
}

impl World {
    fn new(creators: &[&str]) -> World {
        let mut settings = Settings::standard().unwrap();
        settings.creators = creators.iter().map(|p| PersonId::new("test", p)).collect();
        World {
            settings,
            people: BTreeMap::new(),
            groups: BTreeMap::new(),
            invites: BTreeMap::new(),
            trials: Vec::new(),
            writes: Vec::new(),
            // Monday 23 November 2026, 15:00 in Copenhagen.
            now: "2026-11-23T14:00:00Z".parse().unwrap(),
            draws: 0,
            notices: Vec::new(),
            meetings: BTreeMap::new(),
            ideas: Vec::new(),
        }
    }

    fn conversation(&self, who: &str) -> Conversation {
        self.people.get(who).cloned().unwrap_or_else(|| {
            let mut conv =
                Conversation::new(PersonId::new("test", who), Lang::En, Role::Staff, self.now);
            conv.consent = Some(Consent {
                version: CONSENT_VERSION,
                at: self.now,
            });
            conv
        })
    }

    fn event(&mut self, who: &str, body: Body) -> String {
        let conv = self.conversation(who);
        let engine = Engine::new(&CONTENT.catalog, &CONTENT.locales, &self.settings);
        let needs = engine.needs(&conv, &body);
        self.draws = self.draws.wrapping_add(1);
        let entropy: Vec<u8> = (0..codes::ENTROPY_BYTES as u8)
            .map(|i| {
                i.wrapping_mul(37)
                    .wrapping_add(self.draws.wrapping_mul(101))
            })
            .collect();
        let trials: Vec<TrialAction> = self
            .trials
            .iter()
            .filter(|t| t.person == conv.person)
            .cloned()
            .collect();
        let invite = needs.invite.as_ref().and_then(|c| self.invites.get(c));
        let group = needs.group.as_ref().and_then(|g| self.groups.get(g));
        let digest = "DIGEST";
        // The agenda as the app words it is tested there; here it only has to be shown.
        let meeting = group.filter(|_| needs.meeting).map(|view| {
            let last = self.meetings.get(&view.group.id).and_then(|m| m.last());
            MeetingView {
                agenda: "AGENDA".into(),
                since: last.map_or(view.group.created_at, |m| m.held_at),
                open: last.map(|m| m.trials.clone()).unwrap_or_default(),
                ideas: self.ideas.clone(),
            }
        });
        let ctx = Context {
            trials: &trials,
            invite,
            group,
            entropy: &entropy,
            digest: (needs.digest && group.is_some()).then_some(digest),
            mydata: None,
            meeting: meeting.as_ref(),
        };
        let person = conv.person.clone();
        let outcome = engine.handle(conv, body, ctx, self.now).unwrap();
        for write in &outcome.writes {
            if let Write::Leave { group } = write {
                if let Some(view) = self.groups.get_mut(group) {
                    view.members.retain(|m| m.person != person);
                }
            }
            self.apply(write);
        }
        self.writes.extend(outcome.writes);
        // Each group shows the first names its staff allowed, as the app loads them.
        for view in self.groups.values_mut() {
            if view.members.iter().any(|m| m.person == person) {
                match &outcome.conversation.shown_name {
                    Some(name) => view.names.insert(person.clone(), name.clone()),
                    None => view.names.remove(&person),
                };
            }
        }
        self.people.insert(who.to_owned(), outcome.conversation);
        self.now += SignedDuration::from_secs(20);
        // Each reply with its choices numbered, as the terminal shows them.
        outcome
            .replies
            .iter()
            .map(|r| {
                let mut shown = r.text.clone();
                for (i, choice) in r.choices.iter().enumerate() {
                    shown.push_str(&format!("\n  {}) {}", i + 1, choice.label));
                }
                shown
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn apply(&mut self, write: &Write) {
        match write {
            Write::Meeting(meeting) => {
                self.meetings
                    .entry(meeting.group.clone())
                    .or_default()
                    .push(meeting.clone());
            }
            Write::Group(group) => {
                let view = self.groups.entry(group.id.clone()).or_insert(GroupView {
                    group: group.clone(),
                    members: Vec::new(),
                    open_trials: Vec::new(),
                    names: BTreeMap::new(),
                    links: Vec::new(),
                });
                view.group = group.clone();
            }
            Write::Invite(invite) => {
                self.invites.insert(invite.code.clone(), invite.clone());
            }
            Write::RevokeInvite { code } => {
                self.invites.remove(code);
            }
            Write::Member(member) => {
                if let Some(view) = self.groups.get_mut(&member.group) {
                    view.members.retain(|m| m.person != member.person);
                    view.members.push(member.clone());
                }
            }
            Write::Trial(trial) => {
                self.trials
                    .retain(|t| t.id != trial.id || t.person != trial.person);
                self.trials.push(trial.clone());
            }
            Write::ChangeMember {
                group,
                person,
                role,
            } => {
                let Some(view) = self.groups.get_mut(group) else {
                    return;
                };
                match role {
                    Some(role) => view
                        .members
                        .iter_mut()
                        .filter(|m| m.person == *person)
                        .for_each(|m| m.role = *role),
                    None => view.members.retain(|m| m.person != *person),
                }
                let who = person.as_str().trim_start_matches("test:").to_owned();
                self.notices.push((who, group.clone(), *role));
            }
            Write::DigestChat(link) => {
                if let Some(view) = self.groups.get_mut(&link.group) {
                    view.links.push(link.clone());
                }
            }
            Write::UnlinkDigestChat { group, chat } => {
                if let Some(view) = self.groups.get_mut(group) {
                    view.links.retain(|l| l.chat != *chat);
                }
            }
            _ => {}
        }
    }

    fn say(&mut self, who: &str, text: &str) -> String {
        self.event(who, Body::Text(text.into()))
    }

    /// Lets each changed person's conversation take in the change, as the app does after
    /// the facilitator's event: what each was told.
    fn settle(&mut self) -> Vec<(String, String)> {
        let notices = std::mem::take(&mut self.notices);
        notices
            .into_iter()
            .map(|(who, group, role)| {
                let told = self.event(&who, Body::Due(Due::Membership { group, role }));
                (who, told)
            })
            .collect()
    }

    /// Creates a group as `who` and returns (group id, staff code, citizen code).
    fn new_group(&mut self, who: &str, name: &str) -> (String, String, String) {
        let reply = self.say(who, &format!("/newgroup {name}"));
        assert!(reply.contains(name), "{reply}");
        let group = self.conversation(who).group.unwrap();
        let view = &self.groups[&group];
        (
            group.clone(),
            view.group.staff_code.clone(),
            view.group.citizen_code.clone(),
        )
    }
}

#[test]
fn only_named_creators_and_facilitators_may_create_groups() {
    let mut world = World::new(&["mette"]);
    let refused = world.say("anna", "/newgroup Team Nord");
    assert!(
        refused.contains("Only the people who run a group can"),
        "{refused}"
    );
    assert!(world.groups.is_empty());
    let (group, staff, citizen) = world.new_group("mette", "Team Nord");
    assert_ne!(staff, citizen);
    let mette = world.conversation("mette");
    assert_eq!(mette.memberships[0].role, GroupRole::Facilitator);
    assert_eq!(mette.group.as_deref(), Some(group.as_str()));
    // A facilitator may make a second group without being named in the configuration.
    world.settings.creators.clear();
    world.new_group("mette", "Team Syd");
    assert_eq!(world.groups.len(), 2);
}

#[test]
fn joining_gives_the_role_of_the_code_and_the_dialogues_of_that_role() {
    let mut world = World::new(&["mette"]);
    let (group, staff, citizen) = world.new_group("mette", "Team Nord");
    let joined = world.say("anna", &format!("/join {}", staff.to_lowercase()));
    assert!(
        joined.contains("Team Nord") && joined.contains("staff"),
        "{joined}"
    );
    let joined = world.say("bo", &format!("/join {}", citizen.replace('-', " ")));
    assert!(joined.contains("citizen"), "{joined}");
    let bo = world.conversation("bo");
    assert_eq!(bo.role, Role::Citizen);
    assert_eq!(bo.group.as_deref(), Some(group.as_str()));
    let menu = world.say("bo", "/reflect");
    assert!(menu.contains("What do you want to talk about"), "{menu}");
    let again = world.say("bo", &format!("/join {citizen}"));
    assert!(again.contains("already"), "{again}");
    let members = world.say("mette", "/members");
    assert!(members.contains("3 members"), "{members}");
    assert!(members.contains("1. You (facilitator)"), "{members}");
    assert!(
        members.contains("2. Staff member, since week 48"),
        "{members}"
    );
    assert!(members.contains("3. Citizen, since week 48"), "{members}");
    assert!(
        !members.contains("anna") && !members.contains("bo"),
        "{members}"
    );
}

#[test]
fn wrong_and_expired_codes_get_the_same_answer_and_guessing_is_slowed() {
    let mut world = World::new(&["mette"]);
    world.settings.invite_days = Some(1);
    let (_, staff, _) = world.new_group("mette", "Team Nord");
    let wrong = world.say("anna", "/join ABCDE-FGHJK");
    // One day: to the end of tomorrow, local time.
    world.now += SignedDuration::from_hours(32);
    let still = world.say("carl", &format!("/join {staff}"));
    assert!(still.contains("Welcome"), "{still}");
    world.now += SignedDuration::from_hours(2);
    let expired = world.say("bo", &format!("/join {staff}"));
    assert_eq!(
        wrong, expired,
        "an expired code tells no more than a wrong one"
    );
    assert!(world.conversation("bo").memberships.is_empty());
    // Anna's first wrong code was more than a day ago: forgotten. Five in a row pause.
    for _ in 0..4 {
        world.say("anna", "/join 22222-22222");
    }
    let paused = world.say("anna", "/join 33333-33333");
    assert!(paused.contains("wait one minute"), "{paused}");
    // While paused even a right code waits; nothing is looked up or stored.
    let fresh = world.say("mette", "/newcodes 7");
    assert!(fresh.contains("New codes"), "{fresh}");
    let staff = world
        .groups
        .values()
        .next()
        .unwrap()
        .group
        .staff_code
        .clone();
    let waiting = world.say("anna", &format!("/join {staff}"));
    assert!(waiting.contains("before you try a code again"), "{waiting}");
    assert!(world.conversation("anna").memberships.is_empty());
    world.now += SignedDuration::from_mins(2);
    let joined = world.say("anna", &format!("/join {staff}"));
    assert!(joined.contains("Welcome"), "{joined}");
    assert_eq!(world.conversation("anna").join_failures, 0);
}

#[test]
fn replaced_codes_stop_working() {
    let mut world = World::new(&["mette"]);
    let (_, old_staff, _) = world.new_group("mette", "Team Nord");
    world.say("mette", "/newcodes");
    let refused = world.say("anna", &format!("/join {old_staff}"));
    assert!(refused.contains("does not work"), "{refused}");
}

#[test]
fn facilitator_commands_are_refused_alike_for_members_and_strangers() {
    let mut world = World::new(&["mette"]);
    let (_, staff, citizen) = world.new_group("mette", "Team Nord");
    world.say("anna", &format!("/join {staff}"));
    world.say("bo", &format!("/join {citizen}"));
    for command in [
        "/members",
        "/digest",
        "/newcodes",
        "/newgroup X",
        "/medlemmer",
    ] {
        let member = world.say("anna", command);
        let citizen = world.say("bo", command);
        let stranger = world.say("eve", command);
        assert!(
            member.contains("Only the people who run a group can"),
            "{command}: {member}"
        );
        assert_eq!(member, citizen, "{command}");
        assert_eq!(
            member, stranger,
            "{command}: no hint whether a group exists"
        );
    }
    let digest = world.say("mette", "/digest");
    assert_eq!(digest, "DIGEST");
}

#[test]
fn group_names_are_checked() {
    let mut world = World::new(&["mette"]);
    let empty = world.say("mette", "/newgroup    ");
    assert!(empty.contains("Write the name"), "{empty}");
    let huge = world.say("mette", &format!("/newgroup {}", "a".repeat(5000)));
    assert!(huge.contains("5000 characters"), "{huge}");
    let control = world.say("mette", "/newgroup \u{7}\u{1b}\u{202e}\u{0}");
    assert!(control.contains("Write the name"), "{control}");
    assert!(world.groups.is_empty());
    let made = world.say("mette", "/newgroup Team\u{202e} \u{7}Nord");
    assert!(made.contains("“Team Nord” is ready"), "{made}");
}

#[test]
fn with_several_groups_the_group_is_asked_once_and_remembered() {
    let mut world = World::new(&["mette", "lis"]);
    let (a, staff_a, _) = world.new_group("mette", "Team Nord");
    let (_, staff_b, _) = world.new_group("lis", "Team Syd");
    world.say("anna", &format!("/join {staff_a}"));
    assert_eq!(
        world.conversation("anna").group.as_deref(),
        Some(a.as_str())
    );
    world.say("anna", &format!("/join {staff_b}"));
    assert_eq!(world.conversation("anna").group, None, "to be asked");
    let asked = world.say("anna", "/reflect");
    assert!(asked.contains("Which group"), "{asked}");
    let menu = world.say("anna", "2");
    assert!(
        menu.contains("Team Syd") && menu.contains("What do you want"),
        "{menu}"
    );
    let again = world.say("anna", "/stop");
    assert!(!again.contains("Which group"), "{again}");
    let menu = world.say("anna", "/reflect");
    assert!(!menu.contains("Which group"), "{menu}");
    let listed = world.say("anna", "/groups");
    assert!(
        listed.contains("2. Team Syd (staff) – what you say counts here"),
        "{listed}"
    );
    world.say("anna", "/group 1");
    assert_eq!(
        world.conversation("anna").group.as_deref(),
        Some(a.as_str())
    );
}

#[test]
fn reminders_are_read_set_shown_and_removed() {
    let mut world = World::new(&[]);
    let bad = world.say("anna", "/remind 25:99");
    assert!(bad.contains("does not exist"), "{bad}");
    assert!(world.conversation("anna").reminder.is_none());
    let set = world.say("anna", "/remind hverdage 22:15");
    assert!(set.contains("on weekdays at 22:15"), "{set}");
    let rule = ReminderRule {
        weekdays: 0x1f,
        hour: 22,
        minute: 15,
    };
    assert_eq!(world.conversation("anna").reminder, Some(rule));
    assert!(world
        .writes
        .iter()
        .any(|w| matches!(w, Write::Reminder(Some(r)) if r.rule == rule)));
    let shown = world.say("anna", "/remind");
    assert!(
        shown.contains("I remind you on weekdays at 22:15"),
        "{shown}"
    );
    world.say("anna", "/remind off");
    assert!(world.conversation("anna").reminder.is_none());
    assert!(matches!(world.writes.last(), Some(Write::Reminder(None))));
}

#[test]
fn a_follow_up_offer_is_recorded_with_it_and_a_closed_trial_is_not_offered() {
    let mut world = World::new(&[]);
    world.say("anna", "/help");
    let trial = |id: &str, state| TrialAction {
        schema: SCHEMA,
        id: id.into(),
        person: PersonId::new("test", "anna"),
        role: Role::Staff,
        group: None,
        what: format!("Try {id}"),
        principles: vec![4],
        due: jiff::civil::date(2026, 11, 23),
        state,
        replaces: None,
        sign: None,
        offers: 0,
        offered_at: None,
        created_at: "2026-11-20T10:00:00Z".parse().unwrap(),
        updated_at: "2026-11-20T10:00:00Z".parse().unwrap(),
    };
    world.trials.push(trial("r1-trial", TrialState::Planned));
    world.trials.push(trial("r2-trial", TrialState::Done));
    let offer = world.event(
        "anna",
        Body::Due(Due::FollowUp {
            trial: "r1-trial".into(),
        }),
    );
    assert!(offer.contains("Try r1-trial"), "{offer}");
    let offered = world.trials.iter().find(|t| t.id == "r1-trial").unwrap();
    assert_eq!(offered.offers, 1);
    let closed = world.event(
        "anna",
        Body::Due(Due::FollowUp {
            trial: "r2-trial".into(),
        }),
    );
    assert!(closed.is_empty(), "{closed}");
    let started = world.say("anna", "/followup 1");
    assert!(started.contains("Try r1-trial"), "{started}");
}

#[test]
fn a_shown_name_is_one_first_name_and_can_be_hidden() {
    let mut world = World::new(&[]);
    world.say("anna", "/name Anna Jensen");
    assert_eq!(
        world.conversation("anna").shown_name.as_deref(),
        Some("Anna")
    );
    let refused = world.say("anna", "/name <b>x</b>");
    assert!(refused.contains("/name"), "{refused}");
    assert_eq!(
        world.conversation("anna").shown_name.as_deref(),
        Some("Anna")
    );
    world.say("anna", "/name off");
    assert_eq!(world.conversation("anna").shown_name, None);
}

/// Review finding: a follow-up and its adjusted version counted for the group chosen now,
/// not for the group of the trial action.
#[test]
fn a_follow_up_counts_for_the_group_of_its_trial_action() {
    let mut world = World::new(&["mette", "lis"]);
    let (a, staff_a, _) = world.new_group("mette", "Alfa");
    let (b, staff_b, _) = world.new_group("lis", "Beta");
    world.say("anna", &format!("/join {staff_a}"));
    for text in ["/try", "Ask first", "4", "tomorrow", "skip"] {
        world.say("anna", text);
    }
    assert_eq!(world.trials[0].group.as_deref(), Some(a.as_str()));
    world.say("anna", &format!("/join {staff_b}"));
    world.say("anna", "/group 2");
    assert_eq!(
        world.conversation("anna").group.as_deref(),
        Some(b.as_str())
    );
    for text in ["/followup 1", "yes", "It went well.", "2"] {
        world.say("anna", text);
    }
    for text in ["Ask first, then wait", "4", "next week", "skip"] {
        world.say("anna", text);
    }
    let groups: Vec<Option<&str>> = world
        .writes
        .iter()
        .filter_map(|w| match w {
            Write::Answer(a) if a.dialogue == "opfoelgning" => Some(a.group.as_deref()),
            Write::Trial(t) if t.replaces.is_some() => Some(t.group.as_deref()),
            _ => None,
        })
        .collect();
    assert!(!groups.is_empty());
    assert!(groups.iter().all(|g| *g == Some(a.as_str())), "{groups:?}");
}

/// Review finding: "keep and stop" at the last, optional part of a trial action threw the
/// finished trial action away.
#[test]
fn keep_and_stop_saves_a_trial_action_that_only_lacks_how_to_know() {
    let mut world = World::new(&[]);
    for text in ["/try", "Ask first", "4", "tomorrow", "/stop"] {
        world.say("anna", text);
    }
    let kept = world.say("anna", "1");
    assert!(!kept.contains("not finished"), "{kept}");
    assert_eq!(world.trials.len(), 1);
    assert_eq!(world.trials[0].what, "Ask first");
    // Stopped before the date: nothing to save, and the person is told.
    for text in ["/try", "Call the school", "4", "/stop"] {
        world.say("anna", text);
    }
    let kept = world.say("anna", "1");
    assert!(kept.contains("not finished"), "{kept}");
    assert_eq!(world.trials.len(), 1);
}

#[test]
fn try_continues_after_the_group_question() {
    let mut world = World::new(&["mette", "lis"]);
    let (_, staff_a, _) = world.new_group("mette", "Alfa");
    let (_, staff_b, _) = world.new_group("lis", "Beta");
    world.say("anna", &format!("/join {staff_a}"));
    world.say("anna", &format!("/join {staff_b}"));
    let asked = world.say("anna", "/try");
    assert!(asked.contains("Which group"), "{asked}");
    let started = world.say("anna", "2");
    assert!(started.contains("What do you want to try"), "{started}");
}

#[test]
fn joining_in_the_middle_of_a_dialogue_keeps_its_role_and_group() {
    let mut world = World::new(&["mette"]);
    let (group, staff, citizen) = world.new_group("mette", "Alfa");
    world.say("carl", &format!("/join {staff}"));
    world.say("carl", "/reflect");
    world.say("carl", "1");
    world.say("carl", &format!("/join {citizen}"));
    assert_eq!(world.conversation("carl").role, Role::Staff);
    world.say("carl", "Something happened.");
    let answer = world.writes.iter().rev().find_map(|w| match w {
        Write::Answer(a) => Some(a),
        _ => None,
    });
    let answer = answer.unwrap();
    assert_eq!(answer.role, Role::Staff);
    assert_eq!(answer.group.as_deref(), Some(group.as_str()));
}

#[test]
fn citizens_are_told_their_name_is_never_shown() {
    let mut world = World::new(&["mette"]);
    let (_, _, citizen) = world.new_group("mette", "Alfa");
    world.say("bo", &format!("/join {citizen}"));
    let reply = world.say("bo", "/name Bo");
    assert!(reply.contains("never shown"), "{reply}");
    assert_eq!(world.conversation("bo").shown_name, None);
}

#[test]
fn an_offer_with_only_the_menu_open_comes_with_its_button() {
    let mut world = World::new(&[]);
    world.say("anna", "/reflect");
    for text in [
        "/stop",
        "/try",
        "Ask first",
        "4",
        "tomorrow",
        "skip",
        "/reflect",
    ] {
        world.say("anna", text);
    }
    assert_eq!(world.conversation("anna").pending, Some(Pending::Dialogue));
    let id = world.trials[0].id.clone();
    let offer = world.event("anna", Body::Due(Due::FollowUp { trial: id }));
    assert!(offer.contains("Shall we follow up"), "{offer}");
}

/// Mette's group with Anna (staff, named), Bo (citizen) and Carl (staff), in that order.
fn team_of_four() -> (World, String) {
    let mut world = World::new(&["mette"]);
    let (group, staff, citizen) = world.new_group("mette", "Team Nord");
    world.say("anna", &format!("/join {staff}"));
    world.say("anna", "/name Anna");
    world.say("bo", &format!("/join {citizen}"));
    world.say("carl", &format!("/join {staff}"));
    (world, group)
}

fn member_roles(world: &World, group: &str) -> Vec<(String, GroupRole)> {
    let mut members = world.groups[group].members.clone();
    members.sort_by_key(|m| m.joined_at);
    members
        .into_iter()
        .map(|m| {
            (
                m.person.as_str().trim_start_matches("test:").to_owned(),
                m.role,
            )
        })
        .collect()
}

#[test]
fn members_are_numbered_in_the_order_they_joined_and_citizens_have_no_name() {
    let (mut world, _) = team_of_four();
    let list = world.say("mette", "/members");
    assert!(list.contains("“Team Nord” has 4 members"), "{list}");
    assert!(list.contains("1. You (facilitator)"), "{list}");
    assert!(
        list.contains("2. Anna (staff member), since week 48 of 2026"),
        "{list}"
    );
    assert!(list.contains("3. Citizen, since week 48 of 2026"), "{list}");
    assert!(list.contains("4. Staff member, since week 48"), "{list}");
    assert!(!list.contains("bo") && !list.contains("carl"), "{list}");
    // Staff see none of it.
    let refused = world.say("anna", "/members");
    assert!(
        refused.contains("Only the people who run a group can"),
        "{refused}"
    );
}

#[test]
fn a_member_is_removed_after_asking_and_told_so() {
    let (mut world, group) = team_of_four();
    world.say("bo", "/reflect");
    world.say("bo", "1");
    assert!(world.conversation("bo").active.is_some());
    let asked = world.say("mette", "/remove 3");
    assert!(asked.contains("Take number 3"), "{asked}");
    let done = world.say("mette", "yes");
    assert!(
        done.contains("Number 3 is no longer in the group"),
        "{done}"
    );
    let told = world.settle();
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].0, "bo");
    assert!(
        told[0].1.contains("You are no longer in “Team Nord”"),
        "{}",
        told[0].1
    );
    let bo = world.conversation("bo");
    assert!(bo.memberships.is_empty() && bo.group.is_none());
    assert!(
        bo.active.as_ref().is_some_and(|run| run.group.is_none()),
        "the talk under way counts for no group now"
    );
    assert_eq!(member_roles(&world, &group).len(), 3);
    // Oneself and numbers not in the list are not removed; no is no.
    assert!(world.say("mette", "/remove 1").contains("/leave"));
    assert!(world.say("mette", "/remove 9").contains("from 1 to 3"));
    world.say("mette", "/remove 2");
    assert!(world.say("mette", "no").contains("Nobody was taken out"));
    assert_eq!(member_roles(&world, &group).len(), 3);
}

#[test]
fn a_removal_asked_before_the_list_changed_removes_nobody() {
    let (mut world, group) = team_of_four();
    world.say("mette", "/remove 3");
    // Meanwhile Bo (number 3) leaves, so Carl is number 3 now.
    world.say("bo", "/leave");
    world.say("bo", "yes");
    let changed = world.say("mette", "yes");
    assert!(changed.contains("The list changed meanwhile"), "{changed}");
    let names: Vec<String> = member_roles(&world, &group)
        .into_iter()
        .map(|m| m.0)
        .collect();
    assert_eq!(names, ["mette", "anna", "carl"]);
}

#[test]
fn facilitation_is_handed_over_and_the_last_facilitator_cannot_leave() {
    let (mut world, group) = team_of_four();
    let alone = world.say("mette", "/leave");
    assert!(alone.contains("only facilitator"), "{alone}");
    assert!(world
        .say("mette", "/facilitator 3")
        .contains("Citizens take part without a name"));
    assert!(world
        .say("mette", "/facilitator 1")
        .contains("needs a facilitator"));
    let made = world.say("mette", "/facilitator 2");
    assert!(made.contains("Number 2 is now a facilitator"), "{made}");
    let told = world.settle();
    assert!(
        told[0].1.contains("You are now a facilitator"),
        "{}",
        told[0].1
    );
    assert_eq!(
        world.conversation("anna").memberships[0].role,
        GroupRole::Facilitator
    );
    assert!(world.say("anna", "/members").contains("4 members"));
    // Mette hands over and leaves; her answers so far stay where they are.
    world.say("mette", "/leave");
    let left = world.say("mette", "yes");
    assert!(left.contains("You have left “Team Nord”"), "{left}");
    assert!(world.conversation("mette").memberships.is_empty());
    assert_eq!(
        member_roles(&world, &group),
        [
            ("anna".to_owned(), GroupRole::Facilitator),
            ("bo".to_owned(), GroupRole::Citizen),
            ("carl".to_owned(), GroupRole::Staff)
        ]
    );
    // Anna steps Carl up and back down; Carl is told each time.
    world.say("anna", "/facilitator 3");
    world.say("anna", "/facilitator 3");
    let told: Vec<String> = world.settle().into_iter().map(|t| t.1).collect();
    assert!(told[1].contains("no longer a facilitator"), "{told:?}");
    assert_eq!(
        world.conversation("carl").memberships[0].role,
        GroupRole::Staff
    );
}

#[test]
fn an_administrator_in_a_group_can_hand_it_over() {
    let (mut world, group) = team_of_four();
    world.settings.creators.push(PersonId::new("test", "carl"));
    let list = world.say("carl", "/members");
    assert!(list.contains("4. You (staff member)"), "{list}");
    world.say("carl", "/facilitator 2");
    world.settle();
    assert_eq!(member_roles(&world, &group)[1].1, GroupRole::Facilitator);
}

#[test]
fn leaving_asks_which_group_and_a_follow_up_then_counts_for_none() {
    let mut world = World::new(&["mette"]);
    let (nord, staff_nord, _) = world.new_group("mette", "Team Nord");
    let (_, staff_syd, _) = world.new_group("mette", "Team Syd");
    world.say("anna", &format!("/join {staff_nord}"));
    world.say("anna", &format!("/join {staff_syd}"));
    let which = world.say("anna", "/leave");
    assert!(
        which.contains("Which group do you want to leave"),
        "{which}"
    );
    let asked = world.say("anna", "/leave 1");
    assert!(asked.contains("leave “Team Nord”"), "{asked}");
    world.say("anna", "yes");
    let anna = world.conversation("anna");
    assert_eq!(anna.memberships.len(), 1);
    assert!(!world.groups[&nord]
        .members
        .iter()
        .any(|m| m.person == anna.person));
    // A trial action made for Team Nord before: its follow-up counts for no group now.
    let mut trial = world
        .trials
        .first()
        .cloned()
        .unwrap_or_else(|| TrialAction {
            schema: SCHEMA,
            id: "r000001-t".into(),
            person: anna.person.clone(),
            role: Role::Staff,
            group: Some(nord.clone()),
            what: "Ask first".into(),
            principles: vec![1],
            due: world.now.to_zoned(world.settings.time_zone.clone()).date(),
            state: TrialState::Planned,
            replaces: None,
            sign: None,
            offers: 0,
            offered_at: None,
            created_at: world.now,
            updated_at: world.now,
        });
    trial.group = Some(nord.clone());
    world.trials.push(trial);
    world.say("anna", "/followup 1");
    let run = world.conversation("anna").active.unwrap();
    assert_eq!(run.group, None);
}

#[test]
fn linked_chats_are_listed_and_unlinked_from_a_private_chat() {
    let (mut world, group) = team_of_four();
    for (chat, title, by) in [("-1", Some("Team chat"), "mette"), ("-2", None, "anna")] {
        world.apply(&Write::DigestChat(crate::records::DigestChat {
            schema: SCHEMA,
            group: group.clone(),
            chat: PersonId::new("telegram-chat", chat),
            lang: Lang::En,
            linked_by: PersonId::new("test", by),
            linked_at: world.now,
            title: title.map(str::to_owned),
        }));
        world.now += SignedDuration::from_mins(1);
    }
    let list = world.say("mette", "/unlinkdigest");
    assert!(
        list.contains("1. Team chat (Telegram group), linked on"),
        "{list}"
    );
    assert!(list.contains("by you"), "{list}");
    assert!(
        list.contains("2. A chat without a name (Telegram group)"),
        "{list}"
    );
    assert!(list.contains("by another facilitator"), "{list}");
    assert!(world
        .say("mette", "/members")
        .contains("2 group chats get the weekly digest"));
    let done = world.say("mette", "/unlinkdigest 1");
    assert!(done.contains("Chat number 1 no longer gets"), "{done}");
    assert_eq!(world.groups[&group].links.len(), 1);
    assert!(world
        .say("anna", "/unlinkdigest 1")
        .contains("Only the people who run a group can"));
}

#[test]
fn new_codes_expire_after_thirty_days_by_default() {
    let mut world = World::new(&["mette"]);
    assert_eq!(world.settings.invite_days, Some(30));
    let made = world.say("mette", "/newgroup Team Nord");
    // Monday 23 November + 30 days.
    assert!(
        made.contains("The codes work until Wednesday 23 December."),
        "{made}"
    );
}

/// A learning meeting: the agenda, then the group's decisions recorded in the chat and
/// saved as one meeting; the next meeting follows up its trial action. Only facilitators
/// hold one.
#[test]
fn a_learning_meeting_records_group_trial_actions_and_a_focus() {
    let (mut world, group) = team_of_four();
    let refused = world.say("anna", "/meeting");
    assert!(
        refused.contains("Only the people who run a group can"),
        "{refused}"
    );

    let opened = world.say("mette", "/meeting");
    assert!(opened.starts_with("AGENDA"), "{opened}");
    assert!(opened.contains("What did the group decide?"), "{opened}");
    assert!(
        opened.contains("no trial action for the group · focus: not chosen"),
        "{opened}"
    );
    let nothing = world.say("mette", "3");
    assert!(
        nothing.contains("There is nothing to save yet"),
        "{nothing}"
    );
    world.say("mette", "1");
    world.say("mette", "Ask each resident what they want from the evening");
    world.say("mette", "1 4");
    let added = world.say("mette", "next week");
    assert!(
        added.contains("Written down: “Ask each resident"),
        "{added}"
    );
    assert!(added.contains("1 trial action for the group"), "{added}");
    world.say("mette", "2");
    let chosen = world.say("mette", "3");
    assert!(
        chosen.contains("focus: Networks and mainstream communities"),
        "{chosen}"
    );
    let saved = world.say("mette", "Save, and let the group's staff know");
    assert!(saved.contains("The meeting is saved"), "{saved}");
    assert_eq!(world.conversation("mette").pending, None);
    assert_eq!(world.meetings[&group].len(), 1);
    let first = world.meetings[&group][0].clone();
    assert_eq!(first.focus, Some(3));
    assert_eq!(first.trials.len(), 1);
    assert_eq!(first.trials[0].principles, vec![1, 4]);
    assert_eq!(first.trials[0].due, jiff::civil::date(2026, 11, 30));
    assert_eq!(first.trials[0].state, TrialState::Planned);

    // A week later, the next meeting offers to follow the trial action up.
    world.now += SignedDuration::from_hours(24 * 7);
    let opened = world.say("mette", "/meeting");
    assert!(
        opened.contains("Follow up on “Ask each resident what they want from the evening”"),
        "{opened}"
    );
    let asked = world.say("mette", "3");
    assert!(asked.contains("How did"), "{asked}");
    world.say("mette", "kept");
    let menu = world.say("mette", "/help");
    assert!(menu.contains("/meeting"), "{menu}");
    let again = world.say("mette", "/meeting");
    assert!(
        again.contains("Follow up on"),
        "a new /meeting starts afresh: {again}"
    );
    world.say("mette", "3");
    world.say("mette", "1");
    let saved = world.say("mette", "3");
    assert!(saved.contains("The meeting is saved"), "{saved}");
    let second = &world.meetings[&group][1];
    assert!(second.trials.is_empty() && second.focus.is_none());
    assert_eq!(second.followed_up.len(), 1);
    assert_eq!(second.followed_up[0].state, TrialState::Kept);
    assert_eq!(second.since, first.held_at);
}

/// Staff hear what the meeting decided, in their own language; whoever said no to such news
/// hears nothing, and can say yes again.
#[test]
fn staff_hear_the_meetings_decision_unless_they_said_no() {
    let (mut world, group) = team_of_four();
    let news = |world: &mut World, who: &str| {
        world.event(
            who,
            Body::Due(Due::Meeting {
                group: group.clone(),
                group_name: "Team Nord".into(),
                held_at: world.now,
                trials: vec![GroupTrial {
                    id: "1-1".into(),
                    what: "Eat with the residents".into(),
                    principles: vec![3],
                    due: jiff::civil::date(2026, 11, 30),
                    state: TrialState::Planned,
                }],
                focus: Some(3),
            }),
        )
    };
    let told = news(&mut world, "anna");
    assert!(
        told.contains("News from the learning meeting in Team Nord"),
        "{told}"
    );
    assert!(
        told.contains("The group will try: “Eat with the residents”"),
        "{told}"
    );
    assert!(told.contains("Monday 30 November"), "{told}");
    assert!(
        told.contains("Focus until the next meeting: Networks"),
        "{told}"
    );
    assert!(told.contains("/news off"), "{told}");
    let off = world.say("carl", "/news off");
    assert!(off.contains("You no longer get news"), "{off}");
    assert_eq!(news(&mut world, "carl"), "");
    assert!(world.say("carl", "/news").contains("You do not get news"));
    world.say("carl", "/news on");
    assert!(news(&mut world, "carl").contains("News from the learning meeting"));
    // The principle dialogue offers the group's focus first, also to whoever said no.
    world.say("carl", "/news off");
    news(&mut world, "carl");
    world.say("carl", "/reflect");
    let asked = world.say("carl", "2");
    assert!(
        asked.contains(
            "A suggestion: no. 3, “Networks and mainstream communities”. Your group chose it"
        ),
        "{asked}"
    );
}

/// A facilitator made staff again while writing a meeting down saves nothing.
#[test]
fn a_meeting_is_saved_only_by_someone_who_still_runs_the_group() {
    let (mut world, group) = team_of_four();
    world.say("mette", "/facilitator 2");
    world.settle();
    world.say("anna", "/meeting");
    world.say("anna", "2");
    world.say("anna", "3");
    // Mette makes Anna staff again before Anna saves.
    world.say("mette", "/facilitator 2");
    world.settle();
    assert!(matches!(
        world.conversation("anna").pending,
        Some(Pending::Meeting(_))
    ));
    let refused = world.say("anna", "3");
    assert!(
        refused.contains("You are no longer a facilitator of the group"),
        "{refused}"
    );
    assert!(!world.meetings.contains_key(&group));
    assert_eq!(world.conversation("anna").pending, None);
}

/// A meeting takes up a citizen's idea by its token, with a note of what will be done; the
/// meeting keeps the token and the note, and the citizen is told in their own words.
#[test]
fn a_meeting_takes_up_a_citizens_idea_by_its_token_and_the_citizen_is_told() {
    let (mut world, group) = team_of_four();
    world.ideas = vec![
        AgendaIdea {
            token: "t-one".into(),
            text: "A quiet room".into(),
        },
        AgendaIdea {
            token: "t-two".into(),
            text: "Music on Fridays".into(),
        },
    ];
    let opened = world.say("mette", "/meeting");
    assert!(
        opened.contains("Take up an idea from the citizens"),
        "{opened}"
    );
    let which = world.say("mette", "Take up an idea from the citizens");
    assert!(which.contains("Which idea will you take up?"), "{which}");
    assert!(which.contains("2) Music on Fridays"), "{which}");
    assert!(world
        .say("mette", "7")
        .contains("Type a number from 1 to 2"));
    let note = world.say("mette", "2");
    assert!(
        note.contains("What will you do with the idea “Music on Fridays”?"),
        "{note}"
    );
    assert!(note.contains("You will not be told who that is"), "{note}");
    let added = world.say(
        "mette",
        "We play music every Friday from 1 December. 010203-1234",
    );
    assert!(
        added.contains("The citizen is told once the meeting is saved"),
        "{added}"
    );
    assert!(
        added.contains("focus: not chosen · 1 citizen's idea taken up."),
        "{added}"
    );
    // The draft holds the idea's token and words, and nobody's id but the facilitator's.
    let Some(Pending::Meeting(draft)) = world.conversation("mette").pending else {
        panic!("the meeting is still being written down");
    };
    assert_eq!(draft.ideas_taken_up.len(), 1);
    assert_eq!(draft.ideas_taken_up[0].token, "t-two");
    assert!(
        !draft.ideas_taken_up[0].note.contains("1234"),
        "CPR numbers are taken out"
    );
    let saved = world.say("mette", "Save, and let the group's staff know");
    assert!(saved.contains("The meeting is saved"), "{saved}");
    let meeting = &world.meetings[&group][0];
    assert_eq!(meeting.ideas_taken_up.len(), 1);
    assert!(meeting.trials.is_empty() && meeting.focus.is_none());

    let told = world.event(
        "bo",
        Body::Due(Due::IdeaTakenUp {
            token: "t-two".into(),
            held_at: meeting.held_at,
            idea: "Music on Fridays".into(),
            note: meeting.ideas_taken_up[0].note.clone(),
        }),
    );
    assert!(told.contains("You suggested: “Music on Fridays”"), "{told}");
    assert!(
        told.contains("They wrote what they will do: “We play music every Friday"),
        "{told}"
    );
}
