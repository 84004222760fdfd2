//! Encryption at rest, with one key per person so that erasing a person is real on disk.
//!
//! sled keeps old versions of values in its log segments, so deleting a person's keys does not
//! remove their words from the disk. Every value holding a person's words is therefore sealed
//! (XChaCha20-Poly1305) under that person's own key, and `/forget` destroys the key: what is
//! left in old segments can no longer be read by anyone (crypto-shredding).
//!
//! The person keys live in the keyring file in the data folder, outside sled, one fixed
//! 512-byte slot each, wrapped by the master key (from the environment or a key file, never
//! in the data folder). A slot is written in place and synced, and erasing overwrites it with
//! zeros, so no copy of a destroyed key is left in the file. Rotating the master key rewraps
//! the slots only; the data itself is untouched.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, PoisonError, RwLock};

use crate::names::Names;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use eftertanke_core::keyed::{hex, hmac};
use zeroize::Zeroizing;

/// The environment variable that may hold the master key (64 hexadecimal digits).
pub const MASTER_KEY_ENV: &str = "EFTERTANKE_MASTER_KEY";
/// The keyring's file name inside the data folder.
pub const KEYRING_FILE: &str = "keyring";

const SLOT_BYTES: usize = 512;
/// Slots the keyring grows by when none is free.
const GROW_SLOTS: u64 = 64;
const MAGIC: &[u8; 16] = b"eftertanke-keys1";
const VERIFIER: &[u8] = b"the master key of this keyring";
/// Where the header keeps the number of slots, sealed: a keyring cut short (a copy stopped
/// on a slot boundary) is refused instead of losing the keys it no longer holds.
const COUNT_AT: usize = MAGIC.len() + NONCE_BYTES + VERIFIER.len() + TAG_BYTES;
const COUNT_AAD: &[u8] = b"eftertanke keyring slot count";
const NONCE_BYTES: usize = 24;
const TAG_BYTES: usize = 16;
const KEY_BYTES: usize = 32;
/// A slot: in-use mark, nonce, length of the wrapped part, then the wrapped person id and key.
const SLOT_HEADER: usize = 1 + NONCE_BYTES + 2;
/// The longest person id a slot holds (Matrix ids are at most 255 bytes).
pub const MAX_PERSON_BYTES: usize = SLOT_BYTES - SLOT_HEADER - TAG_BYTES - 2 - KEY_BYTES;
/// The first byte of a value sealed for a person in the first layout (the person's id then
/// followed in plain text; read only to migrate such a folder).
const SEALED_V1: u8 = 0xE1;
/// The first byte of a value sealed for a person: then the person's keyed name (which key
/// opens it), the nonce and the sealed bytes, bound to the key the value is stored under.
const PERSONAL: u8 = 0xE2;
/// The first byte of a value sealed under the folder's shared key (groups, invite codes,
/// linked chats: what belongs to nobody in particular), bound to its key too.
const SHARED: u8 = 0xE3;
/// The length of a person's keyed name in a sealed value.
const TAG_LEN: usize = 16;
/// The slot of the folder's own key, from which its keyed names and its shared key are
/// derived. No person id holds a NUL, so none can take this slot's place.
const FOLDER_SLOT: &str = "\0folder";

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error(
        "no master key: give the credential `master-key`, or set {MASTER_KEY_ENV}, or \
         `key_file` in the configuration, or put a key file at {0} (make one with \
         `eftertanke key new FILE`)"
    )]
    MissingKey(PathBuf),
    #[error(transparent)]
    Secret(#[from] crate::secret::SecretError),
    #[error(
        "the master key from {origin} is not 64 hexadecimal digits (it has {found} characters)"
    )]
    BadKey { origin: String, found: usize },
    #[error("the key file {path}: {reason}")]
    KeyFile { path: PathBuf, reason: String },
    #[error(
        "the master key does not fit the data folder {0}: its keyring was made with another \
         key (nothing was changed)"
    )]
    WrongKey(PathBuf),
    #[error("the keyring {path} is damaged: {reason} (nothing was changed)")]
    Damaged { path: PathBuf, reason: String },
    #[error(
        "the data folder {0} holds data but no keyring: it was copied without its keyring or \
         made by a version without encryption (nothing was changed)"
    )]
    NoKeyring(PathBuf),
    #[error("the keyring {path}: {reason}")]
    Io { path: PathBuf, reason: String },
    #[error("a person id longer than {MAX_PERSON_BYTES} bytes cannot have a key")]
    PersonTooLong,
    #[error("a stored value is sealed for someone whose key is gone")]
    NoKey,
    #[error("a stored value failed to decrypt: damaged, moved to another key, or not sealed by this keyring")]
    Tampered,
    #[error("a stored value is not sealed where it must be")]
    NotSealed,
    #[error(
        "the {what} {path} can be read by others (mode {mode:03o}): make it private, \
         `chmod {fix} {path}`, and start again (nothing was changed)",
        fix = if what.contains("folder") { "700" } else { "600" },
        path = path.display()
    )]
    Shared {
        what: String,
        path: PathBuf,
        mode: u32,
    },
}

/// The key that wraps every person key. Wiped from memory when dropped.
pub struct MasterKey(Zeroizing<[u8; KEY_BYTES]>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(hidden)")
    }
}

impl MasterKey {
    /// HMAC-SHA-256 of `data` under a key derived from this one for `purpose`: pseudonyms
    /// only the holder of the master key can make, and that differ between purposes.
    #[must_use]
    pub fn keyed_hash(&self, purpose: &str, data: &[u8]) -> [u8; 32] {
        let purpose_key = Zeroizing::new(hmac(self.0.as_ref(), purpose.as_bytes()));
        hmac(purpose_key.as_ref(), data)
    }

    /// The key of the pseudonyms in logs.
    #[must_use]
    pub fn pseudonym_key(&self) -> [u8; 32] {
        self.keyed_hash("log pseudonyms", &[])
    }

    /// Reads 64 hexadecimal digits; surrounding white space is ignored.
    pub fn parse(text: &str, origin: &str) -> Result<MasterKey, VaultError> {
        let digits = text.trim();
        let bad = || VaultError::BadKey {
            origin: origin.to_owned(),
            found: digits.chars().count(),
        };
        if digits.len() != KEY_BYTES * 2 || !digits.is_ascii() {
            return Err(bad());
        }
        let mut key = Zeroizing::new([0u8; KEY_BYTES]);
        for (byte, pair) in key.iter_mut().zip(digits.as_bytes().chunks(2)) {
            let pair = std::str::from_utf8(pair).map_err(|_| bad())?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
        }
        Ok(MasterKey(key))
    }

    /// A new random key.
    pub fn generate() -> Result<MasterKey, VaultError> {
        let mut key = Zeroizing::new([0u8; KEY_BYTES]);
        fill_random(key.as_mut_slice())?;
        Ok(MasterKey(key))
    }

    /// The key from the credential `master-key` or [`MASTER_KEY_ENV`], if given.
    pub fn from_secret() -> Result<Option<MasterKey>, VaultError> {
        match crate::secret::MASTER_KEY.read()? {
            Some(found) => MasterKey::parse(&found.value, &found.origin).map(Some),
            None => Ok(None),
        }
    }

    /// Reads a key file, which only its owner may read (as ssh insists for a private key).
    pub fn read_file(path: &Path) -> Result<MasterKey, VaultError> {
        if let Some(mode) = crate::folder::open_to(path) {
            return Err(VaultError::Shared {
                what: "key file".into(),
                path: path.to_owned(),
                mode,
            });
        }
        let text = std::fs::read_to_string(path).map_err(|err| VaultError::KeyFile {
            path: path.to_owned(),
            reason: err.to_string(),
        })?;
        MasterKey::parse(&Zeroizing::new(text), &path.display().to_string())
    }

    /// Makes a new key and writes it to a new file readable only by its owner; an existing
    /// file is never overwritten (it may be the only copy of a key).
    pub fn create_file(path: &Path) -> Result<MasterKey, VaultError> {
        let key = MasterKey::generate()?;
        let fail = |err: std::io::Error| VaultError::KeyFile {
            path: path.to_owned(),
            reason: err.to_string(),
        };
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(fail)?;
        let hex = Zeroizing::new(key.hex());
        file.write_all(hex.as_bytes()).map_err(fail)?;
        file.write_all(b"\n").map_err(fail)?;
        file.sync_all().map_err(fail)?;
        sync_parent(path);
        Ok(key)
    }

    pub(crate) fn hex(&self) -> String {
        hex(self.0.as_ref())
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.0.as_slice().into())
    }
}

/// Where the key of the data folder `data` is looked for when nothing else says: a file
/// beside the folder (`eftertanke-data.key`), so copying the folder alone does not copy it.
#[must_use]
pub fn default_key_file(data: &Path) -> PathBuf {
    let mut name = data.file_name().unwrap_or_default().to_os_string();
    name.push(".key");
    data.with_file_name(name)
}

/// The master key for the data folder `data`: from the credential `master-key` or
/// [`MASTER_KEY_ENV`], else from `key_file`
/// (or [`default_key_file`]). With `create`, a brand-new data folder gets a new key file, so
/// the terminal chat needs no set-up; a folder that holds data never does, since a new key
/// could not read it.
pub fn find_master_key(
    data: &Path,
    key_file: Option<&Path>,
    create: bool,
) -> Result<MasterKey, VaultError> {
    if let Some(key) = MasterKey::from_secret()? {
        return Ok(key);
    }
    let path = key_file.map_or_else(|| default_key_file(data), Path::to_owned);
    if path.exists() {
        return MasterKey::read_file(&path);
    }
    let fresh = !Vault::exists(data) && !crate::folder::holds_data(data);
    if create && fresh {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            crate::folder::create_private(parent).map_err(|err| VaultError::KeyFile {
                path: path.clone(),
                reason: err.to_string(),
            })?;
        }
        return MasterKey::create_file(&path);
    }
    Err(VaultError::MissingKey(path))
}

fn fill_random(bytes: &mut [u8]) -> Result<(), VaultError> {
    getrandom::fill(bytes).map_err(|err| VaultError::Io {
        path: PathBuf::from("(random numbers)"),
        reason: err.to_string(),
    })
}

/// Turns an I/O error on the keyring at `path` into the vault's error.
fn io_error(path: &Path) -> impl Fn(std::io::Error) -> VaultError + Copy + '_ {
    move |err| VaultError::Io {
        path: path.to_owned(),
        reason: err.to_string(),
    }
}

fn sync_parent(path: &Path) {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if let Ok(folder) = File::open(parent) {
            let _ = folder.sync_all();
        }
    }
}

/// The shared key of a folder, from the folder's own key.
fn folder_cipher(folder: &[u8; KEY_BYTES]) -> XChaCha20Poly1305 {
    let key = Zeroizing::new(hmac(folder, b"shared values"));
    XChaCha20Poly1305::new(key.as_slice().into())
}

fn seal_with(cipher: &XChaCha20Poly1305, aad: &[u8], plain: &[u8]) -> Result<Vec<u8>, VaultError> {
    let mut nonce = [0u8; NONCE_BYTES];
    fill_random(&mut nonce)?;
    let sealed = cipher
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad })
        .map_err(|_| VaultError::Tampered)?;
    let mut out = Vec::with_capacity(NONCE_BYTES + sealed.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

fn open_with(cipher: &XChaCha20Poly1305, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
    if sealed.len() < NONCE_BYTES + TAG_BYTES {
        return Err(VaultError::Tampered);
    }
    let (nonce, body) = sealed.split_at(NONCE_BYTES);
    cipher
        .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad })
        .map_err(|_| VaultError::Tampered)
}

/// What a slot's wrapped part is bound to, so a slot copied to another place does not open.
fn slot_aad(index: u64) -> [u8; 12] {
    let mut aad = *b"slot\0\0\0\0\0\0\0\0";
    aad[4..].copy_from_slice(&index.to_le_bytes());
    aad
}

/// One person's key.
struct PersonKey {
    slot: u64,
    key: Zeroizing<[u8; KEY_BYTES]>,
}

#[derive(Default)]
struct Keys {
    by_person: HashMap<String, PersonKey>,
    /// Each person's keyed name, as values sealed for them begin with it.
    by_tag: HashMap<[u8; TAG_LEN], String>,
    /// Zeroed slots, reused before the file grows.
    free: Vec<u64>,
    /// The number of slots in the file (slot 0 is the header).
    slots: u64,
    /// The number of slots the header counted when the keyring was read.
    counted: u64,
}

/// The person keys of one data folder, all held in memory (a few dozen bytes each), the
/// folder's shared key, and its keyed names.
pub struct Vault {
    master: XChaCha20Poly1305,
    /// Seals what belongs to nobody in particular; derived from the master key.
    shared: XChaCha20Poly1305,
    names: Names,
    /// `None` for a vault that lives only in memory (tests).
    file: Option<(PathBuf, Mutex<File>)>,
    keys: RwLock<Keys>,
    making: KeyMaking,
}

/// Keys being made: see [`Vault::take_turn`].
#[derive(Default)]
struct KeyMaking {
    state: Mutex<Making>,
    /// Told when a round of key making is over: blocking waiters, async waiters.
    made: Condvar,
    finished: tokio::sync::Notify,
}

/// What a person waiting for a key does next: see [`Vault::take_turn`].
enum Turn {
    Ready(XChaCha20Poly1305),
    Wait,
    Lead(Vec<String>),
}

/// Who waits for a key, and whether a maker is writing keys now.
#[derive(Default)]
struct Making {
    waiting: Vec<String>,
    writing: bool,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("keyring", &self.file.as_ref().map(|(path, _)| path))
            .finish_non_exhaustive()
    }
}

impl Vault {
    /// A vault in memory only, under a random master key: for tests and benchmarks.
    pub fn ephemeral() -> Result<Vault, VaultError> {
        let master = MasterKey::generate()?;
        let folder = MasterKey::generate()?;
        Ok(Vault {
            shared: folder_cipher(&folder.0),
            names: Names::new(&folder.0),
            master: master.cipher(),
            file: None,
            keys: RwLock::new(Keys {
                slots: 1,
                ..Keys::default()
            }),
            making: KeyMaking::default(),
        })
    }

    /// True when `data` already has a keyring.
    #[must_use]
    pub fn exists(data: &Path) -> bool {
        data.join(KEYRING_FILE).exists()
    }

    /// Opens the keyring of the data folder `data` with `master`, or creates it for a new
    /// data folder. A key that does not fit, a damaged keyring or data without a keyring is
    /// an error that changes nothing.
    pub fn open(data: &Path, master: &MasterKey) -> Result<Vault, VaultError> {
        let path = data.join(KEYRING_FILE);
        let io = io_error(&path);
        if !path.exists() {
            // sled's own files: data written under a keyring that is now missing.
            if crate::folder::holds_data(data) {
                return Err(VaultError::NoKeyring(data.to_owned()));
            }
            crate::folder::create_private(data).map_err(io)?;
            write_keyring(&path, &master.cipher(), &[])?;
        }
        let bytes = std::fs::read(&path).map_err(io)?;
        let keys = read_keyring(&path, &bytes, &master.cipher(), data)?;
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io)?;
        // A crash while the file grew left slots beyond the header's count: count them now,
        // so a copy cut short among them is refused as cut short.
        if keys.slots > keys.counted {
            write_at(&file, &header(&master.cipher(), keys.slots)?, 0).map_err(io)?;
            file.sync_data().map_err(io)?;
        }
        let mut vault = Vault {
            master: master.cipher(),
            // Until the folder's own key is read just below.
            shared: folder_cipher(&[0; KEY_BYTES]),
            names: Names::new(&[0; KEY_BYTES]),
            file: Some((path, Mutex::new(file))),
            keys: RwLock::new(keys),
            making: KeyMaking::default(),
        };
        // The folder's own key, kept in a slot of its own like a person's: made once, wrapped
        // by the master key (so rotating that key rewraps it and nothing stored changes).
        if !vault.has_key(FOLDER_SLOT) {
            vault.make_key(FOLDER_SLOT)?;
        }
        let folder = vault.folder_key().ok_or_else(|| VaultError::Damaged {
            path: data.join(KEYRING_FILE),
            reason: "the folder's own key is missing".into(),
        })?;
        vault.shared = folder_cipher(&folder);
        vault.names = Names::new(&folder);
        let tags: HashMap<[u8; TAG_LEN], String> = vault
            .read_keys()
            .by_person
            .keys()
            .filter(|person| *person != FOLDER_SLOT)
            .map(|person| (vault.names.tag(person), person.clone()))
            .collect();
        vault
            .keys
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .by_tag = tags;
        Ok(vault)
    }

    /// Whether `master` opens the keyring of `data`, changing nothing (a running bot may have
    /// it open): for `eftertanke doctor`.
    pub fn check_key(data: &Path, master: &MasterKey) -> Result<(), VaultError> {
        let path = data.join(KEYRING_FILE);
        let bytes = std::fs::read(&path).map_err(io_error(&path))?;
        read_keyring(&path, &bytes, &master.cipher(), data).map(|_| ())
    }

    /// The folder's own key (see [`FOLDER_SLOT`]).
    fn folder_key(&self) -> Option<Zeroizing<[u8; KEY_BYTES]>> {
        let keys = self.read_keys();
        keys.by_person.get(FOLDER_SLOT).map(|key| key.key.clone())
    }

    /// Rewraps every person key of `data` under `new`, replacing the keyring in one rename:
    /// afterwards only `new` opens it. The data itself is not touched.
    pub fn rotate(data: &Path, old: &MasterKey, new: &MasterKey) -> Result<usize, VaultError> {
        let path = data.join(KEYRING_FILE);
        let bytes = std::fs::read(&path).map_err(io_error(&path))?;
        let keys = read_keyring(&path, &bytes, &old.cipher(), data)?;
        let mut slots: Vec<(u64, &str, &[u8; KEY_BYTES])> = keys
            .by_person
            .iter()
            .map(|(person, key)| (key.slot, person.as_str(), &*key.key))
            .collect();
        slots.sort_unstable_by_key(|(slot, _, _)| *slot);
        write_keyring(&path, &new.cipher(), &slots)?;
        // The people's keys (the folder's own is rewrapped too).
        Ok(slots
            .iter()
            .filter(|(_, who, _)| *who != FOLDER_SLOT)
            .count())
    }

    /// The folder's keyed names (see [`crate::names`]).
    #[must_use]
    pub fn names(&self) -> &Names {
        &self.names
    }

    /// Seals `plain` for `person`, to be stored under `key` (it opens under no other), making
    /// the person's key first if they have none.
    pub fn seal(&self, person: &str, key: &[u8], plain: &[u8]) -> Result<Vec<u8>, VaultError> {
        let cipher = match self.cipher_of(person) {
            Some(cipher) => cipher,
            None => self.new_key(person)?,
        };
        let sealed = seal_with(&cipher, key, plain)?;
        let mut out = Vec::with_capacity(1 + TAG_LEN + sealed.len());
        out.push(PERSONAL);
        out.extend_from_slice(&self.names.tag(person));
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Seals `plain` under the folder's shared key, to be stored under `key`: for what belongs
    /// to nobody in particular (a group, an invite code, a linked chat).
    pub fn seal_shared(&self, key: &[u8], plain: &[u8]) -> Result<Vec<u8>, VaultError> {
        let sealed = seal_with(&self.shared, key, plain)?;
        let mut out = Vec::with_capacity(1 + sealed.len());
        out.push(SHARED);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens a value stored under `key`: sealed for a person (with their key) or shared. A
    /// value moved to another key does not open, and a plain value is refused.
    pub fn unseal(&self, key: &[u8], stored: &[u8]) -> Result<Vec<u8>, VaultError> {
        match stored.split_first() {
            Some((&PERSONAL, rest)) => {
                let (tag, sealed) = rest
                    .split_first_chunk::<TAG_LEN>()
                    .ok_or(VaultError::Tampered)?;
                let cipher = {
                    let keys = self.read_keys();
                    let person = keys.by_tag.get(tag).ok_or(VaultError::NoKey)?;
                    let key = keys.by_person.get(person).ok_or(VaultError::NoKey)?;
                    XChaCha20Poly1305::new(key.key.as_slice().into())
                };
                open_with(&cipher, key, sealed)
            }
            Some((&SHARED, sealed)) => open_with(&self.shared, key, sealed),
            _ => Err(VaultError::NotSealed),
        }
    }

    /// Opens a value of the first layout (sealed for the person named in it, or plain): for
    /// migrating such a folder only.
    pub(crate) fn open_v1<'v>(
        &self,
        stored: &'v [u8],
    ) -> Result<std::borrow::Cow<'v, [u8]>, VaultError> {
        let Some((&SEALED_V1, rest)) = stored.split_first() else {
            return Ok(std::borrow::Cow::Borrowed(stored));
        };
        let (person, sealed) = split_person(rest).ok_or(VaultError::Tampered)?;
        let cipher = self.cipher_of(person).ok_or(VaultError::NoKey)?;
        open_with(&cipher, person.as_bytes(), sealed).map(std::borrow::Cow::Owned)
    }

    /// The keyring file as it is now, read while no slot is being written: what a backup
    /// holds beside the store (the keys stay wrapped by the master key, which is not in it).
    pub fn keyring_bytes(&self) -> Result<Vec<u8>, VaultError> {
        let Some((path, file)) = &self.file else {
            return Err(VaultError::KeyFile {
                path: PathBuf::from(KEYRING_FILE),
                reason: "this vault lives in memory only".into(),
            });
        };
        let file = file.lock().unwrap_or_else(PoisonError::into_inner);
        read_whole(&file).map_err(io_error(path))
    }

    /// Destroys `person`'s key: zeroes its slot on disk and syncs. Everything sealed for
    /// them, wherever a copy of it lies, is unreadable from then on. True when there was one.
    pub fn shred(&self, person: &str) -> Result<bool, VaultError> {
        let mut keys = self.keys.write().unwrap_or_else(PoisonError::into_inner);
        let Some(slot) = keys.by_person.get(person).map(|key| key.slot) else {
            return Ok(false);
        };
        // On disk first: if that fails the key stays, known, and the erasure can be retried.
        self.write_slots(&[(slot, [0u8; SLOT_BYTES])])?;
        keys.by_person.remove(person);
        keys.by_tag.remove(&self.names.tag(person));
        keys.free.push(slot);
        Ok(true)
    }

    fn has_key(&self, person: &str) -> bool {
        self.read_keys().by_person.contains_key(person)
    }

    fn cipher_of(&self, person: &str) -> Option<XChaCha20Poly1305> {
        let keys = self.keys.read().unwrap_or_else(PoisonError::into_inner);
        let key = keys.by_person.get(person)?;
        Some(XChaCha20Poly1305::new(key.key.as_slice().into()))
    }

    /// Makes `person`'s key and makes it durable before anything is sealed with it. Only
    /// the people waiting for a key wait for the disk: everyone else's seals and opens go on.
    fn new_key(&self, person: &str) -> Result<XChaCha20Poly1305, VaultError> {
        if person.len() > MAX_PERSON_BYTES {
            return Err(VaultError::PersonTooLong);
        }
        super::off_the_runtime(|| self.make_key(person))
    }

    /// Makes `person`'s key ahead of sealing, for async callers: a burst of new people (a
    /// group's first meeting) waits here without holding a thread each, and their keys are
    /// made together (see [`Vault::take_turn`]).
    pub async fn prepare_key(&self, person: &str) -> Result<(), VaultError> {
        if self.has_key(person) {
            return Ok(());
        }
        if person.len() > MAX_PERSON_BYTES {
            return Err(VaultError::PersonTooLong);
        }
        loop {
            // Listening before looking, so a round that ends in between is not missed.
            let finished = self.making.finished.notified();
            tokio::pin!(finished);
            finished.as_mut().enable();
            let turn = {
                let mut making = self
                    .making
                    .state
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                self.take_turn(&mut making, person)
            };
            match turn {
                Turn::Ready(_) => return Ok(()),
                Turn::Wait => finished.await,
                Turn::Lead(people) => return self.lead(&people),
            }
        }
    }

    /// [`Vault::prepare_key`] for a caller that may block: waits on a condition variable.
    fn make_key(&self, person: &str) -> Result<XChaCha20Poly1305, VaultError> {
        let mut making = self
            .making
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        loop {
            match self.take_turn(&mut making, person) {
                Turn::Ready(cipher) => return Ok(cipher),
                Turn::Wait => {
                    making = self
                        .making
                        .made
                        .wait(making)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                Turn::Lead(people) => {
                    drop(making);
                    self.lead(&people)?;
                    making = self
                        .making
                        .state
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner);
                }
            }
        }
    }

    /// Whether `person` has a key, must wait while a maker writes keys (queued for the next
    /// round), or makes the keys of everyone queued now, theirs included, with one sync:
    /// many new people at once share a sync instead of queueing for one each.
    fn take_turn(&self, making: &mut Making, person: &str) -> Turn {
        if let Some(cipher) = self.cipher_of(person) {
            return Turn::Ready(cipher);
        }
        if !making.waiting.iter().any(|waiting| waiting == person) {
            making.waiting.push(person.to_owned());
        }
        if making.writing {
            return Turn::Wait;
        }
        making.writing = true;
        Turn::Lead(std::mem::take(&mut making.waiting))
    }

    /// Writes the keys of a round and wakes everyone waiting, also if writing panics. Those
    /// whose keys a failed write left unmade find none and lead the next round themselves.
    fn lead(&self, people: &[String]) -> Result<(), VaultError> {
        struct RoundOver<'v>(&'v Vault);
        impl Drop for RoundOver<'_> {
            fn drop(&mut self) {
                let making = &self.0.making;
                making
                    .state
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .writing = false;
                making.made.notify_all();
                making.finished.notify_waiters();
            }
        }
        let _over = RoundOver(self);
        self.write_keys(people)
    }

    /// Makes a key for each of `people` who has none, durable with one sync. Only one maker
    /// runs at a time (see [`Vault::take_turn`]), so no two take the same slot.
    fn write_keys(&self, people: &[String]) -> Result<(), VaultError> {
        let new: Vec<&String> = people
            .iter()
            .filter(|person| !self.has_key(person))
            .collect();
        let free = self.read_keys().free.len();
        if free < new.len() {
            self.grow((new.len() - free) as u64)?;
        }
        // The free list is taken from its end, lowest slots first.
        let slots: Vec<u64> = self.read_keys().free.iter().rev().copied().collect();
        let mut made = Vec::with_capacity(new.len());
        let mut writes = Vec::with_capacity(new.len());
        for (person, slot) in new.into_iter().zip(slots) {
            let mut key = Zeroizing::new([0u8; KEY_BYTES]);
            fill_random(key.as_mut_slice())?;
            writes.push((slot, wrap_slot(&self.master, slot, person, &key)?));
            made.push((person, PersonKey { slot, key }));
        }
        self.write_slots(&writes)?;
        let mut keys = self.keys.write().unwrap_or_else(PoisonError::into_inner);
        for (person, key) in made {
            // An erasure meanwhile may have freed another slot after this one.
            if let Some(at) = keys.free.iter().rposition(|&free| free == key.slot) {
                keys.free.remove(at);
            }
            if person != FOLDER_SLOT {
                keys.by_tag.insert(self.names.tag(person), person.clone());
            }
            keys.by_person.insert(person.clone(), key);
        }
        Ok(())
    }

    /// Adds free slots to the keyring, at least [`GROW_SLOTS`], so most new keys cost one
    /// sync, not two. The file grows first and the header counts the new slots after: a
    /// crash between leaves zeroed slots beyond the count, which opening takes as free.
    fn grow(&self, at_least: u64) -> Result<(), VaultError> {
        let first = self.read_keys().slots;
        let count = first + at_least.max(GROW_SLOTS);
        if let Some((path, file)) = &self.file {
            let file = file.lock().unwrap_or_else(PoisonError::into_inner);
            super::off_the_runtime(|| {
                // Cut a slot torn by an older crash first, so every new slot is all zeros.
                file.set_len(first * SLOT_BYTES as u64)?;
                file.set_len(count * SLOT_BYTES as u64)?;
                file.sync_data()
            })
            .map_err(io_error(path))?;
        }
        self.write_slots(&[(0, header(&self.master, count)?)])?;
        let mut keys = self.keys.write().unwrap_or_else(PoisonError::into_inner);
        keys.slots = count;
        keys.free.splice(0..0, (first..count).rev());
        Ok(())
    }

    fn read_keys(&self) -> std::sync::RwLockReadGuard<'_, Keys> {
        self.keys.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes slots in place and syncs them, once for all.
    fn write_slots(&self, slots: &[(u64, [u8; SLOT_BYTES])]) -> Result<(), VaultError> {
        let Some((path, file)) = &self.file else {
            return Ok(());
        };
        let file = file.lock().unwrap_or_else(PoisonError::into_inner);
        super::off_the_runtime(|| {
            for (slot, bytes) in slots {
                write_at(&file, bytes, slot * SLOT_BYTES as u64)?;
            }
            file.sync_data()
        })
        .map_err(io_error(path))
    }
}

#[cfg(unix)]
fn write_at(file: &File, bytes: &[u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, offset)
}

#[cfg(not(unix))]
fn write_at(mut file: &File, bytes: &[u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom};
    file.seek(SeekFrom::Start(offset))?;
    file.write_all(bytes)
}

/// Reads all of `file` from its start, without moving its cursor.
fn read_whole(file: &File) -> std::io::Result<Vec<u8>> {
    let len = file.metadata()?.len();
    let mut bytes = vec![0; usize::try_from(len).map_err(std::io::Error::other)?];
    #[cfg(unix)]
    std::os::unix::fs::FileExt::read_exact_at(file, &mut bytes, 0)?;
    #[cfg(not(unix))]
    {
        use std::io::{Read as _, Seek as _, SeekFrom};
        let mut file = file;
        file.seek(SeekFrom::Start(0))?;
        file.read_exact(&mut bytes)?;
    }
    Ok(bytes)
}

fn split_person(rest: &[u8]) -> Option<(&str, &[u8])> {
    let (len, rest) = rest.split_first_chunk::<2>()?;
    let len = usize::from(u16::from_le_bytes(*len));
    let (person, sealed) = (rest.get(..len)?, rest.get(len..)?);
    Some((std::str::from_utf8(person).ok()?, sealed))
}

fn wrap_slot(
    master: &XChaCha20Poly1305,
    slot: u64,
    person: &str,
    key: &[u8; KEY_BYTES],
) -> Result<[u8; SLOT_BYTES], VaultError> {
    let mut plain = Zeroizing::new(Vec::with_capacity(2 + person.len() + KEY_BYTES));
    plain.extend_from_slice(&(person.len() as u16).to_le_bytes());
    plain.extend_from_slice(person.as_bytes());
    plain.extend_from_slice(key);
    let sealed = seal_with(master, &slot_aad(slot), &plain)?;
    let mut bytes = [0u8; SLOT_BYTES];
    bytes[0] = 1;
    let wrapped_len = sealed.len() - NONCE_BYTES;
    bytes[1..1 + NONCE_BYTES].copy_from_slice(&sealed[..NONCE_BYTES]);
    bytes[1 + NONCE_BYTES..SLOT_HEADER].copy_from_slice(&(wrapped_len as u16).to_le_bytes());
    bytes[SLOT_HEADER..SLOT_HEADER + wrapped_len].copy_from_slice(&sealed[NONCE_BYTES..]);
    Ok(bytes)
}

/// Writes a whole keyring (header and the given slots) to a temporary file, syncs it and
/// renames it into place: a crash leaves the old keyring or the new one, never a mix.
fn write_keyring(
    path: &Path,
    master: &XChaCha20Poly1305,
    slots: &[(u64, &str, &[u8; KEY_BYTES])],
) -> Result<(), VaultError> {
    let io = io_error(path);
    let count = slots.last().map_or(1, |(slot, _, _)| slot + 1);
    let mut bytes = vec![0u8; count as usize * SLOT_BYTES];
    bytes[..SLOT_BYTES].copy_from_slice(&header(master, count)?);
    for (slot, person, key) in slots {
        let at = *slot as usize * SLOT_BYTES;
        bytes[at..at + SLOT_BYTES].copy_from_slice(&wrap_slot(master, *slot, person, key)?);
    }
    replace_private_file(path, &bytes).map_err(io)
}

/// Replaces `path` with `bytes`, readable by its owner only, atomically: written to a sibling
/// file, synced, renamed over the old one, the folder synced. A crash leaves the old file or
/// the new one, never a part.
pub fn replace_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temporary = path.with_extension("new");
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)?;
    sync_parent(path);
    Ok(())
}

/// Slot 0: the magic, a verifier only the master key opens, and the sealed slot count.
fn header(master: &XChaCha20Poly1305, count: u64) -> Result<[u8; SLOT_BYTES], VaultError> {
    let mut bytes = [0u8; SLOT_BYTES];
    bytes[..MAGIC.len()].copy_from_slice(MAGIC);
    let verifier = seal_with(master, MAGIC, VERIFIER)?;
    bytes[MAGIC.len()..COUNT_AT].copy_from_slice(&verifier);
    let sealed_count = seal_with(master, COUNT_AAD, &count.to_le_bytes())?;
    bytes[COUNT_AT..COUNT_AT + sealed_count.len()].copy_from_slice(&sealed_count);
    Ok(bytes)
}

fn read_keyring(
    path: &Path,
    bytes: &[u8],
    master: &XChaCha20Poly1305,
    data: &Path,
) -> Result<Keys, VaultError> {
    let damaged = |reason: String| VaultError::Damaged {
        path: path.to_owned(),
        reason,
    };
    if bytes.len() < SLOT_BYTES || !bytes.starts_with(MAGIC) {
        return Err(damaged(format!(
            "it has {} bytes and no keyring header",
            bytes.len()
        )));
    }
    match open_with(master, MAGIC, &bytes[MAGIC.len()..COUNT_AT]) {
        Ok(plain) if plain == VERIFIER => {}
        _ => return Err(VaultError::WrongKey(data.to_owned())),
    }
    let count = open_with(
        master,
        COUNT_AAD,
        &bytes[COUNT_AT..COUNT_AT + NONCE_BYTES + 8 + TAG_BYTES],
    )
    .ok()
    .and_then(|plain| Some(u64::from_le_bytes(plain.try_into().ok()?)))
    .ok_or_else(|| damaged("its slot count cannot be read".into()))?;
    // A slot cut short by a crash while the file grew held no committed data: data is
    // sealed only after its key's slot is synced. It is reused. A file holding fewer slots
    // than the header counts lost keys: refused.
    let slots = (bytes.len() / SLOT_BYTES) as u64;
    if slots < count {
        return Err(damaged(format!(
            "it holds {slots} of its {count} slots: it was cut short"
        )));
    }
    let mut keys = Keys {
        slots,
        counted: count,
        ..Keys::default()
    };
    for slot in 1..slots {
        let at = slot as usize * SLOT_BYTES;
        let bytes = &bytes[at..at + SLOT_BYTES];
        if bytes.iter().all(|&b| b == 0) {
            keys.free.push(slot);
            continue;
        }
        let (person, key) = unwrap_slot(master, slot, bytes)
            .ok_or_else(|| damaged(format!("slot {slot} cannot be read")))?;
        keys.by_person.insert(person, PersonKey { slot, key });
    }
    // Lowest slots first, so the file stays short.
    keys.free.sort_unstable_by(|a, b| b.cmp(a));
    Ok(keys)
}

fn unwrap_slot(
    master: &XChaCha20Poly1305,
    slot: u64,
    bytes: &[u8],
) -> Option<(String, Zeroizing<[u8; KEY_BYTES]>)> {
    let len = usize::from(u16::from_le_bytes([
        bytes[1 + NONCE_BYTES],
        bytes[SLOT_HEADER - 1],
    ]));
    let mut sealed = Vec::with_capacity(NONCE_BYTES + len);
    sealed.extend_from_slice(&bytes[1..1 + NONCE_BYTES]);
    sealed.extend_from_slice(bytes.get(SLOT_HEADER..SLOT_HEADER + len)?);
    let plain = Zeroizing::new(open_with(master, &slot_aad(slot), &sealed).ok()?);
    let (person, key) = split_person(&plain)?;
    let key: [u8; KEY_BYTES] = key.try_into().ok()?;
    Some((person.to_owned(), Zeroizing::new(key)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> MasterKey {
        MasterKey::generate().unwrap()
    }

    #[test]
    fn a_sealed_value_opens_under_its_key_only_hides_words_and_id_and_plain_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let master = key();
        let vault = Vault::open(dir.path(), &master).unwrap();
        let sealed = vault
            .seal("console:anna", b"c\0x", b"Jeg lyttede til Ib")
            .unwrap();
        assert!(!sealed.windows(2).any(|w| w == b"Ib"));
        assert!(
            !sealed.windows(4).any(|w| w == b"anna"),
            "no id in the value"
        );
        assert_eq!(
            vault.unseal(b"c\0x", &sealed).unwrap(),
            b"Jeg lyttede til Ib"
        );
        // Moved to another key, it does not open.
        assert!(matches!(
            vault.unseal(b"c\0y", &sealed),
            Err(VaultError::Tampered)
        ));
        assert!(matches!(
            vault.unseal(b"c\0x", b"{\"plain\":1}"),
            Err(VaultError::NotSealed)
        ));
        let shared = vault.seal_shared(b"group\0g", b"Team Nord").unwrap();
        assert_eq!(vault.unseal(b"group\0g", &shared).unwrap(), b"Team Nord");
        assert!(vault.unseal(b"group\0h", &shared).is_err());
    }

    #[test]
    fn rotating_the_master_key_keeps_the_folder_key_names_and_shared_values() {
        let dir = tempfile::tempdir().unwrap();
        let (old, new) = (key(), key());
        let (name, shared) = {
            let vault = Vault::open(dir.path(), &old).unwrap();
            let name = vault.names().name(crate::names::Kind::Person, "telegram:7");
            (name, vault.seal_shared(b"k", b"group").unwrap())
        };
        Vault::rotate(dir.path(), &old, &new).unwrap();
        let vault = Vault::open(dir.path(), &new).unwrap();
        assert_eq!(
            vault.names().name(crate::names::Kind::Person, "telegram:7"),
            name
        );
        assert_eq!(vault.unseal(b"k", &shared).unwrap(), b"group");
    }

    #[test]
    fn keys_survive_a_reopen_and_only_the_right_master_key_opens_them() {
        let dir = tempfile::tempdir().unwrap();
        let master = key();
        let sealed = {
            let vault = Vault::open(dir.path(), &master).unwrap();
            vault.seal("telegram:7", b"k", b"words").unwrap()
        };
        let vault = Vault::open(dir.path(), &master).unwrap();
        assert_eq!(vault.unseal(b"k", &sealed).unwrap(), b"words");
        let wrong = Vault::open(dir.path(), &key()).unwrap_err();
        assert!(matches!(wrong, VaultError::WrongKey(_)), "{wrong}");
    }

    #[test]
    fn a_shredded_key_is_gone_from_the_file_and_its_slot_is_reused() {
        let dir = tempfile::tempdir().unwrap();
        let master = key();
        let vault = Vault::open(dir.path(), &master).unwrap();
        let sealed = vault.seal("console:anna", b"k", b"words").unwrap();
        vault.seal("console:bo", b"k", b"more").unwrap();
        let slot = vault.read_keys().by_person["console:anna"].slot as usize;
        let before = std::fs::read(dir.path().join(KEYRING_FILE)).unwrap();
        assert!(vault.shred("console:anna").unwrap());
        assert!(!vault.shred("console:anna").unwrap());
        assert!(matches!(
            vault.unseal(b"k", &sealed),
            Err(VaultError::NoKey)
        ));
        let after = std::fs::read(dir.path().join(KEYRING_FILE)).unwrap();
        assert_eq!(before.len(), after.len());
        let zeroed = &after[slot * SLOT_BYTES..(slot + 1) * SLOT_BYTES];
        assert!(zeroed.iter().all(|&b| b == 0));
        drop(vault);
        let vault = Vault::open(dir.path(), &master).unwrap();
        assert!(matches!(
            vault.unseal(b"k", &sealed),
            Err(VaultError::NoKey)
        ));
        vault.seal("console:cy", b"k", b"new").unwrap();
        let reused = std::fs::read(dir.path().join(KEYRING_FILE)).unwrap();
        assert_eq!(reused.len(), after.len(), "the zeroed slot was reused");
    }

    /// A burst of new people, each writing twice at once, async and blocking callers mixed,
    /// more than one growth of the file: one key each, every value opens after a reopen.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_new_people_at_once_each_get_one_durable_key() {
        let dir = tempfile::tempdir().unwrap();
        let master = key();
        let vault = std::sync::Arc::new(Vault::open(dir.path(), &master).unwrap());
        let person = |i: usize| format!("telegram:{}", i % 100);
        let mut tasks = Vec::new();
        for i in 0..200 {
            let vault = vault.clone();
            tasks.push(tokio::spawn(async move {
                vault.prepare_key(&person(i)).await.unwrap();
                (
                    i,
                    vault
                        .seal(&person(i), b"k", i.to_string().as_bytes())
                        .unwrap(),
                )
            }));
        }
        let threads: Vec<_> = (200..240)
            .map(|i| {
                let vault = vault.clone();
                std::thread::spawn(move || {
                    (
                        i,
                        vault
                            .seal(&person(i), b"k", i.to_string().as_bytes())
                            .unwrap(),
                    )
                })
            })
            .collect();
        let mut sealed = Vec::new();
        for task in tasks {
            sealed.push(task.await.unwrap());
        }
        for thread in threads {
            sealed.push(thread.join().unwrap());
        }
        drop(vault);
        let vault = Vault::open(dir.path(), &master).unwrap();
        // A hundred people, and the folder's own key.
        assert_eq!(vault.read_keys().by_person.len(), 101);
        for (i, value) in sealed {
            assert_eq!(
                vault.unseal(b"k", &value).unwrap(),
                *i.to_string().as_bytes()
            );
        }
    }

    /// Killed after the file grew and before its header counted the new slots: the next
    /// open counts them, so a copy cut short among them is still refused.
    #[test]
    fn slots_a_crash_left_uncounted_are_counted_at_the_next_open() {
        let dir = tempfile::tempdir().unwrap();
        let master = key();
        let path = dir.path().join(KEYRING_FILE);
        let sealed = {
            let vault = Vault::open(dir.path(), &master).unwrap();
            vault.seal("console:anna", b"k", b"words").unwrap()
        };
        let grown = std::fs::read(&path).unwrap().len();
        assert_eq!(grown, (1 + GROW_SLOTS as usize) * SLOT_BYTES);
        let file = OpenOptions::new().write(true).open(&path).unwrap();
        write_at(&file, &header(&master.cipher(), 1).unwrap(), 0).unwrap();
        let vault = Vault::open(dir.path(), &master).unwrap();
        assert_eq!(vault.unseal(b"k", &sealed).unwrap(), b"words");
        drop(vault);
        file.set_len((grown - SLOT_BYTES) as u64).unwrap();
        let cut = Vault::open(dir.path(), &master).unwrap_err();
        assert!(matches!(cut, VaultError::Damaged { .. }), "{cut}");
    }

    #[test]
    fn a_damaged_keyring_or_data_without_one_is_refused_without_change() {
        let dir = tempfile::tempdir().unwrap();
        let master = key();
        Vault::open(dir.path(), &master)
            .unwrap()
            .seal("a:1", b"k", b"x")
            .unwrap();
        let path = dir.path().join(KEYRING_FILE);
        let whole = std::fs::read(&path).unwrap();
        std::fs::write(&path, &whole[..100]).unwrap();
        let err = Vault::open(dir.path(), &master).unwrap_err();
        assert!(matches!(err, VaultError::Damaged { .. }), "{err}");
        assert_eq!(
            std::fs::read(&path).unwrap().len(),
            100,
            "nothing was changed"
        );
        // Cut on a slot boundary (as a copy stopped at a block would be): the lost key is
        // noticed, not silently missing.
        std::fs::write(&path, &whole[..SLOT_BYTES]).unwrap();
        let err = Vault::open(dir.path(), &master).unwrap_err();
        assert!(err.to_string().contains("cut short"), "{err}");
        let mut flipped = whole.clone();
        flipped[SLOT_BYTES + 40] ^= 1;
        std::fs::write(&path, &flipped).unwrap();
        let err = Vault::open(dir.path(), &master).unwrap_err();
        assert!(err.to_string().contains("slot 1"), "{err}");
        std::fs::remove_file(&path).unwrap();
        std::fs::write(dir.path().join("db"), b"sled").unwrap();
        let err = Vault::open(dir.path(), &master).unwrap_err();
        assert!(matches!(err, VaultError::NoKeyring(_)), "{err}");
        assert!(!path.exists());
    }

    #[test]
    fn rotation_rewraps_the_keys_under_the_new_master_key() {
        let dir = tempfile::tempdir().unwrap();
        let (old, new) = (key(), key());
        let sealed = Vault::open(dir.path(), &old)
            .unwrap()
            .seal("a:1", b"k", b"kept")
            .unwrap();
        assert_eq!(Vault::rotate(dir.path(), &old, &new).unwrap(), 1);
        assert!(matches!(
            Vault::open(dir.path(), &old),
            Err(VaultError::WrongKey(_))
        ));
        let vault = Vault::open(dir.path(), &new).unwrap();
        assert_eq!(vault.unseal(b"k", &sealed).unwrap(), b"kept");
    }

    #[test]
    fn master_keys_are_read_strictly_and_files_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let made = MasterKey::create_file(&path).unwrap();
        let read = MasterKey::read_file(&path).unwrap();
        assert_eq!(made.hex(), read.hex());
        assert!(MasterKey::create_file(&path).is_err());
        assert_eq!(MasterKey::read_file(&path).unwrap().hex(), made.hex());
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, &text[..40]).unwrap();
        let err = MasterKey::read_file(&path).unwrap_err();
        assert!(err.to_string().contains("40 characters"), "{err}");
        assert!(MasterKey::parse(&"zz".repeat(32), "test").is_err());
        assert!(format!("{made:?}").contains("hidden"));
    }
}
