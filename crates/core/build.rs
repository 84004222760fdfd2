//! Compiles the default dialogues and locales (`dialogs/` and `locales/` at the top of the
//! repository) into the core, so `eftertanke chat` works on a fresh machine from any folder.
//! `--dialogs` and `--locales` still read folders on disk.

use std::fmt::Write as _;
use std::path::Path;

fn files(dir: &Path, ext: &str) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == ext))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

fn main() -> std::io::Result<()> {
    // The content lives at the top of the repository, two folders up.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.as_path();
    let mut out = String::from("pub const DIALOGS: &[(&str, &str)] = &[\n");
    println!("cargo:rerun-if-changed={}", root.join("dialogs").display());
    for file in files(&root.join("dialogs"), "toml") {
        println!("cargo:rerun-if-changed={}", file.display());
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        let _ = writeln!(out, "    (\"dialogs/{name}\", include_str!({:?})),", file);
    }
    out.push_str("];\npub const LOCALES: &[(&str, &str, &str)] = &[\n");
    for lang in ["da", "en"] {
        let dir = root.join("locales").join(lang);
        println!("cargo:rerun-if-changed={}", dir.display());
        for file in files(&dir, "ftl") {
            println!("cargo:rerun-if-changed={}", file.display());
            let name = file.file_name().unwrap_or_default().to_string_lossy();
            let _ = writeln!(
                out,
                "    (\"{lang}\", \"locales/{lang}/{name}\", include_str!({:?})),",
                file
            );
        }
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("embedded.rs");
    // An error here fails the build, naming it.
    std::fs::write(&target, out)
}
