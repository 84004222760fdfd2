//! Backups taken while the bot runs, and restoring them into a new folder.
//!
//! A backup is the store's keys and values and the keyring, as they were at one moment,
//! in one file. It is taken without stopping writes for long:
//! 1. the writer thread makes everything acknowledged so far durable, then records every
//!    batch it applies from then on (a redo log);
//! 2. the backup scans the whole store while writes go on: each key is read at some moment
//!    after step 1;
//! 3. the writer hands over the redo log and waits (the pause) while the backup copies the
//!    keyring, then writes go on.
//!
//! Restoring applies the scan, then the redo log in order: every key ends as the last write
//! before step 3 left it, so the copy is the store as it was at that moment, and holds every
//! answer acknowledged before the backup began. The keyring copied in the pause holds the key
//! of everyone with a value in that copy (a key is durable before anything is sealed with it);
//! an erasure under way is finished when the restored folder first opens.
//!
//! Values stay sealed and the keyring stays wrapped: the master key is never in a backup, and
//! a backup is as private as the data folder (a restore needs the master key to be read).
//!
//! # Format
//! `MAGIC`, then records, each a tag byte: `P` key value (a stored pair), `D` key (a delete
//! from the redo log), `K` bytes (the keyring), and last `E` with the counts, the pause in
//! microseconds and the SHA-256 of every byte before the `E`. Keys and values are a u32
//! length (little-endian) and their bytes; the keyring a u64 length.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};

use crate::sled_store::{open_db, STORE_DIR};
use crate::vault::{Vault, VaultError, KEYRING_FILE};
use crate::{Op, SledStore, Store as _};

/// The first bytes of every backup.
pub const MAGIC: &[u8; 20] = b"eftertanke-backup-1\n";
/// The longest the writer waits for a backup to copy the keyring: writes wait meanwhile.
pub const MAX_PAUSE: Duration = Duration::from_secs(5);
/// Pairs a restore writes to sled per batch.
const RESTORE_BATCH: usize = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Store(#[from] crate::StoreError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no eftertanke data in {0}")]
    NoData(PathBuf),
    #[error("the backup is damaged or cut short: {0}")]
    Damaged(String),
    #[error("{0} must be a new folder: a restore never writes over data")]
    NotNew(PathBuf),
    #[error(
        "the keyring was copied {0:?} after the writes paused, longer than allowed; try again"
    )]
    PauseTooLong(Duration),
    #[error("the restored folder has {0} values that do not open: the backup or the key is wrong")]
    Unreadable(u64),
}

/// What one backup wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackupReport {
    /// Pairs copied by the scan.
    pub scanned: u64,
    /// Writes recorded while the scan ran, replayed after it on restore.
    pub replayed: u64,
    /// How long writes waited.
    pub pause: Duration,
    /// The backup's size.
    pub bytes: u64,
}

/// Writes a backup of `store` to `out`; `keyring` gives the keyring file as it is at the
/// moment it is called (writes wait meanwhile). Blocking: call from a thread of its own.
pub fn write(
    store: &SledStore,
    keyring: impl FnOnce() -> Result<Vec<u8>, VaultError>,
    out: impl Write,
) -> Result<BackupReport, BackupError> {
    let mut out = Hashing::new(BufWriter::new(out));
    let io = |source| BackupError::Io {
        path: PathBuf::from("the backup"),
        source,
    };
    out.write_all(MAGIC).map_err(io)?;
    store.start_recording()?;
    let scanned = store.scan_all(|key, value| {
        out.write_all(b"P")?;
        out.chunk(key)?;
        out.chunk(value)
    });
    // Whatever happened, the writer stops recording, and is let go below.
    let stopped = store.stop_recording();
    let scanned = scanned?;
    let (redo, resume) = stopped?;
    let paused = Instant::now();
    let keyring = keyring();
    // Whole microseconds, as the file keeps it.
    let pause = Duration::from_micros(paused.elapsed().as_micros() as u64);
    drop(resume);
    let keyring = keyring?;
    if pause >= MAX_PAUSE {
        return Err(BackupError::PauseTooLong(pause));
    }
    let replayed = redo.len() as u64;
    for op in &redo {
        match op {
            Op::Put(key, value) => {
                out.write_all(b"P").map_err(io)?;
                out.chunk(key).map_err(io)?;
                out.chunk(value).map_err(io)?;
            }
            Op::Delete(key) => {
                out.write_all(b"D").map_err(io)?;
                out.chunk(key).map_err(io)?;
            }
        }
    }
    out.write_all(b"K").map_err(io)?;
    out.write_all(&(keyring.len() as u64).to_le_bytes())
        .map_err(io)?;
    out.write_all(&keyring).map_err(io)?;
    let digest = out.digest();
    out.write_all(b"E").map_err(io)?;
    for count in [scanned, replayed, pause.as_micros() as u64] {
        out.write_all(&count.to_le_bytes()).map_err(io)?;
    }
    out.write_all(&digest).map_err(io)?;
    out.flush().map_err(io)?;
    Ok(BackupReport {
        scanned,
        replayed,
        pause,
        bytes: out.written,
    })
}

/// Writes a backup of the data folder `data` while no eftertanke has it open: the same file
/// as a running bot's backup (the folder is locked meanwhile, so none starts).
pub fn write_offline(data: &Path, out: impl Write) -> Result<BackupReport, BackupError> {
    if !crate::folder::holds_data(data) {
        return Err(BackupError::NoData(data.to_owned()));
    }
    let store = SledStore::open(data, crate::CACHE_BYTES)?;
    let keyring = data.join(KEYRING_FILE);
    write(
        &store,
        || {
            std::fs::read(&keyring).map_err(|err| VaultError::KeyFile {
                path: keyring.clone(),
                reason: err.to_string(),
            })
        },
        out,
    )
}

/// What a restore wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Restored {
    /// Pairs in the restored store.
    pub pairs: u64,
    /// How long the writes waited while the backup was taken.
    pub pause: Duration,
}

/// Puts the backup `from` into the new folder `into` (which must not exist, or be empty),
/// checking its checksum. On any problem the new folder is removed again.
pub fn restore(from: &Path, into: &Path) -> Result<Restored, BackupError> {
    let is_new = match std::fs::read_dir(into) {
        Ok(mut entries) => entries.next().is_none(),
        Err(err) => err.kind() == std::io::ErrorKind::NotFound,
    };
    if !is_new {
        return Err(BackupError::NotNew(into.to_owned()));
    }
    let restored = restore_into(from, into);
    if restored.is_err() {
        let _ = std::fs::remove_dir_all(into);
    }
    restored
}

fn restore_into(from: &Path, into: &Path) -> Result<Restored, BackupError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| BackupError::Io {
            path: path.clone(),
            source,
        }
    };
    crate::folder::create_private(into).map_err(io(into))?;
    let store_dir = into.join(STORE_DIR);
    crate::folder::create_private(&store_dir).map_err(io(&store_dir))?;
    let db = open_db(&store_dir, crate::CACHE_BYTES)?;
    let mut batch = sled::Batch::default();
    let mut in_batch = 0;
    let mut failed = None;
    let (keyring, report) = read(from, |op| {
        match op {
            Op::Put(key, value) => batch.insert(key, value),
            Op::Delete(key) => batch.remove(key),
        }
        in_batch += 1;
        if in_batch == RESTORE_BATCH {
            in_batch = 0;
            if let Err(err) = db.apply_batch(std::mem::take(&mut batch)) {
                failed.get_or_insert(err);
            }
        }
    })?;
    let sled_error = |err: sled::Error| crate::StoreError::Backend(err.to_string());
    if let Some(err) = failed {
        return Err(sled_error(err).into());
    }
    db.apply_batch(batch).map_err(sled_error)?;
    db.flush().map_err(sled_error)?;
    let pairs = db.len() as u64;
    drop(db);
    crate::vault::replace_private_file(&into.join(KEYRING_FILE), &keyring)
        .map_err(io(&into.join(KEYRING_FILE)))?;
    Ok(Restored {
        pairs,
        pause: report.pause,
    })
}

/// Reads the whole backup `from`, checking its checksum: what it says of itself.
pub fn check(from: &Path) -> Result<BackupReport, BackupError> {
    read(from, |_| {}).map(|(_, report)| report)
}

/// Reads the backup `from`, handing each write to `each` in order; the keyring and what the
/// backup says of itself once its checksum matched.
fn read(from: &Path, mut each: impl FnMut(Op)) -> Result<(Vec<u8>, BackupReport), BackupError> {
    let file = File::open(from).map_err(|source| BackupError::Io {
        path: from.to_owned(),
        source,
    })?;
    let bytes = file.metadata()?.len();
    let mut input = Reading {
        inner: BufReader::new(file),
        hash: Sha256::new(),
    };
    let mut magic = [0; MAGIC.len()];
    input.exact(&mut magic)?;
    if &magic != MAGIC {
        return Err(BackupError::Damaged(
            "this is not an eftertanke backup".into(),
        ));
    }
    let keyring = loop {
        match input.byte()? {
            b'P' => {
                let key = input.chunk()?;
                each(Op::Put(key, input.chunk()?));
            }
            b'D' => each(Op::Delete(input.chunk()?)),
            b'K' => {
                let mut len = [0; 8];
                input.exact(&mut len)?;
                let len = usize::try_from(u64::from_le_bytes(len))
                    .ok()
                    .filter(|&len| len as u64 <= bytes)
                    .ok_or_else(|| BackupError::Damaged("the keyring's length".into()))?;
                let mut keyring = vec![0; len];
                input.exact(&mut keyring)?;
                break keyring;
            }
            other => return Err(BackupError::Damaged(format!("unknown record {other:#x}"))),
        }
    };
    let digest = input.hash.clone().finalize();
    if input.byte()? != b'E' {
        return Err(BackupError::Damaged("no end record".into()));
    }
    let mut counts = [0u64; 3];
    for count in &mut counts {
        let mut bytes = [0; 8];
        input.exact(&mut bytes)?;
        *count = u64::from_le_bytes(bytes);
    }
    let mut stored_digest = [0; 32];
    input.exact(&mut stored_digest)?;
    if stored_digest != digest.as_slice() {
        return Err(BackupError::Damaged("its checksum does not match".into()));
    }
    if input.inner.read(&mut [0])? != 0 {
        return Err(BackupError::Damaged("bytes after the end".into()));
    }
    let [scanned, replayed, pause] = counts;
    Ok((
        keyring,
        BackupReport {
            scanned,
            replayed,
            pause: Duration::from_micros(pause),
            bytes,
        },
    ))
}

/// What [`verify`] found in an opened folder.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Verified {
    /// Sealed values that opened with the folder's keys.
    pub opened: u64,
    /// Plain values (the layout, dates: nothing of anyone's).
    pub plain: u64,
    /// Values of people erased meanwhile: their key is gone, as it should be.
    pub erased: u64,
}

/// Opens every value of an opened folder with its keys: a value that does not open is a
/// damaged backup or the wrong master key, and an error.
pub fn verify(store: &SledStore, vault: &Vault) -> Result<Verified, BackupError> {
    let mut verified = Verified::default();
    let mut unreadable = 0;
    for (key, value) in store.scan_prefix(b"")? {
        match vault.unseal(&key, &value) {
            Ok(_) => verified.opened += 1,
            Err(VaultError::NotSealed) => verified.plain += 1,
            Err(VaultError::NoKey) => verified.erased += 1,
            Err(_) => unreadable += 1,
        }
    }
    if unreadable > 0 {
        return Err(BackupError::Unreadable(unreadable));
    }
    Ok(verified)
}

/// A writer that hashes and counts what goes through it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
    written: u64,
}

impl<W: Write> Hashing<W> {
    fn new(inner: W) -> Hashing<W> {
        Hashing {
            inner,
            hash: Sha256::new(),
            written: 0,
        }
    }

    fn chunk(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let len = u32::try_from(bytes.len()).map_err(std::io::Error::other)?;
        self.write_all(&len.to_le_bytes())?;
        self.write_all(bytes)
    }

    fn digest(&self) -> [u8; 32] {
        self.hash.clone().finalize().into()
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(bytes)?;
        self.hash.update(&bytes[..written]);
        self.written += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A reader of a backup that hashes what it reads.
struct Reading<R> {
    inner: R,
    hash: Sha256,
}

impl<R: Read> Reading<R> {
    fn exact(&mut self, bytes: &mut [u8]) -> Result<(), BackupError> {
        self.inner
            .read_exact(bytes)
            .map_err(|err| BackupError::Damaged(format!("cut short ({err})")))?;
        self.hash.update(&*bytes);
        Ok(())
    }

    fn byte(&mut self) -> Result<u8, BackupError> {
        let mut byte = [0];
        self.exact(&mut byte)?;
        Ok(byte[0])
    }

    fn chunk(&mut self) -> Result<Vec<u8>, BackupError> {
        let mut len = [0; 4];
        self.exact(&mut len)?;
        // A damaged length is refused when the bytes run out, without asking for them at once.
        let mut bytes = Vec::new();
        let len = u64::from(u32::from_le_bytes(len));
        (&mut self.inner).take(len).read_to_end(&mut bytes)?;
        if bytes.len() as u64 != len {
            return Err(BackupError::Damaged("cut short".into()));
        }
        self.hash.update(&bytes);
        Ok(bytes)
    }
}

impl From<std::io::Error> for BackupError {
    fn from(source: std::io::Error) -> BackupError {
        BackupError::Io {
            path: PathBuf::from("the backup"),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::MasterKey;
    use std::sync::Arc;

    /// Writers keep writing through a backup; the restored folder equals the store as it
    /// was at the pause: everything acknowledged before the backup began, and no torn batch.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_backup_taken_during_writes_restores_a_consistent_folder() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let master = MasterKey::generate().unwrap();
        let (store, vault) = crate::open_folder(&data, &master, 1 << 20).unwrap();
        let store = Arc::new(store);
        let vault = Arc::new(vault);
        // Each batch writes a pair of keys together, which must never be seen apart.
        let batch = |writer: u32, n: u32| {
            vec![
                Op::Put(format!("a{writer}-{n:05}").into_bytes(), vec![n as u8; 300]),
                Op::Put(format!("b{writer}-{n:05}").into_bytes(), vec![n as u8; 300]),
            ]
        };
        for writer in 0..4 {
            for n in 0..200 {
                store.apply(batch(writer, n)).await.unwrap();
            }
        }
        let writers: Vec<_> = (0..4u32)
            .map(|writer| {
                let store = Arc::clone(&store);
                tokio::spawn(async move {
                    for n in 200..1200 {
                        store.apply(batch(writer, n)).await.unwrap();
                    }
                })
            })
            .collect();
        let backup_file = dir.path().join("backup");
        let report = tokio::task::spawn_blocking({
            let (store, vault, file) = (store.clone(), vault.clone(), backup_file.clone());
            move || {
                let out = File::create(file).unwrap();
                write(&store, || vault.keyring_bytes(), out).unwrap()
            }
        })
        .await
        .unwrap();
        for writer in writers {
            writer.await.unwrap();
        }
        assert!(report.pause < MAX_PAUSE, "{report:?}");
        assert_eq!(check(&backup_file).unwrap(), report);

        let restored_dir = dir.path().join("restored");
        let restored = restore(&backup_file, &restored_dir).unwrap();
        assert!(restored.pairs > 0);
        let (copy, copy_vault) = crate::open_folder(&restored_dir, &master, 1 << 20).unwrap();
        verify(&copy, &copy_vault).unwrap();
        for writer in 0..4 {
            let a = copy
                .keys_with_prefix(format!("a{writer}-").as_bytes())
                .unwrap();
            let b = copy
                .keys_with_prefix(format!("b{writer}-").as_bytes())
                .unwrap();
            // Everything written before the backup began, in order, and no half batch.
            assert!(a.len() >= 200, "writer {writer}: {} pairs", a.len());
            assert_eq!(a.len(), b.len());
            let expected: Vec<Vec<u8>> = (0..a.len())
                .map(|n| format!("a{writer}-{n:05}").into_bytes())
                .collect();
            assert_eq!(a, expected);
        }
        // The restored folder's shared key is the original's: a group sealed before opens.
        let sealed = vault.seal_shared(b"group\0x", b"the group").unwrap();
        assert_eq!(
            copy_vault.unseal(b"group\0x", &sealed).unwrap(),
            b"the group"
        );
    }

    #[test]
    fn a_damaged_backup_is_refused_and_leaves_no_folder() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let master = MasterKey::generate().unwrap();
        drop(crate::open_folder(&data, &master, 1 << 20).unwrap());
        let file = dir.path().join("backup");
        write_offline(&data, File::create(&file).unwrap()).unwrap();
        let mut bytes = std::fs::read(&file).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 1;
        std::fs::write(&file, &bytes).unwrap();
        let into = dir.path().join("restored");
        let err = restore(&file, &into).unwrap_err();
        assert!(matches!(err, BackupError::Damaged(_)), "{err}");
        assert!(!into.exists());
        // Cut short, too.
        std::fs::write(&file, &bytes[..middle]).unwrap();
        assert!(matches!(
            restore(&file, &into).unwrap_err(),
            BackupError::Damaged(_)
        ));
        // And a folder that holds something is never written into.
        assert!(matches!(
            restore(&file, &data).unwrap_err(),
            BackupError::NotNew(_)
        ));
    }

    #[test]
    fn no_master_key_is_in_a_backup() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let master = MasterKey::generate().unwrap();
        drop(crate::open_folder(&data, &master, 1 << 20).unwrap());
        let mut bytes = Vec::new();
        write_offline(&data, &mut bytes).unwrap();
        let hex = master.hex();
        let raw: Vec<u8> = (0..32)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        assert!(!bytes.windows(raw.len()).any(|w| w == raw.as_slice()));
        assert!(!bytes.windows(hex.len()).any(|w| w == hex.as_bytes()));
    }
}
