//! Health and metrics as an operator sees them: a real Prometheus (Debian's package) on
//! 127.0.0.1 scrapes the bot while a person goes through a scripted dialogue on Telegram, and
//! its query for the steps counter gives the number of messages the bot made durable.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::time::{Duration, Instant};

use eftertanke_prometheus::Prometheus;

use super::telegram::Harness;

fn free_address() -> SocketAddr {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    listener.local_addr().unwrap()
}

async fn get(url: &str) -> (u16, String) {
    let answer = reqwest::get(url).await.unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_scrapes_the_steps_of_a_scripted_dialogue() {
    let mut h = Harness::new(false).await;
    let listen = free_address();
    h.configure_section(&format!("[metrics]\nlisten = \"{listen}\""));
    h.start(None);
    let prometheus = Prometheus::start(listen, Duration::from_secs(1))
        .await
        .unwrap();
    let user = 4_242_001;
    h.emulator.set_language(user, Some("en"));
    let script = [
        "/start",
        "/reflect",
        "1",
        "yes",
        "A resident chose her own breakfast time.",
        "She wanted to sleep longer.",
        "4 1",
        "4",
        "1",
        "Asking her first.",
        "skip",
        "no",
        "no",
    ];
    for line in script {
        h.say(user, line).await;
    }
    let steps = script.len() as f64;

    // The endpoint itself: the counter, delivery counts, and no one in any label.
    let (status, text) = get(&format!("http://{listen}/metrics")).await;
    assert_eq!(status, 200);
    assert!(
        text.contains(&format!("eftertanke_steps_total {steps}")),
        "{text}"
    );
    assert!(
        text.contains("eftertanke_messages_sent_total{channel=\"telegram\"}"),
        "{text}"
    );
    assert!(text.contains("eftertanke_commit_seconds_bucket"), "{text}");
    assert!(text.contains("eftertanke_outbox_depth 0"), "{text}");
    assert!(
        text.contains("eftertanke_sync_age_seconds{channel=\"telegram\"}"),
        "{text}"
    );
    for line in text.lines().filter(|line| !line.starts_with('#')) {
        if let Some((_, labels)) = line.split_once('{') {
            let labels = labels.split_once('}').unwrap().0;
            for label in labels.split(',') {
                let name = label.split_once('=').unwrap().0;
                assert!(["channel", "le"].contains(&name), "{line}");
            }
        }
    }
    assert!(!text.contains(&user.to_string()) && !text.contains("breakfast"));
    let (status, health) = get(&format!("http://{listen}/healthz")).await;
    assert_eq!(status, 200, "{health}");
    let health: serde_json::Value = serde_json::from_str(&health).unwrap();
    assert_eq!(health["status"], "ok", "{health}");
    assert_eq!(health["store"], "writable", "{health}");
    assert_eq!(health["channels"]["telegram"]["ok"], true, "{health}");
    // Asked in a loop, it stays an answer (the store is probed at most once in 5 s).
    for _ in 0..100 {
        assert_eq!(get(&format!("http://{listen}/healthz")).await.0, 200);
    }

    // Prometheus scraped it: its query gives the same count.
    let began = Instant::now();
    let mut seen = None;
    while began.elapsed() < Duration::from_secs(30) {
        seen = prometheus.query("eftertanke_steps_total").await.unwrap();
        if seen == Some(steps) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(seen, Some(steps), "prometheus log:\n{}", prometheus.log());
    let up = prometheus.query("up{job=\"eftertanke\"}").await.unwrap();
    assert_eq!(up, Some(1.0));
    assert!(h.terminate(), "{}", h.log());
}
