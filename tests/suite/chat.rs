//! End to end: the built binary, scripted through standard input, storing in a real sled folder.

use std::io::{BufRead, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use eftertanke::records::{PersonId, TrialState, Value};
use eftertanke::store::{default_key_file, open_folder, MasterKey, Records, SledStore};

const BIN: &str = env!("CARGO_BIN_EXE_eftertanke");

/// `eftertanke chat --data DATA ARGS` with its standard input and output piped.
pub(crate) fn chat_command(data: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .arg("chat")
        .arg("--data")
        .arg(data)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    command
}

/// Runs a whole scripted chat and returns its output.
pub(crate) fn chat(data: &Path, args: &[&str], script: &str) -> String {
    let mut child = chat_command(data, args)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "chat failed: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    String::from_utf8(output.stdout).unwrap()
}

/// SIGTERM to a bot process, then a wait for its graceful exit (killed after `wait`);
/// whether it exited successfully.
pub(crate) fn terminate(mut bot: Child, wait: Duration) -> bool {
    Command::new("kill")
        .args(["-TERM", &bot.id().to_string()])
        .status()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = bot.try_wait().unwrap() {
            return status.success();
        }
        if started.elapsed() > wait {
            bot.kill().unwrap();
            bot.wait().unwrap();
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The records of a data folder, opened with the key file beside it (which the terminal chat
/// made, or a test wrote).
pub(crate) fn records(data: &Path) -> Records<SledStore> {
    let master = MasterKey::read_file(&default_key_file(data)).unwrap();
    let (store, vault) = open_folder(data, &master, 8 << 20).unwrap();
    Records::new(
        store,
        jiff::tz::TimeZone::get("Europe/Copenhagen").unwrap(),
        vault,
    )
}

#[test]
fn staff_reflection_with_a_trial_action_in_danish() {
    let dir = private_dir();
    let script = "1\n1\n\
        En beboer ville ikke med ud. Vi satte os og talte om hendes plan.\n\
        Hun ville gerne blive inde og hvile.\n\
        4 1\n\
        4\n\
        1 3\n\
        Jeg spurgte før jeg foreslog noget.\n\
        spring over\n\
        ja\n\
        Spørge til hendes plan hver morgen\n\
        1\n\
        i morgen\n\
        Hun fortæller selv om dagen\n";
    let out = chat(dir.path(), &["--as", "staff", "--lang", "da"], script);
    assert!(out.contains("1/8 · Tænk på én konkret situation"), "{out}");
    assert!(
        out.contains("Jeg har gemt det: »Spørge til hendes plan hver morgen«"),
        "{out}"
    );
    assert!(out.contains("Tak, fordi du tog dig tid"), "{out}");

    // A second process sees the trial action: it is on disk.
    let out = chat(dir.path(), &[], "/trials\n");
    assert!(
        out.contains("Spørge til hendes plan hver morgen – planlagt"),
        "{out}"
    );

    let records = records(dir.path());
    let person = PersonId::new("console", "local");
    let answers = records.answers(&person).unwrap();
    assert_eq!(
        answers.len(),
        9,
        "in no group, no sharing question: {answers:#?}"
    );
    let trials = records.trials(&person).unwrap();
    assert_eq!(trials.len(), 1);
    assert_eq!(trials[0].state, TrialState::Planned);
    assert_eq!(records.runs(&person).unwrap().len(), 1);
}

#[test]
fn citizen_check_in_in_english_with_words_and_emoji() {
    let dir = private_dir();
    let script = "check in\n\
        yes\n\
        To get my own flat one day\n\
        rest and quiet, nature\n\
        skip\n\
        family and a friend\n\
        🙂\n\
        😄\n\
        👎\n";
    let out = chat(
        dir.path(),
        &["--as", "citizen", "--lang", "en", "--user", "anna"],
        script,
    );
    assert!(out.contains("Thank you for your answers"), "{out}");
    let records = records(dir.path());
    let answers = records.answers(&PersonId::new("console", "anna")).unwrap();
    let value = |step: &str| {
        answers
            .iter()
            .find(|a| a.step == step)
            .map(|a| a.value.clone())
    };
    assert_eq!(value("listened"), Some(Value::Scale(4)));
    assert_eq!(value("respected"), Some(Value::Scale(5)));
    assert_eq!(value("share"), None, "in no group, nobody to share with");
    assert_eq!(value("idea"), None, "nor to take an idea up");
    assert_eq!(value("try"), Some(Value::YesNo(false)));
    assert_eq!(
        value("people"),
        Some(Value::Choices(vec!["family".into(), "friends".into()]))
    );
}

#[test]
fn back_and_stop_through_the_terminal() {
    let dir = private_dir();
    let script =
        "/reflect\n1\n1\nNoget skete ved frokosten.\nHun ville spise alene.\n2\n/back\n3\n/stop\n2\n";
    let out = chat(dir.path(), &[], script);
    assert!(out.contains("Du kan nu svare igen"), "{out}");
    assert!(out.contains("Dine svar er nu slettet"), "{out}");
    let records = records(dir.path());
    let person = PersonId::new("console", "local");
    assert!(records.answers(&person).unwrap().is_empty(), "discarded");
    let conversation = records.conversation(&person).unwrap().unwrap();
    assert!(conversation.active.is_none());
}

#[test]
fn bad_input_gets_clear_answers_and_the_conversation_stays() {
    let dir = private_dir();
    let huge = "å".repeat(40_000);
    let script = format!(
        "1\n1\n\n   \n\u{0}\u{7}\n{huge}\n😀😀😀\n\u{202E}abc\u{202C}\nHun ville ud.\n/unknown\n\
         /REFLECT now\nNoget skete.\n"
    );
    let out = chat(dir.path(), &["--lang", "da"], &script);
    assert!(out.contains("Jeg fik ikke noget svar"), "{out}");
    assert!(out.contains("for langt"));
    assert!(out.contains("et par ord"));
    assert!(out.contains("Det forstod jeg ikke"));
    assert!(out.contains("Du er i gang med en samtale"));
    assert!(
        out.contains("2/8"),
        "the dialogue went on after the bad input"
    );
    let records = records(dir.path());
    let answers = records.answers(&PersonId::new("console", "local")).unwrap();
    let values: Vec<_> = answers.iter().map(|a| a.value.clone()).collect();
    // Only "abc" (the override characters removed) fitted the first question, then the
    // citizen's view was answered; the last line was not a principle, so it was asked again
    // and nothing more was stored.
    assert_eq!(
        values,
        vec![
            Value::Text("abc".into()),
            Value::Text("Hun ville ud.".into())
        ]
    );
    assert!(out.contains("fra 1 til 8"), "{out}");
}

/// A running chat whose output is read line by line.
struct Live {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    seen: String,
}

impl Live {
    fn start(data: &Path) -> Live {
        let mut child = chat_command(data, &["--lang", "en"])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Live {
            child,
            stdin,
            lines,
            seen: String::new(),
        }
    }

    /// Waits until a line containing `marker` has been printed.
    fn wait_for(&mut self, marker: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(line) = self.lines.recv_timeout(Duration::from_millis(100)) {
                let found = line.contains(marker);
                self.seen.push_str(&line);
                self.seen.push('\n');
                if found {
                    return;
                }
            }
        }
        panic!("`{marker}` never came; output so far:\n{}", self.seen);
    }

    fn send(&mut self, line: &str) {
        writeln!(self.stdin, "{line}").unwrap();
        self.stdin.flush().unwrap();
    }
}

#[test]
fn a_killed_chat_resumes_at_the_right_question_with_nothing_lost() {
    let dir = private_dir();
    let mut live = Live::start(dir.path());
    live.wait_for("What do you want to talk about?");
    live.send("1");
    live.wait_for("may I save your answers?");
    live.send("1");
    live.wait_for("1/8");
    live.send("A resident was upset at breakfast.");
    live.wait_for("2/8");
    live.send("She wanted to eat alone.");
    live.wait_for("3/8");
    live.send("4 6");
    // The fourth question is printed only after the third answer is durable.
    live.wait_for("4/8");
    live.child.kill().unwrap(); // SIGKILL: no chance to flush anything.
    live.child.wait().unwrap();

    let mut live = Live::start(dir.path());
    live.wait_for("Good to see you again");
    live.wait_for("4/8");
    live.send("5");
    live.wait_for("5/8");
    drop(live.stdin);
    live.child.wait().unwrap();

    let records = records(dir.path());
    let answers = records.answers(&PersonId::new("console", "local")).unwrap();
    let steps: Vec<&str> = answers.iter().map(|a| a.step.as_str()).collect();
    assert_eq!(answers.len(), 4, "{steps:?}");
    let value = |step: &str| answers.iter().find(|a| a.step == step).map(|a| &a.value);
    assert_eq!(
        value("situation"),
        Some(&Value::Text("A resident was upset at breakfast.".into()))
    );
    assert_eq!(
        value("citizen-view"),
        Some(&Value::Text("She wanted to eat alone.".into()))
    );
    assert_eq!(value("touched"), Some(&Value::Principles(vec![4, 6])));
    assert_eq!(value("how"), Some(&Value::Scale(5)));
}

/// Every byte of every file under `dir` (the key file beside it is not under it).
/// A temporary folder only its owner can read: a data folder others can read is refused.
pub(crate) fn private_dir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    dir
}

pub(crate) fn folder_bytes(dir: &Path) -> Vec<u8> {
    let mut files = vec![dir.to_path_buf()];
    let mut bytes = Vec::new();
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else {
            bytes.extend(std::fs::read(&path).unwrap());
        }
    }
    bytes
}

pub(crate) fn holds(bytes: &[u8], words: &str) -> bool {
    bytes.windows(words.len()).any(|w| w == words.as_bytes())
}

/// A CPR number, a phone number and an e-mail address typed into an answer are taken out
/// before it is stored; the rest is stored, sealed: no word of it is readable on disk.
#[test]
fn personal_numbers_never_reach_the_disk_and_answers_are_sealed() {
    let dir = private_dir();
    let data = dir.path().join("data");
    let script = "1\n1\nHun gav mig 020387-4521 og 61 23 45 67 og hanne.k@example.dk\n";
    let out = chat(&data, &["--as", "staff", "--lang", "da"], script);
    assert!(out.contains("Jeg tog et CPR-nummer"), "{out}");
    let bytes = folder_bytes(&data);
    assert!(!bytes.is_empty());
    for secret in ["020387", "61 23 45 67", "hanne.k@example.dk", "Hun gav mig"] {
        assert!(!holds(&bytes, secret), "{secret} is readable on disk");
    }
    let answers = records(&data)
        .answers(&PersonId::new("console", "local"))
        .unwrap();
    let Value::Text(stored) = &answers[0].value else {
        panic!("{answers:?}")
    };
    assert!(stored.starts_with("Hun gav mig "), "{stored}");
    // Read with the key: the numbers were taken out before sealing, not only hidden by it.
    for secret in ["020387", "4521", "61 23", "45 67", "hanne"] {
        assert!(!stored.contains(secret), "{secret} in {stored}");
    }
}
