//! Groups end to end through the terminal: the built binary, one data folder, one person a
//! process (`--user`), a configuration file naming the facilitator, and the clock set with
//! `--now` so each step happens at a known moment.

use std::path::PathBuf;
use std::process::Command;

use eftertanke::records::{GroupRole, PersonId, TrialState};
use eftertanke::store::{Records, SledStore};

const BIN: &str = env!("CARGO_BIN_EXE_eftertanke");

/// A data folder and a configuration naming `console:mette` as facilitator.
struct Setup {
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let dir = super::chat::private_dir();
        let config = dir.path().join("eftertanke.toml");
        std::fs::write(&config, "facilitators = [\"console:mette\"]\n").unwrap();
        Setup { dir, config }
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Runs `eftertanke chat --user USER --lang en` at `now` with `script` as its input, and
    /// returns what it printed.
    fn chat(&self, user: &str, now: &str, script: &str) -> String {
        let config = self.config.to_string_lossy();
        let args = [
            "--user", user, "--lang", "en", "--now", now, "--config", &config,
        ];
        super::chat::chat(&self.data(), &args, script)
    }

    fn records(&self) -> Records<SledStore> {
        super::chat::records(&self.data())
    }
}

/// The code after "Staff: " or "Citizens: " in the codes message (the last one printed).
fn code(out: &str, label: &str) -> String {
    out.lines()
        .rev()
        .find_map(|line| line.strip_prefix(label))
        .map(|code| code.trim().to_owned())
        .unwrap_or_else(|| panic!("no `{label}` code in:\n{out}"))
}

fn person(name: &str) -> PersonId {
    PersonId::new("console", name)
}

/// True when `text` holds `word` as a whole word (any case).
fn has_word(text: &str, word: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .any(|w| w.eq_ignore_ascii_case(word))
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// A week in one group: mette makes it, anna (staff) and bo (citizen) join with the codes,
/// reflect and check in, anna follows up her trial action, and mette reads the week so far
/// and the members. Wednesday 25 November 2026, from 10:00 Copenhagen time.
fn a_week_in_team_west(setup: &Setup) -> (String, String) {
    let out = setup.chat("mette", "2026-11-25T09:00:00Z", "/newgroup Team West\n");
    assert!(
        out.contains("The group “Team West” is ready. You are its facilitator."),
        "{out}"
    );
    let (staff, citizen) = (code(&out, "Staff: "), code(&out, "Citizens: "));
    assert_ne!(staff, citizen);

    let script = format!(
        "/join {staff}\n/name Anna\n/reflect\n1\nyes\n\
         A resident was worried about the doctor.\nShe wanted to ask herself.\n4 1\n4\n1 3\n\
         We wrote her questions down together.\nskip\nyes\n\
         Make a question list before visits\n1 4\ntomorrow\nShe asks her own questions\nno\n"
    );
    let out = setup.chat("anna", "2026-11-25T09:05:00Z", &script);
    assert!(
        out.contains("Welcome to “Team West”. You are in the group as staff."),
        "{out}"
    );
    assert!(
        out.contains("Saved: “Make a question list before visits”"),
        "{out}"
    );
    assert!(out.contains("Thank you for your reflection"), "{out}");

    let script = format!(
        "/join {citizen}\n/reflect\n1\n1\nTo cook my own dinner\n1 3\nskip\n1 2\n4\n5\nskip\nyes\nno\n"
    );
    let out = setup.chat("bo", "2026-11-25T09:10:00Z", &script);
    assert!(
        out.contains("Welcome to “Team West”. You are in the group as citizen."),
        "{out}"
    );
    assert!(out.contains("Thank you for your answers"), "{out}");

    let out = setup.chat(
        "anna",
        "2026-11-25T09:15:00Z",
        "/followup 1\nyes\nShe asked two questions herself.\n1\nno\n",
    );
    assert!(out.contains("Make a question list before visits"), "{out}");
    assert!(out.contains("Thank you for following up."), "{out}");

    let digest = setup.chat("mette", "2026-11-25T09:20:00Z", "/digest\n");
    let members = setup.chat("mette", "2026-11-25T09:21:00Z", "/members\n");
    (digest, members)
}

#[test]
fn a_group_through_the_terminal_codes_reflection_check_in_follow_up_digest_members() {
    let setup = Setup::new();
    let (digest, members) = a_week_in_team_west(&setup);

    // The digest of the week so far: anna's trial action with the name she allowed and what
    // became of it; the staff's figures wait for three staff members, citizens' figures for
    // the end of the week (and one citizen is below the k-floor anyway).
    for expected in [
        "Weekly digest · Team West",
        "The staff's figures for the week so far come when at least 3 staff members",
        "1 new trial action:",
        "“Make a question list before visits” – Anna",
        "This week – kept: 1",
        "The citizens' figures and quotes come when the week is over.",
    ] {
        assert!(digest.contains(expected), "`{expected}` in:\n{digest}");
    }
    for hidden in ["check-in", "citizens answered", "To cook my own dinner"] {
        assert!(
            !digest.contains(hidden),
            "`{hidden}` below the floor:\n{digest}"
        );
    }

    // The members: numbered in the order they joined, staff by the name they allowed, the
    // citizen by role and week only; and the codes.
    let list = "“Team West” has 3 members, in the order they joined:\n\
                1. You (facilitator), since week 48 of 2026\n\
                2. Anna (staff member), since week 48 of 2026\n\
                3. Citizen, since week 48 of 2026";
    assert!(members.contains(list), "{members}");
    assert!(
        members.contains("Staff: ") && members.contains("Citizens: "),
        "{members}"
    );
    let tail = &members[members.find("“Team West” has").unwrap()..];
    for name in ["bo", "mette"] {
        assert!(!has_word(tail, name), "`{name}` in /members:\n{tail}");
    }

    // What is stored.
    let records = setup.records();
    let groups = records.groups().unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].name, "Team West");
    let roles: Vec<(String, GroupRole)> = records
        .members(&groups[0].id)
        .unwrap()
        .into_iter()
        .map(|m| (m.person.0, m.role))
        .collect();
    assert_eq!(roles.len(), 3, "{roles:?}");
    for (who, role) in [
        ("console:mette", GroupRole::Facilitator),
        ("console:anna", GroupRole::Staff),
        ("console:bo", GroupRole::Citizen),
    ] {
        assert!(roles.contains(&(who.to_owned(), role)), "{roles:?}");
    }
    let trials = records.trials(&person("anna")).unwrap();
    assert_eq!(trials.len(), 1);
    assert_eq!(trials[0].state, TrialState::Kept);
    assert_eq!(trials[0].group.as_deref(), Some(groups[0].id.as_str()));
    let runs = records.runs(&person("bo")).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].group.as_deref(), Some(groups[0].id.as_str()));
}

#[test]
fn a_removed_citizen_is_told_and_a_facilitator_hands_over_and_leaves() {
    let setup = Setup::new();
    let _ = a_week_in_team_west(&setup);
    let out = setup.chat("mette", "2026-11-26T09:00:00Z", "/remove 3\nyes\n");
    assert!(
        out.contains("Take number 3 (in the group since week 48 of 2026)"),
        "{out}"
    );
    assert!(out.contains("Number 3 is no longer in the group."), "{out}");
    // Bo is told at the next opening of the chat, and is in no group now.
    let out = setup.chat("bo", "2026-11-26T10:00:00Z", "/groups\n");
    assert!(
        out.contains("You are no longer in “Team West”. The people who run the group decided it"),
        "{out}"
    );
    assert!(out.contains("You are not in a group yet."), "{out}");
    // Mette cannot leave the group without a facilitator; she hands it to Anna first.
    let out = setup.chat("mette", "2026-11-26T11:00:00Z", "/leave\n");
    assert!(
        out.contains("You are the only facilitator of “Team West”"),
        "{out}"
    );
    let script = "/facilitator 2\n/leave\nyes\n";
    let out = setup.chat("mette", "2026-11-26T11:01:00Z", script);
    assert!(out.contains("Number 2 is now a facilitator"), "{out}");
    assert!(out.contains("You have left “Team West”"), "{out}");
    let out = setup.chat("anna", "2026-11-26T12:00:00Z", "/members\n");
    assert!(
        out.contains("You are now a facilitator of “Team West”"),
        "{out}"
    );
    assert!(
        out.contains("“Team West” has one member:\n1. You (facilitator)"),
        "{out}"
    );

    let records = setup.records();
    let group = records.groups().unwrap().remove(0);
    let members = records.members(&group.id).unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].person, person("anna"));
    assert_eq!(members[0].role, GroupRole::Facilitator);
    // What they answered before stays in the week it was given.
    let week = records.group_week_runs(&group.id, "2026-W48").unwrap();
    assert!(week.iter().any(|r| r.person == person("bo")));
    assert!(records.member_notices().unwrap().is_empty());
}

#[test]
fn bad_input_to_groups_gets_clear_answers_and_stores_nothing_wrong() {
    let setup = Setup::new();
    let _ = a_week_in_team_west(&setup);
    let group = setup.records().groups().unwrap().remove(0);
    let (staff, citizen) = (group.staff_code.clone(), group.citizen_code.clone());

    // anna is staff: no digest, a reminder that is no time, and her codes again.
    let script = format!("/digest\n/remind 25:99\n/join {citizen}\n/join {staff}\n");
    let out = setup.chat("anna", "2026-11-25T09:25:00Z", &script);
    assert!(
        out.contains("Sorry, you cannot do that. Only the people who run a group can."),
        "{out}"
    );
    assert!(!out.contains("Weekly digest"), "{out}");
    assert!(out.contains("That time does not exist."), "{out}");
    assert_eq!(
        count(&out, "You are already in “Team West”. You joined as staff."),
        2,
        "{out}"
    );

    // Six wrong codes in a row: the first four say so, from the fifth on it says to wait,
    // and while it waits even the right code is not tried.
    let wrong = "/join ABCDE-FGHJK\n".repeat(6);
    let script = format!("{wrong}/join {staff}\n");
    let out = setup.chat("cara", "2026-11-25T09:30:00Z", &script);
    assert_eq!(count(&out, "That code does not work."), 5, "{out}");
    assert_eq!(count(&out, "Maybe a letter is wrong"), 4, "{out}");
    assert!(
        out.contains("You have tried many codes. Please wait one minute and try again."),
        "{out}"
    );
    assert_eq!(
        count(&out, "Please wait one minute before you try a code again."),
        2,
        "the sixth and the right one while paused:\n{out}"
    );
    assert!(!out.contains("Welcome to"), "{out}");
    // Ten minutes later the pause is over.
    let out = setup.chat(
        "cara",
        "2026-11-25T09:40:00Z",
        &format!("/join {citizen}\n"),
    );
    assert!(
        out.contains("Welcome to “Team West”. You are in the group as citizen."),
        "{out}"
    );

    // Group names: none, 5,000 characters, only control characters.
    let long = "Å".repeat(5000);
    let script = format!(
        "/newgroup\n/newgroup    \n/newgroup {long}\n/newgroup \u{1}\u{2}\u{7}\u{1b}\u{7f}\u{85}\n\
         /newcodes 1\n"
    );
    let out = setup.chat("mette", "2026-11-25T09:45:00Z", &script);
    assert_eq!(
        count(&out, "Write the name of the group after the command"),
        3,
        "{out}"
    );
    assert!(
        out.contains("That name is 5000 characters long. There is room for 60."),
        "{out}"
    );
    assert!(!out.contains(&long[..200]), "the long name is not echoed");
    assert!(
        out.contains("New codes for “Team West”. The old codes no longer work."),
        "{out}"
    );
    assert!(out.contains("The codes work until"), "{out}");
    let (new_staff, new_citizen) = (code(&out, "Staff: "), code(&out, "Citizens: "));
    assert!(new_staff != staff && new_citizen != citizen, "{out}");

    // Two days later: the one-day codes have expired, the old ones were replaced.
    let script = format!("/join {new_staff}\n/join {staff}\n/join {new_citizen}\n/groups\n");
    let out = setup.chat("dan", "2026-11-27T10:00:00Z", &script);
    assert_eq!(count(&out, "That code does not work."), 3, "{out}");
    assert!(out.contains("You are not in a group yet."), "{out}");

    // What is stored.
    let records = setup.records();
    let groups = records.groups().unwrap();
    assert_eq!(groups.len(), 1, "no group from a bad name: {groups:?}");
    assert_eq!(groups[0].name, "Team West");
    let anna = records.conversation(&person("anna")).unwrap().unwrap();
    assert_eq!(anna.memberships.len(), 1, "{:?}", anna.memberships);
    assert_eq!(anna.memberships[0].role, GroupRole::Staff);
    assert_eq!(anna.reminder, None);
    assert!(records.reminders().unwrap().is_empty());
    let mette = records.conversation(&person("mette")).unwrap().unwrap();
    assert_eq!(mette.memberships.len(), 1, "{:?}", mette.memberships);
    assert_eq!(mette.memberships[0].role, GroupRole::Facilitator);
    let dan = records.conversation(&person("dan")).unwrap().unwrap();
    assert!(dan.memberships.is_empty());
    let cara = records.conversation(&person("cara")).unwrap().unwrap();
    assert_eq!(cara.memberships.len(), 1);
    assert_eq!(cara.join_failures, 0, "reset by the right code");
    let members = records.members(&groups[0].id).unwrap();
    assert_eq!(members.len(), 4, "mette, anna, bo, cara: {members:?}");
    // Old codes are gone; the new ones carry their expiry.
    assert!(records.invite(&staff).unwrap().is_none());
    assert!(records.invite(&citizen).unwrap().is_none());
    let invite = records
        .invite(&new_staff)
        .unwrap()
        .expect("the new staff code");
    // Made on 25 November with one day: they work to the end of 26 November, local time.
    let expires: jiff::Timestamp = "2026-11-26T23:00:00Z".parse().unwrap();
    assert_eq!(invite.expires, Some(expires));
}

/// `eftertanke digest` reads a stored week without a chat: the same figures for mette's
/// group, found by its name.
#[test]
fn the_digest_command_prints_a_stored_week() {
    let setup = Setup::new();
    let _ = a_week_in_team_west(&setup);
    let output = Command::new(BIN)
        .args([
            "digest",
            "--group",
            "Team West",
            "--week",
            "2026-W48",
            "--lang",
            "en",
        ])
        .arg("--data")
        .arg(setup.data())
        .arg("--config")
        .arg(&setup.config)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(out.contains("Weekly digest · Team West"), "{out}");
    assert!(out.contains("1 staff reflection"), "{out}");
}

impl Setup {
    /// Runs `eftertanke export` for Team West with `args`; its stdout, or its stderr when
    /// it fails.
    fn export(&self, args: &[&str]) -> Result<String, String> {
        let output = Command::new(BIN)
            .args(["export", "--group", "Team West"])
            .args(args)
            .arg("--data")
            .arg(self.data())
            .arg("--config")
            .arg(&self.config)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(!stderr.contains("panicked"), "{stderr}");
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(stderr)
        }
    }
}

/// The evaluator export: pseudonymous ids that stay the same from one export to the next
/// (unless salted), no names or platform ids, weeks not days, free text only where the citizen
/// agreed to share it, and citizens' rows only from weeks with at least three citizens.
#[test]
fn the_export_is_pseudonymised_and_holds_only_shared_text() {
    let setup = Setup::new();
    let _ = a_week_in_team_west(&setup);
    let citizen = {
        let out = setup.chat("mette", "2026-11-26T09:00:00Z", "/newcodes\n");
        code(&out, "Citizens: ")
    };
    // cy checks in too but does not share (the `no` before the last one).
    let script = format!(
        "/join {citizen}\n/reflect\n1\n1\nA secret garden plan\n1 3\nskip\n1 2\n4\n5\nskip\nno\nno\n"
    );
    let out = setup.chat("cy", "2026-11-26T09:10:00Z", &script);
    assert!(out.contains("Thank you for your answers"), "{out}");

    let period = ["--from", "2026-11-23", "--to", "2026-11-29"];
    // Two citizens that week: below the floor, none of their rows.
    let json = setup
        .export(&[&period[..], &["--format", "json"]].concat())
        .unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert!(rows.iter().all(|r| r["role"] == "staff"), "{json}");
    let script = format!("/join {citizen}\n/reflect\n1\n1\nskip\n1 3\nskip\n1 2\n4\n5\nskip\nno\n");
    let out = setup.chat("dee", "2026-11-26T09:20:00Z", &script);
    assert!(out.contains("Thank you for your answers"), "{out}");

    let json = setup
        .export(&[&period[..], &["--format", "json"]].concat())
        .unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert!(rows.len() >= 20, "{json}");
    let texts: Vec<&str> = rows
        .iter()
        .filter(|r| r["kind"] == "text")
        .filter_map(|r| r["value"].as_str())
        .collect();
    assert_eq!(texts, ["To cook my own dinner"], "{json}");
    for hidden in [
        "secret garden",
        "doctor",
        "question list",
        "anna",
        "console",
        "mette",
    ] {
        assert!(!json.to_lowercase().contains(hidden), "{hidden} in {json}");
    }
    let people: std::collections::BTreeSet<&str> =
        rows.iter().filter_map(|r| r["person"].as_str()).collect();
    assert_eq!(people.len(), 4, "anna, bo, cy and dee: {people:?}");
    assert!(rows
        .iter()
        .all(|r| r["week"] == "2026-W48" && r.get("date").is_none()));
    // Salted, the pseudonyms are the export's own: the same salt, the same; another, others.
    let salted = |salt: &str| -> std::collections::BTreeSet<String> {
        let json = setup
            .export(&[&period[..], &["--format", "json", "--salt", salt]].concat())
            .unwrap();
        let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
        rows.iter()
            .filter_map(|r| r["person"].as_str().map(str::to_owned))
            .collect()
    };
    let (a, b) = (salted("spring 2027"), salted("autumn 2027"));
    assert_eq!(a, salted("spring 2027"));
    assert!(a.is_disjoint(&b) && b.iter().all(|p| !people.contains(p.as_str())));
    assert!(rows
        .iter()
        .any(|r| r["role"] == "staff" && r["dialogue"] == "efter-vagten"));
    assert!(
        rows.iter()
            .any(|r| r["kind"] == "trial-action" && r["trial_state"].is_string()),
        "{json}"
    );
    assert!(rows.iter().any(|r| r["kind"] == "scale" && r["value"] == 5));

    // CSV: the same rows and the same ids.
    let csv = setup.export(&period).unwrap();
    assert_eq!(csv.lines().count(), rows.len() + 1, "{csv}");
    assert!(
        csv.starts_with("person,role,group,dialogue,run,step"),
        "{csv}"
    );
    for person in &people {
        assert!(csv.contains(person), "{person} not in {csv}");
    }

    // A period without answers is empty; a period the wrong way round is refused.
    let before = setup
        .export(&[
            "--from",
            "2026-01-01",
            "--to",
            "2026-11-01",
            "--format",
            "json",
        ])
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Vec<serde_json::Value>>(&before)
            .unwrap()
            .len(),
        0
    );
    let wrong = setup
        .export(&["--from", "2026-12-01", "--to", "2026-11-01"])
        .unwrap_err();
    assert!(wrong.contains("ends"), "{wrong}");

    // --out writes a file only its owner can read, and never overwrites one.
    let file = setup.dir.path().join("export.csv");
    let path = file.to_string_lossy();
    setup
        .export(&[&period[..], &["--out", &path]].concat())
        .unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), csv);
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let again = setup.export(&[&period[..], &["--out", &path]].concat());
    assert!(again.unwrap_err().contains("exists"));

    // A name two groups share is refused, with their ids, rather than guessed.
    setup.chat("mette", "2026-11-26T10:00:00Z", "/newgroup Team West\n");
    let ambiguous = setup.export(&period).unwrap_err();
    assert!(
        ambiguous.contains("2 groups are called `Team West`"),
        "{ambiguous}"
    );
}
