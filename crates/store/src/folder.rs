//! The data folder: private to its owner, opened in order (keyring, then store), migrated
//! from the first layout, erasures cut short by a crash finished.

use std::path::Path;

use crate::migrate;
use crate::sled_store::{SledStore, STORE_DIR};
use crate::vault::{MasterKey, Vault, VaultError};
use crate::{prefix, Op, Store, StoreError};
use eftertanke_core::records::PersonId;

/// Opens the data folder `dir`: checks that only its owner can read it, opens its keyring
/// with `master` (a wrong key changes nothing), migrates a folder of the first layout, then
/// opens its sled store with a page cache of `cache_bytes`. The keys of people whose erasure
/// a crash cut short are destroyed before anything else reads.
pub fn open_folder(
    dir: &Path,
    master: &MasterKey,
    cache_bytes: u64,
) -> Result<(SledStore, Vault), StoreError> {
    let first_layout = migrate::is_first_layout(dir);
    if first_layout {
        // Made by a release that left its files to the umask: made private as it migrates.
        make_private(dir)
            .map_err(|err| StoreError::Backend(format!("{}: {err}", dir.display())))?;
    } else {
        refuse_if_shared(dir, "data folder")?;
    }
    let vault = Vault::open(dir, master)?;
    eftertanke_core::records::key_pseudonyms(master.pseudonym_key());
    if first_layout {
        migrate::to_keyed_names(dir, &vault)?;
    }
    let store = SledStore::open(dir, cache_bytes)?;
    let mut ops = Vec::new();
    if store.get(migrate::LAYOUT)?.is_none() {
        ops.push(Op::Put(
            migrate::LAYOUT.to_vec(),
            migrate::KEYED_NAMES.to_vec(),
        ));
    }
    for (key, value) in store.scan_prefix(&prefix(&["forget"]))? {
        let person: PersonId = crate::parse(&key, &vault.unseal(&key, &value)?)?;
        vault.shred(person.as_str())?;
        // The marker goes now, before anyone writes: a person who writes again gets a new
        // key, which a marker left behind would destroy.
        ops.push(Op::Delete(key));
    }
    if !ops.is_empty() {
        store.apply_at_open(ops)?;
    }
    Ok((store, vault))
}

/// Creates `dir` (and what leads to it) readable by its owner only; an existing folder is
/// left as it is.
pub fn create_private(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Refuses a file or folder that group or others may read, as ssh refuses a shared private
/// key: with what to do about it, changing nothing. One that does not exist yet is fine.
pub fn refuse_if_shared(path: &Path, what: &str) -> Result<(), StoreError> {
    match open_to(path) {
        Some(mode) => Err(StoreError::Vault(VaultError::Shared {
            what: what.to_owned(),
            path: path.to_owned(),
            mode,
        })),
        None => Ok(()),
    }
}

/// The mode of `path` when group or others may read or enter it.
#[cfg(unix)]
pub(crate) fn open_to(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then_some(mode)
}

#[cfg(not(unix))]
pub(crate) fn open_to(_: &Path) -> Option<u32> {
    None
}

/// Makes a folder of the first layout private: the folder and every folder in it 0700,
/// every file 0600.
fn make_private(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mut folders = vec![dir.to_path_buf()];
        while let Some(folder) = folders.pop() {
            std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o700))?;
            for entry in std::fs::read_dir(&folder)? {
                let entry = entry?;
                if entry.file_type()?.is_dir() {
                    folders.push(entry.path());
                } else {
                    std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(0o600))?;
                }
            }
        }
    }
    let _ = dir;
    Ok(())
}

/// True when `dir` holds a store (of either layout): data a new key must never be made for.
#[must_use]
pub fn holds_data(dir: &Path) -> bool {
    dir.join(STORE_DIR).exists() || migrate::is_first_layout(dir)
}
