//! Online backup: the real binary serves 50 people through the Telegram emulator while
//! `eftertanke backup` copies its data folder; the copy, restored into a new folder with
//! `eftertanke restore`, holds every answer the bot acknowledged before the backup began.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use eftertanke::records::PersonId;
use eftertanke::store::default_key_file;

use super::crash::{before_the_kills, missing, person, Ledger};
use super::telegram::Harness;

const BIN: &str = env!("CARGO_BIN_EXE_eftertanke");
const PEOPLE: i64 = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_load_restores_every_acknowledged_answer() {
    let mut h = Harness::new(false).await;
    h.start(None);
    let people: Vec<i64> = (0..PEOPLE).map(|i| 7_000 + i).collect();
    let ready: Vec<_> = people
        .iter()
        .map(|&user| {
            let emulator = h.emulator.clone();
            tokio::spawn(async move { before_the_kills(&emulator, user).await })
        })
        .collect();
    for task in ready {
        task.await.unwrap();
    }
    let stop = Arc::new(AtomicBool::new(false));
    let tasks: Vec<_> = people
        .iter()
        .map(|&user| {
            let ledger = Arc::new(Mutex::new(Ledger::default()));
            let task = person(h.emulator.clone(), user, stop.clone(), ledger.clone());
            (user, tokio::spawn(task), ledger)
        })
        .collect();
    // The load runs for a while, then what everyone has seen acknowledged is written down,
    // and only then the backup begins; the load goes on through it.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let before: BTreeMap<i64, Vec<(usize, usize)>> = tasks
        .iter()
        .map(|(user, _, ledger)| (*user, ledger.lock().unwrap().acknowledged.clone()))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let backup_file = dir.path().join("eftertanke.backup");
    let began = Instant::now();
    let backup = tokio::task::spawn_blocking({
        let (data, to) = (h.data(), backup_file.clone());
        move || {
            Command::new(BIN)
                .args(["backup", "--data"])
                .arg(data)
                .arg("--to")
                .arg(to)
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let took = began.elapsed();
    let said = String::from_utf8_lossy(&backup.stdout).into_owned();
    assert!(
        backup.status.success(),
        "{said}{}\nbot log:\n{}",
        String::from_utf8_lossy(&backup.stderr),
        h.log()
    );
    assert!(h.log().contains("backup taken"), "the running bot took it");
    // The load went on through the backup.
    let during: usize = tasks
        .iter()
        .map(|(user, _, ledger)| ledger.lock().unwrap().acknowledged.len() - before[user].len())
        .sum();
    stop.store(true, Ordering::Relaxed);
    for (_, task, _) in tasks {
        tokio::time::timeout(Duration::from_secs(120), task)
            .await
            .expect("every person finishes their run")
            .unwrap();
    }
    assert!(h.terminate(), "a clean stop:\n{}", h.log());

    // Restored into a new folder with the original's master key, which was never in it.
    let restored = dir.path().join("restored");
    let config = dir.path().join("restore.toml");
    let key_file = default_key_file(&h.data());
    std::fs::write(&config, format!("key_file = {:?}\n", key_file)).unwrap();
    let restore = Command::new(BIN)
        .args(["restore", "--from"])
        .arg(&backup_file)
        .arg("--data")
        .arg(&restored)
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    let restore_said = String::from_utf8_lossy(&restore.stdout).into_owned();
    assert!(
        restore.status.success(),
        "{restore_said}{}",
        String::from_utf8_lossy(&restore.stderr)
    );
    std::fs::copy(&key_file, default_key_file(&restored)).unwrap();
    let records = super::chat::records(&restored);
    let mut acknowledged = 0;
    for (user, answers_seen) in &before {
        let answers = records
            .answers(&PersonId::new("telegram", &user.to_string()))
            .unwrap();
        acknowledged += answers_seen.len();
        let lost = missing(&answers, *user, answers_seen);
        assert!(lost.is_empty(), "u{user}: not in the backup: {lost:?}");
    }
    println!(
        "backup under load: {PEOPLE} people, {acknowledged} answers acknowledged before it \
         began, all restored; {during} acknowledged while it ran ({:.1} s)\n{said}{restore_said}",
        took.as_secs_f64()
    );
    assert!(acknowledged > PEOPLE as usize, "{acknowledged}");
}
