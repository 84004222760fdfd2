//! Metadata at rest: no platform id, group name or invite code anywhere in the data folder,
//! only its owner may read it, and a folder of the first layout (made by the release before
//! keyed names; kept in `tests/data/first-layout-folder.tar.gz`) is moved to the new one.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use eftertanke::records::{PersonId, Value};

use super::chat::{chat, folder_bytes, holds, records};

/// Every file of the folder readable by its owner only, every folder enterable by them only.
fn assert_private(dir: &Path) {
    let mut paths = vec![dir.to_path_buf()];
    while let Some(path) = paths.pop() {
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "{} has mode {mode:03o}", path.display());
        if path.is_dir() {
            paths.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        }
    }
}

/// The words nothing in the folder may hold, ever: ids, names, codes.
fn assert_no_metadata(data: &Path, words: &[&str]) {
    let bytes = folder_bytes(data);
    for word in words {
        assert!(!holds(&bytes, word), "`{word}` is readable in the folder");
    }
}

/// A facilitator makes a group, a citizen joins with its code, checks in, and forgets: no
/// platform id, group name or invite code is left readable in the folder, and it is private.
#[test]
fn no_platform_id_group_name_or_code_is_readable_in_the_folder() {
    let dir = super::chat::private_dir();
    let data = dir.path().join("data");
    let config = dir.path().join("eftertanke.toml");
    std::fs::write(&config, "facilitators = [\"console:fac-ingrid\"]\n").unwrap();
    let config = config.to_str().unwrap();
    let facilitator = ["--user", "fac-ingrid", "--lang", "en", "--config", config];
    let made = chat(&data, &facilitator, "/newgroup Lundehusgruppen\n");
    let code = |role: &str| {
        made.lines()
            .find_map(|l| l.strip_prefix(role))
            .unwrap_or_else(|| panic!("no {role} code in {made}"))
            .trim()
            .to_owned()
    };
    let (staff_code, citizen_code) = (code("Staff: "), code("Citizens: "));
    let citizen = [
        "--user",
        "cit-marmot",
        "--as",
        "citizen",
        "--lang",
        "en",
        "--config",
        config,
    ];
    let script = format!(
        "/join {citizen_code}\n/reflect\ncheck in\nyes\nA garden\nrest\nskip\nfamily\n4\n5\n\
         skip\nyes\nno\n"
    );
    let out = chat(&data, &citizen, &script);
    assert!(out.contains("Thank you for your answers"), "{out}");
    let words = [
        "fac-ingrid",
        "cit-marmot",
        "console:",
        "Lundehusgruppen",
        &staff_code,
        &citizen_code,
    ];
    assert_no_metadata(&data, &words);
    let out = chat(&data, &citizen, "/forget\n1\n");
    assert!(out.contains("All about you is deleted now."), "{out}");
    assert_no_metadata(&data, &words);
    assert_private(&data);
    assert_private(&eftertanke::store::default_key_file(&data));
    // The group is whole for its facilitator.
    let group = &records(&data).groups().unwrap()[0];
    assert_eq!(group.name, "Lundehusgruppen");
}

/// A folder or key file others can read is refused at start, as ssh refuses a shared key,
/// saying what to do; nothing is changed.
#[test]
fn a_folder_or_key_file_others_can_read_is_refused() {
    let dir = super::chat::private_dir();
    let data = dir.path().join("data");
    chat(&data, &["--lang", "en"], "/help\n");
    let refused = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
        let output = super::chat::chat_command(&data, &["--lang", "en"])
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        assert!(!output.status.success());
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let folder = refused(&data, 0o755);
    assert!(
        folder.contains("can be read by others (mode 755)"),
        "{folder}"
    );
    assert!(folder.contains("chmod 700"), "{folder}");
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).unwrap();
    let key = eftertanke::store::default_key_file(&data);
    let file = refused(&key, 0o644);
    assert!(file.contains("key file"), "{file}");
    assert!(file.contains("chmod 600"), "{file}");
}

/// A folder made by the release before keyed names: its keys held ids in plain text, its
/// groups and codes were not sealed. It opens, moves to keyed names, and is private; every
/// record is still there, and nothing of the old layout is left readable.
#[test]
fn a_folder_of_the_first_layout_is_moved_to_keyed_names() {
    let dir = super::chat::private_dir();
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/first-layout-folder.tar.gz");
    let untarred = std::process::Command::new("tar")
        .arg("xzf")
        .arg(&fixture)
        .arg("-C")
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(untarred.success());
    let data = dir.path().join("data");
    // What the first layout leaves readable: ids, the group's name, its codes.
    let words = [
        "console:marmot",
        "console:anna",
        "Quokkagruppen",
        "7YA3V-9TBJ4",
        "53SHP-EXRPP",
        "Quokkaanna",
    ];
    let before = folder_bytes(&data);
    assert!(
        words.iter().any(|w| holds(&before, w)),
        "the fixture is of the first layout"
    );

    // Its citizen comes back: everything is where it was.
    let citizen = ["--user", "marmot", "--as", "citizen", "--lang", "en"];
    let out = chat(&data, &citizen, "/mydata\n");
    assert!(out.contains("To cook my own dinner"), "{out}");
    assert!(!data.join("db").exists(), "the old store is gone");
    assert!(data.join("store").is_dir());
    assert_no_metadata(&data, &words);
    assert_private(&data);

    let records = records(&data);
    let groups = records.groups().unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].name, "Quokkagruppen");
    let invite = records.invite("53SHP-EXRPP").unwrap().unwrap();
    assert_eq!(invite.group, groups[0].id);
    let marmot = PersonId::new("console", "marmot");
    let anna = PersonId::new("console", "anna");
    let answers = records.answers(&marmot).unwrap();
    assert!(
        answers
            .iter()
            .any(|a| a.value == Value::Text("To cook my own dinner".into())),
        "{answers:?}"
    );
    assert_eq!(records.members(&groups[0].id).unwrap().len(), 3);
    assert!(records
        .reminders()
        .unwrap()
        .iter()
        .any(|r| r.person == marmot));
    let trials = records.trials(&anna).unwrap();
    assert_eq!(trials[0].what, "Ask about her plan each morning");
    assert_eq!(records.open_trials(Some(&groups[0].id)).unwrap().len(), 1);
    let shown = records.conversation(&anna).unwrap().unwrap().shown_name;
    assert_eq!(shown.as_deref(), Some("Quokkaanna"));
    let people = records.people().unwrap();
    assert_eq!(people.len(), 3, "{people:?}");
    drop(records);
    // Opened again, it is not moved again.
    let out = chat(&data, &citizen, "/trials\n");
    assert!(!out.contains("panicked"), "{out}");
    assert_no_metadata(&data, &words);
}
