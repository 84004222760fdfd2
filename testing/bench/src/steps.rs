//! Durable dialogue steps per second and step latency at several numbers
//! of concurrent conversations on the sled store, and beside each, in the same run, the raw
//! ceiling: the very batches the engine committed, replayed by the same number of writers
//! through the same group commit, with no engine work. Each conversation is a scripted person
//! answering the staff reflection.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use eftertanke_app::{App, AppError, Event, Profile, SystemClock};
use eftertanke_core::content::Content;
use eftertanke_core::dialogs::Role;
use eftertanke_core::engine::{Body, Reply, Settings};
use eftertanke_core::i18n::Lang;
use eftertanke_core::records::PersonId;
use eftertanke_store::{
    open_folder, Entry, MasterKey, Op, SledStore, Store, StoreError, Vault, CACHE_BYTES,
};

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("a benchmark task failed: {0}")]
    Task(String),
    #[error("time: {0}")]
    Time(#[from] jiff::Error),
}

#[derive(Clone, Debug)]
pub struct Options {
    pub levels: Vec<usize>,
    /// Where `/metrics` served and scraped is set against not served, and how many times each.
    pub metrics_level: usize,
    pub metrics_rounds: usize,
    /// Total steps per level, shared among the conversations.
    pub steps_per_level: usize,
    pub dir: PathBuf,
}

impl Options {
    #[must_use]
    pub fn full(dir: PathBuf) -> Options {
        Options {
            levels: vec![1, 64, 256, 1024],
            metrics_level: 256,
            metrics_rounds: 3,
            steps_per_level: 20_000,
            dir,
        }
    }

    /// A quick run that proves the benchmark still works, for CI.
    #[must_use]
    pub fn quick(dir: PathBuf) -> Options {
        Options {
            levels: vec![1, 8],
            metrics_level: 8,
            metrics_rounds: 1,
            steps_per_level: 200,
            dir,
        }
    }
}

/// One measured line of the table.
#[derive(Clone, Debug)]
pub struct Row {
    pub what: &'static str,
    pub concurrency: usize,
    pub steps: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// The results: rows in pairs (engine, raw) for each level.
#[derive(Clone, Debug)]
pub struct Results {
    pub rows: Vec<Row>,
    /// Engine rows without and with `/metrics` served and scraped, in turn.
    pub metrics: Vec<(Row, Row)>,
    pub peak_rss_mb: Option<f64>,
}

pub async fn run(content: Arc<Content>, options: &Options) -> Result<Results, BenchError> {
    let mut rows = Vec::new();
    for &level in &options.levels {
        let per_conversation = (options.steps_per_level / level).max(1);
        let (engine, batches) = engine_level(
            content.clone(),
            &options.dir.join(format!("engine-{level}")),
            level,
            per_conversation,
            false,
        )
        .await?;
        let raw = raw_level(&options.dir.join(format!("raw-{level}")), batches).await?;
        rows.push(engine);
        rows.push(raw);
    }
    let level = options.metrics_level;
    let per_conversation = (options.steps_per_level / level).max(1);
    let mut metrics = Vec::new();
    for round in 0..options.metrics_rounds {
        let measure = async |scraped: bool| {
            let dir = options.dir.join(format!("metrics-{round}-{scraped}"));
            let run = engine_level(content.clone(), &dir, level, per_conversation, scraped);
            let row = run.await?.0;
            let _ = std::fs::remove_dir_all(&dir);
            Ok::<_, BenchError>(row)
        };
        let off = measure(false).await?;
        let on = measure(true).await?;
        metrics.push((off, on));
    }
    Ok(Results {
        rows,
        metrics,
        peak_rss_mb: peak_rss_mb(),
    })
}

/// A store that passes everything through and keeps a copy of each person's batches, so the
/// raw ceiling can replay exactly what the engine wrote.
struct Recording {
    inner: SledStore,
    /// Batches in commit order, by the key of the conversation each one writes.
    batches: Mutex<BTreeMap<Vec<u8>, Vec<Vec<Op>>>>,
}

impl Store for Recording {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.inner.get(key)
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<Entry>, StoreError> {
        self.inner.scan_prefix(prefix)
    }

    async fn apply(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        let conversation = ops.iter().find_map(|op| match op {
            Op::Put(key, _) if key.starts_with(b"c\0") => Some(key.clone()),
            _ => None,
        });
        if let Some(key) = conversation {
            let mut batches = self.batches.lock().unwrap_or_else(PoisonError::into_inner);
            batches.entry(key).or_default().push(ops.clone());
        }
        self.inner.apply(ops).await
    }
}

/// The channel benchmarks' script: one run of *Efter vagten* typed in English, each message
/// and how many messages the bot answers it with (the last of them is the next question).
/// The people are in no group, so the sharing question is not asked.
const SCRIPT: [(&str, usize); 10] = [
    ("/reflect", 1),
    ("1", 2),
    ("A resident did not want to go for a walk.", 1),
    ("She wanted to rest after lunch.", 1),
    ("4", 1),
    ("4", 1),
    ("1", 1),
    ("We found another way together.", 1),
    ("skip", 1),
    ("no", 2),
];
/// The first dialogue asks for consent once, between choosing it and its first question:
/// the choice gets the consent question alone, and "yes" the thanks, intro and question.
pub(super) fn reflection_steps(first: bool) -> Vec<(&'static str, usize)> {
    let mut steps = SCRIPT.to_vec();
    if first {
        steps[1] = ("1", 1);
        steps.insert(2, ("yes", 3));
    }
    steps
}

/// An empty data folder with its own keyring under a throwaway master key.
pub(crate) fn fresh(dir: &Path) -> Result<(SledStore, Vault), StoreError> {
    let _ = std::fs::remove_dir_all(dir);
    open_folder(dir, &MasterKey::generate()?, CACHE_BYTES)
}

/// The app as the benchmarks run it: standard settings without the flood limit (their
/// scripted people answer as fast as the bot replies, by design), the system clock.
pub(super) fn app<S: Store>(
    content: Arc<Content>,
    store: S,
    vault: Vault,
) -> Result<Arc<App<S>>, BenchError> {
    let mut settings = Settings::standard().map_err(AppError::from)?;
    settings.flood_limit = false;
    Ok(Arc::new(App::new(
        content,
        settings,
        store,
        vault,
        Box::new(SystemClock),
    )))
}

/// What a scripted person sends next: the first button if there is one, else a sentence.
pub(crate) fn next_input(replies: &[Reply]) -> String {
    match replies.last() {
        Some(reply) if !reply.choices.is_empty() => reply.choices[0].reply.clone(),
        _ => "En beboer ville ikke med på tur, vi fandt en anden vej sammen.".into(),
    }
}

/// A scripted staff member answering *Efter vagten* over and over while `more` (given the
/// steps done) says so: each durable step's latency.
pub(crate) async fn scripted<S: Store>(
    app: &App<S>,
    person: &PersonId,
    mut more: impl FnMut(usize) -> bool + Send,
) -> Result<Vec<Duration>, AppError> {
    let profile = Profile::new(Lang::Da, Role::Staff);
    let mut latencies = Vec::new();
    let mut input = "/start".to_owned();
    while more(latencies.len()) {
        let begun = Instant::now();
        let event = Event {
            id: None,
            body: Body::Text(input),
        };
        let replies = app.handle(person, profile, event).await?;
        latencies.push(begun.elapsed());
        input = next_input(&replies);
    }
    Ok(latencies)
}

/// Each conversation's batches, in order.
type Batches = Vec<Vec<Vec<Op>>>;

async fn engine_level(
    content: Arc<Content>,
    dir: &Path,
    level: usize,
    steps: usize,
    scraped: bool,
) -> Result<(Row, Batches), BenchError> {
    let (inner, vault) = fresh(dir)?;
    let store = Recording {
        inner,
        batches: Mutex::default(),
    };
    let app = app(content, store, vault)?;
    let stop = tokio_util::sync::CancellationToken::new();
    let served = scraped.then(|| tokio::spawn(serve_and_scrape(app.clone(), stop.clone())));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(level);
    for i in 0..level {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let person = PersonId::new("bench", &i.to_string());
            scripted(&app, &person, |done| done < steps).await
        }));
    }
    let latencies = gather(tasks).await?;
    let what = if scraped {
        "engine + sled, /metrics scraped every second"
    } else {
        "engine + sled"
    };
    let row = row(what, level, latencies, started.elapsed());
    stop.cancel();
    if let Some(served) = served {
        let scrapes = served
            .await
            .map_err(|err| BenchError::Task(err.to_string()))??;
        if scrapes == 0 {
            return Err(BenchError::Task("/metrics was never scraped".into()));
        }
    }
    let app = Arc::try_unwrap(app).map_err(|_| BenchError::Task("still shared".into()))?;
    let batches = app.into_store().batches.into_inner();
    let batches = batches
        .unwrap_or_else(PoisonError::into_inner)
        .into_values();
    Ok((row, batches.collect()))
}

/// Serves `/metrics` on a free loopback port and scrapes it every second, as Prometheus
/// would, until `stop`; the number of scrapes.
async fn serve_and_scrape<S: Store>(
    app: Arc<App<S>>,
    stop: tokio_util::sync::CancellationToken,
) -> Result<usize, BenchError> {
    let failed = |err: &dyn std::fmt::Display| BenchError::Task(format!("metrics: {err}"));
    let listen = std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map_err(|err| failed(&err))?;
    let server = tokio::spawn(eftertanke_app::metrics::serve(app, listen, stop.clone()));
    let client = reqwest::Client::new();
    let url = format!("http://{listen}/metrics");
    let mut every = tokio::time::interval(Duration::from_secs(1));
    let mut scrapes = 0;
    loop {
        tokio::select! {
            () = stop.cancelled() => break,
            _ = every.tick() => {
                // The first tick may come before the server listens.
                if let Ok(answer) = client.get(&url).send().await {
                    if answer.text().await.is_ok_and(|text| text.contains("eftertanke_steps_total")) {
                        scrapes += 1;
                    }
                }
            }
        }
    }
    server
        .await
        .map_err(|err| failed(&err))?
        .map_err(|err| failed(&err))?;
    Ok(scrapes)
}

async fn raw_level(dir: &Path, batches: Batches) -> Result<Row, BenchError> {
    let store = Arc::new(fresh(dir)?.0);
    let level = batches.len();
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(level);
    for conversation in batches {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(conversation.len());
            for ops in conversation {
                let begun = Instant::now();
                store.apply(ops).await.map_err(AppError::from)?;
                latencies.push(begun.elapsed());
            }
            Ok::<_, AppError>(latencies)
        }));
    }
    let latencies = gather(tasks).await?;
    Ok(row(
        "raw: same batches, no engine",
        level,
        latencies,
        started.elapsed(),
    ))
}

async fn gather(
    tasks: Vec<tokio::task::JoinHandle<Result<Vec<Duration>, AppError>>>,
) -> Result<Vec<Duration>, BenchError> {
    let mut all = Vec::new();
    for task in tasks {
        let latencies = task
            .await
            .map_err(|err| BenchError::Task(err.to_string()))??;
        all.extend(latencies);
    }
    Ok(all)
}

/// The `p` quantile of sorted durations, in milliseconds.
pub(crate) fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn row(what: &'static str, level: usize, mut latencies: Vec<Duration>, wall: Duration) -> Row {
    latencies.sort_unstable();
    Row {
        what,
        concurrency: level,
        steps: latencies.len(),
        per_second: latencies.len() as f64 / wall.as_secs_f64().max(1e-9),
        p50_ms: percentile(&latencies, 0.50),
        p99_ms: percentile(&latencies, 0.99),
    }
}

/// Peak resident memory of this process, from /proc (Linux only).
pub(crate) fn peak_rss_mb() -> Option<f64> {
    proc_status_mb("VmHWM:")
}

/// Resident memory of this process now.
pub(crate) fn rss_mb() -> Option<f64> {
    proc_status_mb("VmRSS:")
}

fn proc_status_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Resident memory with many conversations in progress.
#[derive(Clone, Debug)]
pub struct MemoryResult {
    pub conversations: usize,
    pub steps: usize,
    pub seconds: f64,
    pub rss_before_mb: Option<f64>,
    pub rss_after_mb: Option<f64>,
}

/// Opens `conversations` staff reflections and leaves each at its second question (four
/// durable steps a person, 64 people at a time), then reads the resident memory: what the
/// bot holds for that many people mid-dialogue, with sled's cache at [`CACHE_BYTES`].
pub async fn memory(
    content: Arc<Content>,
    dir: &Path,
    conversations: usize,
) -> Result<MemoryResult, BenchError> {
    let (store, vault) = fresh(dir)?;
    let rss_before_mb = rss_mb();
    let app = app(content, store, vault)?;
    let profile = Profile::new(Lang::Da, Role::Staff);
    let started = Instant::now();
    let workers = 64.min(conversations.max(1));
    let mut tasks = Vec::with_capacity(workers);
    for worker in 0..workers {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let mut steps = 0;
            for i in (worker..conversations).step_by(workers) {
                let person = PersonId::new("bench", &format!("m{i}"));
                for text in ["/reflect", "1", "ja", "En beboer ville ikke med på tur."] {
                    let event = Event {
                        id: None,
                        body: Body::Text(text.into()),
                    };
                    app.handle(&person, profile, event).await?;
                    steps += 1;
                }
            }
            Ok::<_, AppError>(steps)
        }));
    }
    let mut steps = 0;
    for task in tasks {
        steps += task
            .await
            .map_err(|err| BenchError::Task(err.to_string()))??;
    }
    let seconds = started.elapsed().as_secs_f64();
    let rss_after_mb = rss_mb();
    let mid_dialogue = app
        .records()
        .people()?
        .iter()
        .filter(|p| matches!(app.records().conversation(p), Ok(Some(c)) if c.active.is_some()))
        .count();
    if mid_dialogue != conversations {
        return Err(BenchError::Task(format!(
            "{mid_dialogue} of {conversations} conversations in progress"
        )));
    }
    Ok(MemoryResult {
        conversations,
        steps,
        seconds,
        rss_before_mb,
        rss_after_mb,
    })
}

#[must_use]
pub fn memory_table(result: &MemoryResult) -> String {
    let mb = |v: Option<f64>| v.map_or("?".into(), |v| format!("{v:.0}"));
    format!(
        "| conversations in progress | steps | s | resident MB before | resident MB with them | sled cache MB |\n\
         | ---: | ---: | ---: | ---: | ---: | ---: |\n\
         | {} | {} | {:.1} | {} | {} | {} |\n",
        result.conversations,
        result.steps,
        result.seconds,
        mb(result.rss_before_mb),
        mb(result.rss_after_mb),
        CACHE_BYTES >> 20
    )
}

/// The table, as printed and written to the results file.
#[must_use]
pub fn table(results: &Results) -> String {
    let mut out = String::from(
        "| what | conversations | steps | steps/s | p50 ms | p99 ms | of raw ceiling |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for pair in results.rows.chunks(2) {
        let ratio = match pair {
            [engine, raw] if raw.per_second > 0.0 => Some(engine.per_second / raw.per_second),
            _ => None,
        };
        for (i, row) in pair.iter().enumerate() {
            let share = match (i, ratio) {
                (0, Some(r)) => format!("{r:.2}"),
                _ => String::new(),
            };
            out.push_str(&format!(
                "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {} |\n",
                row.what, row.concurrency, row.steps, row.per_second, row.p50_ms, row.p99_ms, share
            ));
        }
    }
    if !results.metrics.is_empty() {
        out.push_str(
            "\n| /metrics | conversations | steps/s not served | steps/s served and scraped | ratio |\n\
             | --- | ---: | ---: | ---: | ---: |\n",
        );
        for (off, on) in &results.metrics {
            out.push_str(&format!(
                "| round | {} | {:.0} | {:.0} | {:.2} |\n",
                off.concurrency,
                off.per_second,
                on.per_second,
                on.per_second / off.per_second.max(f64::MIN_POSITIVE)
            ));
        }
    }
    if let Some(mb) = results.peak_rss_mb {
        out.push_str(&format!("\npeak resident memory: {mb:.0} MB\n"));
    }
    out
}
