//! The digest benchmark: one group's weekly digest with a long history stored. Fills a sled
//! store with two years of answers, completed runs and trial actions in many groups, written
//! through the same records layer the bot uses, then times building and wording the digest
//! of random group-weeks. The digest reads one week of one group by prefix, so its cost
//! should follow that week's size, not the history.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::civil::ISOWeekDate;
use jiff::{SignedDuration, Timestamp};

use crate::steps::{percentile, BenchError};
use eftertanke_app::{App, AppError, SystemClock};
use eftertanke_core::content::Content;
use eftertanke_core::dialogs::Role;
use eftertanke_core::engine::Settings;
use eftertanke_core::i18n::Lang;
use eftertanke_core::records::{
    AnswerRecord, Group, PersonId, RunRecord, TrialAction, TrialState, Value, Write, SCHEMA,
};
use eftertanke_core::schedule::{week_dates, week_of};
use eftertanke_store::{default_key_file, open_folder, Commit, MasterKey, StoreError, CACHE_BYTES};

#[derive(Clone, Debug)]
pub struct DigestOptions {
    pub answers: usize,
    pub groups: usize,
    pub weeks: usize,
    /// Digests timed.
    pub samples: usize,
}

impl DigestOptions {
    /// 1,000,000 answers over two years in 50 groups.
    #[must_use]
    pub fn full() -> DigestOptions {
        DigestOptions {
            answers: 1_000_000,
            groups: 50,
            weeks: 104,
            samples: 200,
        }
    }

    #[must_use]
    pub fn quick() -> DigestOptions {
        DigestOptions {
            answers: 20_000,
            groups: 50,
            weeks: 104,
            samples: 20,
        }
    }
}

#[derive(Clone, Debug)]
pub struct DigestResult {
    pub options: DigestOptions,
    pub fill_seconds: f64,
    pub store_mb: f64,
    /// A new process on this store, from its start to its first answer: the first after
    /// the history was written (sled replays its log since the last open, the only time
    /// sled 0.34 writes a snapshot: `snapshot_after_ops` does nothing in 0.34.7)...
    pub cold_start_ms: f64,
    /// ...and the next one.
    pub again_ms: f64,
    /// Answers in the weeks sampled, on average: what one digest reads.
    pub answers_per_week: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// The same digests again with their picture of eight weeks (drawn and PNG-encoded;
    /// earlier weeks' figures composed and kept where no digest kept them before).
    pub picture_p50_ms: f64,
    pub picture_p99_ms: f64,
    pub picture_max_ms: f64,
    /// A backup of this history taken while people answer, and its restore.
    pub backup: crate::backup::BackupResult,
}

/// The staff reflection's steps and the citizen check-in's, with a principle each (0: none).
const STAFF_STEPS: &[(&str, u8)] = &[
    ("situation", 0),
    ("citizen-view", 0),
    ("touched", 4),
    ("how", 0),
    ("resources", 2),
    ("worked", 8),
    ("different", 7),
    ("commit", 7),
    ("trial", 7),
    ("share", 0),
];
const CITIZEN_STEPS: &[(&str, u8)] = &[
    ("hope", 1),
    ("helps", 2),
    ("helps-more", 2),
    ("people", 3),
    ("listened", 4),
    ("respected", 4),
    ("idea", 4),
    ("share", 0),
    ("try", 1),
];
const STAFF_PER_GROUP: u64 = 8;
const CITIZENS_PER_GROUP: u64 = 6;
/// Answers per commit while filling: large batches, as a bulk import would write.
const BATCH_ANSWERS: usize = 4_000;

/// A small deterministic generator, so every run stores the same history.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

pub async fn run(
    content: Arc<Content>,
    options: &DigestOptions,
    dir: &Path,
) -> Result<DigestResult, BenchError> {
    let settings = Settings::standard().map_err(AppError::from)?;
    let tz = settings.time_zone.clone();
    let _ = std::fs::remove_dir_all(dir);
    // The key file beside the folder, as `eftertanke chat` finds it for the cold starts.
    let key_file = default_key_file(dir);
    let _ = std::fs::remove_file(&key_file);
    if let Some(parent) = key_file.parent() {
        std::fs::create_dir_all(parent).map_err(|err| BenchError::Task(err.to_string()))?;
    }
    let master = MasterKey::create_file(&key_file).map_err(StoreError::from)?;
    let (store, vault) = open_folder(dir, &master, CACHE_BYTES)?;
    let app = App::new(
        content,
        settings.clone(),
        store,
        vault,
        Box::new(SystemClock),
    );
    // Two years of weeks ending with the week before this one, Mondays 00:00 UTC.
    let last_monday = week_dates(week_of(Timestamp::now(), &tz)).0;
    let first = last_monday
        .checked_sub(jiff::Span::new().weeks(options.weeks as i64))
        .map_err(|err| BenchError::Task(err.to_string()))?;
    let start = first
        .to_zoned(tz.clone())
        .map_err(|err| BenchError::Task(err.to_string()))?
        .timestamp();
    let started = Instant::now();
    let groups = fill(&app, options, start).await?;
    let fill_seconds = started.elapsed().as_secs_f64();
    let mut rng = Lcg(7);
    let mut times = Vec::with_capacity(options.samples);
    let mut answers_read = 0usize;
    let mut sampled = Vec::with_capacity(options.samples);
    for _ in 0..options.samples {
        let group = &groups[rng.below(groups.len() as u64) as usize];
        let offset = rng.below(options.weeks as u64) as i64;
        let at = start.saturating_add(SignedDuration::from_hours(offset * 168 + 84))?;
        let week: ISOWeekDate = week_of(at, &tz);
        let sunday = week_dates(week).1;
        answers_read += app
            .records()
            .group_week_answers(&group.id, &eftertanke_core::schedule::format_week(week))?
            .len();
        let begun = Instant::now();
        let text = app.digest(group, week, sunday, Lang::Da).await?;
        times.push(begun.elapsed());
        if text.is_empty() {
            return Err(BenchError::Task("an empty digest".into()));
        }
        sampled.push((group, week, sunday));
    }
    let mut picture_times = Vec::with_capacity(sampled.len());
    for (group, week, sunday) in sampled {
        let begun = Instant::now();
        let [_, picture] = app
            .digest_with_picture(group, week, sunday, Lang::Da)
            .await?;
        picture_times.push(begun.elapsed());
        if picture.picture.is_none_or(|p| p.png.is_empty()) {
            return Err(BenchError::Task("a digest without its picture".into()));
        }
    }
    picture_times.sort_unstable();
    let app = Arc::new(app);
    let backup_file = dir.with_extension("backup");
    let taken = crate::backup::under_load(&app, &backup_file).await?;
    drop(app);
    // sled 0.34 replays its log since the last open when it opens (and only then writes a
    // snapshot; `snapshot_after_ops` does nothing in 0.34.7): the first start after the
    // history was written, and a start after that.
    let cold_start_ms = cold_start(dir)?;
    let again_ms = cold_start(dir)?;
    let backup = crate::backup::restore(
        &backup_file,
        &dir.with_extension("restored"),
        &master,
        taken,
    )?;
    times.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    Ok(DigestResult {
        options: options.clone(),
        fill_seconds,
        store_mb: folder_mb(dir),
        cold_start_ms,
        again_ms,
        answers_per_week: answers_read as f64 / options.samples.max(1) as f64,
        p50_ms: percentile(&times, 0.50),
        p99_ms: percentile(&times, 0.99),
        max_ms: times.last().copied().map_or(0.0, ms),
        picture_p50_ms: percentile(&picture_times, 0.50),
        picture_p99_ms: percentile(&picture_times, 0.99),
        picture_max_ms: picture_times.last().copied().map_or(0.0, ms),
        backup,
    })
}

/// A restart as an operator sees it: a new process on the folder (this benchmark's binary
/// again, running the terminal chat as `eftertanke chat` does, through the same library)
/// loads and checks its dialogues and messages, opens the keyring and sled with all the
/// history, and answers `/reflect`. Timed from the spawn to the answer's first choice line,
/// in ms.
fn cold_start(dir: &Path) -> Result<f64, BenchError> {
    use std::io::{BufRead, Write};
    let failed =
        |what: &str, err: &dyn std::fmt::Display| BenchError::Task(format!("{what}: {err}"));
    let exe = std::env::current_exe().map_err(|e| failed("finding the benchmark", &e))?;
    let begun = Instant::now();
    let mut child = std::process::Command::new(exe)
        .arg("--chat-data")
        .arg(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| failed("starting eftertanke chat", &e))?;
    let mut stdin = child.stdin.take().ok_or_else(|| failed("stdin", &"none"))?;
    writeln!(stdin, "/reflect").map_err(|e| failed("writing", &e))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| failed("stdout", &"none"))?;
    let mut served = None;
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.map_err(|e| failed("reading", &e))?;
        if line.trim_start().starts_with("1)") {
            served = Some(begun.elapsed());
            break;
        }
    }
    drop(stdin);
    let _ = child.wait();
    let served = served.ok_or_else(|| failed("eftertanke chat", &"no answer to /reflect"))?;
    Ok(served.as_secs_f64() * 1000.0)
}

/// Writes the history: runs (10 answers a staff reflection, 8 a citizen check-in) spread over
/// the weeks and groups until `options.answers` are stored, a trial action in every fifth
/// staff run, followed up in later weeks.
async fn fill<S: eftertanke_store::Store>(
    app: &App<S>,
    options: &DigestOptions,
    start: Timestamp,
) -> Result<Vec<Group>, BenchError> {
    let mut groups = Vec::with_capacity(options.groups);
    let mut writes = Vec::new();
    for g in 0..options.groups {
        let group = Group {
            schema: SCHEMA,
            id: format!("g{g:03}"),
            name: format!("Gruppe {g}"),
            created_by: PersonId::new("bench", "admin"),
            created_at: start,
            staff_code: format!("S{g:03}"),
            citizen_code: format!("C{g:03}"),
            codes_expire: None,
        };
        writes.push(Write::Group(group.clone()));
        groups.push(group);
    }
    let mut rng = Lcg(42);
    let mut answers_in_batch = 0;
    let mut stored = 0;
    for run_number in 0_usize.. {
        if stored >= options.answers {
            break;
        }
        let g = rng.below(options.groups as u64);
        let group = groups[g as usize].id.clone();
        let seconds = rng.below(options.weeks as u64 * 7 * 24 * 3600) as i64;
        let at = start.saturating_add(SignedDuration::from_secs(seconds))?;
        let citizen = rng.below(3) == 0;
        let (role, dialogue, steps, who) = if citizen {
            let who = rng.below(CITIZENS_PER_GROUP);
            (
                Role::Citizen,
                "borger-tjek-ind",
                CITIZEN_STEPS,
                format!("c{g}-{who}"),
            )
        } else {
            let who = rng.below(STAFF_PER_GROUP);
            (
                Role::Staff,
                "efter-vagten",
                STAFF_STEPS,
                format!("s{g}-{who}"),
            )
        };
        let person = PersonId::new("bench", &who);
        let run = format!("r{run_number:07}");
        for (i, (step, principle)) in steps.iter().enumerate() {
            let value = match *step {
                "how" | "listened" | "respected" => Value::Scale(1 + rng.below(5) as i64),
                "share" | "commit" | "try" => Value::YesNo(rng.below(2) == 0),
                "touched" => Value::Principles(vec![1 + rng.below(8) as u8]),
                "helps" | "resources" | "people" => Value::Choices(vec!["other".into()]),
                _ => Value::Text(format!("Svar {run_number} på {step}: en kort sætning.")),
            };
            writes.push(Write::Answer(AnswerRecord {
                schema: SCHEMA,
                person: person.clone(),
                role,
                group: Some(group.clone()),
                run: run.clone(),
                dialogue: dialogue.into(),
                step: (*step).into(),
                principles: if *principle == 0 {
                    vec![]
                } else {
                    vec![*principle]
                },
                value,
                answered_at: at.saturating_add(SignedDuration::from_secs(20 * i as i64))?,
            }));
        }
        let completed_at = at.saturating_add(SignedDuration::from_secs(200))?;
        writes.push(Write::Completed(RunRecord {
            schema: SCHEMA,
            person: person.clone(),
            role,
            group: Some(group.clone()),
            run: run.clone(),
            dialogue: dialogue.into(),
            principles: vec![1 + rng.below(8) as u8, 7],
            started_at: at,
            completed_at,
        }));
        if !citizen && run_number % 5 == 0 {
            let mut trial = TrialAction {
                schema: SCHEMA,
                id: format!("{run}-trial"),
                person: person.clone(),
                role,
                group: Some(group.clone()),
                what: format!("Prøvehandling {run_number}"),
                principles: vec![4, 7],
                due: completed_at.to_zoned(jiff::tz::TimeZone::UTC).date(),
                state: TrialState::Planned,
                replaces: None,
                sign: None,
                offers: 0,
                offered_at: None,
                created_at: completed_at,
                updated_at: completed_at,
            };
            writes.push(Write::Trial(trial.clone()));
            if rng.below(4) != 0 {
                trial.state = TrialState::Kept;
                trial.updated_at = completed_at.saturating_add(SignedDuration::from_hours(200))?;
                writes.push(Write::Trial(trial));
            }
        }
        stored += steps.len();
        answers_in_batch += steps.len();
        if answers_in_batch >= BATCH_ANSWERS {
            commit(app, std::mem::take(&mut writes)).await?;
            answers_in_batch = 0;
        }
    }
    commit(app, writes).await?;
    Ok(groups)
}

async fn commit<S: eftertanke_store::Store>(
    app: &App<S>,
    writes: Vec<Write>,
) -> Result<(), StoreError> {
    app.records()
        .commit(Commit {
            writes,
            ..Commit::default()
        })
        .await
}

/// The size of the data folder's files, its sled store's included, in MB.
fn folder_mb(dir: &Path) -> f64 {
    let mut folders = vec![dir.to_path_buf()];
    let mut bytes = 0;
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            match entry.metadata() {
                Ok(meta) if meta.is_dir() => folders.push(entry.path()),
                Ok(meta) => bytes += meta.len(),
                Err(_) => {}
            }
        }
    }
    bytes as f64 / (1024.0 * 1024.0)
}

/// The digest result as a table.
#[must_use]
pub fn table(result: &DigestResult) -> String {
    let o = &result.options;
    format!(
        "| answers stored | groups | weeks | store MB | MB per 1M answers | fill s | first start ms | next start ms | answers in the week | digests | p50 ms | p99 ms | max ms | with picture p50 / p99 / max ms |\n\
         | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n\
         | {} | {} | {} | {:.0} | {:.0} | {:.1} | {:.0} | {:.0} | {:.0} | {} | {:.2} | {:.2} | {:.2} | {:.1} / {:.1} / {:.1} |\n",
        o.answers,
        o.groups,
        o.weeks,
        result.store_mb,
        result.store_mb * 1_000_000.0 / o.answers.max(1) as f64,
        result.fill_seconds,
        result.cold_start_ms,
        result.again_ms,
        result.answers_per_week,
        o.samples,
        result.p50_ms,
        result.p99_ms,
        result.max_ms,
        result.picture_p50_ms,
        result.picture_p99_ms,
        result.picture_max_ms
    )
}
