//! The sled backend, made durable by a group commit.
//!
//! sled 0.34's own `flush` syncs with `sync_file_range`, which does not survive power loss
//! (spacejam/sled#1452), and concurrent `flush_async` calls can deadlock (spacejam/sled#1308).
//! So one writer thread does all writing: a writer hands over its batch and waits; the thread
//! applies every batch queued so far, flushes once, `fdatasync`s sled's log file, and wakes
//! them all. Many conversations share one sync instead of paying one each.
//!
//! sled 0.34 writes its snapshot (the page table that lets it open without reading its log)
//! only when it opens, and replays everything written since on the next open; its
//! `snapshot_after_ops` is accepted and ignored. So the writer thread reopens sled after every
//! [`CHECKPOINT_AFTER_BYTES`] it wrote: a pause of a fraction of a second while writes queue,
//! and a start after any crash replays at most that much.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::{Entry, Op, Store, StoreError};

type Waiter = oneshot::Sender<Result<(), String>>;

const SEGMENT_BYTES: usize = 8 * 1024 * 1024;

/// sled's page cache: enough for the working set of many conversations on a small machine.
pub const CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// Keys and values written after which sled is reopened, so it writes a new snapshot. This
/// bounds both the pause of a reopen and a cold start after a crash (see the module docs).
const CHECKPOINT_AFTER_BYTES: u64 = 64 * 1024 * 1024;

/// How long a checkpoint tries to reopen sled (writes wait meanwhile) before giving up.
const REOPEN_FOR: Duration = Duration::from_secs(60);

/// The file whose lock says the folder is open (see [`lock_folder`]).
const FOLDER_LOCK: &str = "eftertanke.lock";
/// sled's own folder inside the data folder.
pub const STORE_DIR: &str = "store";

/// A batch to apply and who to wake when it is durable.
struct Request {
    ops: Vec<Op>,
    /// Its keys and values, counted towards the next checkpoint.
    bytes: u64,
    done: Waiter,
}

/// What the writer thread is asked to do, in order.
enum Job {
    Write(Request),
    /// From now on keep a copy of every batch applied (a backup's redo log, see
    /// [`crate::backup`]), and take no checkpoint, so a scan may hold the database meanwhile.
    StartRecording(oneshot::Sender<()>),
    /// Hand over what was recorded, then apply nothing until `resume` is told (or dropped),
    /// for at most [`crate::backup::MAX_PAUSE`]: the moment a backup is taken at.
    StopRecording {
        recorded: oneshot::Sender<Result<Vec<Op>, String>>,
        resume: mpsc::Receiver<()>,
    },
}

/// The most a backup's redo log may hold: writes made while the backup scans. More means
/// the store is written faster than it can be copied; the backup fails and writes go on.
const MAX_RECORDED_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug)]
pub struct SledStore {
    shared: Arc<Shared>,
    /// `None` only while dropping: closing the channel ends the writer thread.
    writer: Option<mpsc::Sender<Job>>,
    writer_thread: Option<std::thread::JoinHandle<()>>,
    /// Dropped last, after sled is closed: see [`lock_folder`].
    _folder_lock: File,
}

/// What readers and the writer thread share: the open database, which the writer replaces
/// at a checkpoint. `None` only after a checkpoint failed to reopen it.
#[derive(Debug)]
struct Shared {
    db: RwLock<Option<sled::Db>>,
    /// Set while the writer reopens sled, so readers wait without pinning a runtime thread.
    checkpointing: AtomicBool,
    dir: PathBuf,
    cache_bytes: u64,
    checkpoint_after_bytes: u64,
}

impl Shared {
    fn read(&self) -> Result<DbGuard<'_>, StoreError> {
        // A panic while holding the lock leaves the `Option` whole: `None` or an open db.
        let lock = || {
            self.db
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        };
        let guard = if self.checkpointing.load(Ordering::Acquire) {
            super::off_the_runtime(lock)
        } else {
            lock()
        };
        if guard.is_none() {
            return Err(StoreError::Backend(format!(
                "{}: sled did not reopen after a checkpoint (see the log); restart eftertanke",
                self.dir.display()
            )));
        }
        Ok(DbGuard(guard))
    }

    fn log_path(&self) -> PathBuf {
        self.dir.join("db")
    }
}

/// A read lock on an open database.
struct DbGuard<'a>(RwLockReadGuard<'a, Option<sled::Db>>);

impl std::ops::Deref for DbGuard<'_> {
    type Target = sled::Db;
    fn deref(&self) -> &sled::Db {
        match &*self.0 {
            Some(db) => db,
            // `Shared::read` returns a guard only when the database is open.
            None => unreachable!("a DbGuard is made only for an open database"),
        }
    }
}

/// Waits until sled's lock on its log file is free. sled's own I/O threads can hold the
/// database a few milliseconds after the last handle is dropped, and the next open (a
/// checkpoint, a restart in the same process: a test, a key rotation) must not find the
/// folder locked. False when it is still held after 5 s.
fn wait_until_unlocked(log: &Path) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        match File::open(log).map(|file| file.try_lock()) {
            Ok(Err(std::fs::TryLockError::WouldBlock)) => {
                std::thread::sleep(Duration::from_millis(2));
            }
            // Free (the lock is dropped with the file), or gone.
            Ok(_) => return true,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return true,
            // Not openable now (out of file handles, say): look again.
            Err(_) => std::thread::sleep(Duration::from_millis(2)),
        }
    }
    tracing::warn!(path = %log.display(), "sled still held its lock 5 s after closing");
    false
}

/// Takes the folder's own lock for as long as the store is open. sled's lock is given up
/// for a moment at every checkpoint; this one is not, so `eftertanke key rotate` and other
/// commands that need the bot stopped never slip in between.
fn lock_folder(dir: &Path) -> Result<File, StoreError> {
    let path = dir.join(FOLDER_LOCK);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|err| StoreError::Backend(format!("{}: {err}", path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Backend(format!(
            "{} is in use by another eftertanke",
            dir.display()
        ))),
        Err(std::fs::TryLockError::Error(err)) => {
            Err(StoreError::Backend(format!("{}: {err}", path.display())))
        }
    }
}

fn backend(err: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(err.to_string())
}

impl SledStore {
    /// Opens (or creates) the store in `dir`, with a page cache of `cache_bytes`.
    pub fn open(dir: &Path, cache_bytes: u64) -> Result<SledStore, StoreError> {
        SledStore::open_with_checkpoints(dir, cache_bytes, CHECKPOINT_AFTER_BYTES)
    }

    /// [`SledStore::open`], reopening sled after every `checkpoint_after_bytes` written.
    pub(crate) fn open_with_checkpoints(
        dir: &Path,
        cache_bytes: u64,
        checkpoint_after_bytes: u64,
    ) -> Result<SledStore, StoreError> {
        crate::folder::create_private(dir).map_err(backend)?;
        let folder_lock = lock_folder(dir)?;
        let sled_dir = dir.join(STORE_DIR);
        crate::folder::create_private(&sled_dir).map_err(backend)?;
        let db = open_db(&sled_dir, cache_bytes)?;
        let log_path = sled_dir.join("db");
        let log = File::open(&log_path)
            .map_err(|err| StoreError::Backend(format!("{}: {err}", log_path.display())))?;
        // Make the folder entries themselves durable once (the log file was just created).
        for folder in [dir, sled_dir.as_path()] {
            if let Ok(folder) = File::open(folder) {
                folder.sync_all().map_err(backend)?;
            }
        }
        let shared = Arc::new(Shared {
            db: RwLock::new(Some(db)),
            checkpointing: AtomicBool::new(false),
            dir: sled_dir,
            cache_bytes,
            checkpoint_after_bytes,
        });
        let (writer, requests) = mpsc::channel::<Job>();
        let writer_shared = Arc::clone(&shared);
        let writer_thread = std::thread::Builder::new()
            .name("sled-group-commit".into())
            .spawn(move || group_commit(&writer_shared, log, requests))
            .map_err(backend)?;
        Ok(SledStore {
            shared,
            writer: Some(writer),
            writer_thread: Some(writer_thread),
            _folder_lock: folder_lock,
        })
    }

    /// Applies `ops` durably, at once: for the work done while the folder opens, before any
    /// writer exists (running writers go through the group commit).
    pub(crate) fn apply_at_open(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        for op in ops {
            match op {
                Op::Put(key, value) => batch.insert(key, value),
                Op::Delete(key) => batch.remove(key),
            }
        }
        let db = self.shared.read()?;
        db.apply_batch(batch).map_err(backend)?;
        db.flush().map_err(backend)?;
        File::open(self.shared.log_path())
            .and_then(|log| log.sync_data())
            .map_err(backend)
    }

    fn send(&self, job: Job) -> Result<(), StoreError> {
        let writer = self.writer.as_ref().ok_or(StoreError::Closed)?;
        writer.send(job).map_err(|_| StoreError::Closed)
    }

    async fn submit(&self, ops: Vec<Op>, bytes: u64) -> Result<(), StoreError> {
        let (done, wait) = oneshot::channel();
        self.send(Job::Write(Request { ops, bytes, done }))?;
        wait.await
            .map_err(|_| StoreError::Closed)?
            .map_err(StoreError::Backend)
    }
}

/// What a backup asks of the store (see [`crate::backup`]). Blocking: for a backup's own
/// thread, never an async task.
impl SledStore {
    /// Makes every write so far durable, then records every later one until
    /// [`SledStore::stop_recording`].
    pub(crate) fn start_recording(&self) -> Result<(), StoreError> {
        let (started, wait) = oneshot::channel();
        self.send(Job::StartRecording(started))?;
        wait.blocking_recv().map_err(|_| StoreError::Closed)
    }

    /// Calls `each` with every key and value, in key order. Writes go on meanwhile: a key
    /// written during the scan is seen before or after, and the redo log settles which.
    pub(crate) fn scan_all(
        &self,
        mut each: impl FnMut(&[u8], &[u8]) -> std::io::Result<()>,
    ) -> Result<u64, StoreError> {
        let db = self.shared.read()?;
        let mut count = 0;
        for item in db.iter() {
            let (key, value) = item.map_err(backend)?;
            each(&key, &value).map_err(backend)?;
            count += 1;
        }
        Ok(count)
    }

    /// Stops recording and pauses the writer: returns what was written since
    /// [`SledStore::start_recording`] and the handle whose send (or drop) lets writes go on.
    pub(crate) fn stop_recording(&self) -> Result<(Vec<Op>, mpsc::Sender<()>), StoreError> {
        let (recorded, wait) = oneshot::channel();
        let (resume, resumed) = mpsc::channel();
        self.send(Job::StopRecording {
            recorded,
            resume: resumed,
        })?;
        let ops = wait
            .blocking_recv()
            .map_err(|_| StoreError::Closed)?
            .map_err(StoreError::Backend)?;
        Ok((ops, resume))
    }
}

impl Drop for SledStore {
    /// Closes the store before returning: the writer thread ends, the database is flushed and
    /// closed, and the locks are free for the next open (a restart in the same process).
    fn drop(&mut self) {
        self.writer = None;
        if let Some(thread) = self.writer_thread.take() {
            let _ = thread.join();
        }
        let db = self
            .shared
            .db
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(db) = db {
            if let Err(err) = db.flush() {
                tracing::error!(error = %err, "final flush failed");
            }
            drop(db);
            // A restart in the same process opens the folder next.
            let _ = wait_until_unlocked(&self.shared.log_path());
        }
    }
}

pub(crate) fn open_db(dir: &Path, cache_bytes: u64) -> Result<sled::Db, StoreError> {
    sled::Config::new()
        .path(dir)
        .cache_capacity(cache_bytes)
        // sled writes a log message larger than a quarter segment to a separate blob file
        // that the group commit does not sync; 8 MiB segments keep every value we write
        // (at most tens of kB) in the synced log.
        .segment_size(SEGMENT_BYTES)
        .open()
        .map_err(|err| StoreError::Backend(format!("{}: {err}", dir.display())))
}

/// Closes sled and opens it again, which makes it write a snapshot of everything written so
/// far. Writes wait meanwhile (this runs on the writer thread) and reads wait on the lock.
/// A reopen that fails is tried again, with pauses doubling to 5 s, for [`REOPEN_FOR`].
fn checkpoint(shared: &Shared) -> Result<(), String> {
    let begun = Instant::now();
    shared.checkpointing.store(true, Ordering::Release);
    let mut slot = shared
        .db
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let flushed = slot.take().map_or(Ok(0), |db| db.flush());
    let mut pause = Duration::from_millis(10);
    let reopened = loop {
        let attempt = if wait_until_unlocked(&shared.log_path()) {
            open_db(&shared.dir, shared.cache_bytes).map_err(|err| err.to_string())
        } else {
            Err("sled's lock was not given up".to_owned())
        };
        match attempt {
            Err(err) if begun.elapsed() < REOPEN_FOR => {
                tracing::warn!(error = %err, "sled did not reopen at a checkpoint; trying again");
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_secs(5));
            }
            done => break done,
        }
    };
    let result = reopened.map(|db| *slot = Some(db));
    shared.checkpointing.store(false, Ordering::Release);
    flushed.map_err(|err| err.to_string())?;
    result?;
    tracing::info!(
        ms = begun.elapsed().as_millis() as u64,
        "sled reopened to write its snapshot"
    );
    Ok(())
}

/// The writer loop: applies every batch waiting, then one flush and one fdatasync for all;
/// a checkpoint once enough was written. One thread writes, so writers never contend on
/// sled's locks.
fn group_commit(shared: &Shared, log: File, jobs: mpsc::Receiver<Job>) {
    let mut writer = Writer {
        shared,
        log,
        failed: None,
        written_since_open: 0,
        recording: None,
    };
    while let Ok(first) = jobs.recv() {
        // Everything waiting now is one group; what arrives while it is applied waits for the
        // next, so the first writer's sync is not put off by a steady stream behind it.
        let waiting: Vec<Job> = std::iter::once(first).chain(jobs.try_iter()).collect();
        let mut applied = Vec::with_capacity(waiting.len());
        for job in waiting {
            match job {
                Job::Write(request) => writer.apply(request, &mut applied),
                // What came before is made durable first: a backup holds every write
                // acknowledged before it began.
                Job::StartRecording(started) => {
                    writer.commit(std::mem::take(&mut applied));
                    writer.recording = Some(Recording::default());
                    let _ = started.send(());
                }
                Job::StopRecording { recorded, resume } => {
                    writer.commit(std::mem::take(&mut applied));
                    let _ = recorded.send(writer.stop_recording());
                    // Writes wait while the backup reads what must match this moment.
                    let _ = resume.recv_timeout(crate::backup::MAX_PAUSE);
                }
            }
        }
        writer.commit(applied);
    }
}

/// The writer thread's state.
struct Writer<'s> {
    shared: &'s Shared,
    log: File,
    /// After a failed sync, what is in memory may not be on disk: everything is refused from
    /// then on rather than let later events build on it.
    failed: Option<String>,
    written_since_open: u64,
    /// Batches applied since a backup began (see [`Job::StartRecording`]).
    recording: Option<Recording>,
}

#[derive(Default)]
struct Recording {
    ops: Vec<Op>,
    bytes: u64,
    overflowed: bool,
}

impl Writer<'_> {
    /// Applies one batch (not yet durable); its writer is woken by [`Writer::commit`].
    fn apply(&mut self, request: Request, applied: &mut Vec<Waiter>) {
        if let Some(err) = &self.failed {
            let _ = request
                .done
                .send(Err(format!("the store stopped after: {err}")));
            return;
        }
        let mut batch = sled::Batch::default();
        for op in &request.ops {
            match op {
                Op::Put(key, value) => batch.insert(key.as_slice(), value.as_slice()),
                Op::Delete(key) => batch.remove(key.as_slice()),
            }
        }
        let result = self
            .shared
            .read()
            .map_err(|err| err.to_string())
            .and_then(|db| db.apply_batch(batch).map_err(|err| err.to_string()));
        match result {
            Ok(()) => {
                self.written_since_open += request.bytes;
                if let Some(recording) = &mut self.recording {
                    recording.keep(request.ops, request.bytes);
                }
                applied.push(request.done);
            }
            // Only this batch failed; it was not applied, and its writer hears why.
            Err(err) => {
                let _ = request.done.send(Err(err));
            }
        }
    }

    /// Makes the applied batches durable with one flush and one fdatasync, wakes their
    /// writers, and takes a checkpoint once enough was written (never while recording).
    fn commit(&mut self, applied: Vec<Waiter>) {
        if applied.is_empty() {
            return;
        }
        let result = self
            .shared
            .read()
            .map_err(|err| err.to_string())
            .and_then(|db| db.flush().map(|_| ()).map_err(|err| err.to_string()))
            .and_then(|()| self.log.sync_data().map_err(|err| err.to_string()));
        if let Err(err) = &result {
            tracing::error!(error = %err, waiters = applied.len(), "group commit failed");
            self.failed = Some(err.clone());
        }
        for done in applied {
            // A writer that gave up (its task was cancelled) no longer listens.
            let _ = done.send(result.clone());
        }
        if self.failed.is_none()
            && self.recording.is_none()
            && self.written_since_open >= self.shared.checkpoint_after_bytes
        {
            self.written_since_open = 0;
            if let Err(err) = checkpoint(self.shared) {
                tracing::error!(error = %err, "sled did not reopen at a checkpoint");
                self.failed = Some(err);
            }
        }
    }

    fn stop_recording(&mut self) -> Result<Vec<Op>, String> {
        let recording = self.recording.take().unwrap_or_default();
        if let Some(err) = &self.failed {
            return Err(format!("the store stopped after: {err}"));
        }
        if recording.overflowed {
            return Err(format!(
                "more than {} MiB was written while the backup read the store",
                MAX_RECORDED_BYTES >> 20
            ));
        }
        Ok(recording.ops)
    }
}

impl Recording {
    fn keep(&mut self, ops: Vec<Op>, bytes: u64) {
        if self.overflowed {
            return;
        }
        self.bytes += bytes;
        if self.bytes > MAX_RECORDED_BYTES {
            self.overflowed = true;
            self.ops = Vec::new();
        } else {
            self.ops.extend(ops);
        }
    }
}

impl Store for SledStore {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .shared
            .read()?
            .get(key)
            .map_err(backend)?
            .map(|v| v.to_vec()))
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<Entry>, StoreError> {
        self.shared
            .read()?
            .scan_prefix(prefix)
            .map(|item| item.map(|(k, v)| (k.to_vec(), v.to_vec())).map_err(backend))
            .collect()
    }

    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, StoreError> {
        self.shared
            .read()?
            .scan_prefix(prefix)
            .keys()
            .map(|k| k.map(|k| k.to_vec()).map_err(backend))
            .collect()
    }

    async fn apply(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        let bytes = ops
            .iter()
            .map(|op| match op {
                Op::Put(k, v) => k.len() + v.len(),
                Op::Delete(k) => k.len(),
            } as u64)
            .sum();
        self.submit(ops, bytes).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stable log position of sled's newest snapshot: it grows when a checkpoint wrote one.
    fn snapshot_lsn(dir: &Path) -> u64 {
        std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|entry| {
                let name = entry.unwrap().file_name().into_string().unwrap();
                let hex = name.strip_prefix("snap.")?;
                u64::from_str_radix(hex, 16).ok()
            })
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn a_folder_opens_once_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path(), 1 << 20).unwrap();
        let second = SledStore::open(dir.path(), 1 << 20).unwrap_err();
        assert!(second.to_string().contains("in use"), "{second}");
        drop(store);
        SledStore::open(dir.path(), 1 << 20).unwrap();
    }

    /// sled gives up its own lock at every checkpoint; the folder's lock is held throughout,
    /// so another open (`key rotate`) never slips in between.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_other_open_slips_in_during_checkpoints() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open_with_checkpoints(dir.path(), 1 << 20, 4 * 1024).unwrap();
        let writing = Arc::new(AtomicBool::new(true));
        let prober = {
            let (path, writing) = (dir.path().to_owned(), writing.clone());
            std::thread::spawn(move || {
                let mut refused = 0u32;
                while writing.load(Ordering::Relaxed) {
                    if SledStore::open(&path, 1 << 20).is_ok() {
                        return Err(refused);
                    }
                    refused += 1;
                }
                Ok(refused)
            })
        };
        for n in 0..300u32 {
            let key = format!("k{n:04}").into_bytes();
            store
                .apply(vec![Op::Put(key, vec![1; 1000])])
                .await
                .unwrap();
        }
        writing.store(false, Ordering::Relaxed);
        let refused = prober.join().unwrap();
        assert!(
            matches!(refused, Ok(n) if n > 0),
            "an open got in after {refused:?} refusals"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn checkpoints_keep_every_write_and_reads_go_on() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            Arc::new(SledStore::open_with_checkpoints(dir.path(), 1 << 20, 64 * 1024).unwrap());
        let first_snapshot = snapshot_lsn(&dir.path().join(STORE_DIR));
        let key = |writer: u32, n: u32| format!("k{writer}-{n:04}").into_bytes();
        let value = |writer: u32, n: u32| vec![(writer + n) as u8; 1000];
        // Four writers of 300 batches each write about 1.2 MB: many checkpoints. Each reads
        // back everything it was told is durable so far, while the others' writes reopen sled.
        let writers: Vec<_> = (0..4u32)
            .map(|writer| {
                let store = Arc::clone(&store);
                tokio::spawn(async move {
                    for n in 0..300u32 {
                        store
                            .apply(vec![Op::Put(key(writer, n), value(writer, n))])
                            .await
                            .unwrap();
                        let back = n.saturating_sub(7);
                        assert_eq!(
                            store.get(&key(writer, back)).unwrap(),
                            Some(value(writer, back))
                        );
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.await.unwrap();
        }
        assert_eq!(store.keys_with_prefix(b"k").unwrap().len(), 1200);
        assert!(
            snapshot_lsn(&dir.path().join(STORE_DIR)) > first_snapshot,
            "no checkpoint wrote a snapshot"
        );
        drop(store);

        let reopened = SledStore::open(dir.path(), 1 << 20).unwrap();
        for writer in 0..4 {
            for n in 0..300 {
                assert_eq!(
                    reopened.get(&key(writer, n)).unwrap(),
                    Some(value(writer, n))
                );
            }
        }
    }
}
