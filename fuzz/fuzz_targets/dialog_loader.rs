//! Any text as a dialogue file: the loader and its validation either build a catalog or list
//! problems that name the file, never panic or hang.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use eftertanke_core::content::Content;
use eftertanke_core::dialogs::catalog_from_sources;
use libfuzzer_sys::fuzz_target;

static CONTENT: LazyLock<Content> =
    LazyLock::new(|| Content::load(None, None, &[]).expect("the compiled-in content loads"));

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let file = PathBuf::from("fuzz.toml");
    match catalog_from_sources(vec![(file, text)], &CONTENT.locales) {
        Ok(catalog) => assert!(catalog.iter().count() <= 1),
        Err(problems) => {
            assert!(!problems.is_empty());
            for problem in problems {
                assert!(problem.to_string().contains("fuzz.toml"), "{problem}");
            }
        }
    }
});
