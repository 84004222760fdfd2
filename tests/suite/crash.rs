//! The crash test: the real binary serves many people at once through the Telegram emulator
//! and is killed with SIGKILL at 20 random moments, restarted each time. Afterwards every
//! answer the bot acknowledged (it showed the next question) is stored exactly once and in
//! its place, every conversation went on at the question after its last acknowledged answer
//! (or one later, when an answer was stored but its reply was lost with the process), and
//! the trial actions and reminders made before are intact. Bounded: 20 kills about a second
//! apart, then every person finishes the run they are in.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use eftertanke::records::{PersonId, Value};
use eftertanke_telegram_emulator::Emulator;

use super::telegram::Harness;

const PEOPLE: i64 = 12;
const KILLS: usize = 20;
/// The bot is back within about a second of a kill, a few under load; a reply later than
/// this means the message went with the process, and the person asks where they are.
const ACK_WAIT: Duration = Duration::from_secs(20);
/// The reflection's eight questions, answered the same way every run (the text steps with
/// words unique to the person, run and step; no trial action). The people are in no group,
/// so the sharing question is not asked.
const STEPS: usize = 8;
const TEXT_STEPS: [usize; 4] = [1, 2, 6, 7];
const STEP_IDS: [&str; STEPS] = [
    "situation",
    "citizen-view",
    "touched",
    "how",
    "resources",
    "worked",
    "different",
    "commit",
];

fn input(user: i64, run: usize, step: usize) -> String {
    match step {
        3 => "4 1".into(),
        4 => "4".into(),
        5 => "1".into(),
        8 => "no".into(),
        _ => token(user, run, step),
    }
}

/// The acknowledged answers of `user` that `answers` lacks: each (run, step) must be in the
/// run whose first answer is that run's token.
pub(super) fn missing(
    answers: &[eftertanke::records::AnswerRecord],
    user: i64,
    acknowledged: &[(usize, usize)],
) -> Vec<(usize, usize)> {
    acknowledged
        .iter()
        .copied()
        .filter(|&(run, step)| {
            let situation = Value::Text(token(user, run, 1));
            let Some(run_id) = answers
                .iter()
                .find(|a| a.step == "situation" && a.value == situation)
                .map(|a| &a.run)
            else {
                return true;
            };
            !answers
                .iter()
                .any(|a| &a.run == run_id && a.step == STEP_IDS[step - 1])
        })
        .collect()
}

fn token(user: i64, run: usize, step: usize) -> String {
    format!("u{user} run{run} step{step}")
}

/// "3/8 · ..." → 3: the question a message asks, if it asks one.
fn progress(text: &str) -> Option<usize> {
    text.lines()
        .find_map(|line| line.split_once(" · ").and_then(|(p, _)| p.split_once('/')))
        .and_then(|(k, _)| k.trim().parse().ok())
}

/// What one person saw happen.
#[derive(Clone, Debug, Default)]
pub(super) struct Ledger {
    /// (run, step) answers acknowledged by the next question.
    pub(super) acknowledged: Vec<(usize, usize)>,
    /// After a lost reply, where the dialogue went on: (last acknowledged step, shown step).
    resumed: Vec<(usize, usize)>,
    runs_finished: usize,
}

/// One person: answers whatever question is shown, run after run, until told to stop at the
/// end of a run. A message without a reply in time is followed by /help, which shows where
/// the dialogue is. What they saw is kept in `ledger` as it happens.
pub(super) async fn person(
    emulator: Arc<Emulator>,
    user: i64,
    stop: Arc<AtomicBool>,
    ledger: Arc<Mutex<Ledger>>,
) {
    let mut run = 0;
    let mut shown = start_run(&emulator, user).await;
    let mut last_acknowledged = 0;
    loop {
        let Some(step) = shown else {
            // The end of a run, or a menu.
            if stop.load(Ordering::Relaxed) {
                return;
            }
            shown = start_run(&emulator, user).await;
            last_acknowledged = 0;
            continue;
        };
        if step == 1 {
            run += 1;
        }
        let mut said = say(&emulator, user, &input(user, run, step)).await;
        if step == STEPS && said == Some(None) && !run_closed(&emulator, user) {
            // A reply without a question that is not the run's end (a cut reply): as lost.
            said = None;
        }
        match said {
            Some(next) if next == Some(step + 1) || (step == STEPS && next.is_none()) => {
                let mut ledger = ledger.lock().unwrap();
                ledger.acknowledged.push((run, step));
                if step == STEPS {
                    ledger.runs_finished += 1;
                }
                last_acknowledged = step;
                shown = next;
            }
            Some(other) => panic!("u{user}: step {step} answered, then {other:?} was shown"),
            None => {
                // Lost with the process (or not yet read): ask where the dialogue is.
                let now_at = where_am_i(&emulator, user).await;
                ledger
                    .lock()
                    .unwrap()
                    .resumed
                    .push((last_acknowledged, now_at.unwrap_or(0)));
                if now_at.is_some_and(|k| k > step) {
                    // Stored, though its reply was lost: it counts as given.
                    last_acknowledged = step;
                }
                shown = now_at;
            }
        }
    }
}

/// Sends `text` and reads the reply (see [`reply`]). These people answer faster than anyone
/// types; told by the flood limit that the bot is not reading, they wait and send it again,
/// as a person would.
async fn say(emulator: &Emulator, user: i64, text: &str) -> Option<Option<usize>> {
    loop {
        let before = emulator.sent_count(user);
        emulator.text(user, text);
        let shown = reply(emulator, user, before, ACK_WAIT).await;
        let flooded = emulator.sent(user)[before..]
            .iter()
            .any(|m| m.text.contains("faster than I can follow"));
        if !flooded {
            return shown;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// The bot's replies after `before`, once they stop coming: the question the last one asks
/// (`Some(None)` for a reply without a question), or `None` if nothing came in `wait`.
async fn reply(
    emulator: &Emulator,
    user: i64,
    before: usize,
    wait: Duration,
) -> Option<Option<usize>> {
    if emulator.wait_for_count(user, before + 1, wait).await <= before {
        return None;
    }
    let mut count = emulator.sent_count(user);
    loop {
        let more = emulator
            .wait_for_count(user, count + 1, Duration::from_millis(250))
            .await;
        if more == count {
            break;
        }
        count = more;
    }
    let sent = emulator.sent(user);
    Some(sent[before..].iter().rev().find_map(|m| progress(&m.text)))
}

/// Sends /help until the bot answers (it may be restarting) and returns the question shown.
/// A reply without a question is trusted only the second time in a row: a reply cut by a
/// kill (the help text without the question after it) looks the same as "no run open".
async fn where_am_i(emulator: &Emulator, user: i64) -> Option<usize> {
    let mut without_question = 0;
    for _ in 0..10 {
        match say(emulator, user, "/help").await {
            Some(Some(step)) => return Some(step),
            Some(None) => {
                without_question += 1;
                if without_question == 2 {
                    return None;
                }
            }
            None => without_question = 0,
        }
    }
    panic!("u{user}: the bot did not come back");
}

/// Whether the bot's last message closes a run.
fn run_closed(emulator: &Emulator, user: i64) -> bool {
    emulator
        .sent(user)
        .last()
        .is_some_and(|m| m.text.contains("Type /reflect when you want to talk again"))
}

/// /reflect, then the first dialogue from the menu: the question shown. "1" is sent only to
/// the menu: sent while a run is open, it would be taken as an answer.
async fn start_run(emulator: &Emulator, user: i64) -> Option<usize> {
    match say(emulator, user, "/reflect").await {
        None => return where_am_i(emulator, user).await,
        // A run is still open: /reflect says so and shows its question.
        Some(Some(step)) => return Some(step),
        Some(None) => {}
    }
    let menu = emulator.sent(user).last().is_some_and(|m| {
        m.text.contains("What do you want to talk about") && !m.buttons.is_empty()
    });
    if !menu {
        return where_am_i(emulator, user).await;
    }
    match say(emulator, user, "1").await {
        Some(Some(step)) => Some(step),
        // Nothing, or the intro without its question (cut by a kill): ask.
        _ => where_am_i(emulator, user).await,
    }
}

/// Consent, a reflection with a trial action, and a reminder: the set-up [`person`] expects.
pub(super) async fn before_the_kills(emulator: &Emulator, user: i64) {
    emulator.set_language(user, Some("en"));
    for line in [
        "/remind weekdays 22:15",
        "/reflect",
        "1",
        "yes",
        &format!("u{user} before"),
        &format!("u{user} before view"),
        "4 1",
        "4",
        "1",
        "It worked.",
        "skip",
        "yes",
        &format!("u{user} trial"),
        "1 4",
        "tomorrow",
        "skip",
    ] {
        let answered = say(emulator, user, line).await;
        assert!(answered.is_some(), "u{user}: no answer to {line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_kills_lose_and_double_nothing_acknowledged() {
    let mut h = Harness::new(false).await;
    h.start(None);
    let people: Vec<i64> = (0..PEOPLE).map(|i| 3_000 + i).collect();
    // Before the kills: consent, a trial action and a reminder for everyone, all at once.
    let made: Vec<_> = people
        .iter()
        .map(|&user| {
            let emulator = h.emulator.clone();
            tokio::spawn(async move { before_the_kills(&emulator, user).await })
        })
        .collect();
    for task in made {
        task.await.unwrap();
    }
    let stop = Arc::new(AtomicBool::new(false));
    let tasks: Vec<_> = people
        .iter()
        .map(|&user| {
            let ledger = Arc::new(Mutex::new(Ledger::default()));
            let task = person(h.emulator.clone(), user, stop.clone(), ledger.clone());
            (tokio::spawn(task), ledger)
        })
        .collect();
    let started = Instant::now();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for _ in 0..KILLS {
        // xorshift: a different moment each time, the same sequence each run.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        tokio::time::sleep(Duration::from_millis(300 + seed % 1200)).await;
        h.kill();
        h.start(None);
    }
    stop.store(true, Ordering::Relaxed);
    let mut ledgers = BTreeMap::new();
    for (user, (task, ledger)) in people.iter().zip(tasks) {
        tokio::time::timeout(Duration::from_secs(120), task)
            .await
            .expect("every person finishes their run")
            .unwrap();
        ledgers.insert(*user, ledger.lock().unwrap().clone());
    }
    assert!(h.terminate(), "a clean stop after it all:\n{}", h.log());
    // The log of the last process only: earlier ones are overwritten at each start.
    let flood_notes = h.log().matches("flood limit").count();

    let records = h.records();
    let (mut acknowledged, mut lost, mut duplicated, mut misplaced) = (0, 0, 0, 0);
    let mut resumed_next = 0;
    let mut resumed_after_stored = 0;
    for (&user, ledger) in &ledgers {
        let id = PersonId::new("telegram", &user.to_string());
        let answers = records.answers(&id).unwrap();
        // Each run of this phase by its run id, named by the token of its first question.
        let mut runs: BTreeMap<&str, BTreeMap<&str, &Value>> = BTreeMap::new();
        for answer in &answers {
            runs.entry(answer.run.as_str())
                .or_default()
                .insert(answer.step.as_str(), &answer.value);
        }
        let text_of = |value: &Value| match value {
            Value::Text(text) => Some(text.clone()),
            _ => None,
        };
        for &(run, step) in &ledger.acknowledged {
            acknowledged += 1;
            let situation = Value::Text(token(user, run, 1));
            let stored_runs: Vec<_> = runs
                .values()
                .filter(|steps| steps.get("situation") == Some(&&situation))
                .collect();
            match stored_runs.as_slice() {
                [] => lost += 1,
                [steps] => {
                    let step_id = STEP_IDS[step - 1];
                    match steps.get(step_id) {
                        None => lost += 1,
                        Some(value) if TEXT_STEPS.contains(&step) => {
                            if text_of(value) != Some(token(user, run, step)) {
                                eprintln!("u{user}: run {run} {step_id} holds {value:?}");
                                misplaced += 1;
                            }
                        }
                        Some(value) => {
                            if text_of(value).is_some() {
                                eprintln!("u{user}: run {run} {step_id} holds {value:?}");
                                misplaced += 1;
                            }
                        }
                    }
                }
                _ => {
                    eprintln!("u{user}: run {run} is stored {} times", stored_runs.len());
                    duplicated += 1;
                }
            }
        }
        // No token stored twice, and no text where it does not belong.
        let mut tokens: BTreeMap<String, usize> = BTreeMap::new();
        for answer in &answers {
            if let Value::Text(text) = &answer.value {
                *tokens.entry(text.clone()).or_default() += 1;
                if !text.starts_with(&format!("u{user} ")) && text != "It worked." {
                    eprintln!("u{user}: {} holds `{text}`", answer.step);
                    misplaced += 1;
                }
            }
        }
        for (text, n) in tokens.iter().filter(|(_, &n)| n > 1) {
            eprintln!("u{user}: `{text}` is stored {n} times");
            duplicated += 1;
        }
        for &(last, shown) in &ledger.resumed {
            if shown == last + 1 || (last == STEPS && shown == 0) {
                resumed_next += 1;
            } else if shown == last + 2 || (last == STEPS - 1 && shown == 0) {
                // The answer was stored and only its reply lost (after the last step, the
                // run is over).
                resumed_after_stored += 1;
            } else {
                panic!("u{user}: after step {last} the dialogue went on at {shown}");
            }
        }
        // What was made before the kills is intact.
        let trials = records.trials(&id).unwrap();
        assert_eq!(trials.len(), 1, "u{user}: {trials:?}");
        assert_eq!(trials[0].what, format!("u{user} trial"));
        let conversation = records.conversation(&id).unwrap().unwrap();
        assert!(conversation.consent.is_some());
        assert!(
            records.reminders().unwrap().iter().any(|r| r.person == id),
            "u{user}: the reminder"
        );
    }
    let finished: usize = ledgers.values().map(|l| l.runs_finished).sum();
    println!(
        "crash test: {KILLS} kills in {:.1} s, {PEOPLE} people, {finished} runs finished, \
         {acknowledged} answers acknowledged, {lost} lost, {duplicated} duplicated, \
         {misplaced} misplaced; {resumed_next} resumed at the next question, \
         {resumed_after_stored} one later (answer stored, reply lost); {flood_notes} flood \
         notes in the last process's log",
        started.elapsed().as_secs_f64()
    );
    assert_eq!((lost, duplicated, misplaced), (0, 0, 0));
    assert!(acknowledged > 100, "{acknowledged}");
}
