//! Privacy end to end through the terminal binary on real sled folders: consent before
//! storage, /mydata, /forget that leaves nothing readable, and keys that must fit.

use std::io::Write as _;
use std::path::Path;
use std::process::Stdio;

use eftertanke::records::PersonId;
use eftertanke::store::names::Kind;
use eftertanke::store::{default_key_file, open_folder, MasterKey, Store, VaultError};

use super::chat::{chat, chat_command, folder_bytes, holds, records};

const CITIZEN: &[&str] = &["--as", "citizen", "--lang", "en"];

/// A check-in with `hope` as its written words; `consent` answers the question whether the
/// answers may be stored. In no group, nobody is asked to share or for an idea.
fn check_in(hope: &str, consent: Option<&str>) -> String {
    let consent = consent.map(|c| format!("{c}\n")).unwrap_or_default();
    format!("/reflect\ncheck in\n{consent}{hope}\nrest\nskip\nfamily\n4\n5\nno\n")
}

/// Runs the chat and expects it to refuse to start: its error output.
fn refused(data: &Path, args: &[&str]) -> String {
    let mut child = chat_command(data, args)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"/help\n").unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(!output.status.success(), "it started");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn without_consent_nothing_is_stored_and_with_it_everything_is() {
    let dir = super::chat::private_dir();
    let data = dir.path().join("data");
    let out = chat(
        &data,
        CITIZEN,
        &check_in("Plant tomatoes on the roof", Some("no")),
    );
    assert!(out.contains("may I save your answers?"), "{out}");
    assert!(
        out.contains("I keep nothing of what you write here"),
        "{out}"
    );
    assert!(out.contains("Thank you for your answers"), "{out}");
    let local = PersonId::new("console", "local");
    {
        let records = records(&data);
        assert!(records.answers(&local).unwrap().is_empty());
        assert!(records.runs(&local).unwrap().is_empty());
        assert_eq!(records.conversation(&local).unwrap().unwrap().consent, None);
    }
    // Asked again next time; yes this time.
    let out = chat(
        &data,
        CITIZEN,
        &check_in("Bake bread on Friday", Some("yes")),
    );
    assert!(out.contains("Your answers will be saved"), "{out}");
    let records = records(&data);
    let answers = records.answers(&local).unwrap();
    assert!(answers.len() >= 6, "{answers:?}");
    assert_eq!(records.runs(&local).unwrap().len(), 1);
}

#[test]
fn mydata_writes_a_file_beside_the_data_folder_and_forget_leaves_nothing_readable() {
    let dir = super::chat::private_dir();
    let data = dir.path().join("data");
    let words = "Quokka marmalade at the harbour";
    let script = format!("{}/trials\n/mydata\n", check_in(words, Some("1")));
    let out = chat(&data, CITIZEN, &script);
    assert!(out.contains("Here is all I have saved about you."), "{out}");
    assert!(out.contains(words), "{out}");
    let saved = out
        .lines()
        .find_map(|line| line.strip_prefix("The file is saved here: "))
        .unwrap_or_else(|| panic!("no file path in {out}"));
    assert_eq!(Path::new(saved).parent(), Some(dir.path()));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(saved).unwrap()).unwrap();
    assert!(json["answers"].to_string().contains(words), "{json}");
    std::fs::remove_file(saved).unwrap();
    // Never readable on disk, not even before /forget: the words are sealed.
    assert!(!holds(&folder_bytes(&data), "Quokka marmalade"));

    // Copies of every value sealed for the person, as old sled segments keep them.
    let local = PersonId::new("console", "local");
    let copies: Vec<(Vec<u8>, Vec<u8>)> = {
        let records = records(&data);
        let name = records.vault().names().name(Kind::Person, local.as_str());
        records
            .backend()
            .scan_prefix(b"")
            .unwrap()
            .into_iter()
            .filter(|(k, _)| holds(k, &name))
            .filter(|(_, v)| v.first() == Some(&0xE2))
            .collect()
    };
    assert!(copies.len() >= 8, "{}", copies.len());

    let out = chat(&data, CITIZEN, "/forget\n2\n/forget\n1\n");
    assert!(
        out.contains("Nothing is deleted") || out.contains("I keep it all"),
        "{out}"
    );
    assert!(out.contains("All about you is deleted now."), "{out}");
    let master = MasterKey::read_file(&default_key_file(&data)).unwrap();
    let (_, vault) = open_folder(&data, &master, 8 << 20).unwrap();
    for (key, copy) in &copies {
        assert!(
            matches!(vault.unseal(key, copy), Err(VaultError::NoKey)),
            "an old copy still opens with the master key"
        );
    }
    let name = vault.names().name(Kind::Person, local.as_str());
    drop(vault);
    let records = records(&data);
    let left: Vec<String> = records
        .backend()
        .scan_prefix(b"")
        .unwrap()
        .into_iter()
        .map(|(k, _)| String::from_utf8_lossy(&k).replace('\0', "/"))
        .filter(|k| k.contains(&name))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert!(!holds(&folder_bytes(&data), "Quokka marmalade"));
    drop(records);
    // Writing again starts afresh: asked for consent again.
    let out = chat(&data, CITIZEN, "/reflect\ncheck in\n");
    assert!(out.contains("may I save your answers?"), "{out}");
}

#[test]
fn a_wrong_missing_or_truncated_key_is_a_clear_error_that_changes_nothing() {
    let dir = super::chat::private_dir();
    let data = dir.path().join("data");
    chat(&data, CITIZEN, &check_in("Walk the dog", Some("yes")));
    let key_file = default_key_file(&data);
    let key = std::fs::read_to_string(&key_file).unwrap();
    let before = folder_bytes(&data);

    std::fs::write(&key_file, "00".repeat(32)).unwrap();
    let err = refused(&data, CITIZEN);
    assert!(err.contains("does not fit the data folder"), "{err}");

    std::fs::write(&key_file, &key[..30]).unwrap();
    let err = refused(&data, CITIZEN);
    assert!(err.contains("not 64 hexadecimal digits"), "{err}");

    std::fs::remove_file(&key_file).unwrap();
    let err = refused(&data, CITIZEN);
    assert!(err.contains("no master key"), "{err}");
    assert!(
        !key_file.exists(),
        "no new key is made for a folder with data"
    );

    // The folder copied elsewhere without its key.
    let copy = dir.path().join("copy");
    eftertanke::store::create_private(&copy).unwrap();
    for entry in walk(&data) {
        let to = copy.join(entry.strip_prefix(&data).unwrap());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &to).unwrap();
    }
    let err = refused(&copy, CITIZEN);
    assert!(err.contains("no master key"), "{err}");
    // Without its keyring, the data is refused too, not started afresh.
    std::fs::remove_file(copy.join("keyring")).unwrap();
    std::fs::write(default_key_file(&copy), &key).unwrap();
    let private: std::fs::Permissions = std::os::unix::fs::PermissionsExt::from_mode(0o600);
    std::fs::set_permissions(default_key_file(&copy), private.clone()).unwrap();
    let err = refused(&copy, CITIZEN);
    assert!(err.contains("holds data but no keyring"), "{err}");

    assert_eq!(folder_bytes(&data), before, "nothing was changed");
    std::fs::write(&key_file, &key).unwrap();
    std::fs::set_permissions(&key_file, private).unwrap();
    let local = PersonId::new("console", "local");
    assert!(!records(&data).answers(&local).unwrap().is_empty());
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(path) = todo.pop() {
        if path.is_dir() {
            todo.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else {
            files.push(path);
        }
    }
    files
}
