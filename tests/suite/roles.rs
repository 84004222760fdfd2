//! Who sees what: every role against every command and every path data leaves by, on a real
//! sled store. Two groups; an administrator, two facilitators, staff, citizens in both groups
//! and an outsider each wrote words only they may read back.

use std::path::Path;
use std::sync::Arc;

use eftertanke::app::{App, Event, Profile, ShiftedClock};
use eftertanke::config::Config;
use eftertanke::content::Content;
use eftertanke::dialogs::Role;
use eftertanke::engine::Body;
use eftertanke::i18n::Lang;
use eftertanke::records::PersonId;
use eftertanke::store::{open_folder, MasterKey, SledStore};

const CONFIG: &str = r#"
administrators = ["roles:ada"]
facilitators = ["roles:mette", "roles:finn"]
"#;

/// The commands of the table, in the order each person sends them. `/newgroup` and
/// `/forget` (then "no") come last: they change what the person is.
const COMMANDS: &[&str] = &[
    "/help",
    "/start",
    "/mydata",
    "/trials",
    "/followup",
    "/groups",
    "/group 1",
    "/members",
    "/digest",
    "/newcodes",
    "/consent",
    "/remind",
    "/name",
    "/language",
    "/join WRONG-CODE1",
    "/back",
    "/stop",
    "/reflect",
    "/try",
    "/stop",
    "/newgroup Team Ny",
    "/forget",
    "no",
];

const REFUSED: &str = "Only the people who run a group can";

struct Person {
    name: &'static str,
    citizen: bool,
    /// Words only this person may read back (empty: wrote none).
    private: &'static str,
}

/// Who: a name, whether a citizen, and words only they wrote (empty: none).
const fn person(name: &'static str, citizen: bool, private: &'static str) -> Person {
    Person {
        name,
        citizen,
        private,
    }
}

const ADA: Person = person("ada", false, "");
const METTE: Person = person("mette", false, "");
const FINN: Person = person("finn", false, "");
const ANNA: Person = person("anna", false, "Kiwi worries on the night shift");
const BO: Person = person("bo", true, "Mango jam with my sister");
const CY: Person = person("cy", true, "Papaya seeds on the balcony");
const DEE: Person = person("dee", true, "Lychee tea at the library");
const EVA: Person = person("eva", true, "Fig tree by the station");
const OLAF: Person = person("olaf", false, "Plum cake for the night staff");
const EVERYONE: [&Person; 9] = [&ADA, &METTE, &FINN, &ANNA, &BO, &CY, &DEE, &EVA, &OLAF];

impl Person {
    fn id(&self) -> PersonId {
        PersonId::new("roles", self.name)
    }

    fn profile(&self) -> Profile {
        let role = if self.citizen {
            Role::Citizen
        } else {
            Role::Staff
        };
        Profile::new(Lang::En, role)
    }
}

struct Town {
    _dir: tempfile::TempDir,
    app: App<SledStore>,
    events: u64,
}

impl Town {
    fn new() -> Town {
        let dir = super::chat::private_dir();
        let mut config = Config::parse(CONFIG, Path::new("roles.toml")).unwrap();
        // Each person sends some forty messages at once here; the flood limit has its own test.
        config.settings.flood_limit = false;
        let master = MasterKey::generate().unwrap();
        let (store, vault) = open_folder(dir.path(), &master, 8 << 20).unwrap();
        let content = Arc::new(Content::load(None, None, eftertanke::channels::MESSAGES).unwrap());
        let app = App::new(
            content,
            config.settings,
            store,
            vault,
            // A Wednesday morning: the week cannot turn while the test runs.
            Box::new(ShiftedClock::starting_at(
                "2026-11-25T09:00:00Z".parse().unwrap(),
            )),
        );
        Town {
            _dir: dir,
            app,
            events: 0,
        }
    }

    async fn say(&mut self, who: &Person, text: &str) -> String {
        self.events += 1;
        let event = Event {
            id: Some(format!("e{}", self.events)),
            body: Body::Text(text.to_owned()),
        };
        let replies = self
            .app
            .handle(&who.id(), who.profile(), event)
            .await
            .unwrap();
        replies
            .iter()
            .map(|r| r.text.clone())
            .collect::<Vec<_>>()
            .join("\n")
    }

    async fn script(&mut self, who: &Person, lines: &str) -> String {
        let mut out = String::new();
        for line in lines.lines() {
            out.push_str(&self.say(who, line).await);
            out.push('\n');
        }
        out
    }

    /// A new group by `who`: its (staff, citizen) codes.
    async fn new_group(&mut self, who: &Person, name: &str) -> (String, String) {
        let out = self.say(who, &format!("/newgroup {name}")).await;
        let code = |label: &str| {
            out.lines()
                .find_map(|l| l.strip_prefix(label))
                .unwrap_or_else(|| panic!("no {label} in {out}"))
                .trim()
                .to_owned()
        };
        (code("Staff: "), code("Citizens: "))
    }

    async fn check_in(&mut self, who: &Person, code: &str, share: &str) {
        let script = format!(
            "/join {code}\n/reflect\n1\n1\n{}\n1 3\nskip\n1 2\n4\n5\nskip\n{share}\nno\n",
            who.private
        );
        let out = self.script(who, &script).await;
        assert!(out.contains("Thank you for your answers"), "{out}");
    }

    async fn reflect(&mut self, who: &Person, first: &str) {
        let script = format!(
            "{first}/reflect\n1\nyes\n{}\nShe wanted help.\n4 1\n4\n1 3\nWe talked.\nskip\nyes\n\
             Ask before helping\n1 4\ntomorrow\nShe says yes\nno\n",
            who.private
        );
        let out = self.script(who, &script).await;
        assert!(out.contains("Thank you for your reflection"), "{out}");
    }
}

/// Everyone's words where they belong, and nowhere else: each person sends every command;
/// each answer may show the person's own words and never anyone else's; facilitator commands
/// act only on the facilitator's own group and are refused alike to everyone else; the
/// digest that leaves by the scheduler shows only shared citizen words, without a name, and
/// no citizen figures below the floor of 3.
#[tokio::test]
async fn every_role_against_every_command_and_data_path() {
    let mut town = Town::new();
    let (west_staff, west_citizens) = town.new_group(&METTE, "Team West").await;
    let (_, east_citizens) = town.new_group(&FINN, "Team East").await;
    town.reflect(&ANNA, &format!("/join {west_staff}\n/name Anna\n"))
        .await;
    town.check_in(&BO, &west_citizens, "yes").await;
    town.check_in(&CY, &west_citizens, "no").await;
    town.check_in(&DEE, &west_citizens, "no").await;
    town.check_in(&EVA, &east_citizens, "yes").await;
    town.reflect(&OLAF, "").await;

    for who in EVERYONE {
        let mut heard = Vec::new();
        for command in COMMANDS {
            heard.push((*command, town.say(who, command).await));
        }
        for (command, out) in &heard {
            assert!(!out.contains("panicked"), "{command}");
            for other in EVERYONE.iter().filter(|o| o.name != who.name) {
                if !other.private.is_empty() {
                    assert!(
                        !out.contains(other.private),
                        "{} saw {}'s words after {command}: {out}",
                        who.name,
                        other.name
                    );
                }
                assert!(
                    !out.contains(other.id().as_str()),
                    "{} saw {}'s id after {command}",
                    who.name,
                    other.name
                );
            }
        }
        let answer = |command: &str| -> &str {
            &heard
                .iter()
                .find(|(c, _)| *c == command)
                .unwrap_or_else(|| panic!("{command}"))
                .1
        };
        // Own data: /mydata shows the person's own words.
        if !who.private.is_empty() {
            assert!(answer("/mydata").contains(who.private), "{}", who.name);
        }
        // Facilitator commands: only on the facilitator's own group.
        for command in ["/members", "/digest", "/newcodes"] {
            let out = answer(command);
            match who.name {
                "mette" => {
                    assert!(!out.contains(REFUSED), "{command}: {out}");
                    assert!(!out.contains("Team East"), "{command}: {out}");
                }
                "finn" => {
                    assert!(!out.contains(REFUSED), "{command}: {out}");
                    assert!(!out.contains("Team West"), "{command}: {out}");
                    assert!(!out.contains("Anna"), "{command}: {out}");
                }
                // The administrator manages groups but is no facilitator of these: refused
                // like anyone, with no hint whether a group exists.
                _ => assert_eq!(out, answer("/members"), "{}: {command}", who.name),
            }
        }
        if !["mette", "finn"].contains(&who.name) {
            assert!(answer("/members").contains(REFUSED), "{}", who.name);
        }
        // Members are listed in the order they joined: staff by the name they gave,
        // citizens never by name.
        let members = answer("/members");
        assert_eq!(
            members.contains(
                "“Team West” has 5 members, in the order they joined:\n\
                 1. You (facilitator), since week 48 of 2026\n\
                 2. Anna (staff member), since week 48 of 2026\n\
                 3. Citizen, since week 48 of 2026\n\
                 4. Citizen, since week 48 of 2026\n\
                 5. Citizen, since week 48 of 2026\n"
            ),
            who.name == "mette",
            "{}: {members}",
            who.name,
        );
        for citizen in [&BO, &CY, &DEE] {
            assert!(!members.contains(citizen.name), "{}: {members}", who.name);
        }
        // Making groups: administrators and facilitators only.
        let made = answer("/newgroup Team Ny").contains("is ready");
        assert_eq!(
            made,
            ["ada", "mette", "finn"].contains(&who.name),
            "{}: {}",
            who.name,
            answer("/newgroup Team Ny")
        );
    }

    // The weekly digest as the scheduler sends it, for the whole week: Team West has three
    // citizens, so their figures and bo's shared words show, without a name; cy and dee did
    // not share. Team East has one citizen: no citizen figures, no words.
    let app = &town.app;
    let groups = app.records().groups().unwrap();
    let group = |name: &str| groups.iter().find(|g| g.name == name).unwrap().clone();
    let now = app.now();
    let tz = app.settings().time_zone.clone();
    let week = eftertanke::schedule::week_of(now, &tz);
    let (_, sunday) = eftertanke::schedule::week_dates(week);
    let west = app
        .digest(&group("Team West"), week, sunday, Lang::En)
        .await
        .unwrap();
    assert!(west.contains(BO.private), "{west}");
    for hidden in [
        CY.private,
        DEE.private,
        ANNA.private,
        EVA.private,
        OLAF.private,
    ] {
        assert!(!west.contains(hidden), "{hidden} in {west}");
    }
    for name in ["roles:", "bo", "cy", "dee"] {
        assert!(
            !west
                .split_whitespace()
                .any(|w| w == name || w.starts_with("roles:")),
            "{name} in {west}"
        );
    }
    assert!(west.contains("3 citizens"), "{west}");
    let east = app
        .digest(&group("Team East"), week, sunday, Lang::En)
        .await
        .unwrap();
    assert!(!east.contains(EVA.private), "{east}");
    assert!(!east.contains("citizen"), "below the floor: {east}");
}
