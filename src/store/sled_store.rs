//! The sled backend, made durable by a group commit.
//!
//! sled 0.34's own `flush` syncs with `sync_file_range`, which does not survive power loss
//! (spacejam/sled#1452), and concurrent `flush_async` calls can deadlock (spacejam/sled#1308).
//! So one flusher thread does all flushing: a writer applies its batch, then waits; the flusher
//! takes every waiter queued so far, flushes once, `fdatasync`s sled's log file, and wakes them
//! all. Many conversations share one sync instead of paying one each.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use tokio::sync::oneshot;

use super::{Entry, Op, Store, StoreError};

type Waiter = oneshot::Sender<Result<(), String>>;

#[derive(Debug)]
pub struct SledStore {
    db: sled::Db,
    /// `None` only while dropping: closing the channel ends the flusher thread.
    flusher: Option<mpsc::Sender<Waiter>>,
    flusher_thread: Option<std::thread::JoinHandle<()>>,
    path: PathBuf,
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
            .open()
            .map_err(|err| StoreError::Backend(format!("{}: {err}", dir.display())))?;
        let log = File::open(dir.join("db"))
            .map_err(|err| StoreError::Backend(format!("{}: {err}", dir.join("db").display())))?;
        // Make the folder entries themselves durable once (the log file was just created).
        if let Ok(folder) = File::open(dir) {
            folder.sync_all().map_err(backend)?;
        }
        let (flusher, waiters) = mpsc::channel::<Waiter>();
        let flush_db = db.clone();
        let flusher_thread = std::thread::Builder::new()
            .name("sled-group-commit".into())
            .spawn(move || group_commit(flush_db, log, waiters))
            .map_err(backend)?;
        Ok(SledStore {
            db,
            flusher: Some(flusher),
            flusher_thread: Some(flusher_thread),
            path: dir.to_owned(),
        })
    }

    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes sled reports on disk.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        self.db.size_on_disk().map_err(backend)
    }

    /// Flushes and syncs everything now (used at shutdown).
    pub async fn sync(&self) -> Result<(), StoreError> {
        self.wait_durable().await
    }

    async fn wait_durable(&self) -> Result<(), StoreError> {
        let (done, wait) = oneshot::channel();
        let flusher = self.flusher.as_ref().ok_or(StoreError::Closed)?;
        flusher.send(done).map_err(|_| StoreError::Closed)?;
        wait.await
            .map_err(|_| StoreError::Closed)?
            .map_err(StoreError::Backend)
    }
}

impl Drop for SledStore {
    /// Closes the store before returning: the flusher thread ends and drops its handle on the
    /// database, so sled's file lock is free for the next open (a restart in the same process).
    fn drop(&mut self) {
        self.flusher = None;
        if let Some(thread) = self.flusher_thread.take() {
            let _ = thread.join();
        }
        if let Err(err) = self.db.flush() {
            tracing::error!(error = %err, "final flush failed");
        }
    }
}

/// The flusher loop: one flush and one fdatasync for everyone who is waiting.
fn group_commit(db: sled::Db, log: File, waiters: mpsc::Receiver<Waiter>) {
    while let Ok(first) = waiters.recv() {
        let mut batch = vec![first];
        batch.extend(waiters.try_iter());
        let result = db
            .flush()
            .map(|_| ())
            .map_err(|err| err.to_string())
            .and_then(|()| log.sync_data().map_err(|err| err.to_string()));
        if let Err(err) = &result {
            tracing::error!(error = %err, waiters = batch.len(), "group commit failed");
        }
        for waiter in batch {
            // A waiter that gave up (its task was cancelled) no longer listens; nothing to do.
            let _ = waiter.send(result.clone());
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

    async fn apply(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        for op in ops {
            match op {
                Op::Put(k, v) => batch.insert(k, v),
                Op::Delete(k) => batch.remove(k),
            }
        }
        self.db.apply_batch(batch).map_err(backend)?;
        self.wait_durable().await
    }
}
