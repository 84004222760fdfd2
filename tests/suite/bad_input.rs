//! The bad-input corpus (`tests/data/bad-input.toml`) through the app on a store and through
//! the terminal binary, mid-dialogue; an answer to a finished dialogue; and a flood of 1,000
//! messages from one person in one second while someone else is being served; personal numbers
//! and addresses in disguise never stored.

use std::io::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex};

use eftertanke::app::{App, Clock, Event, Profile};
use eftertanke::channels::lanes::{admit, Drops};
use eftertanke::content::Content;
use eftertanke::dialogs::Role;
use eftertanke::engine::{Body, Settings};
use eftertanke::flood::{Admit, FloodGate};
use eftertanke::i18n::Lang;
use eftertanke::records::{PersonId, Value};
use eftertanke::store::{MemoryStore, Vault};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

use super::chat::{chat_command, records};

#[derive(Deserialize)]
struct Corpus {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    prefix: String,
    repeat: Option<usize>,
    hex: Option<String>,
    /// What must never be stored: personal numbers and addresses in disguise.
    #[serde(default)]
    never_stored: Vec<String>,
}

impl Case {
    fn bytes(&self) -> Vec<u8> {
        match &self.hex {
            Some(hex) => (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect(),
            None => format!(
                "{}{}",
                self.prefix,
                self.text.repeat(self.repeat.unwrap_or(1))
            )
            .into_bytes(),
        }
    }

    /// What a channel hands the app: invalid UTF-8 replaced, as the terminal and JSON do.
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes()).into_owned()
    }
}

fn corpus() -> Vec<Case> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad-input.toml");
    let corpus: Corpus = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(corpus.case.len() >= 50, "{}", corpus.case.len());
    corpus.case
}

/// True for what could change how a message shows when echoed: control characters (but line
/// breaks and tabs) and bidirectional overrides.
fn disguising(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

#[derive(Clone)]
struct HandClock(Arc<Mutex<Timestamp>>);

impl Clock for HandClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap()
    }
}

struct Bot {
    app: App<MemoryStore>,
    clock: Arc<Mutex<Timestamp>>,
    events: u64,
    /// The flood limit as the chat channels apply it, as messages arrive.
    gate: FloodGate,
    drops: Drops,
}

impl Bot {
    /// The app as chat channels run it: flood limit on.
    fn new() -> Bot {
        let clock = Arc::new(Mutex::new("2026-11-23T14:00:00Z".parse().unwrap()));
        let mut settings = Settings::standard().unwrap();
        settings.flood_limit = true;
        let app = App::new(
            Arc::new(Content::load(None, None, eftertanke::channels::MESSAGES).unwrap()),
            settings,
            MemoryStore::new(),
            Vault::ephemeral().unwrap(),
            Box::new(HandClock(clock.clone())),
        );
        Bot {
            app,
            clock,
            events: 0,
            gate: FloodGate::default(),
            drops: Drops::default(),
        }
    }

    fn wait(&self, seconds: i64) {
        *self.clock.lock().unwrap() += SignedDuration::from_secs(seconds);
    }

    /// One message; a person types about one a second.
    async fn say(&mut self, who: &PersonId, text: &str) -> Vec<String> {
        self.wait(1);
        self.send(who, text).await
    }

    /// One message at the clock's time, without waiting: through the flood limit, as the
    /// chat channels take it, then the app.
    async fn send(&mut self, who: &PersonId, text: &str) -> Vec<String> {
        let limit = self.app.settings().flood_limit;
        match admit(&self.gate, &self.drops, limit, who, self.app.now()) {
            Admit::Yes => {}
            Admit::Quiet => return Vec::new(),
            Admit::Warn => {
                let locales = &self.app.content().locales;
                return vec![locales.format(Lang::En, "flood-slow-down", &[]).unwrap()];
            }
        }
        self.events += 1;
        let event = Event {
            id: Some(format!("u{}", self.events)),
            body: Body::Text(text.to_owned()),
        };
        let profile = Profile::new(Lang::En, Role::Staff);
        let replies = self.app.handle(who, profile, event).await.unwrap();
        replies.into_iter().map(|r| r.text).collect()
    }

    /// A staff reflection up to its third question (the principles, a choice), after the
    /// situation and the citizen's view.
    async fn at_the_principles(&mut self, who: &PersonId) {
        self.say(who, "/reflect").await;
        self.say(who, "1").await;
        self.say(who, "yes").await;
        let second = self.say(who, "A resident was worried.").await.join("\n");
        assert!(second.contains("2/"), "{second}");
        let third = self.say(who, "She wanted to stay home.").await.join("\n");
        assert!(third.contains("3/"), "{third}");
    }

    fn situation(&self, who: &PersonId) -> Option<Value> {
        self.app
            .records()
            .answers(who)
            .unwrap()
            .into_iter()
            .find(|a| a.step == "situation")
            .map(|a| a.value)
    }
}

#[tokio::test]
async fn every_bad_input_gets_a_clear_answer_and_the_dialogue_stays_whole() {
    let mut bot = Bot::new();
    for (i, case) in corpus().iter().enumerate() {
        let who = PersonId::new("bad", &i.to_string());
        bot.at_the_principles(&who).await;
        let text = case.text();
        let replies = bot.say(&who, &text).await;
        let name = &case.name;
        assert!(!replies.is_empty(), "{name}: no answer");
        for reply in &replies {
            assert!(!reply.trim().is_empty(), "{name}: an empty message");
            assert!(
                !reply.chars().any(disguising),
                "{name}: echoed something that changes how it shows: {reply:?}"
            );
            assert!(
                reply.len() < 20_000,
                "{name}: a reply of {} bytes",
                reply.len()
            );
            if !text.contains('{') {
                assert!(
                    !reply.contains("{ $"),
                    "{name}: a Fluent placeable: {reply}"
                );
            }
        }
        // Still coherent: /help answers and shows where the person is, and the earlier
        // answer is stored as it was, readable.
        let help = bot.say(&who, "/help").await.join("\n");
        assert!(help.contains("/reflect"), "{name}: {help}");
        assert_eq!(
            bot.situation(&who),
            Some(Value::Text("A resident was worried.".into())),
            "{name}"
        );
    }
}

/// Letters and digits only, lowercase, of the NFKC form: a number or address is found in it
/// however it was spaced or which digits wrote it.
fn bare(text: &str) -> String {
    text.nfkc()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Personal numbers and addresses in disguise, answered where free text is stored: nothing of
/// them is stored or shown back by /mydata, and the rest of the answer is.
#[tokio::test]
async fn disguised_personal_numbers_never_reach_the_store() {
    let mut bot = Bot::new();
    let cases: Vec<Case> = corpus()
        .into_iter()
        .filter(|case| !case.never_stored.is_empty())
        .collect();
    assert!(cases.len() >= 6, "{}", cases.len());
    for (i, case) in cases.iter().enumerate() {
        let who = PersonId::new("hidden", &i.to_string());
        bot.say(&who, "/reflect").await;
        bot.say(&who, "1").await;
        bot.say(&who, "yes").await;
        let told = bot.say(&who, &case.text()).await.join("\n");
        assert!(told.contains("took out"), "{}: {told}", case.name);
        let Some(Value::Text(stored)) = bot.situation(&who) else {
            panic!("{}: no situation stored", case.name);
        };
        let mine = bot.say(&who, "/mydata").await.join("\n");
        assert!(mine.contains(&stored), "{}: {mine}", case.name);
        for secret in &case.never_stored {
            assert!(
                !bare(&stored).contains(&bare(secret)),
                "{}: {stored}",
                case.name
            );
            assert!(
                !bare(&mine).contains(&bare(secret)),
                "{}: {mine}",
                case.name
            );
        }
    }
}

/// Text that reaches a stored answer and is shown back comes back as the person wrote it
/// (not formatted as a template, not as markup): /mydata shows it verbatim.
#[tokio::test]
async fn text_shown_back_is_shown_as_written() {
    let mut bot = Bot::new();
    let who = PersonId::new("bad", "echo");
    bot.say(&who, "/reflect").await;
    bot.say(&who, "1").await;
    bot.say(&who, "yes").await;
    let written = "{ $name } <b>fed</b> **x** %s {0} `y`";
    bot.say(&who, written).await;
    let mine = bot.say(&who, "/mydata").await.join("\n");
    assert!(mine.contains(written), "{mine}");
}

#[tokio::test]
async fn an_answer_after_the_dialogue_ended_is_not_stored() {
    let mut bot = Bot::new();
    let who = PersonId::new("bad", "done");
    bot.at_the_principles(&who).await;
    for answer in ["1", "4", "4", "We talked.", "skip", "no"] {
        bot.say(&who, answer).await;
    }
    let stored = bot.app.records().answers(&who).unwrap().len();
    let late = bot.say(&who, "5").await.join("\n");
    assert!(late.contains("not in a talk right now"), "a way on: {late}");
    assert_eq!(bot.app.records().answers(&who).unwrap().len(), stored);
}

/// 1,000 messages from one person in one second: the first burst is handled, then one note,
/// then nothing is read or stored until they slow down; someone else is served meanwhile.
#[tokio::test]
async fn a_flood_from_one_person_is_limited_and_others_are_served() {
    let mut bot = Bot::new();
    let flooder = PersonId::new("bad", "flood");
    let other = PersonId::new("bad", "other");
    bot.at_the_principles(&flooder).await;
    bot.wait(60);
    let mut answered = 0;
    let mut notes = 0;
    for n in 0..1000 {
        let replies = bot.send(&flooder, &format!("junk {n}")).await;
        match replies.as_slice() {
            [] => {}
            [note] if note.contains("faster than I can follow") => notes += 1,
            _ => answered += 1,
        }
        if n == 500 {
            let served = bot.send(&other, "/help").await.join("\n");
            assert!(served.contains("/reflect"), "{served}");
        }
    }
    assert_eq!(
        (answered, notes),
        (eftertanke::flood::BURST as usize, 1),
        "handled, then told once"
    );
    assert_eq!(
        bot.situation(&flooder),
        Some(Value::Text("A resident was worried.".into()))
    );
    // After a pause the person is heard again.
    bot.wait(30);
    let heard = bot.send(&flooder, "/help").await.join("\n");
    assert!(heard.contains("/reflect"), "{heard}");
}

/// The corpus through the terminal binary, one line each, in a dialogue: it ends normally,
/// prints no control characters, and the data folder reads back whole.
#[test]
fn the_terminal_takes_the_whole_corpus() {
    let dir = super::chat::private_dir();
    let data = dir.path().join("data");
    let mut script = b"/reflect\n1\nja\nEn beboer var urolig.\nHun ville blive hjemme.\n".to_vec();
    for case in corpus() {
        script.extend(case.bytes());
        script.push(b'\n');
    }
    script.extend(b"/help\n");
    let mut child = chat_command(&data, &["--lang", "da"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&script));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let stdout = String::from_utf8(output.stdout).expect("the terminal prints UTF-8");
    let bad: Vec<char> = stdout
        .chars()
        .filter(|&c| disguising(c) && c != '\r')
        .collect();
    assert!(bad.is_empty(), "printed {bad:?}");
    assert!(stdout.contains("/refleksion"), "the Danish help: {stdout}");
    let records = records(&data);
    let local = PersonId::new("console", "local");
    let answers = records.answers(&local).unwrap();
    let situation = answers.iter().find(|a| a.step == "situation").unwrap();
    assert_eq!(situation.value, Value::Text("En beboer var urolig.".into()));
    assert!(records.conversation(&local).unwrap().is_some());
}
