//! `eftertanke check`: every validation the start-up runs, plus the plain-language check.
//!
//! LIX = words / sentences + 100 × long words / words, where a long word has more than six
//! letters. Text citizens read must score 30 or below. LIX is defined on running text: a
//! label of one to four words with no sentence in it ("Tomorrow", "Keep and stop") is not
//! scored, since one seven-letter word alone scores 101.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

use crate::command::Command;
use crate::content::{Content, MessageList};
use crate::dialogs::{Audience, Catalog};
use crate::engine::MESSAGES;
use crate::i18n::Lang;

/// The highest LIX allowed for text citizens read.
pub const CITIZEN_LIX_MAX: f64 = 30.0;
/// Messages with fewer words than this and no sentence end are labels, not scored.
const LABEL_WORDS: usize = 5;

/// Engine messages citizens never read: about principles (citizens are not asked to pick
/// principles in the shipped dialogues; their trial actions take the step's principles) and
/// for facilitators only. A citizen dialogue with a principle step would show the first kind.
const STAFF_ONLY: &[&str] = &[
    "trial-principles",
    "hint-principles",
    "hint-principle-suggest",
    "reask-principle",
    "reask-principles",
    "join-sees-staff",
    // Read only by facilitators.
    "newgroup-how",
    "newgroup-name-long",
    "newgroup-done",
    "codes",
    "codes-expire",
    "codes-no-expiry",
    "newcodes-done",
    "newcodes-days",
    "group-choose-first",
    "members-header",
    "members-line",
    "members-line-named",
    "members-you",
    "members-how",
    "members-linked",
    "members-no-such",
    "members-changed",
    "remove-how",
    "remove-self",
    "remove-confirm",
    "remove-yes",
    "remove-no",
    "remove-done",
    "remove-cancelled",
    "facilitator-how",
    "facilitator-citizen",
    "facilitator-last",
    "facilitator-added",
    "facilitator-removed",
    "linked-none",
    "linked-header",
    "linked-line",
    "linked-untitled",
    "linked-how",
    "linked-no-such",
    "unlinked-done",
    "leave-last-facilitator",
    "member-now-facilitator",
    "member-now-staff",
    "trials-group-header",
    "help-facilitator",
    "codes-expired",
    "trials-group-line",
];

/// One message's readability.
#[derive(Clone, Debug, PartialEq)]
pub struct Readability {
    pub lang: Lang,
    pub id: String,
    pub file: PathBuf,
    pub lix: f64,
    pub citizen: bool,
}

#[derive(Debug, Default)]
pub struct Report {
    /// Problems that fail the check, each naming file and message or step.
    pub problems: Vec<String>,
    /// Every scored message, for the staff report.
    pub readability: Vec<Readability>,
    pub dialogues: usize,
    pub messages: usize,
}

impl Report {
    #[must_use]
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Runs all checks on the two folders (or the compiled-in defaults).
#[must_use]
pub fn check(dialogs: Option<&Path>, locales: Option<&Path>, more: &[MessageList]) -> Report {
    let mut report = Report::default();
    let content = match Content::load(dialogs, locales, more) {
        Ok(content) => content,
        Err(err) => {
            report.problems = err.lines();
            return report;
        }
    };
    report.dialogues = content.catalog.iter().count();
    report.messages = content.locales.ids().count();
    report.problems.extend(commands_named(&content));
    let citizen = citizen_messages(&content.catalog);
    for lang in Lang::ALL {
        for id in content.locales.ids() {
            let Some(text) = content.locales.plain_text(lang, id) else {
                continue;
            };
            let Some(score) = lix(text) else { continue };
            let file = content
                .locales
                .file_of(lang, id)
                .map(Path::to_owned)
                .unwrap_or_default();
            let is_citizen = citizen.contains(id);
            if is_citizen && score > CITIZEN_LIX_MAX {
                report.problems.push(format!(
                    "{}: message `{id}` is for citizens and has LIX {score:.0} (at most \
                     {CITIZEN_LIX_MAX:.0}): use shorter sentences and shorter words",
                    file.display()
                ));
            }
            report.readability.push(Readability {
                lang,
                id: id.to_owned(),
                file,
                lix: score,
                citizen: is_citizen,
            });
        }
    }
    report
}

/// A command named in a message: a slash and a word, at the start or after a space or an
/// opening mark (so "ja/nej" is no command).
static NAMED_COMMAND: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(
        clippy::expect_used,
        reason = "a constant pattern, compiled by the unit tests"
    )]
    Regex::new(r#"(?:^|[\s(«»“"'])/(\p{L}+)"#).expect("the pattern compiles")
});

/// Every command a message names is a command, under its name in the message's language:
/// Danish text names `/minedata`, not `/mydata` nor the spelling `/påmind` (Telegram links
/// ASCII names only). People may type any of them; the texts teach one.
fn commands_named(content: &Content) -> Vec<String> {
    let mut problems = Vec::new();
    for lang in Lang::ALL {
        for id in content.locales.ids() {
            let Some(text) = content.locales.every_variant(lang, id) else {
                continue;
            };
            let file = content.locales.file_of(lang, id).unwrap_or(Path::new(""));
            for named in NAMED_COMMAND.captures_iter(text) {
                let word = &named[1];
                let problem = match Command::named(word) {
                    None => format!("names /{word}, which is no command"),
                    Some(command) if command.name(lang) != word => format!(
                        "names /{word}; in this language the command is /{}",
                        command.name(lang)
                    ),
                    Some(_) => continue,
                };
                problems.push(format!("{}: message `{id}` {problem}", file.display()));
            }
        }
    }
    problems
}

/// The ids of every message a citizen may read: the engine's (but for a few about
/// principles) and everything in dialogues whose audience includes citizens.
#[must_use]
pub fn citizen_messages(catalog: &Catalog) -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = MESSAGES
        .iter()
        .map(|(id, _)| (*id).to_owned())
        .filter(|id| !STAFF_ONLY.contains(&id.as_str()) && !id.starts_with("principle-"))
        .collect();
    for dialogue in catalog.iter() {
        if dialogue.audience != Audience::Staff {
            ids.extend(dialogue.message_ids().into_iter().map(str::to_owned));
        }
    }
    ids
}

/// The LIX of `text`, or `None` for a label (too short to score) or text without words.
#[must_use]
pub fn lix(text: &str) -> Option<f64> {
    // Each word, and whether it is long. A command ("/paamind") is a name to type, not a
    // word to read: it counts as a short one.
    let words: Vec<bool> = text
        .split_whitespace()
        .flat_map(|token| {
            let command = token.starts_with('/');
            token
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().any(char::is_alphabetic))
                .map(move |w| !command && w.chars().count() > 6)
        })
        .collect();
    let sentence_ends = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let inner = line
                .char_indices()
                .filter(|(i, c)| {
                    matches!(c, '.' | '!' | '?' | ':')
                        && line[i + c.len_utf8()..]
                            .chars()
                            .next()
                            .is_none_or(char::is_whitespace)
                })
                .count();
            let ends_open = !line.trim_end().ends_with(['.', '!', '?', ':']);
            inner + usize::from(ends_open)
        })
        .sum::<usize>();
    let has_sentence_mark = text.contains(['.', '!', '?', ':']);
    if words.is_empty() || (words.len() < LABEL_WORDS && !has_sentence_mark) {
        return None;
    }
    let long = words.iter().filter(|&&long| long).count();
    let sentences = sentence_ends.max(1);
    Some(words.len() as f64 / sentences as f64 + 100.0 * long as f64 / words.len() as f64)
}

/// The hardest message for one language and audience: the summary line of the check.
#[must_use]
pub fn worst(report: &Report, lang: Lang, citizen: bool) -> Option<&Readability> {
    report
        .readability
        .iter()
        .filter(|r| r.lang == lang && r.citizen == citizen)
        .max_by(|a, b| a.lix.total_cmp(&b.lix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lix_of_plain_and_hard_text() {
        // 6 words, 1 sentence, 0 long words.
        assert_eq!(lix("Du kan skrive dit svar her."), Some(6.0));
        // 4 words, 1 sentence, all 4 long: 4 + 100.
        assert_eq!(
            lix("Koordinerede rehabiliteringsindsatser understøtter borgerinddragelse."),
            Some(104.0)
        );
        assert_eq!(lix("Tomorrow"), None);
        assert_eq!(lix("😀"), None);
    }

    #[test]
    fn each_line_of_a_list_is_a_sentence() {
        let text = "Sådan gør du:\n/refleksion vælg\n/tilbage ret";
        // 7 words over 3 sentences; no long word (commands count as short).
        let score = lix(text).unwrap();
        assert!((score - 7.0 / 3.0).abs() < 1e-9, "{score}");
    }
}
