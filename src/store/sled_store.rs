//! The sled backend, made durable by a group commit.
//!
//! sled 0.34's own `flush` syncs with `sync_file_range`, which does not survive power loss
//! (spacejam/sled#1452), and concurrent `flush_async` calls can deadlock (spacejam/sled#1308).
//! So one writer thread does all writing: a writer hands over its batch and waits; the thread
//! applies every batch queued so far, flushes once, `fdatasync`s sled's log file, and wakes
//! them all. Many conversations share one sync instead of paying one each.

use std::fs::File;
use std::path::Path;
use std::sync::mpsc;

use tokio::sync::oneshot;

use super::{Entry, Op, Store, StoreError};

type Waiter = oneshot::Sender<Result<(), String>>;

const SEGMENT_BYTES: usize = 8 * 1024 * 1024;

/// sled's page cache: enough for the working set of many conversations on a small machine.
pub const CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// A batch to apply and who to wake when it is durable.
struct Request {
    batch: sled::Batch,
    done: Waiter,
}

#[derive(Debug)]
pub struct SledStore {
    db: sled::Db,
    /// `None` only while dropping: closing the channel ends the writer thread.
    writer: Option<mpsc::Sender<Request>>,
    writer_thread: Option<std::thread::JoinHandle<()>>,
    /// Declared after `db` so it drops after it: see [`LockReleased`].
    lock_released: LockReleased,
}

/// Waits, when the store is dropped, until sled's lock on the log file is free. sled's own
/// I/O threads can hold the database a few milliseconds after the last handle is dropped, and
/// a restart in the same process (a test, a key rotation) must not find the folder locked.
#[derive(Debug)]
struct LockReleased(std::path::PathBuf);

impl Drop for LockReleased {
    fn drop(&mut self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while std::time::Instant::now() < deadline {
            match File::open(&self.0).map(|log| log.try_lock()) {
                Ok(Err(std::fs::TryLockError::WouldBlock)) => {
                    std::thread::sleep(std::time::Duration::from_millis(2));
                }
                // Free (the lock is dropped with the file), gone, or not lockable: done.
                _ => return,
            }
        }
        tracing::warn!(path = %self.0.display(), "sled still held its lock 5 s after closing");
    }
}

fn backend(err: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(err.to_string())
}

impl SledStore {
    /// Opens (or creates) the store in `dir`, with a page cache of `cache_bytes`.
    pub fn open(dir: &Path, cache_bytes: u64) -> Result<SledStore, StoreError> {
        std::fs::create_dir_all(dir).map_err(backend)?;
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(cache_bytes)
            // sled writes a log message larger than a quarter segment to a separate blob file
            // that the group commit does not sync; 8 MiB segments keep every value we write
            // (at most tens of kB) in the synced log.
            .segment_size(SEGMENT_BYTES)
            .open()
            .map_err(|err| StoreError::Backend(format!("{}: {err}", dir.display())))?;
        let log = File::open(dir.join("db"))
            .map_err(|err| StoreError::Backend(format!("{}: {err}", dir.join("db").display())))?;
        // Make the folder entries themselves durable once (the log file was just created).
        if let Ok(folder) = File::open(dir) {
            folder.sync_all().map_err(backend)?;
        }
        let (writer, requests) = mpsc::channel::<Request>();
        let flush_db = db.clone();
        let writer_thread = std::thread::Builder::new()
            .name("sled-group-commit".into())
            .spawn(move || group_commit(flush_db, log, requests))
            .map_err(backend)?;
        Ok(SledStore {
            db,
            writer: Some(writer),
            writer_thread: Some(writer_thread),
            lock_released: LockReleased(dir.join("db")),
        })
    }

    /// Deletes `keys` durably, at once: for the work done while the folder opens, before
    /// any writer exists (running writers go through the group commit).
    pub(crate) fn delete_at_open(&self, keys: Vec<Vec<u8>>) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        for key in keys {
            batch.remove(key);
        }
        self.db.apply_batch(batch).map_err(backend)?;
        self.db.flush().map_err(backend)?;
        File::open(&self.lock_released.0)
            .and_then(|log| log.sync_data())
            .map_err(backend)
    }

    async fn submit(&self, batch: sled::Batch) -> Result<(), StoreError> {
        let (done, wait) = oneshot::channel();
        let writer = self.writer.as_ref().ok_or(StoreError::Closed)?;
        writer
            .send(Request { batch, done })
            .map_err(|_| StoreError::Closed)?;
        wait.await
            .map_err(|_| StoreError::Closed)?
            .map_err(StoreError::Backend)
    }
}

impl Drop for SledStore {
    /// Closes the store before returning: the writer thread ends and drops its handle on the
    /// database, so sled's file lock is free for the next open (a restart in the same process).
    fn drop(&mut self) {
        self.writer = None;
        if let Some(thread) = self.writer_thread.take() {
            let _ = thread.join();
        }
        if let Err(err) = self.db.flush() {
            tracing::error!(error = %err, "final flush failed");
        }
    }
}

/// The writer loop: applies every batch waiting, then one flush and one fdatasync for all.
/// One thread writes, so writers never contend on sled's locks.
fn group_commit(db: sled::Db, log: File, requests: mpsc::Receiver<Request>) {
    // After a failed sync, what is in memory may not be on disk: refuse everything from then
    // on rather than let later events build on it.
    let mut failed: Option<String> = None;
    while let Ok(first) = requests.recv() {
        let mut waiting = vec![first];
        waiting.extend(requests.try_iter());
        if let Some(err) = &failed {
            for request in waiting {
                let _ = request
                    .done
                    .send(Err(format!("the store stopped after: {err}")));
            }
            continue;
        }
        let mut applied = Vec::with_capacity(waiting.len());
        for request in waiting {
            match db.apply_batch(request.batch) {
                Ok(()) => applied.push(request.done),
                // Only this batch failed; it was not applied, and its writer hears why.
                Err(err) => {
                    let _ = request.done.send(Err(err.to_string()));
                }
            }
        }
        let result = db
            .flush()
            .map(|_| ())
            .map_err(|err| err.to_string())
            .and_then(|()| log.sync_data().map_err(|err| err.to_string()));
        if let Err(err) = &result {
            tracing::error!(error = %err, waiters = applied.len(), "group commit failed");
            failed = Some(err.clone());
        }
        for done in applied {
            // A writer that gave up (its task was cancelled) no longer listens.
            let _ = done.send(result.clone());
        }
    }
}

impl Store for SledStore {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.db.get(key).map_err(backend)?.map(|v| v.to_vec()))
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<Entry>, StoreError> {
        self.db
            .scan_prefix(prefix)
            .map(|item| item.map(|(k, v)| (k.to_vec(), v.to_vec())).map_err(backend))
            .collect()
    }

    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, StoreError> {
        self.db
            .scan_prefix(prefix)
            .keys()
            .map(|k| k.map(|k| k.to_vec()).map_err(backend))
            .collect()
    }

    async fn apply(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        for op in ops {
            match op {
                Op::Put(k, v) => batch.insert(k, v),
                Op::Delete(k) => batch.remove(k),
            }
        }
        self.submit(batch).await
    }
}
