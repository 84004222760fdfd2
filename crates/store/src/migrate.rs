//! From the first layout to keyed names (what releases before keyed names wrote): sled at
//! the top of the data folder, ids in plain text in its keys, values sealed with the person's
//! id in plain text before them, groups, invite codes and linked chats not sealed at all.
//!
//! The new store is written beside the old one, in `store/`, in batches; only when it is
//! whole does it get its `layout` mark, and only then are the old files deleted. A crash
//! before the mark leaves the old store as it was (the half-written new one is thrown away
//! and written again); a crash after it leaves a whole new store, and the old files go at
//! the next start.

use std::path::Path;

use crate::names::{is_name, Kind};
use crate::sled_store::{open_db, STORE_DIR};
use crate::vault::{Vault, VaultError};
use crate::{key, Entry, StoreError};

/// The key that marks a store of keyed names, and its value.
pub(crate) const LAYOUT: &[u8] = b"layout";
pub(crate) const KEYED_NAMES: &[u8] = b"2";
/// sled's page cache while migrating (each store's).
const MIGRATION_CACHE: u64 = 32 << 20;
/// Entries written in one batch.
const BATCH: usize = 1000;
/// sled's files at the top of a folder of the first layout.
const FIRST_LAYOUT_FILES: [&str; 2] = ["db", "conf"];

/// True when `dir` holds a store of the first layout (sled's log at the top of the folder).
#[must_use]
pub fn is_first_layout(dir: &Path) -> bool {
    dir.join("db").is_file()
}

/// Moves a store of the first layout to keyed names and sealed values (see the module).
pub fn to_keyed_names(dir: &Path, vault: &Vault) -> Result<(), StoreError> {
    let failed = |err: sled::Error| StoreError::Backend(format!("{}: {err}", dir.display()));
    let new_dir = dir.join(STORE_DIR);
    if new_dir.exists() && !is_whole(&new_dir)? {
        std::fs::remove_dir_all(&new_dir).map_err(|err| io(&new_dir, &err))?;
    }
    if !new_dir.exists() {
        tracing::warn!(folder = %dir.display(), "moving the data folder to keyed names");
        crate::folder::create_private(&new_dir).map_err(|err| io(&new_dir, &err))?;
        let old = open_db(dir, MIGRATION_CACHE)?;
        let new = open_db(&new_dir, MIGRATION_CACHE)?;
        let mut batch = sled::Batch::default();
        let (mut moved, mut dropped, mut in_batch) = (0usize, 0usize, 0usize);
        for entry in old.iter() {
            let (k, v) = entry.map_err(failed)?;
            match convert(vault, &k, &v)? {
                Some((k, v)) => {
                    batch.insert(k, v);
                    moved += 1;
                    in_batch += 1;
                }
                None => dropped += 1,
            }
            if in_batch == BATCH {
                new.apply_batch(std::mem::take(&mut batch))
                    .map_err(failed)?;
                in_batch = 0;
            }
        }
        new.apply_batch(batch).map_err(failed)?;
        new.flush().map_err(failed)?;
        // Whole: marked, durably, before anything old goes.
        new.insert(LAYOUT, KEYED_NAMES).map_err(failed)?;
        new.flush().map_err(failed)?;
        drop(new);
        drop(old);
        tracing::warn!(moved, dropped, "the data folder now has keyed names");
    }
    remove_first_layout(dir)
}

/// True when the store in `dir` carries the `layout` mark: it was written whole.
fn is_whole(dir: &Path) -> Result<bool, StoreError> {
    let db = open_db(dir, MIGRATION_CACHE)?;
    Ok(db
        .get(LAYOUT)
        .map_err(|err| StoreError::Backend(err.to_string()))?
        .is_some_and(|value| value.as_ref() == KEYED_NAMES))
}

/// Deletes sled's files of the first layout (they hold ids in plain text).
fn remove_first_layout(dir: &Path) -> Result<(), StoreError> {
    for name in FIRST_LAYOUT_FILES {
        let path = dir.join(name);
        if path.exists() {
            std::fs::remove_file(&path).map_err(|err| io(&path, &err))?;
        }
    }
    let blobs = dir.join("blobs");
    if blobs.exists() {
        std::fs::remove_dir_all(&blobs).map_err(|err| io(&blobs, &err))?;
    }
    for entry in std::fs::read_dir(dir).map_err(|err| io(dir, &err))? {
        let path = entry.map_err(|err| io(dir, &err))?.path();
        let snapshot = path
            .file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with("snap."));
        if snapshot {
            std::fs::remove_file(&path).map_err(|err| io(&path, &err))?;
        }
    }
    Ok(())
}

fn io(path: &Path, err: &std::io::Error) -> StoreError {
    StoreError::Backend(format!("{}: {err}", path.display()))
}

/// One entry of the first layout in the new one; `None` for what is not kept (a record of
/// someone forgotten, whose key is gone; an erasure marker, finished here).
fn convert(vault: &Vault, k: &[u8], v: &[u8]) -> Result<Option<Entry>, StoreError> {
    let parts: Vec<&str> = k
        .split(|&b| b == 0)
        .map(|part| std::str::from_utf8(part).unwrap_or_default())
        .collect();
    let names = vault.names();
    let n = |kind: Kind, id: &str| names.name(kind, id);
    let (person, new_key) = match parts.as_slice() {
        ["c", p] => (Some(*p), key(&["c", &n(Kind::Person, p)])),
        ["a", p, run, step] => (
            Some(*p),
            key(&["a", &n(Kind::Person, p), run, &n(Kind::Step, step)]),
        ),
        ["r", p, run] => (Some(*p), key(&["r", &n(Kind::Person, p), run])),
        ["t", p, trial] => (
            Some(*p),
            key(&["t", &n(Kind::Person, p), &n(Kind::Trial, trial)]),
        ),
        ["g", g, week, p, run, step] => (
            Some(*p),
            key(&[
                "g",
                &n(Kind::Group, g),
                week,
                &n(Kind::Person, p),
                run,
                &n(Kind::Step, step),
            ]),
        ),
        ["grun", g, week, p, run] => (
            Some(*p),
            key(&["grun", &n(Kind::Group, g), week, &n(Kind::Person, p), run]),
        ),
        ["gtrial", g, week, p, trial] => (
            Some(*p),
            key(&[
                "gtrial",
                &n(Kind::Group, g),
                week,
                &n(Kind::Person, p),
                &n(Kind::Trial, trial),
            ]),
        ),
        ["open", g, p, trial] => {
            let group = if *g == "-" {
                "-".to_owned()
            } else {
                n(Kind::Group, g)
            };
            (
                Some(*p),
                key(&["open", &group, &n(Kind::Person, p), &n(Kind::Trial, trial)]),
            )
        }
        ["member", g, p] => (
            Some(*p),
            key(&["member", &n(Kind::Group, g), &n(Kind::Person, p)]),
        ),
        ["remind", p] => (Some(*p), key(&["remind", &n(Kind::Person, p)])),
        ["outbox", p, at, tag] => {
            let platform = eftertanke_core::records::PersonId((*p).to_owned())
                .recipient()
                .map_or("other", |to| to.platform().name());
            (
                Some(*p),
                key(&[
                    "outbox",
                    platform,
                    &n(Kind::Person, p),
                    at,
                    &n(Kind::Tag, tag),
                ]),
            )
        }
        // Plain in the first layout, and still plain: when an event was handled; a digest
        // sent.
        ["e", p, event] => {
            let k = key(&["e", &n(Kind::Person, p), &n(Kind::Event, event)]);
            return Ok(Some((k, v.to_vec())));
        }
        ["sent", g, week, p] => {
            let k = key(&["sent", &n(Kind::Group, g), week, &n(Kind::Person, p)]);
            return Ok(Some((k, v.to_vec())));
        }
        // Not sealed in the first layout: sealed under the folder's shared key now.
        ["group", g] => (None, key(&["group", &n(Kind::Group, g)])),
        ["invite", code] => (None, key(&["invite", &n(Kind::Code, code)])),
        ["dchat", g, chat] => (
            None,
            key(&["dchat", &n(Kind::Group, g), &n(Kind::Person, chat)]),
        ),
        // An erasure a crash cut short: its records are gone; its key goes now.
        ["forget", p] => {
            vault.shred(p)?;
            return Ok(None);
        }
        ["purged"] => return Ok(Some((k.to_vec(), v.to_vec()))),
        _ if parts.get(1).is_some_and(|part| is_name(part.as_bytes())) => {
            return Ok(Some((k.to_vec(), v.to_vec())))
        }
        _ => {
            tracing::warn!(
                kind = parts.first().copied().unwrap_or_default(),
                "an entry of an unknown kind, left out"
            );
            return Ok(None);
        }
    };
    let sealed = match person {
        Some(person) => match vault.open_v1(v) {
            Ok(plain) => vault.seal(person, &new_key, &plain)?,
            // Someone forgotten: their key is gone, and so are their records now.
            Err(VaultError::NoKey) => return Ok(None),
            Err(err) => return Err(err.into()),
        },
        None => vault.seal_shared(&new_key, v)?,
    };
    Ok(Some((new_key, sealed)))
}
