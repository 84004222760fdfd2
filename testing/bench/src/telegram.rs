//! The Telegram benchmark: K simulated people at once, each completing the staff reflection
//! through the local Bot API emulator, with the real channel (teloxide's HTTP client, the
//! dispatcher, the engine, the sled group commit) and the throttle off. A step is timed from
//! the person's message reaching the emulator's queue to the bot's next question arriving
//! there, so it includes the long poll, the handling and the send.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::steps::{fresh, percentile, reflection_steps, BenchError};
use eftertanke_core::content::Content;
use eftertanke_telegram::{self as telegram, Options};
use eftertanke_telegram_emulator::Emulator;

const TOKEN: &str = "4242:bench";
/// A step that takes longer than this counts as lost, and the benchmark fails.
const STEP_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Clone, Debug)]
pub struct TelegramOptions {
    pub people: Vec<usize>,
    /// Dialogues per level in all, shared among the people (at least one each).
    pub dialogues: usize,
}

impl TelegramOptions {
    #[must_use]
    pub fn full() -> TelegramOptions {
        TelegramOptions {
            people: vec![1, 50, 200],
            dialogues: 200,
        }
    }

    #[must_use]
    pub fn quick() -> TelegramOptions {
        TelegramOptions {
            people: vec![1, 5],
            dialogues: 5,
        }
    }
}

#[derive(Clone, Debug)]
pub struct TelegramRow {
    pub people: usize,
    pub steps: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

pub async fn run(
    content: Arc<Content>,
    options: &TelegramOptions,
    dir: &Path,
) -> Result<Vec<TelegramRow>, BenchError> {
    let mut rows = Vec::new();
    for &people in &options.people {
        let dialogues = (options.dialogues / people).max(1);
        rows.push(
            level(
                content.clone(),
                people,
                dialogues,
                &dir.join(format!("tg-{people}")),
            )
            .await?,
        );
    }
    Ok(rows)
}

async fn level(
    content: Arc<Content>,
    people: usize,
    dialogues: usize,
    dir: &Path,
) -> Result<TelegramRow, BenchError> {
    let emulator = Arc::new(
        Emulator::start(TOKEN)
            .await
            .map_err(|err| BenchError::Task(err.to_string()))?,
    );
    let (store, vault) = fresh(dir)?;
    let app = crate::steps::app(content, store, vault)?;
    let stop = CancellationToken::new();
    let options = Options {
        token: TOKEN.into(),
        api_url: emulator.api_url(),
        throttle: false,
    };
    let bot = tokio::spawn(telegram::run(app.clone(), options, stop.clone()));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(people);
    for person in 0..people {
        let emulator = emulator.clone();
        tasks.push(tokio::spawn(async move {
            let user = 10_000 + person as i64;
            let mut latencies = Vec::with_capacity(dialogues * 10);
            for dialogue in 0..dialogues {
                for (text, replies) in reflection_steps(dialogue == 0) {
                    let before = emulator.sent_count(user);
                    let begun = Instant::now();
                    emulator.text(user, text);
                    let sent = emulator
                        .wait_for_count(user, before + replies, STEP_TIMEOUT)
                        .await;
                    if sent < before + replies {
                        return Err(format!("person {user}: no answer to {text:?}"));
                    }
                    latencies.push(begun.elapsed());
                }
            }
            Ok(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        let result = task
            .await
            .map_err(|err| BenchError::Task(err.to_string()))?;
        latencies.extend(result.map_err(BenchError::Task)?);
    }
    let wall = started.elapsed();
    stop.cancel();
    bot.await
        .map_err(|err| BenchError::Task(err.to_string()))?
        .map_err(|err| BenchError::Task(err.to_string()))?;
    latencies.sort_unstable();
    Ok(TelegramRow {
        people,
        steps: latencies.len(),
        per_second: latencies.len() as f64 / wall.as_secs_f64().max(1e-9),
        p50_ms: percentile(&latencies, 0.50),
        p99_ms: percentile(&latencies, 0.99),
    })
}

/// The Telegram rows as a table.
#[must_use]
pub fn table(rows: &[TelegramRow]) -> String {
    let mut out = String::from(
        "| Telegram (emulator, throttle off) | people | steps | steps/s | p50 ms | p99 ms |\n\
         | --- | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for row in rows {
        out.push_str(&format!(
            "| message to next question | {} | {} | {:.0} | {:.1} | {:.1} |\n",
            row.people, row.steps, row.per_second, row.p50_ms, row.p99_ms
        ));
    }
    out
}
