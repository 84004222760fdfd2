//! One contract every backend passes: the same tests run on memory and on sled (real files in
//! a temporary folder).

use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::*;
use eftertanke_core::dialogs::Role;
use eftertanke_core::i18n::Lang;
use eftertanke_core::records::{TrialState, Value, SCHEMA};

/// A key as the contract's assertions read it: its parts joined by `/`.
fn shown_key(key: &[u8]) -> String {
    String::from_utf8_lossy(key).replace('\0', "/")
}

fn vault() -> Vault {
    Vault::ephemeral().unwrap()
}

fn tz() -> TimeZone {
    TimeZone::get("Europe/Copenhagen").unwrap()
}

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn answer(person: &str, run: &str, step: &str, group: Option<&str>, when: &str) -> AnswerRecord {
    AnswerRecord {
        schema: SCHEMA,
        person: PersonId(person.into()),
        role: Role::Staff,
        group: group.map(str::to_owned),
        run: run.into(),
        dialogue: "efter-vagten".into(),
        step: step.into(),
        principles: vec![4],
        value: Value::Text(format!("{person} {run} {step}")),
        answered_at: at(when),
    }
}

fn trial(person: &str, id: &str) -> TrialAction {
    TrialAction {
        schema: SCHEMA,
        id: id.into(),
        person: PersonId(person.into()),
        role: Role::Staff,
        group: None,
        what: "Spørge først".into(),
        principles: vec![1],
        due: jiff::civil::date(2026, 11, 27),
        state: TrialState::Planned,
        replaces: None,
        sign: None,
        offers: 0,
        offered_at: None,
        created_at: at("2026-11-23T10:00:00Z"),
        updated_at: at("2026-11-23T10:00:00Z"),
    }
}

fn conversation(person: &str) -> Conversation {
    Conversation::new(
        PersonId(person.into()),
        Lang::Da,
        Role::Staff,
        at("2026-11-23T10:00:00Z"),
    )
}

fn commit_of(person: &str, writes: Vec<Write>) -> Commit {
    Commit {
        conversation: Some(conversation(person)),
        writes,
        event: None,
        ..Commit::default()
    }
}

async fn conversation_round_trip<S: Store>(records: Records<S>) {
    let person = PersonId("console:anna".into());
    assert!(records.conversation(&person).unwrap().is_none());
    records
        .commit(commit_of("console:anna", vec![]))
        .await
        .unwrap();
    let stored = records.conversation(&person).unwrap().unwrap();
    assert_eq!(stored, conversation("console:anna"));
    assert_eq!(stored.schema, SCHEMA);
}

async fn an_answer_to_the_same_step_replaces_the_old_one<S: Store>(records: Records<S>) {
    let first = answer("p", "r1", "s1", None, "2026-11-23T10:00:00Z");
    let mut changed = first.clone();
    changed.value = Value::Scale(4);
    records
        .commit(commit_of("p", vec![Write::Answer(first)]))
        .await
        .unwrap();
    records
        .commit(commit_of("p", vec![Write::Answer(changed.clone())]))
        .await
        .unwrap();
    let answers = records.answers(&PersonId("p".into())).unwrap();
    assert_eq!(answers, vec![changed]);
}

async fn people_with_shared_prefixes_stay_apart<S: Store>(records: Records<S>) {
    let writes = vec![
        Write::Answer(answer("ab", "r1", "s1", None, "2026-11-23T10:00:00Z")),
        Write::Answer(answer("a", "r1", "s1", None, "2026-11-23T10:00:00Z")),
    ];
    records.commit(commit_of("a", writes)).await.unwrap();
    assert_eq!(records.answers(&PersonId("a".into())).unwrap().len(), 1);
    assert_eq!(records.answers(&PersonId("ab".into())).unwrap().len(), 1);
}

async fn retract_and_discard<S: Store>(records: Records<S>) {
    let writes = vec![
        Write::Answer(answer("p", "r1", "s1", Some("g1"), "2026-11-23T10:00:00Z")),
        Write::Answer(answer("p", "r1", "s2", Some("g1"), "2026-11-23T10:00:00Z")),
        Write::Answer(answer("p", "r2", "s1", Some("g1"), "2026-11-23T10:00:00Z")),
        Write::Trial(trial("p", "r1-trial")),
        Write::Trial(trial("p", "r2-trial")),
    ];
    records.commit(commit_of("p", writes)).await.unwrap();
    let retract = Write::RetractAnswer {
        run: "r1".into(),
        step: "s2".into(),
    };
    records.commit(commit_of("p", vec![retract])).await.unwrap();
    let person = PersonId("p".into());
    assert_eq!(records.answers(&person).unwrap().len(), 2);
    let discard = Write::DiscardRun { run: "r1".into() };
    records.commit(commit_of("p", vec![discard])).await.unwrap();
    let left = records.answers(&person).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].run, "r2");
    let trials = records.trials(&person).unwrap();
    assert_eq!(trials.len(), 1);
    assert_eq!(trials[0].id, "r2-trial");
    let week = records.group_week_answers("g1", "2026-W48").unwrap();
    assert_eq!(week.len(), 1, "the group index follows deletions");
}

async fn group_week_reads_one_week_of_one_group<S: Store>(records: Records<S>) {
    let writes = vec![
        // Sunday 29 November 23:30 in Copenhagen is still week 48 ...
        Write::Answer(answer("p1", "r1", "s1", Some("g1"), "2026-11-29T22:30:00Z")),
        // ... and 00:30 on Monday 30 November is week 49.
        Write::Answer(answer("p1", "r1", "s2", Some("g1"), "2026-11-29T23:30:00Z")),
        Write::Answer(answer("p2", "r1", "s1", Some("g2"), "2026-11-25T10:00:00Z")),
        Write::Answer(answer("p3", "r1", "s1", None, "2026-11-25T10:00:00Z")),
    ];
    records.commit(commit_of("p1", writes)).await.unwrap();
    let w48 = records.group_week_answers("g1", "2026-W48").unwrap();
    assert_eq!(w48.len(), 1);
    assert_eq!(w48[0].step, "s1");
    assert_eq!(
        records.group_week_answers("g1", "2026-W49").unwrap().len(),
        1
    );
    assert_eq!(
        records.group_week_answers("g2", "2026-W48").unwrap().len(),
        1
    );
    assert!(records
        .group_week_answers("g", "2026-W48")
        .unwrap()
        .is_empty());
}

async fn events_are_remembered<S: Store>(records: Records<S>) {
    let p = PersonId("p".into());
    let other = PersonId("q".into());
    assert!(!records.seen(&p, "42").unwrap());
    let commit = Commit {
        conversation: Some(conversation("p")),
        writes: vec![],
        event: Some("42".into()),
        ..Commit::default()
    };
    records.commit(commit).await.unwrap();
    assert!(records.seen(&p, "42").unwrap());
    assert!(!records.seen(&p, "4").unwrap());
    assert!(
        !records.seen(&other, "42").unwrap(),
        "ids are unique per chat only"
    );
}

async fn trials_are_replaced_and_deleted<S: Store>(records: Records<S>) {
    let mut tried = trial("p", "r1-trial");
    records
        .commit(commit_of("p", vec![Write::Trial(tried.clone())]))
        .await
        .unwrap();
    tried.state = TrialState::Tried;
    records
        .commit(commit_of("p", vec![Write::Trial(tried.clone())]))
        .await
        .unwrap();
    let person = PersonId("p".into());
    assert_eq!(records.trials(&person).unwrap(), vec![tried]);
    let delete = Write::DeleteTrial {
        id: "r1-trial".into(),
    };
    records.commit(commit_of("p", vec![delete])).await.unwrap();
    assert!(records.trials(&person).unwrap().is_empty());
}

/// ...and says which kind of record, but neither whose it is nor what it holds (it is logged).
async fn a_damaged_value_is_a_clear_error<S: Store>(records: Records<S>) {
    let person = PersonId("telegram:424242".into());
    let key = key(&["c", &records.p(&person)]);
    let sealed_junk = records.seal(&person, &key, &"{not json").unwrap();
    let mut flipped = records.seal(&person, &key, &conversation("x")).unwrap();
    *flipped.last_mut().unwrap() ^= 1;
    let plain = br#"{"schema": "Hemmelig tekst"}"#;
    for damaged in [&sealed_junk[..], &flipped[..], &plain[..]] {
        let key = key.clone();
        records
            .backend()
            .apply(vec![Op::Put(key, damaged.to_vec())])
            .await
            .unwrap();
        let err = records.conversation(&person).unwrap_err().to_string();
        assert!(err.contains("under c/#"), "{err}");
        assert!(
            !err.contains("424242") && !err.contains("Hemmelig"),
            "{err}"
        );
    }
}

async fn a_newer_schema_is_refused_not_misread<S: Store>(records: Records<S>) {
    let mut newer = conversation("p");
    newer.schema = SCHEMA + 1;
    let k = key(&["c", &records.p(&PersonId("p".into()))]);
    let value = records.seal(&PersonId("p".into()), &k, &newer).unwrap();
    records
        .backend()
        .apply(vec![Op::Put(k, value)])
        .await
        .unwrap();
    let err = records.conversation(&PersonId("p".into())).unwrap_err();
    assert!(err.to_string().contains("newer eftertanke"), "{err}");
}

/// Two people in one group with answers, a completed run, trial actions (one open), a
/// membership, a reminder, an outbox message, a handled event and a sent digest each.
async fn two_people_in_a_group<S: Store>(records: &Records<S>) {
    for who in ["telegram:1", "telegram:12"] {
        let mut conversation = conversation(who);
        conversation
            .memberships
            .push(eftertanke_core::records::Membership {
                group: "g1".into(),
                name: "Team".into(),
                role: eftertanke_core::records::GroupRole::Staff,
                joined_at: at("2026-11-23T10:00:00Z"),
                focus: None,
            });
        let mut open = trial(who, "r1-trial");
        open.group = Some("g1".into());
        let mut kept = trial(who, "r2-trial");
        kept.group = Some("g1".into());
        kept.state = TrialState::Kept;
        kept.updated_at = at("2026-12-02T10:00:00Z");
        let writes = vec![
            Write::Answer(answer(who, "r1", "s1", Some("g1"), "2026-11-23T10:00:00Z")),
            Write::Answer(answer(who, "r2", "s1", Some("g1"), "2026-12-01T10:00:00Z")),
            Write::Completed(RunRecord {
                schema: SCHEMA,
                person: PersonId(who.into()),
                role: Role::Staff,
                group: Some("g1".into()),
                run: "r1".into(),
                dialogue: "efter-vagten".into(),
                principles: vec![4],
                started_at: at("2026-11-23T09:00:00Z"),
                completed_at: at("2026-11-23T10:00:00Z"),
            }),
            Write::Trial(open),
            Write::Trial(kept),
            Write::Member(Member {
                schema: SCHEMA,
                group: "g1".into(),
                person: PersonId(who.into()),
                role: eftertanke_core::records::GroupRole::Staff,
                joined_at: at("2026-11-23T10:00:00Z"),
            }),
            Write::Reminder(Some(ReminderState {
                schema: SCHEMA,
                person: PersonId(who.into()),
                rule: eftertanke_core::records::ReminderRule {
                    weekdays: 0x1f,
                    hour: 22,
                    minute: 15,
                },
                after: at("2026-11-23T10:00:00Z"),
            })),
        ];
        records
            .commit(Commit {
                conversation: Some(conversation),
                writes,
                event: Some("update-7".into()),
                outbox: Some(Outgoing {
                    person: PersonId(who.into()),
                    at: at("2026-11-24T08:00:00Z"),
                    tag: "reminder".into(),
                    replies: vec![eftertanke_core::engine::Reply::plain(
                        "Time to reflect".into(),
                    )],
                }),
                digest_sent: Some(("g1".into(), "2026-W48".into(), PersonId(who.into()))),
            })
            .await
            .unwrap();
    }
}

/// Every key that names `person` (by their keyed name: no key holds an id).
fn naming<S: Store>(records: &Records<S>, person: &str) -> Vec<String> {
    let name = records.p(&PersonId(person.into()));
    records
        .backend()
        .scan_prefix(b"")
        .unwrap()
        .into_iter()
        .map(|(k, _)| shown_key(&k))
        .filter(|k| k.split('/').any(|part| part == name))
        .collect()
}

async fn forget_removes_every_key_naming_the_person_and_only_theirs<S: Store>(records: Records<S>) {
    two_people_in_a_group(&records).await;
    let anna = PersonId("telegram:1".into());
    // Anna made the group and linked a chat to its digest.
    let group = eftertanke_core::records::Group {
        schema: SCHEMA,
        id: "g1".into(),
        name: "Team".into(),
        created_by: anna.clone(),
        created_at: at("2026-11-23T09:00:00Z"),
        staff_code: "AAAAA-AAAAA".into(),
        citizen_code: "BBBBB-BBBBB".into(),
        codes_expire: None,
    };
    let link = eftertanke_core::records::DigestChat {
        schema: SCHEMA,
        group: "g1".into(),
        chat: PersonId("telegram-chat:-5".into()),
        lang: Lang::Da,
        linked_by: anna.clone(),
        linked_at: at("2026-11-23T09:00:00Z"),
        title: Some("Teamets chat".into()),
    };
    records
        .commit(Commit {
            writes: vec![Write::Group(group), Write::DigestChat(link)],
            ..Commit::default()
        })
        .await
        .unwrap();
    // A channel made her a private room.
    records
        .set_private_room(&anna, Some("!private:example.org"))
        .await
        .unwrap();
    assert_eq!(
        records.private_room(&anna).unwrap().as_deref(),
        Some("!private:example.org")
    );
    let other = naming(&records, "telegram:12");
    assert!(naming(&records, "telegram:1").len() >= 15);
    records
        .commit(Commit {
            conversation: Some(conversation("telegram:1")),
            writes: vec![Write::Forget],
            ..Commit::default()
        })
        .await
        .unwrap();
    assert_eq!(naming(&records, "telegram:1"), Vec::<String>::new());
    assert_eq!(
        naming(&records, "telegram:12"),
        other,
        "the other person is whole"
    );
    assert!(records.conversation(&anna).unwrap().is_none());
    assert!(records.private_room(&anna).unwrap().is_none());
    assert!(!records.seen(&anna, "update-7").unwrap());
    // Later digests count without the person.
    let week = records.group_week_answers("g1", "2026-W48").unwrap();
    assert_eq!(week.len(), 1);
    assert_eq!(week[0].person.as_str(), "telegram:12");
    assert_eq!(records.open_trials(Some("g1")).unwrap().len(), 1);
    assert_eq!(records.members("g1").unwrap().len(), 1);
    // The group stays for its members, without its maker; the chat she linked is unlinked.
    let group = records.group("g1").unwrap().unwrap();
    assert_ne!(group.created_by, anna);
    assert!(records.digest_chats("g1").unwrap().is_empty());
    // Forgetting someone with nothing stored is no error.
    records.forget(&anna).await.unwrap();
}

/// A write that raced an erasure can leave a record under a key that is gone: scans that
/// serve everyone skip it, and everyone else is still read.
async fn a_record_sealed_under_a_destroyed_key_does_not_stop_a_scan<S: Store>(records: Records<S>) {
    two_people_in_a_group(&records).await;
    assert!(records.vault.shred("telegram:1").unwrap());
    let week = records.group_week_answers("g1", "2026-W48").unwrap();
    assert_eq!(week.len(), 1);
    assert_eq!(week[0].person.as_str(), "telegram:12");
    assert_eq!(records.open_trials(Some("g1")).unwrap().len(), 1);
    assert_eq!(records.outbox(None).unwrap().len(), 1);
}

async fn the_retention_purge_deletes_old_answers_and_trims_old_trial_actions<S: Store>(
    records: Records<S>,
) {
    two_people_in_a_group(&records).await;
    // Anna's open trial action also changed the week before: the digest keeps a copy of each.
    let mut earlier = trial("telegram:1", "r1-trial");
    earlier.group = Some("g1".into());
    earlier.created_at = at("2026-11-16T10:00:00Z");
    let mut now = earlier.clone();
    earlier.updated_at = at("2026-11-16T10:00:00Z");
    now.state = TrialState::Tried;
    for version in [earlier, now] {
        records
            .commit(Commit {
                writes: vec![Write::Trial(version)],
                ..Commit::default()
            })
            .await
            .unwrap();
    }
    let gtrial_words = |records: &Records<S>| -> Vec<String> {
        ["2026-W47", "2026-W48", "2026-W49"]
            .iter()
            .flat_map(|week| records.group_week_trials("g1", week).unwrap())
            .filter(|t| t.person.as_str() == "telegram:1" && !t.what.is_empty())
            .map(|t| format!("{} {}", t.id, t.updated_at))
            .collect()
    };
    assert_eq!(
        gtrial_words(&records).len(),
        3,
        "two weeks of r1, one of r2"
    );
    let cutoff = at("2026-11-30T00:00:00Z");
    let purged = purge(&records, cutoff).await;
    assert_eq!(
        purged,
        Purged {
            answers: 2,
            trials: 2
        }
    );
    assert!(records
        .group_week_answers("g1", "2026-W48")
        .unwrap()
        .is_empty());
    assert_eq!(
        records.group_week_answers("g1", "2026-W49").unwrap().len(),
        2
    );
    let anna = PersonId("telegram:1".into());
    let answers = records.answers(&anna).unwrap();
    assert_eq!(answers.len(), 1);
    assert!(answers[0].answered_at >= cutoff);
    let trials = records.trials(&anna).unwrap();
    let old = trials.iter().find(|t| t.id == "r1-trial").unwrap();
    assert_eq!((old.what.as_str(), old.state), ("", TrialState::Tried));
    assert_eq!(
        gtrial_words(&records),
        ["r2-trial 2026-12-02T10:00:00Z"],
        "no weekly copy keeps old words"
    );
    assert_eq!(old.principles, vec![1], "its counts stay");
    let new = trials.iter().find(|t| t.id == "r2-trial").unwrap();
    assert_eq!(new.what, "Spørge først");
    assert_eq!(
        records.runs(&anna).unwrap().len(),
        1,
        "completed runs are counts"
    );
    assert_eq!(purge(&records, cutoff).await, Purged::default());
}

/// The purge as the app runs it, one person at a time.
async fn purge<S: Store>(records: &Records<S>, cutoff: jiff::Timestamp) -> Purged {
    let mut total = Purged::default();
    for person in records.people().unwrap() {
        let purged = records.purge_person(&person, cutoff).await.unwrap();
        total.answers += purged.answers;
        total.trials += purged.trials;
    }
    total
}

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod memory_backend {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(Records::new(MemoryStore::new(), tz(), vault())).await;
                }
            )*
        }
        mod sled_backend {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    let dir = tempfile::tempdir().unwrap();
                    let store = SledStore::open(dir.path(), 8 * 1024 * 1024).unwrap();
                    super::$name(Records::new(store, tz(), vault())).await;
                }
            )*
        }
    };
}

async fn trial_indexes_follow_group_week_and_state<S: Store>(records: Records<S>) {
    let mut planned = trial("p", "r000001-trial");
    planned.group = Some("g1".into());
    records
        .commit(commit_of("p", vec![Write::Trial(planned.clone())]))
        .await
        .unwrap();
    assert_eq!(
        records.open_trials(Some("g1")).unwrap(),
        vec![planned.clone()]
    );
    assert_eq!(records.open_trials(None).unwrap().len(), 1);
    assert!(records.open_trials(Some("g2")).unwrap().is_empty());
    assert_eq!(
        records.group_week_trials("g1", "2026-W48").unwrap().len(),
        1
    );
    // Followed up a week later: closed, and listed in that week too.
    let mut kept = planned.clone();
    kept.state = TrialState::Kept;
    kept.updated_at = at("2026-12-01T10:00:00Z");
    records
        .commit(commit_of("p", vec![Write::Trial(kept.clone())]))
        .await
        .unwrap();
    assert!(records.open_trials(None).unwrap().is_empty());
    assert_eq!(
        records.group_week_trials("g1", "2026-W49").unwrap(),
        vec![kept]
    );
    // A trial without a group is open under no group, and deleting it removes every index.
    let lone = trial("q", "r000002-trial");
    records
        .commit(commit_of("q", vec![Write::Trial(lone)]))
        .await
        .unwrap();
    assert_eq!(records.open_trials(None).unwrap().len(), 1);
    records
        .commit(commit_of(
            "q",
            vec![Write::DeleteTrial {
                id: "r000002-trial".into(),
            }],
        ))
        .await
        .unwrap();
    assert!(records.open_trials(None).unwrap().is_empty());
    assert!(records.trials(&PersonId("q".into())).unwrap().is_empty());
}

async fn completed_runs_are_read_by_group_and_week<S: Store>(records: Records<S>) {
    let run = |person: &str, group: Option<&str>, when: &str| RunRecord {
        schema: SCHEMA,
        person: PersonId(person.into()),
        role: Role::Staff,
        group: group.map(str::to_owned),
        run: "r000001".into(),
        dialogue: "efter-vagten".into(),
        principles: vec![4],
        started_at: at(when),
        completed_at: at(when),
    };
    let writes = vec![
        Write::Completed(run("a", Some("g1"), "2026-11-23T10:00:00Z")),
        Write::Completed(run("b", Some("g1"), "2026-11-29T22:59:00Z")),
        // Monday 00:30 in Copenhagen is already the next ISO week.
        Write::Completed(run("c", Some("g1"), "2026-11-29T23:30:00Z")),
        Write::Completed(run("d", Some("g2"), "2026-11-24T10:00:00Z")),
        Write::Completed(run("e", None, "2026-11-24T10:00:00Z")),
    ];
    records.commit(commit_of("a", writes)).await.unwrap();
    assert_eq!(records.group_week_runs("g1", "2026-W48").unwrap().len(), 2);
    assert_eq!(records.group_week_runs("g1", "2026-W49").unwrap().len(), 1);
    assert_eq!(records.group_week_runs("g2", "2026-W48").unwrap().len(), 1);
    assert_eq!(records.runs(&PersonId("e".into())).unwrap().len(), 1);
}

async fn groups_invites_members_and_reminders<S: Store>(records: Records<S>) {
    use eftertanke_core::records::{Group, GroupRole, Invite, Member, ReminderRule, ReminderState};
    let now = at("2026-11-23T10:00:00Z");
    let group = Group {
        schema: SCHEMA,
        id: "g1".into(),
        name: "Team Nord".into(),
        created_by: PersonId("m".into()),
        created_at: now,
        staff_code: "AAAAA-BBBBB".into(),
        citizen_code: "CCCCC-DDDDD".into(),
        codes_expire: None,
    };
    let invite = Invite {
        schema: SCHEMA,
        code: "AAAAA-BBBBB".into(),
        group: "g1".into(),
        name: "Team Nord".into(),
        role: GroupRole::Staff,
        expires: None,
    };
    let member = Member {
        schema: SCHEMA,
        group: "g1".into(),
        person: PersonId("m".into()),
        role: GroupRole::Facilitator,
        joined_at: now,
    };
    let reminder = ReminderState {
        schema: SCHEMA,
        person: PersonId("m".into()),
        rule: ReminderRule {
            weekdays: 0x1f,
            hour: 22,
            minute: 15,
        },
        after: now,
    };
    let writes = vec![
        Write::Group(group.clone()),
        Write::Invite(invite.clone()),
        Write::Member(member.clone()),
        Write::Reminder(Some(reminder.clone())),
    ];
    records.commit(commit_of("m", writes)).await.unwrap();
    assert_eq!(records.group("g1").unwrap(), Some(group.clone()));
    assert_eq!(records.groups().unwrap(), vec![group]);
    assert_eq!(records.invite("AAAAA-BBBBB").unwrap(), Some(invite));
    assert_eq!(records.members("g1").unwrap(), vec![member]);
    assert_eq!(records.reminders().unwrap(), vec![reminder]);
    let writes = vec![
        Write::RevokeInvite {
            code: "AAAAA-BBBBB".into(),
        },
        Write::Reminder(None),
    ];
    records.commit(commit_of("m", writes)).await.unwrap();
    assert_eq!(records.invite("AAAAA-BBBBB").unwrap(), None);
    assert!(records.reminders().unwrap().is_empty());
}

async fn the_outbox_keeps_order_and_a_digest_is_marked_sent<S: Store>(records: Records<S>) {
    use eftertanke_core::engine::Reply;
    let person = PersonId("matrix:@m:example.org".into());
    let reply = |text: &str| Reply::plain(text.into());
    for (when, tag, text) in [
        ("2026-11-23T08:00:00Z", "digest-g1-2026-W47", "first"),
        ("2026-11-23T09:00:00Z", "follow-up-r1", "second"),
        // The same message made twice is kept once.
        ("2026-11-23T09:00:00Z", "follow-up-r1", "second"),
    ] {
        let commit = Commit {
            outbox: Some(Outgoing {
                person: person.clone(),
                at: at(when),
                tag: tag.into(),
                replies: vec![reply(text)],
            }),
            digest_sent: Some(("g1".into(), "2026-W47".into(), person.clone())),
            ..Commit::default()
        };
        records.commit(commit).await.unwrap();
    }
    let waiting = records.outbox(Some(&person)).unwrap();
    let texts: Vec<&str> = waiting.iter().map(|w| w.replies[0].text.as_str()).collect();
    assert_eq!(texts, ["first", "second"]);
    assert!(records
        .outbox(Some(&PersonId("n".into())))
        .unwrap()
        .is_empty());
    assert_eq!(records.outbox_of_platform("matrix").unwrap().len(), 2);
    assert!(records.outbox_of_platform("telegram").unwrap().is_empty());
    assert!(records.digest_sent("g1", "2026-W47", &person).unwrap());
    assert!(!records.digest_sent("g1", "2026-W48", &person).unwrap());
    records.delivered(&waiting).await.unwrap();
    assert!(records.outbox(None).unwrap().is_empty());
}

async fn linked_chats_and_kept_replies<S: Store>(records: Records<S>) {
    use eftertanke_core::engine::Reply;
    use eftertanke_core::records::DigestChat;
    let chat = PersonId("telegram-chat:-100".into());
    let link = DigestChat {
        schema: SCHEMA,
        group: "g1".into(),
        chat: chat.clone(),
        lang: Lang::En,
        linked_by: PersonId("m".into()),
        linked_at: at("2026-11-23T10:00:00Z"),
        title: None,
    };
    records
        .commit(commit_of("m", vec![Write::DigestChat(link.clone())]))
        .await
        .unwrap();
    assert_eq!(records.digest_chats("g1").unwrap(), vec![link]);
    assert!(records.digest_chats("g2").unwrap().is_empty());
    let unlink = Write::UnlinkDigestChat {
        group: "g1".into(),
        chat,
    };
    records.commit(commit_of("m", vec![unlink])).await.unwrap();
    assert!(records.digest_chats("g1").unwrap().is_empty());
    // A reply kept for later, then delivered in part: only the rest stays.
    let person = PersonId("telegram:7".into());
    let replies: Vec<Reply> = ["one", "two", "three"]
        .into_iter()
        .map(|t| Reply::plain(t.into()))
        .collect();
    records
        .keep(Outgoing {
            person: person.clone(),
            at: at("2026-11-23T10:00:00Z"),
            tag: "unsent-u1".into(),
            replies,
        })
        .await
        .unwrap();
    let waiting = records.outbox(Some(&person)).unwrap();
    assert_eq!(waiting.len(), 1);
    records
        .keep_rest(&waiting[0], vec![Reply::plain("three".into())])
        .await
        .unwrap();
    let waiting = records.outbox(Some(&person)).unwrap();
    let texts: Vec<&str> = waiting[0].replies.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(texts, ["three"]);
    // Nothing left to keep: the message goes.
    records.keep_rest(&waiting[0], Vec::new()).await.unwrap();
    assert!(records.outbox(Some(&person)).unwrap().is_empty());
}

async fn old_events_are_forgotten<S: Store>(records: Records<S>) {
    let mut conversation = conversation("p");
    for (id, when) in [
        ("old", "2026-11-01T10:00:00Z"),
        ("new", "2026-11-20T10:00:00Z"),
    ] {
        conversation.last_seen = at(when);
        let commit = Commit {
            conversation: Some(conversation.clone()),
            event: Some(id.into()),
            ..Commit::default()
        };
        records.commit(commit).await.unwrap();
    }
    let p = PersonId("p".into());
    let forgotten = records
        .forget_events(at("2026-11-16T10:00:00Z"), 100)
        .await
        .unwrap();
    assert_eq!(forgotten, 1);
    assert!(!records.seen(&p, "old").unwrap());
    assert!(records.seen(&p, "new").unwrap());
}

/// A facilitator's change to someone's membership changes their member record at once and
/// leaves a notice for them until their conversation takes it in; leaving deletes one's own.
async fn membership_changes_leave_a_notice_until_taken_in<S: Store>(records: Records<S>) {
    use eftertanke_core::records::GroupRole;
    let member = |person: &str, role| Member {
        schema: SCHEMA,
        group: "g1".into(),
        person: PersonId(person.into()),
        role,
        joined_at: at("2026-11-23T10:00:00Z"),
    };
    for (person, role) in [
        ("f", GroupRole::Facilitator),
        ("s", GroupRole::Staff),
        ("c", GroupRole::Citizen),
    ] {
        records
            .commit(commit_of(person, vec![Write::Member(member(person, role))]))
            .await
            .unwrap();
    }
    let changes = vec![
        Write::ChangeMember {
            group: "g1".into(),
            person: PersonId("s".into()),
            role: Some(GroupRole::Facilitator),
        },
        Write::ChangeMember {
            group: "g1".into(),
            person: PersonId("c".into()),
            role: None,
        },
        // Nobody of that name is in the group: nothing changes, no notice.
        Write::ChangeMember {
            group: "g1".into(),
            person: PersonId("x".into()),
            role: None,
        },
    ];
    records.commit(commit_of("f", changes)).await.unwrap();
    let mut members = records.members("g1").unwrap();
    members.sort_by(|a, b| a.person.cmp(&b.person));
    assert_eq!(
        members,
        vec![
            member("f", GroupRole::Facilitator),
            member("s", GroupRole::Facilitator)
        ]
    );
    let mut notices = records.member_notices().unwrap();
    notices.sort_by(|a, b| a.person.cmp(&b.person));
    let told: Vec<(&str, Option<GroupRole>)> = notices
        .iter()
        .map(|n| (n.person.as_str(), n.role))
        .collect();
    assert_eq!(told, vec![("c", None), ("s", Some(GroupRole::Facilitator))]);
    let seen = Write::MemberNoticeSeen { group: "g1".into() };
    records.commit(commit_of("c", vec![seen])).await.unwrap();
    assert_eq!(records.member_notices().unwrap().len(), 1);
    let leave = Write::Leave { group: "g1".into() };
    records.commit(commit_of("f", vec![leave])).await.unwrap();
    let left: Vec<PersonId> = records
        .members("g1")
        .unwrap()
        .into_iter()
        .map(|m| m.person)
        .collect();
    assert_eq!(left, vec![PersonId("s".into())]);
    // A notice is theirs: erasing the person erases it.
    records.forget(&PersonId("s".into())).await.unwrap();
    assert!(records.member_notices().unwrap().is_empty());
}

/// An answer to a citizen's idea waits for its author until taken in, one per meeting that
/// took the idea up; `still_due` says whether it waits; erasing the person erases it.
async fn an_answer_to_an_idea_waits_until_taken_in<S: Store>(records: Records<S>) {
    use eftertanke_core::engine::Due;
    use eftertanke_core::records::IdeaNotice;
    let c = PersonId("c".into());
    let token = records.idea_token((&c, "r1", "borger-tjek-ind", "idea"));
    assert_ne!(
        token,
        records.idea_token((&c, "r2", "borger-tjek-ind", "idea")),
        "one token per answer"
    );
    assert_eq!(token.len(), 32, "a keyed name: {token}");
    let notice = |held_at: &str, note: &str| IdeaNotice {
        schema: SCHEMA,
        person: c.clone(),
        token: token.clone(),
        held_at: at(held_at),
        idea: "Music on Fridays".into(),
        note: note.into(),
    };
    let first = notice("2026-11-20T12:00:00Z", "We play music");
    let second = notice("2026-12-04T12:00:00Z", "Every Friday now");
    let writes = vec![
        Write::IdeaNotice(first.clone()),
        Write::IdeaNotice(second.clone()),
    ];
    records.commit(commit_of("f", writes)).await.unwrap();
    let mut waiting = records.idea_notices().unwrap();
    waiting.sort_by_key(|n| n.held_at);
    assert_eq!(waiting, vec![first.clone(), second.clone()]);
    let due = |n: &IdeaNotice| Due::IdeaTakenUp {
        token: n.token.clone(),
        held_at: n.held_at,
        idea: n.idea.clone(),
        note: n.note.clone(),
    };
    assert!(records.still_due(&c, &due(&first)).unwrap());
    let seen = Write::IdeaNoticeSeen {
        token: token.clone(),
        held_at: first.held_at,
    };
    records.commit(commit_of("c", vec![seen])).await.unwrap();
    assert!(!records.still_due(&c, &due(&first)).unwrap());
    assert!(records.still_due(&c, &due(&second)).unwrap());
    assert_eq!(records.idea_notices().unwrap(), vec![second]);
    records.forget(&c).await.unwrap();
    assert!(records.idea_notices().unwrap().is_empty());
}

contract!(
    an_answer_to_an_idea_waits_until_taken_in,
    membership_changes_leave_a_notice_until_taken_in,
    old_events_are_forgotten,
    linked_chats_and_kept_replies,
    trial_indexes_follow_group_week_and_state,
    completed_runs_are_read_by_group_and_week,
    groups_invites_members_and_reminders,
    the_outbox_keeps_order_and_a_digest_is_marked_sent,
    conversation_round_trip,
    an_answer_to_the_same_step_replaces_the_old_one,
    people_with_shared_prefixes_stay_apart,
    retract_and_discard,
    group_week_reads_one_week_of_one_group,
    events_are_remembered,
    trials_are_replaced_and_deleted,
    a_damaged_value_is_a_clear_error,
    a_newer_schema_is_refused_not_misread,
    forget_removes_every_key_naming_the_person_and_only_theirs,
    the_retention_purge_deletes_old_answers_and_trims_old_trial_actions,
    a_record_sealed_under_a_destroyed_key_does_not_stop_a_scan,
);

/// sled keeps old versions in its log segments: after /forget those copies must be useless.
/// Every sealed value of the person, copied out before, opens no more after a reopen with
/// the master key; their keyring slot holds only zeros; the other person reads as before.
#[tokio::test]
async fn forgotten_values_cannot_be_read_even_from_old_copies_with_the_master_key() {
    let dir = tempfile::tempdir().unwrap();
    let master = MasterKey::generate().unwrap();
    let copies: Vec<(Vec<u8>, Vec<u8>)> = {
        let (store, vault) = open_folder(&dir.path().join("data"), &master, 8 << 20).unwrap();
        let records = Records::new(store, tz(), vault);
        two_people_in_a_group(&records).await;
        let name = records.p(&PersonId("telegram:1".into()));
        let copies = records
            .backend()
            .scan_prefix(b"")
            .unwrap()
            .into_iter()
            .filter(|(k, _)| shown_key(k).split('/').any(|p| p == name))
            .filter(|(_, v)| v.first() == Some(&0xE2))
            .collect();
        records
            .forget(&PersonId("telegram:1".into()))
            .await
            .unwrap();
        copies
    };
    assert!(copies.len() >= 10, "{}", copies.len());
    let (store, vault) = open_folder(&dir.path().join("data"), &master, 8 << 20).unwrap();
    for (key, copy) in &copies {
        assert!(matches!(vault.unseal(key, copy), Err(VaultError::NoKey)));
    }
    let records = Records::new(store, tz(), vault);
    let bo = PersonId("telegram:12".into());
    assert_eq!(records.answers(&bo).unwrap().len(), 2);
}

/// A /forget killed after its batch and before the key was destroyed is finished by the next
/// open: the person is gone from every read at once, their key at the next start.
#[tokio::test]
async fn an_erasure_cut_short_is_finished_when_the_folder_opens() {
    let dir = tempfile::tempdir().unwrap();
    let master = MasterKey::generate().unwrap();
    let anna = PersonId("telegram:1".into());
    let copy = {
        let (store, vault) = open_folder(&dir.path().join("data"), &master, 8 << 20).unwrap();
        let records = Records::new(store, tz(), vault);
        two_people_in_a_group(&records).await;
        let conversation_key = key(&["c", &records.p(&anna)]);
        let copy = records.backend().get(&conversation_key).unwrap().unwrap();
        // Step 1 of `forget` alone, as if the process died right after it.
        let mut ops: Vec<Op> = records
            .keys_naming(&anna)
            .unwrap()
            .into_iter()
            .map(Op::Delete)
            .collect();
        let marker = key(&["forget", &records.p(&anna)]);
        ops.push(Op::Put(
            marker.clone(),
            records.seal_shared(&marker, &anna).unwrap(),
        ));
        records.backend().apply(ops).await.unwrap();
        // (Read from the store itself: these raw writes bypass the records' memory of
        // recent conversations, as nothing but this test does.)
        assert!(
            records.backend().get(&conversation_key).unwrap().is_none(),
            "gone at once"
        );
        (conversation_key, copy)
    };
    {
        let (store, vault) = open_folder(&dir.path().join("data"), &master, 8 << 20).unwrap();
        assert!(matches!(
            vault.unseal(&copy.0, &copy.1),
            Err(VaultError::NoKey)
        ));
        let records = Records::new(store, tz(), vault);
        // Finished by the open itself, marker and all.
        assert_eq!(records.finish_forgetting().await.unwrap(), 0);
        assert_eq!(naming(&records, "telegram:1"), Vec::<String>::new());
        // The person writes again, under a new key...
        records
            .commit(Commit {
                conversation: Some(conversation("telegram:1")),
                ..Commit::default()
            })
            .await
            .unwrap();
    }
    // ...which the next open leaves alone.
    let (store, vault) = open_folder(&dir.path().join("data"), &master, 8 << 20).unwrap();
    let records = Records::new(store, tz(), vault);
    assert!(records.conversation(&anna).unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sled_keeps_every_committed_write_of_concurrent_writers_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let master = MasterKey::generate().unwrap();
    {
        let (store, vault) =
            open_folder(&dir.path().join("data"), &master, 8 * 1024 * 1024).unwrap();
        let records = std::sync::Arc::new(Records::new(store, tz(), vault));
        let mut tasks = Vec::new();
        for writer in 0..64 {
            let records = records.clone();
            tasks.push(tokio::spawn(async move {
                for step in 0..10 {
                    let person = format!("w{writer}");
                    let a = answer(
                        &person,
                        "r1",
                        &format!("s{step}"),
                        None,
                        "2026-11-23T10:00:00Z",
                    );
                    records
                        .commit(commit_of(&person, vec![Write::Answer(a)]))
                        .await
                        .unwrap();
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
    }
    // sled's files and the keyring are reopened from disk by fresh handles.
    let (store, vault) = open_folder(&dir.path().join("data"), &master, 8 * 1024 * 1024).unwrap();
    let records = Records::new(store, tz(), vault);
    for writer in 0..64 {
        let person = PersonId(format!("w{writer}"));
        assert_eq!(records.answers(&person).unwrap().len(), 10, "{person:?}");
        assert!(records.conversation(&person).unwrap().is_some());
    }
}
