//! Every user-facing word, from Fluent files in `locales/<lang>/*.ftl`.
//!
//! Loading checks what a translator can break: a syntax error, an id defined twice, an id that
//! one language has and another lacks. All problems are reported at once, each naming its file,
//! so a broken translation is refused at start-up instead of silently falling back.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_syntax::ast;
use serde::{Deserialize, Serialize};

/// The languages eftertanke speaks. Every message must exist in each of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Da,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Da, Lang::En];

    /// The folder name under `locales/` and the code people type (`/language en`).
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Lang::Da => "da",
            Lang::En => "en",
        }
    }

    /// Reads a language code loosely: "da", "DA", "da-DK", "dansk", "english".
    #[must_use]
    pub fn parse(text: &str) -> Option<Lang> {
        let text = text.trim().to_lowercase();
        let primary = text.split(['-', '_']).next().unwrap_or_default();
        match primary {
            "da" | "dansk" | "danish" | "dk" => Some(Lang::Da),
            "en" | "english" | "engelsk" => Some(Lang::En),
            _ => None,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A problem with the locale files, naming the file (and message) it concerns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum I18nError {
    #[error("{file}: cannot read: {reason}")]
    Read { file: PathBuf, reason: String },
    #[error("{file}: line {line}: Fluent syntax error: {reason}")]
    Syntax {
        file: PathBuf,
        line: usize,
        reason: String,
    },
    #[error("{file}: message `{id}` is defined twice (also in {other})")]
    Duplicate {
        file: PathBuf,
        other: PathBuf,
        id: String,
    },
    #[error("locales/{lang}: message `{id}` is missing (it exists in {present_in})")]
    MissingInLocale {
        lang: Lang,
        id: String,
        present_in: PathBuf,
    },
    #[error("locales/{lang}: no .ftl files found in {dir}")]
    EmptyLocale { lang: Lang, dir: PathBuf },
    #[error("message `{id}` does not exist in locale {lang}")]
    UnknownMessage { lang: Lang, id: String },
    #[error("message `{id}` in locale {lang} does not format: {reason}")]
    Format {
        lang: Lang,
        id: String,
        reason: String,
    },
}

/// One language's messages, and the file each came from.
struct Locale {
    bundle: FluentBundle<FluentResource>,
    files: BTreeMap<String, PathBuf>,
    /// The line of each message in its file, for the check's problems.
    lines: BTreeMap<String, usize>,
    /// The variables each message takes, for the check: name, and the keys of the
    /// variants it selects among (none when it only shows the value).
    variables: BTreeMap<String, Vec<(String, Vec<String>)>>,
    /// The text of every variant of each message: for the check of the commands it names.
    every: BTreeMap<String, String>,
}

/// All locales, loaded and cross-checked.
pub struct Locales {
    locales: BTreeMap<Lang, Locale>,
}

impl fmt::Debug for Locales {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Locales")
            .field("languages", &self.locales.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Arguments for a message: `&[("count", 3.into())]`.
pub type Args<'a> = [(&'a str, FluentValue<'a>)];

impl Locales {
    /// Loads `dir/<lang>/*.ftl` for every language, reporting every problem found.
    pub fn load(dir: &Path) -> Result<Locales, Vec<I18nError>> {
        let mut problems = Vec::new();
        let mut sources = Vec::new();
        for lang in Lang::ALL {
            let lang_dir = dir.join(lang.code());
            match ftl_files(&lang_dir) {
                Ok(files) => {
                    for file in files {
                        match std::fs::read_to_string(&file) {
                            Ok(text) => sources.push((lang, file, text)),
                            Err(err) => problems.push(I18nError::Read {
                                file,
                                reason: err.to_string(),
                            }),
                        }
                    }
                }
                Err(reason) => problems.push(I18nError::Read {
                    file: lang_dir,
                    reason,
                }),
            }
        }
        match Locales::from_sources(sources) {
            Ok(locales) if problems.is_empty() => Ok(locales),
            Ok(_) => Err(problems),
            Err(more) => {
                problems.extend(more);
                Err(problems)
            }
        }
    }

    /// Builds the locales from (language, file name, text): files on disk or compiled in.
    pub fn from_sources(sources: Vec<(Lang, PathBuf, String)>) -> Result<Locales, Vec<I18nError>> {
        let mut problems = Vec::new();
        let mut locales = BTreeMap::new();
        for lang in Lang::ALL {
            let files: Vec<(PathBuf, String)> = sources
                .iter()
                .filter(|(l, _, _)| *l == lang)
                .map(|(_, file, text)| (file.clone(), text.clone()))
                .collect();
            if files.is_empty() {
                problems.push(I18nError::EmptyLocale {
                    lang,
                    dir: PathBuf::from("locales").join(lang.code()),
                });
                continue;
            }
            locales.insert(lang, Locale::from_sources(lang, files, &mut problems));
        }
        cross_check(&locales, &mut problems);
        if problems.is_empty() {
            Ok(Locales { locales })
        } else {
            Err(problems)
        }
    }

    /// True when `id` exists in every language.
    #[must_use]
    pub fn has(&self, id: &str) -> bool {
        Lang::ALL.iter().all(|lang| {
            self.locales
                .get(lang)
                .is_some_and(|locale| locale.files.contains_key(id))
        })
    }

    /// Every message id (they are the same in every language once loaded).
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.locales
            .get(&Lang::Da)
            .into_iter()
            .flat_map(|locale| locale.files.keys().map(String::as_str))
    }

    /// The file a message comes from in a language, for error messages.
    #[must_use]
    pub fn file_of(&self, lang: Lang, id: &str) -> Option<&Path> {
        self.locales.get(&lang)?.files.get(id).map(PathBuf::as_path)
    }

    /// The text of every variant of a message, for checks on all a reader may see.
    #[must_use]
    pub fn every_variant(&self, lang: Lang, id: &str) -> Option<&str> {
        self.locales.get(&lang)?.every.get(id).map(String::as_str)
    }

    /// The line a message starts on in its file.
    #[must_use]
    pub fn line_of(&self, lang: Lang, id: &str) -> Option<usize> {
        self.locales.get(&lang)?.lines.get(id).copied()
    }

    /// The variables message `id` takes: each name, with the keys of the variants it selects
    /// among (empty when it is only shown). For the check, which formats every variant.
    #[must_use]
    pub fn variables(&self, lang: Lang, id: &str) -> &[(String, Vec<String>)] {
        self.locales
            .get(&lang)
            .and_then(|locale| locale.variables.get(id))
            .map_or(&[], Vec::as_slice)
    }

    /// Formats message `id` in `lang`. A missing message or argument is an error, never
    /// placeholder text.
    pub fn format(&self, lang: Lang, id: &str, args: &Args<'_>) -> Result<String, I18nError> {
        let unknown = || I18nError::UnknownMessage {
            lang,
            id: id.to_owned(),
        };
        let locale = self.locales.get(&lang).ok_or_else(unknown)?;
        let message = locale.bundle.get_message(id).ok_or_else(unknown)?;
        let pattern = message.value().ok_or_else(unknown)?;
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        let mut errors = Vec::new();
        let text = locale
            .bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors);
        if let Some(error) = errors.first() {
            return Err(I18nError::Format {
                lang,
                id: id.to_owned(),
                reason: error.to_string(),
            });
        }
        Ok(text.into_owned())
    }
}

impl Locale {
    fn from_sources(
        lang: Lang,
        sources: Vec<(PathBuf, String)>,
        problems: &mut Vec<I18nError>,
    ) -> Locale {
        let langid: unic_langid::LanguageIdentifier = match lang {
            Lang::Da => unic_langid::langid!("da"),
            Lang::En => unic_langid::langid!("en"),
        };
        let mut bundle = FluentBundle::new_concurrent(vec![langid]);
        // Chat clients show Unicode isolation marks as stray characters.
        bundle.set_use_isolating(false);
        let mut files: BTreeMap<String, PathBuf> = BTreeMap::new();
        let mut lines = BTreeMap::new();
        let mut variables = BTreeMap::new();
        let mut every = BTreeMap::new();
        for (file, text) in sources {
            let starts = message_lines(&text);
            let resource = match FluentResource::try_new(text.clone()) {
                Ok(resource) => resource,
                Err((resource, errors)) => {
                    for error in errors {
                        problems.push(I18nError::Syntax {
                            file: file.clone(),
                            line: line_of(&text, error.pos.start),
                            reason: format!("{:?}", error.kind),
                        });
                    }
                    resource
                }
            };
            let mut fresh = true;
            for entry in resource.entries() {
                if let ast::Entry::Message(message) = entry {
                    let id = message.id.name.to_owned();
                    if let Some(other) = files.get(&id) {
                        problems.push(I18nError::Duplicate {
                            file: file.clone(),
                            other: other.clone(),
                            id,
                        });
                        fresh = false;
                        continue;
                    }
                    if let Some(value) = &message.value {
                        every.insert(id.clone(), pattern_text(value));
                        let mut found = BTreeMap::new();
                        pattern_variables(value, &mut found);
                        let found = found
                            .into_iter()
                            .map(|(name, keys)| (name, keys.into_iter().collect()))
                            .collect();
                        variables.insert(id.clone(), found);
                    }
                    if let Some(&line) = starts.get(id.as_str()) {
                        lines.insert(id.clone(), line);
                    }
                    files.insert(id, file.clone());
                }
            }
            if fresh {
                // Duplicates were reported above; add_resource only repeats them.
                let _ = bundle.add_resource(resource);
            } else {
                bundle.add_resource_overriding(resource);
            }
        }
        Locale {
            bundle,
            files,
            lines,
            variables,
            every,
        }
    }
}

fn cross_check(locales: &BTreeMap<Lang, Locale>, problems: &mut Vec<I18nError>) {
    let all_ids: BTreeSet<&String> = locales.values().flat_map(|l| l.files.keys()).collect();
    for (lang, locale) in locales {
        for id in &all_ids {
            if locale.files.contains_key(*id) {
                continue;
            }
            let present_in = locales
                .values()
                .find_map(|other| other.files.get(*id))
                .cloned()
                .unwrap_or_default();
            problems.push(I18nError::MissingInLocale {
                lang: *lang,
                id: (*id).clone(),
                present_in,
            });
        }
    }
}

fn ftl_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|err| err.to_string())?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "ftl"))
        .collect();
    files.sort();
    Ok(files)
}

/// The 1-based line of byte `offset` in `text`, for error messages in any content file.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or(text).matches('\n').count() + 1
}

/// The 1-based line where each message of a Fluent file starts (`id =` at a line's start).
fn message_lines(text: &str) -> BTreeMap<&str, usize> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let (id, _) = line.split_once('=')?;
            let id = id.trim_end();
            let is_id = id.starts_with(|c: char| c.is_ascii_alphabetic())
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            is_id.then_some((id, i + 1))
        })
        .collect()
}

/// The text of every variant of a pattern, each on its own line, with each placeable as a
/// short word: all any reader may see.
fn pattern_text(pattern: &ast::Pattern<&str>) -> String {
    let mut out = String::new();
    for element in &pattern.elements {
        match element {
            ast::PatternElement::TextElement { value } => out.push_str(value),
            ast::PatternElement::Placeable { expression } => match expression {
                ast::Expression::Select { variants, .. } => {
                    for variant in variants {
                        out.push_str(&pattern_text(&variant.value));
                        out.push('\n');
                    }
                }
                ast::Expression::Inline(_) => out.push('x'),
            },
        }
    }
    out
}

/// The variables a pattern refers to, each with the keys of the variants it selects.
fn pattern_variables(pattern: &ast::Pattern<&str>, found: &mut BTreeMap<String, BTreeSet<String>>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_variables(expression, found);
        }
    }
}

fn expression_variables(
    expression: &ast::Expression<&str>,
    found: &mut BTreeMap<String, BTreeSet<String>>,
) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            let keys = variants.iter().map(|variant| match &variant.key {
                ast::VariantKey::Identifier { name } => (*name).to_owned(),
                ast::VariantKey::NumberLiteral { value } => (*value).to_owned(),
            });
            match selector {
                ast::InlineExpression::VariableReference { id } => {
                    found.entry(id.name.to_owned()).or_default().extend(keys);
                }
                other => inline_variables(other, found),
            }
            for variant in variants {
                pattern_variables(&variant.value, found);
            }
        }
        ast::Expression::Inline(inline) => inline_variables(inline, found),
    }
}

fn inline_variables(
    inline: &ast::InlineExpression<&str>,
    found: &mut BTreeMap<String, BTreeSet<String>>,
) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            found.entry(id.name.to_owned()).or_default();
        }
        ast::InlineExpression::Placeable { expression } => {
            expression_variables(expression, found);
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for argument in &arguments.positional {
                inline_variables(argument, found);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, lang: &str, name: &str, text: &str) {
        let folder = dir.join(lang);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(name), text).unwrap();
    }

    #[test]
    fn formats_without_isolation_marks() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "da", "a.ftl", "hello = Hej { $name }!\n");
        write(dir.path(), "en", "a.ftl", "hello = Hello { $name }!\n");
        let locales = Locales::load(dir.path()).unwrap();
        let text = locales
            .format(Lang::En, "hello", &[("name", "Ann".into())])
            .unwrap();
        assert_eq!(text, "Hello Ann!");
    }

    #[test]
    fn reports_every_problem_with_its_file() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "da",
            "a.ftl",
            "only-da = Kun dansk\nbroken = \n",
        );
        write(dir.path(), "da", "b.ftl", "only-da = igen\n");
        write(dir.path(), "en", "a.ftl", "other = Other\n");
        let problems = Locales::load(dir.path()).unwrap_err();
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(text
            .iter()
            .any(|t| t.contains("a.ftl") && t.contains("syntax")));
        assert!(text.iter().any(|t| t.contains("defined twice")));
        assert!(text
            .iter()
            .any(|t| t.contains("locales/en") && t.contains("only-da")));
        assert!(text
            .iter()
            .any(|t| t.contains("locales/da") && t.contains("other")));
    }

    #[test]
    fn missing_message_and_argument_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "da", "a.ftl", "hi = Hej { $name }\n");
        write(dir.path(), "en", "a.ftl", "hi = Hi { $name }\n");
        let locales = Locales::load(dir.path()).unwrap();
        assert!(locales.format(Lang::Da, "nope", &[]).is_err());
        assert!(locales.format(Lang::Da, "hi", &[]).is_err());
    }

    #[test]
    fn parses_language_codes_loosely() {
        assert_eq!(Lang::parse("da-DK"), Some(Lang::Da));
        assert_eq!(Lang::parse(" English "), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }
}
