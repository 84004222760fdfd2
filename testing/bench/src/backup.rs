//! The online backup on the digest benchmark's history (1,000,000 answers): a backup taken
//! while scripted people keep answering, how long their steps waited meanwhile, the backup's
//! size, and the time to restore it into a new folder and read every value back.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use eftertanke_app::App;
use eftertanke_core::records::PersonId;
use eftertanke_store::backup::{self, BackupReport};
use eftertanke_store::{open_folder, MasterKey, SledStore, CACHE_BYTES};

use crate::steps::{percentile, scripted, BenchError};

/// People answering while the backup runs.
const ANSWERING: usize = 16;

#[derive(Clone, Debug)]
pub struct BackupResult {
    pub report: BackupReport,
    pub backup_seconds: f64,
    /// Steps made durable while the backup ran, and their latency.
    pub steps_during: usize,
    pub step_p99_ms: f64,
    pub step_max_ms: f64,
    pub restore_seconds: f64,
    /// Opening the restored folder and reading every value back with its keys.
    pub verify_seconds: f64,
    pub pairs: u64,
}

/// Takes a backup of `app`'s folder to `file` while [`ANSWERING`] people answer.
pub async fn under_load(
    app: &Arc<App<SledStore>>,
    file: &Path,
) -> Result<(BackupReport, f64, Vec<Duration>), BenchError> {
    let stop = Arc::new(AtomicBool::new(false));
    let people: Vec<_> = (0..ANSWERING)
        .map(|i| {
            let (app, stop) = (app.clone(), stop.clone());
            tokio::spawn(async move {
                let person = PersonId::new("bench", &format!("backup-{i}"));
                scripted(&app, &person, |_| !stop.load(Ordering::Relaxed)).await
            })
        })
        .collect();
    // The people are under way before the backup begins.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let began = Instant::now();
    let taken = tokio::task::spawn_blocking({
        let (app, file) = (app.clone(), file.to_owned());
        move || {
            let out = std::fs::File::create(&file).map_err(|err| err.to_string())?;
            let records = app.records();
            let vault = records.vault();
            backup::write(records.backend(), || vault.keyring_bytes(), out)
                .map_err(|err| err.to_string())
        }
    })
    .await
    .map_err(|err| BenchError::Task(err.to_string()))?
    .map_err(BenchError::Task)?;
    let seconds = began.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for person in people {
        latencies.extend(
            person
                .await
                .map_err(|err| BenchError::Task(err.to_string()))??,
        );
    }
    Ok((taken, seconds, latencies))
}

/// Restores `file` into the new folder `into` and reads it back with `master`.
pub fn restore(
    file: &Path,
    into: &Path,
    master: &MasterKey,
    taken: (BackupReport, f64, Vec<Duration>),
) -> Result<BackupResult, BenchError> {
    let (report, backup_seconds, mut latencies) = taken;
    let _ = std::fs::remove_dir_all(into);
    let began = Instant::now();
    let restored = backup::restore(file, into).map_err(|err| BenchError::Task(err.to_string()))?;
    let restore_seconds = began.elapsed().as_secs_f64();
    let began = Instant::now();
    let (store, vault) = open_folder(into, master, CACHE_BYTES)?;
    backup::verify(&store, &vault).map_err(|err| BenchError::Task(err.to_string()))?;
    let verify_seconds = began.elapsed().as_secs_f64();
    drop(store);
    let _ = std::fs::remove_dir_all(into);
    let _ = std::fs::remove_file(file);
    latencies.sort_unstable();
    Ok(BackupResult {
        report,
        backup_seconds,
        steps_during: latencies.len(),
        step_p99_ms: percentile(&latencies, 0.99),
        step_max_ms: latencies
            .last()
            .map_or(0.0, |max| max.as_secs_f64() * 1000.0),
        restore_seconds,
        verify_seconds,
        pairs: restored.pairs,
    })
}

#[must_use]
pub fn table(result: &BackupResult) -> String {
    let r = &result.report;
    format!(
        "| pairs | backup MB | backup s | writes paused ms | writes replayed | steps meanwhile | their p99 ms | their max ms | restore s | read back s |\n\
         | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n\
         | {} | {:.0} | {:.1} | {:.2} | {} | {} | {:.1} | {:.1} | {:.1} | {:.1} |\n",
        result.pairs,
        r.bytes as f64 / (1024.0 * 1024.0),
        result.backup_seconds,
        r.pause.as_secs_f64() * 1000.0,
        r.replayed,
        result.steps_during,
        result.step_p99_ms,
        result.step_max_ms,
        result.restore_seconds,
        result.verify_seconds,
    )
}
