//! The dialogues and messages, loaded and checked once at start-up: from folders, or the
//! defaults compiled into the binary by `build.rs`. A broken dialogue or message is refused
//! here, naming its file, before anyone is answered.

use std::path::{Path, PathBuf};

use crate::dialogs::{catalog_from_sources, load_catalog, Catalog, DialogError};
use crate::engine::check_messages;
use crate::i18n::{I18nError, Lang, Locales};

/// The Fluent messages one part of the program words itself, with the variables each takes:
/// checked at start-up in every language.
pub type MessageList = &'static [(&'static str, &'static [&'static str])];

/// Everything wrong with the dialogue and locale files, each naming its file.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    #[error("{}", list(.0))]
    Locales(Vec<I18nError>),
    #[error("{}", list(.0))]
    Dialogs(Vec<DialogError>),
}

impl ContentError {
    /// Each problem as one line.
    #[must_use]
    pub fn lines(&self) -> Vec<String> {
        match self {
            ContentError::Locales(problems) => problems.iter().map(ToString::to_string).collect(),
            ContentError::Dialogs(problems) => problems.iter().map(ToString::to_string).collect(),
        }
    }
}

fn list<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The checked dialogues and messages.
#[derive(Debug)]
pub struct Content {
    pub catalog: Catalog,
    pub locales: Locales,
}

/// The default dialogues and locales, compiled in by `build.rs`.
mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

impl Content {
    /// Loads and checks dialogues, locales and every message the engine uses: from the given
    /// folders, or the compiled-in defaults where a folder is not given.
    ///
    /// `more` are the message lists of the parts outside the engine that word messages of
    /// their own (the chat channels); each must format in every language too.
    pub fn load(
        dialogs: Option<&Path>,
        locales: Option<&Path>,
        more: &[MessageList],
    ) -> Result<Content, ContentError> {
        let locales = match locales {
            Some(dir) => Locales::load(dir),
            None => Locales::from_sources(
                embedded::LOCALES
                    .iter()
                    .filter_map(|(lang, file, text)| {
                        Some((Lang::parse(lang)?, PathBuf::from(file), (*text).to_owned()))
                    })
                    .collect(),
            ),
        }
        .map_err(ContentError::Locales)?;
        let mut problems = check_messages(&locales, more);
        if !problems.is_empty() {
            problems.dedup();
            return Err(ContentError::Locales(problems));
        }
        let catalog = match dialogs {
            Some(dir) => load_catalog(dir, &locales),
            None => catalog_from_sources(
                embedded::DIALOGS
                    .iter()
                    .map(|(file, text)| (PathBuf::from(file), (*text).to_owned()))
                    .collect(),
                &locales,
            ),
        }
        .map_err(ContentError::Dialogs)?;
        // Every message a dialogue shows must also format: intros get the trial's text, and
        // questions the asker's role.
        let mut problems = Vec::new();
        for lang in Lang::ALL {
            for dialogue in catalog.iter() {
                for id in dialogue.message_ids() {
                    let args = [("trial", "tekst".into()), ("role", "staff".into())];
                    if let Err(err) = locales.format(lang, id, &args) {
                        problems.push(err);
                    }
                }
            }
        }
        if !problems.is_empty() {
            problems.dedup();
            return Err(ContentError::Locales(problems));
        }
        Ok(Content { catalog, locales })
    }
}
