//! Telegram end to end: the real binary (`eftertanke run`) talks through teloxide's real HTTP
//! client to the Bot API emulator this test starts on 127.0.0.1. People are simulated by the
//! emulator; what they are sent is read back from it, and what was stored is read from the
//! sled folder after the bot stopped.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use eftertanke::records::{Pending, PersonId, TrialState, Value};
use eftertanke::store::{default_key_file, MasterKey, Records, SledStore};
use eftertanke_telegram_emulator::{Emulator, NonText, Sent};

const BIN: &str = env!("CARGO_BIN_EXE_eftertanke");
const TOKEN: &str = "4242:test-token";
/// Generous: on a loaded 2-core machine ten bot processes start at once.
const WAIT: Duration = Duration::from_secs(30);
/// The facilitator named in the configuration.
const FACILITATOR: i64 = 900;

/// An emulator, a data folder and the bot process.
pub(crate) struct Harness {
    pub(crate) emulator: Arc<Emulator>,
    dir: tempfile::TempDir,
    bot: Option<Child>,
    /// Secrets as systemd gives them: files in `$CREDENTIALS_DIRECTORY`, none in the
    /// environment.
    credentials: Option<PathBuf>,
}

impl Harness {
    pub(crate) async fn new(throttle: bool) -> Harness {
        let emulator = Arc::new(Emulator::start(TOKEN).await.unwrap());
        let dir = super::chat::private_dir();
        let config = format!(
            "administrators = [\"telegram:{FACILITATOR}\"]\n\
             [telegram]\napi_url = \"{}\"\nthrottle = {throttle}\n",
            emulator.api_url()
        );
        std::fs::write(dir.path().join("eftertanke.toml"), config).unwrap();
        // `run` never makes a key: the operator does, beside the data folder here.
        MasterKey::create_file(&default_key_file(&dir.path().join("data"))).unwrap();
        Harness {
            emulator,
            dir,
            bot: None,
            credentials: None,
        }
    }

    pub(crate) fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Adds `section` at the end of the configuration file.
    pub(crate) fn configure_section(&self, section: &str) {
        let path = self.dir.path().join("eftertanke.toml");
        let config = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{config}\n{section}\n")).unwrap();
    }

    /// Puts `line` at the top of the configuration file (before its sections).
    pub(crate) fn configure(&self, line: &str) {
        let path = self.dir.path().join("eftertanke.toml");
        let config = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{line}\n{config}")).unwrap();
    }

    /// Starts `eftertanke run`, optionally with its clock set to `now`.
    pub(crate) fn start(&mut self, now: Option<&str>) {
        let log = std::fs::File::create(self.dir.path().join("bot.log")).unwrap();
        let mut command = Command::new(BIN);
        command
            .arg("run")
            .arg("--config")
            .arg(self.dir.path().join("eftertanke.toml"))
            .arg("--data")
            .arg(self.data())
            .env("TELEGRAM_BOT_TOKEN", TOKEN)
            .env("EFTERTANKE_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        if let Some(now) = now {
            command.args(["--now", now]);
        }
        if let Some(credentials) = &self.credentials {
            command
                .env("CREDENTIALS_DIRECTORY", credentials)
                .env_remove("TELEGRAM_BOT_TOKEN");
        }
        self.bot = Some(command.spawn().unwrap());
    }

    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("bot.log")).unwrap_or_default()
    }

    /// SIGKILL: no chance to finish anything.
    pub(crate) fn kill(&mut self) {
        if let Some(mut bot) = self.bot.take() {
            bot.kill().unwrap();
            bot.wait().unwrap();
        }
    }

    /// SIGTERM, then waits for a graceful exit; returns whether it exited successfully.
    pub(crate) fn terminate(&mut self) -> bool {
        match self.bot.take() {
            Some(bot) => super::chat::terminate(bot, WAIT),
            None => true,
        }
    }

    /// Waits until the bot has sent `user` more messages than `before` and then nothing more
    /// for a moment: one event's replies.
    pub(crate) async fn replies_after(&self, user: i64, before: usize) -> Vec<Sent> {
        let sent = self.emulator.wait_for(user, before + 1, WAIT).await;
        assert!(
            sent.len() > before,
            "no reply to {user} within {WAIT:?}; bot log:\n{}",
            self.log()
        );
        let mut count = sent.len();
        loop {
            let more = self
                .emulator
                .wait_for(user, count + 1, Duration::from_millis(300))
                .await;
            if more.len() == count {
                return more[before..].to_vec();
            }
            count = more.len();
        }
    }

    pub(crate) async fn say(&self, user: i64, text: &str) -> Vec<Sent> {
        let before = self.emulator.sent(user).len();
        self.emulator.text(user, text);
        self.replies_after(user, before).await
    }

    /// Presses the button labelled `label` on the newest message that has it.
    pub(crate) async fn press(&self, user: i64, label: &str) -> Vec<Sent> {
        let sent = self.emulator.sent(user);
        let (message, data) = sent
            .iter()
            .rev()
            .find_map(|m| {
                m.buttons
                    .iter()
                    .flatten()
                    .find(|b| b.text == label)
                    .map(|b| (m.message_id, b.data.clone()))
            })
            .unwrap_or_else(|| panic!("no button `{label}` in {sent:#?}"));
        let before = sent.len();
        self.emulator.press(user, message, &data).unwrap();
        self.replies_after(user, before).await
    }

    pub(crate) fn records(&self) -> Records<SledStore> {
        super::chat::records(&self.data())
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.kill();
    }
}

fn text_of(sent: &[Sent]) -> String {
    sent.iter()
        .map(|m| m.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

fn person(user: i64) -> PersonId {
    PersonId::new("telegram", &user.to_string())
}

/// The staff reflection, by buttons and typed text, in Danish; the pressed question shows
/// the choice and loses its buttons; the answers and the trial action are stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_reflection_by_buttons_and_typed_text() {
    let mut h = Harness::new(false).await;
    h.start(None);
    let anna = 101;
    h.emulator.set_language(anna, Some("da"));
    let welcome = h.say(anna, "/start").await;
    assert!(text_of(&welcome).contains("Hej!"), "{welcome:#?}");
    let menu = welcome.last().unwrap();
    assert!(
        !menu.buttons.is_empty(),
        "the menu comes as buttons: {menu:#?}"
    );

    let consent = h.press(anna, "Efter vagten").await;
    assert!(
        text_of(&consent).contains("Må jeg gemme dine svar?"),
        "{consent:#?}"
    );
    let first = h.press(anna, "Ja, gem mine svar").await;
    assert!(text_of(&first).contains("1/8"), "{first:#?}");
    let pressed = h
        .emulator
        .sent(anna)
        .into_iter()
        .find(|m| m.message_id == menu.message_id)
        .unwrap();
    assert!(
        pressed.buttons.is_empty(),
        "pressed once, no buttons: {pressed:#?}"
    );
    assert!(pressed.text.contains("→ Efter vagten"), "{pressed:#?}");

    h.say(
        anna,
        "En beboer ville ikke med ud. Vi talte om hendes plan.",
    )
    .await;
    let picker = h.say(anna, "Hun ville gerne blive inde.").await;
    // The principles in their own words in the text, their key words on the buttons.
    let picker = picker.last().unwrap();
    assert!(
        picker
            .text
            .contains("\n4. Mød borgerne med åbenhed, tillid og respekt."),
        "{picker:#?}"
    );
    let buttons: Vec<&str> = picker
        .buttons
        .iter()
        .flatten()
        .map(|b| b.text.as_str())
        .collect();
    assert_eq!(buttons[3], "Åbenhed, tillid og respekt", "{buttons:?}");
    h.say(anna, "4 1").await;
    h.press(anna, "4").await;
    h.say(anna, "1 3").await;
    h.say(anna, "Jeg spurgte før jeg foreslog noget.").await;
    h.say(anna, "spring over").await;
    h.press(anna, "Ja").await;
    h.say(anna, "Spørge til hendes plan hver morgen").await;
    h.say(anna, "1").await;
    h.press(anna, "I morgen").await;
    // In no group: the sharing question is not asked, so this ends the reflection.
    let done = h.press(anna, "Spring over").await;
    assert!(
        text_of(&done).contains("Tak, fordi du tog dig tid"),
        "{done:#?}"
    );
    assert!(
        h.emulator.answered_callbacks().len() >= 5,
        "every press is answered"
    );
    assert!(h.terminate(), "stops gracefully; log:\n{}", h.log());

    let records = h.records();
    let answers = records.answers(&person(anna)).unwrap();
    assert_eq!(answers.len(), 9, "{answers:#?}");
    let how = answers.iter().find(|a| a.step == "how").unwrap();
    assert_eq!(how.value, Value::Scale(4));
    let trials = records.trials(&person(anna)).unwrap();
    assert_eq!(trials.len(), 1);
    assert_eq!(trials[0].what, "Spørge til hendes plan hver morgen");
    assert_eq!(trials[0].state, TrialState::Planned);
}

/// A facilitator makes a group in Telegram, a citizen joins with the code and checks in, in
/// English; the menus were set in both languages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_check_in_after_joining_with_a_code() {
    let mut h = Harness::new(false).await;
    h.start(None);
    let made = h.say(FACILITATOR, "/newgroup Team Nord").await;
    let codes = text_of(&made);
    let code = codes
        .lines()
        .find_map(|l| l.strip_prefix("Citizens: "))
        .unwrap_or_else(|| panic!("no citizen code in {codes}"))
        .to_owned();
    let bo = 202;
    h.emulator.set_language(bo, Some("en-GB"));
    let joined = h.say(bo, &format!("/join {code}")).await;
    assert!(text_of(&joined).contains("Welcome to"), "{joined:#?}");
    h.say(bo, "/reflect").await;
    h.press(bo, "Check in").await;
    let hope = h.press(bo, "Yes, save my answers").await;
    assert!(text_of(&hope).contains("1/"), "{hope:#?}");
    h.say(bo, "To cook my own dinner").await;
    h.say(bo, "1 5").await;
    h.say(bo, "skip").await;
    h.say(bo, "family").await;
    h.press(bo, "4").await;
    h.press(bo, "5").await;
    h.say(bo, "skip").await;
    h.press(bo, "Yes").await;
    let done = h.press(bo, "No").await;
    assert!(
        text_of(&done).contains("Thank you for your answers"),
        "{done:#?}"
    );

    // /mydata: readable text, and the JSON file sent as a document.
    let mine = h.say(bo, "/mydata").await;
    assert!(
        text_of(&mine).contains("To cook my own dinner"),
        "{mine:#?}"
    );
    let file = mine
        .iter()
        .find_map(|m| m.document.clone())
        .unwrap_or_else(|| panic!("no file in {mine:#?}\n{}", h.log()));
    assert!(file.name.ends_with(".json"), "{}", file.name);
    let json: serde_json::Value = serde_json::from_slice(&file.content).unwrap();
    assert!(json.to_string().contains("To cook my own dinner"), "{json}");

    let menus = h.emulator.commands();
    let languages: Vec<Option<String>> = menus.iter().map(|(lang, _)| lang.clone()).collect();
    assert!(languages.contains(&Some("da".into())) && languages.contains(&None));
    let danish = menus
        .iter()
        .find(|(l, _)| l.as_deref() == Some("da"))
        .unwrap();
    assert!(danish
        .1
        .iter()
        .any(|(c, d)| c == "refleksion" && d == "Vælg en samtale"));
    for command in ["samtykke", "minedata", "glem"] {
        assert!(danish.1.iter().any(|(c, _)| c == command), "{command}");
    }
    assert!(h.terminate());
    let answers = h.records().answers(&person(bo)).unwrap();
    assert!(
        answers.iter().all(|a| a.group.is_some()),
        "counted for the group"
    );
    assert_eq!(
        answers.iter().find(|a| a.step == "share").map(|a| &a.value),
        Some(&Value::YesNo(true))
    );
}

/// An old button changes nothing and loses its buttons; photos, stickers, voice and the rest
/// get a kind answer and nothing is stored; an edit is not taken.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_buttons_non_text_and_edits_change_nothing() {
    let mut h = Harness::new(false).await;
    h.start(None);
    let carl = 303;
    h.say(carl, "/reflect").await;
    h.press(carl, "After the shift").await;
    h.press(carl, "Yes, save my answers").await;
    h.say(carl, "Lunch was loud.").await;
    // The menu was answered; an old menu button now only gets a note.
    let sent = h.emulator.sent(carl);
    let old = sent
        .iter()
        .find(|m| m.text.contains("What do you want"))
        .unwrap();
    let before = sent.len();
    h.emulator.press(carl, old.message_id, "1:1").unwrap();
    let note = h.replies_after(carl, before).await;
    assert!(
        text_of(&note).contains("That button is from before"),
        "{note:#?}"
    );
    for kind in [
        NonText::Photo,
        NonText::Voice,
        NonText::Video,
        NonText::Sticker,
        NonText::Document,
        NonText::Location,
        NonText::Contact,
        NonText::Poll,
    ] {
        let before = h.emulator.sent(carl).len();
        h.emulator.non_text(carl, kind);
        let reply = h.replies_after(carl, before).await;
        assert!(
            text_of(&reply).contains("I can only read text"),
            "{kind:?}: {reply:#?}"
        );
    }
    let before = h.emulator.sent(carl).len();
    // An edit of the person's earlier message (the emulator knows it by its message id).
    h.emulator.edit(carl, 1, "Lunch was calm.");
    let reply = h.replies_after(carl, before).await;
    assert!(
        text_of(&reply).contains("I keep what you wrote first"),
        "{reply:#?}"
    );
    assert!(h.terminate());
    let answers = h.records().answers(&person(carl)).unwrap();
    assert_eq!(answers.len(), 1, "{answers:#?}");
    assert_eq!(answers[0].value, Value::Text("Lunch was loud.".into()));
}

/// A redelivered update is not stored twice; after SIGKILL in the middle of a dialogue the
/// restarted bot goes on at the right question.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_update_and_a_killed_bot_lose_and_double_nothing() {
    let mut h = Harness::new(false).await;
    h.start(None);
    let dina = 404;
    h.say(dina, "/reflect").await;
    h.press(dina, "After the shift").await;
    h.press(dina, "Yes, save my answers").await;
    let before = h.emulator.sent(dina).len();
    let update = h.emulator.text(dina, "A resident said no to the walk.");
    let next = h.replies_after(dina, before).await;
    assert!(text_of(&next).contains("2/8"), "{next:#?}");
    let before = h.emulator.sent(dina).len();
    h.emulator.redeliver(update);
    let again = h.replies_after(dina, before).await;
    assert!(text_of(&again).contains("2/8"), "shown again: {again:#?}");

    h.say(dina, "She wanted to stay in.").await;
    h.say(dina, "4").await;
    h.kill();
    h.start(None);
    let resumed = h.say(dina, "3").await;
    assert!(
        text_of(&resumed).contains("5/8"),
        "went on after the kill: {resumed:#?}"
    );
    assert!(h.terminate());
    let answers = h.records().answers(&person(dina)).unwrap();
    let steps: Vec<&str> = answers.iter().map(|a| a.step.as_str()).collect();
    assert_eq!(steps.len(), 4, "{steps:?}");
    for step in ["situation", "citizen-view", "touched", "how"] {
        assert!(steps.contains(&step), "{step} in {steps:?}");
    }
}

/// The facilitator receives the weekly digest in Telegram, once, also after a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_facilitator_receives_the_digest_once() {
    let mut h = Harness::new(false).await;
    h.emulator.set_language(FACILITATOR, Some("en"));
    // Monday 23 November 2026, 10:00 in Copenhagen.
    h.start(Some("2026-11-23T09:00:00Z"));
    let made = h.say(FACILITATOR, "/newgroup Team Nord").await;
    let codes = text_of(&made);
    let staff = codes
        .lines()
        .find_map(|l| l.strip_prefix("Staff: "))
        .unwrap()
        .to_owned();
    let eva = 505;
    h.say(eva, &format!("/join {staff}")).await;
    h.say(eva, "/reflect").await;
    h.press(eva, "After the shift").await;
    h.press(eva, "Yes, save my answers").await;
    for answer in [
        "Breakfast.",
        "She wanted tea.",
        "4",
        "4",
        "1",
        "Time.",
        "skip",
        "no",
        "no",
    ] {
        h.say(eva, answer).await;
    }
    assert!(h.terminate());
    // The next Monday at 09:30: the digest of week 48 is due.
    h.start(Some("2026-11-30T08:30:00Z"));
    let before = h.emulator.sent(FACILITATOR).len();
    let mut digest = h.replies_after(FACILITATOR, before).await;
    // The text, then its picture as a photo with the same figures in words as the caption.
    while !digest.iter().any(|s| s.photo.is_some()) {
        let more = h.replies_after(FACILITATOR, before + digest.len()).await;
        digest.extend(more);
    }
    let text = text_of(&digest);
    assert!(text.contains("Weekly digest · Team Nord"), "{text}");
    assert!(text.contains("Week 48"), "{text}");
    assert!(text.contains("1 staff reflection"), "{text}");
    let photo = digest.iter().find(|s| s.photo.is_some()).unwrap();
    assert!(
        photo
            .text
            .starts_with("The weekly overview as a picture for Team Nord, week 48.")
            && photo.text.contains("Staff's conversations per week: 1."),
        "{}",
        photo.text
    );
    let png = &photo.photo.as_ref().unwrap().content;
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{} bytes", png.len());
    assert!(h.terminate());
    h.start(Some("2026-11-30T08:40:00Z"));
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = h.emulator.sent(FACILITATOR);
    assert_eq!(after.len(), before + digest.len(), "sent once");
    assert!(h.terminate());
}

/// Telegram (or a proxy in front of it) fails for a while when the digest is due: three
/// "502 Bad Gateway" web pages, then three "500 Internal Server Error" answers. The digest
/// waits in the outbox and arrives exactly once when Telegram is back; the linked group chat,
/// which became a supergroup meanwhile, gets it once at its new id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_digest_outlasts_passing_errors_and_follows_a_chat_that_moved() {
    let mut h = Harness::new(false).await;
    h.emulator.set_language(FACILITATOR, Some("en"));
    // Monday 23 November 2026, 10:00 in Copenhagen.
    h.start(Some("2026-11-23T09:00:00Z"));
    h.say(FACILITATOR, "/newgroup Team Nord").await;
    let (old_chat, new_chat) = (-1_003, -1_000_000_003);
    h.emulator.group_text(old_chat, FACILITATOR, "/linkdigest");
    let linked = h.emulator.wait_for(old_chat, 1, WAIT).await;
    assert!(text_of(&linked).contains("Team Nord"), "{linked:#?}");
    assert!(h.terminate());

    h.emulator.migrate_chat(old_chat, new_chat);
    h.emulator
        .fail_next_with_page("sendMessage", 3, 502, "Bad Gateway");
    h.emulator
        .fail_next_json("sendMessage", 3, 500, "Internal Server Error");
    let calls = h.emulator.calls("sendMessage");
    let before = h.emulator.sent(FACILITATOR).len();
    // The next Monday at 09:30: the digest of week 48 is due.
    h.start(Some("2026-11-30T08:30:00Z"));
    let digest = "Weekly digest · Team Nord";
    let deadline = Instant::now() + Duration::from_secs(240);
    let arrived = |h: &Harness| {
        let to = |chat| {
            h.emulator
                .sent(chat)
                .iter()
                .filter(|m| m.text.contains(digest))
                .count()
        };
        (to(FACILITATOR), to(new_chat))
    };
    while arrived(&h) != (1, 1) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(arrived(&h), (1, 1), "once each; log:\n{}", h.log());
    assert!(
        h.emulator.calls("sendMessage") >= calls + 6,
        "the failures were met"
    );
    // Nothing more comes, and nothing went to the old chat id.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(arrived(&h), (1, 1));
    assert_eq!(h.emulator.sent(old_chat).len(), 1, "only the link's note");
    assert!(h.emulator.sent(FACILITATOR).len() > before);
    assert!(h.terminate());
    let records = h.records();
    let linked: Vec<PersonId> = records
        .groups()
        .unwrap()
        .iter()
        .flat_map(|group| records.digest_chats(&group.id).unwrap())
        .map(|link| link.chat)
        .collect();
    assert_eq!(
        linked,
        vec![PersonId::new("telegram-chat", &new_chat.to_string())],
        "the link follows the chat"
    );
}

/// With Telegram's limits on, a second message to the same chat waits about a second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_throttle_spaces_messages_to_one_chat() {
    let mut h = Harness::new(true).await;
    h.start(None);
    let fred = 606;
    h.emulator.text(fred, "/start");
    let sent = h.emulator.wait_for(fred, 2, WAIT).await;
    assert!(sent.len() >= 2, "welcome and menu: {sent:#?}");
    let times = h.emulator.send_times(fred);
    let gap = times[1].duration_since(times[0]);
    assert!(gap >= Duration::from_millis(900), "{gap:?}");
    assert!(h.terminate());
}

/// In a group chat /start gets a note to write privately; /linkdigest by someone who is not
/// a facilitator is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_chats_get_a_note_and_only_facilitators_link_them() {
    let mut h = Harness::new(false).await;
    h.start(None);
    let chat = -1001;
    h.emulator.set_language(707, Some("en"));
    h.emulator.group_text(chat, 707, "/start");
    let note = h.emulator.wait_for(chat, 1, WAIT).await;
    assert!(text_of(&note).contains("private chat"), "{note:#?}");
    h.emulator.group_text(chat, 707, "/linkdigest");
    let refused = h.emulator.wait_for(chat, 2, WAIT).await;
    assert!(
        text_of(&refused).contains("Only the people who run a group can"),
        "{refused:#?}"
    );
    h.say(FACILITATOR, "/newgroup Team Nord").await;
    h.emulator.group_text(chat, FACILITATOR, "/linkdigest");
    let linked = h.emulator.wait_for(chat, 3, WAIT).await;
    assert!(text_of(&linked).contains("Team Nord"), "{linked:#?}");
    assert!(h.terminate());
}

/// A refused token ends `run` with a clear error instead of a crash loop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_is_a_clear_error() {
    let h = Harness::new(false).await;
    let mut bot = Command::new(BIN)
        .arg("run")
        .arg("--config")
        .arg(h.dir.path().join("eftertanke.toml"))
        .arg("--data")
        .arg(h.data())
        .env("TELEGRAM_BOT_TOKEN", "1:wrong")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while bot.try_wait().unwrap().is_none() {
        if started.elapsed() > WAIT {
            bot.kill().unwrap();
            panic!("still running with a refused token");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = bot.wait_with_output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("refused the bot token"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Telegram's "retry after" is waited out and the message sent again, not dropped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_is_waited_out() {
    let mut h = Harness::new(false).await;
    h.start(None);
    let gus = 808;
    h.say(gus, "/help").await;
    h.emulator.fail_next(
        "sendMessage",
        429,
        "Too Many Requests: retry after 1",
        Some(1),
    );
    let started = Instant::now();
    let reply = h.say(gus, "/help").await;
    assert!(text_of(&reply).contains("How it works"), "{reply:#?}");
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert!(h.terminate());
}

/// An unreachable Bot API is retried with growing pauses, logged clearly, and SIGTERM still
/// stops the bot at once: no crash loop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_api_is_retried_and_the_bot_still_stops() {
    let mut h = Harness::new(false).await;
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = format!("[telegram]\napi_url = \"http://127.0.0.1:{port}/\"\n");
    std::fs::write(h.dir.path().join("eftertanke.toml"), config).unwrap();
    h.start(None);
    tokio::time::sleep(Duration::from_secs(4)).await;
    let bot = h.bot.as_mut().unwrap();
    assert!(bot.try_wait().unwrap().is_none(), "still running");
    let log = h.log();
    assert!(log.contains("Telegram unreachable, trying again"), "{log}");
    assert!(h.terminate(), "stops on SIGTERM while retrying");
}

/// One chat floods (2,000 messages as fast as the emulator takes them, with a group chat
/// flooding `/start` beside it), with the production Throttle on: someone else's `/start` is
/// still answered within a second; the flooding chat hears its first burst answered and is
/// told once to slow down; the group chat is held to the same limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_flooding_chat_never_delays_another_persons_reply() {
    let mut h = Harness::new(true).await;
    h.start(None);
    let (flooder, other, group, group_flooder) = (811, 812, -1_811, 813);
    // The bot is polling once it answered someone.
    h.emulator.text(814, "/start");
    assert!(!h.emulator.wait_for(814, 1, WAIT).await.is_empty());
    for n in 0..2_000 {
        // One short reply each ("nothing to stop"), so the answers come within minutes.
        h.emulator.text(flooder, &format!("/stop {n}"));
        if n % 2 == 0 {
            h.emulator.group_text(group, group_flooder, "/start");
        }
    }
    let asked = Instant::now();
    h.emulator.text(other, "/start");
    let answered = h.emulator.wait_for(other, 1, WAIT).await;
    let waited = asked.elapsed();
    assert!(!answered.is_empty(), "no answer within {WAIT:?}");
    assert!(
        waited < Duration::from_secs(1),
        "someone else waited {waited:?} behind the flood"
    );

    // 1 a second and 20 a minute to one chat: the first burst and the note take a while.
    let burst = eftertanke::flood::BURST as usize;
    let note = "You are writing faster than I can follow";
    let deadline = Instant::now() + Duration::from_secs(240);
    let mut sent = Vec::new();
    while Instant::now() < deadline {
        sent = h.emulator.wait_for(flooder, burst + 1, WAIT).await;
        if sent.iter().any(|m| m.text.contains(note)) {
            break;
        }
    }
    let notes = sent.iter().filter(|m| m.text.contains(note)).count();
    assert_eq!(notes, 1, "told once to slow down: {sent:#?}");
    assert!(
        sent.len() > burst,
        "the first burst was answered: {} messages",
        sent.len()
    );
    // Nothing more comes: the rest of the flood was not read.
    let after = h
        .emulator
        .wait_for(flooder, sent.len() + 1, Duration::from_secs(5))
        .await;
    assert_eq!(after.len(), sent.len(), "{:#?}", &after[sent.len()..]);
    let to_group = h.emulator.sent(group).len();
    eprintln!(
        "flood: someone else answered after {waited:?}; the flooding chat got {} messages \
         ({notes} note); the group chat {to_group}",
        sent.len()
    );
    assert!(
        to_group <= burst + 1,
        "the group chat's flood was limited too: {to_group} notes"
    );
    assert!(h.terminate(), "stops gracefully; log:\n{}", h.log());
    let log = h.log();
    assert!(log.contains("dropped"), "the drops are counted: {log}");
}

/// A button counts only in the chat it was sent to: a press on anna's question that comes
/// from bo (as a forged query would) changes nobody's conversation and gets no reply; then
/// anna's own press is taken.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_button_pressed_from_another_chat_is_ignored() {
    let mut h = Harness::new(false).await;
    h.start(None);
    let (anna, bo) = (111, 112);
    h.emulator.set_language(anna, Some("en"));
    h.emulator.set_language(bo, Some("en"));
    let welcome = h.say(anna, "/start").await;
    let menu = welcome.last().unwrap();
    let button = menu.buttons.iter().flatten().next().unwrap().clone();
    h.say(bo, "/start").await;
    let bo_before = h.emulator.sent(bo).len();
    let anna_before = h.emulator.sent(anna).len();
    h.emulator
        .press_in(anna, bo, menu.message_id, &button.data)
        .unwrap();
    // The press reached the bot (it answered the query) and changed nothing.
    let started = Instant::now();
    while h.emulator.answered_callbacks().is_empty() {
        assert!(started.elapsed() < WAIT, "{}", h.log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        h.emulator.sent(bo).len(),
        bo_before,
        "{:#?}",
        h.emulator.sent(bo)
    );
    assert_eq!(h.emulator.sent(anna).len(), anna_before);
    assert!(h
        .log()
        .contains("a button pressed outside the chat it was sent to"));
    let asked = h.press(anna, &button.text).await;
    assert!(
        text_of(&asked).contains("may I save your answers?"),
        "{asked:#?}"
    );
    assert!(h.terminate(), "{}", h.log());
    let bo = h.records().conversation(&person(bo)).unwrap().unwrap();
    // Still at the menu it was shown.
    assert!(
        bo.active.is_none() && bo.pending == Some(Pending::Dialogue),
        "{bo:?}"
    );
}

/// The token and the master key as systemd's credentials: files in `$CREDENTIALS_DIRECTORY`,
/// nothing in the environment (which other processes of the user can read); `--help` names
/// every credential and its variable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_come_from_credential_files() {
    let mut h = Harness::new(false).await;
    let credentials = h.dir.path().join("credentials");
    std::fs::create_dir(&credentials).unwrap();
    std::fs::write(credentials.join("telegram-token"), format!("{TOKEN}\n")).unwrap();
    let key_file = default_key_file(&h.data());
    std::fs::rename(&key_file, credentials.join("master-key")).unwrap();
    h.credentials = Some(credentials);
    h.start(None);
    let welcome = h.say(121, "/start").await;
    assert!(!welcome.is_empty(), "{}", h.log());
    assert!(h.terminate(), "{}", h.log());
    assert!(!key_file.exists(), "the key came from the credential alone");

    let help = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    for secret in eftertanke::store::secret::ALL {
        assert!(
            help.contains(secret.credential) && help.contains(secret.env),
            "{secret:?} in {help}"
        );
    }
}

/// `log_format = "json"` in the configuration: every log line is one JSON object, for log
/// shippers, and none holds what a person wrote.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_when_the_configuration_asks() {
    let mut h = Harness::new(false).await;
    h.configure("log_format = \"json\"");
    h.start(None);
    let user = 131;
    h.emulator.set_language(user, Some("en"));
    h.say(user, "/start").await;
    h.say(user, "/reflect").await;
    h.say(user, "a secret word: kolibri").await;
    assert!(h.terminate(), "{}", h.log());
    let log = h.log();
    let lines: Vec<&str> = log.lines().collect();
    assert!(lines.len() >= 2, "{log}");
    for line in lines {
        let object: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|err| panic!("{err}: {line}"));
        assert!(
            object["level"].is_string() && object["timestamp"].is_string(),
            "{line}"
        );
    }
    assert!(!log.contains("kolibri"), "{log}");
}

/// `eftertanke doctor` against the emulator: all well with the right token, and a problem
/// with a fix for a wrong token or a key file others can read; it changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_checks_what_a_start_needs_and_says_how_to_fix_it() {
    let mut h = Harness::new(false).await;
    // A folder with data, made by a first run.
    h.start(None);
    h.say(133, "/start").await;
    assert!(h.terminate(), "{}", h.log());
    let files = || {
        let mut names: Vec<_> = std::fs::read_dir(h.data())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    let before = files();
    let doctor = |token: &str| {
        let output = Command::new(BIN)
            .arg("doctor")
            .arg("--config")
            .arg(h.dir.path().join("eftertanke.toml"))
            .arg("--data")
            .arg(h.data())
            .env("TELEGRAM_BOT_TOKEN", token)
            .env_remove("EFTERTANKE_MASTER_KEY")
            .output()
            .unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    };
    let (healthy, said) = doctor(TOKEN);
    assert!(healthy, "{said}");
    assert!(said.contains("the token is the bot @"), "{said}");
    assert!(
        said.contains("it opens the data folder's keyring"),
        "{said}"
    );
    assert!(said.contains("all well"), "{said}");

    let (healthy, said) = doctor("4242:wrong");
    assert!(!healthy, "{said}");
    assert!(
        said.contains("problem  Telegram") && said.contains("fix:"),
        "{said}"
    );

    let key_file = default_key_file(&h.data());
    std::fs::set_permissions(
        &key_file,
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();
    let (healthy, said) = doctor(TOKEN);
    assert!(!healthy, "{said}");
    assert!(said.contains("chmod 600"), "{said}");
    assert_eq!(files(), before, "the doctor changed nothing");
}
