//! `eftertanke check`: every validation the start-up runs, plus the plain-language check.
//!
//! LIX = words / sentences + 100 × long words / words, where a long word has more than six
//! letters. Text citizens read must score 30 or below. LIX is defined on running text: a
//! label of one to four words with no sentence in it ("Tomorrow", "Keep and stop") is not
//! scored, since one seven-letter word alone scores 101; a label citizens read may not use
//! the method's own words ([`JARGON`]) without saying what they mean.
//!
//! Every message is checked as a reader gets it: formatted by Fluent, once for every variant
//! it has (a plural's "1" and "3", each of its named cases), with realistic values in its
//! placeables ([`sample`]): a name, a date, a number (which is not a word).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

use fluent_bundle::FluentValue;

use crate::command::{Command, Listed};
use crate::content::{Content, MessageList};
use crate::dialogs::{Audience, Catalog};
use crate::engine::MESSAGES;
use crate::i18n::Lang;

/// The highest LIX allowed for text citizens read.
pub const CITIZEN_LIX_MAX: f64 = 30.0;

/// The method's own words, which citizens do not know: a label a citizen reads may use one
/// only with what it means beside it (after a dash, a colon or in brackets).
pub const JARGON: &[(Lang, &[&str])] = &[
    (
        Lang::Da,
        &[
            "prøvehandling",
            "facilitator",
            "samtykke",
            "refleksion",
            "princip",
        ],
    ),
    (
        Lang::En,
        &[
            "trial action",
            "facilitator",
            "consent",
            "reflection",
            "principle",
        ],
    ),
];

/// The most variants of one message that are formatted (the product of its selectors).
const MAX_VARIANTS: usize = 64;
/// Messages with fewer words than this and no sentence end are labels, not scored.
const LABEL_WORDS: usize = 5;

/// Engine messages citizens never read: about principles (citizens are not asked to pick
/// principles in the shipped dialogues; their trial actions take the step's principles) and
/// for facilitators only. A citizen dialogue with a principle step would show the first kind.
const STAFF_ONLY: &[&str] = &[
    "trial-principles",
    "hint-principles",
    "hint-principle-suggest",
    "hint-principle-focus",
    "reask-principle",
    "reask-principles",
    "join-sees-staff",
    // A citizen's own role is never facilitator.
    "role-facilitator",
    "mydata-role-facilitator",
    // A group chat a facilitator links for the digest.
    "telegram-linked",
    "telegram-unlinked",
    "matrix-linked",
    "matrix-unlinked",
    // Read only by staff: a learning meeting's news, and the setting for it.
    "meeting-news",
    "meeting-news-trial",
    "meeting-news-focus",
    "meeting-news-stop",
    "news-on",
    "news-off",
    "news-is-on",
    "news-is-off",
    // Read only by facilitators.
    "meeting-menu",
    "meeting-no-focus",
    "meeting-add-trial",
    "meeting-choose-focus",
    "meeting-follow-up",
    "meeting-save",
    "meeting-cancel",
    "meeting-trial-what",
    "meeting-trial-principles",
    "meeting-trial-when",
    "meeting-trial-added",
    "meeting-focus",
    "meeting-follow-up-ask",
    "meeting-trials-full",
    "meeting-cancelled",
    "meeting-nothing-yet",
    "meeting-saved",
    "meeting-not-yours",
    "meeting-take-idea",
    "meeting-idea-which",
    "meeting-idea-note",
    "meeting-idea-added",
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

/// One message's readability: its hardest variant.
#[derive(Clone, Debug, PartialEq)]
pub struct Readability {
    pub lang: Lang,
    pub id: String,
    pub file: PathBuf,
    pub line: usize,
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
    let citizen = citizen_messages(&content.catalog, more);
    for lang in Lang::ALL {
        let jargon = JARGON
            .iter()
            .find(|(l, _)| *l == lang)
            .map_or(&[][..], |(_, words)| *words);
        for id in content.locales.ids() {
            let file = content
                .locales
                .file_of(lang, id)
                .map(Path::to_owned)
                .unwrap_or_default();
            let line = content.locales.line_of(lang, id).unwrap_or(0);
            let at = format!("{}:{line}", file.display());
            let is_citizen = citizen.contains(id);
            let mut hardest: Option<(f64, String)> = None;
            for text in as_read(&content, lang, id) {
                match lix(&text) {
                    Some(score) if hardest.as_ref().is_none_or(|(most, _)| score > *most) => {
                        hardest = Some((score, text));
                    }
                    Some(_) => {}
                    None if is_citizen => {
                        if let Some(word) = unexplained(&text, jargon) {
                            report.problems.push(format!(
                                "{at}: message `{id}` is for citizens and uses \"{word}\" without \
                                 saying what it means: «{text}»"
                            ));
                        }
                    }
                    None => {}
                }
            }
            let Some((score, text)) = hardest else {
                continue;
            };
            if is_citizen && score > CITIZEN_LIX_MAX {
                report.problems.push(format!(
                    "{at}: message `{id}` is for citizens and has LIX {score:.0} (at most \
                     {CITIZEN_LIX_MAX:.0}) as read: «{text}»: use shorter sentences and shorter \
                     words"
                ));
            }
            report.readability.push(Readability {
                lang,
                id: id.to_owned(),
                file,
                line,
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

/// The ids of every message a citizen may read: the engine's and the channels' (`more`; but
/// for those about principles and for facilitators), the descriptions of the commands in
/// everyone's help and the Telegram menu, and everything in dialogues whose audience
/// includes citizens.
#[must_use]
pub fn citizen_messages(catalog: &Catalog, more: &[MessageList]) -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = MESSAGES
        .iter()
        .chain(more.iter().flat_map(|list| list.iter()))
        .map(|(id, _)| (*id).to_owned())
        .filter(|id| !STAFF_ONLY.contains(&id.as_str()) && !id.starts_with("principle-"))
        .collect();
    ids.extend(
        Command::ALL
            .iter()
            .filter(|spec| spec.listed == Listed::Everyone)
            .map(|spec| format!("command-{}", spec.en)),
    );
    for dialogue in catalog.iter() {
        if dialogue.audience != Audience::Staff {
            ids.extend(dialogue.message_ids().into_iter().map(str::to_owned));
        }
    }
    ids
}

/// Message `id` as readers get it: formatted once for each variant (every combination of
/// its selectors' keys, at most [`MAX_VARIANTS`]), with [`sample`] values elsewhere.
fn as_read(content: &Content, lang: Lang, id: &str) -> Vec<String> {
    let mut combinations: Vec<Vec<(&str, FluentValue<'static>)>> = vec![Vec::new()];
    for (name, keys) in content.locales.variables(lang, id) {
        let values = if keys.is_empty() {
            vec![sample(lang, name)]
        } else {
            selecting(keys)
        };
        combinations = combinations
            .into_iter()
            .flat_map(|args| {
                values.iter().map(move |value| {
                    let mut args = args.clone();
                    args.push((name.as_str(), value.clone()));
                    args
                })
            })
            .take(MAX_VARIANTS)
            .collect();
    }
    combinations
        .iter()
        .filter_map(|args| content.locales.format(lang, id, args).ok())
        .collect()
}

/// A value for each variant of a selector: plural categories and numbers as numbers, named
/// cases ("staff", "adjusted") as themselves.
fn selecting(keys: &[String]) -> Vec<FluentValue<'static>> {
    const PLURAL: [(&str, i64); 6] = [
        ("zero", 0),
        ("one", 1),
        ("two", 2),
        ("few", 3),
        ("many", 11),
        ("other", 3),
    ];
    let numeric = keys
        .iter()
        .all(|key| key.parse::<f64>().is_ok() || PLURAL.iter().any(|(name, _)| name == key));
    keys.iter()
        .map(|key| match key.parse::<f64>() {
            Ok(number) if numeric => FluentValue::from(number),
            _ if numeric => FluentValue::from(
                PLURAL
                    .iter()
                    .find(|(name, _)| name == key)
                    .map_or(3, |(_, n)| *n),
            ),
            _ => FluentValue::from(key.clone()),
        })
        .collect()
}

/// A realistic value for a placeable, by its name: what a reader sees there. Numbers are
/// numbers (not words, as in LIX), names and dates as the bot writes them.
#[must_use]
pub fn sample(lang: Lang, name: &str) -> FluentValue<'static> {
    let number: Option<i64> = match name {
        "count" | "floor" | "last-week" => Some(3),
        "number" | "step" | "principle-count" => Some(2),
        "total" => Some(6),
        "max" => Some(5),
        "min" => Some(1),
        "year" | "first-year" | "last-year" => Some(2026),
        "minutes" => Some(15),
        "minute" => Some(30),
        "hour" => Some(9),
        "months" => Some(18),
        "days" => Some(30),
        "day" | "last-day" => Some(27),
        // A month is named in the digest's dates, but written as a number in a date a
        // person may type ("27/11"), which citizens read.
        "month" => Some(11),
        "first-day" => Some(21),
        "week" => Some(47),
        "length" => Some(300),
        _ => None,
    };
    if let Some(number) = number {
        return FluentValue::from(number);
    }
    let (da, en) = match name {
        "what" | "trial" => ("Gå en tur med Karl", "Walk with Karl"),
        "date" => ("fredag d. 27. november", "Friday 27 November"),
        "when" => ("på hverdage kl. 22.15", "on weekdays at 22:15"),
        "first-month" | "last-month" => ("november", "November"),
        "weekday" => ("fredag", "Friday"),
        "role" => ("borger", "citizen"),
        "state" | "states" => ("prøvet", "tried"),
        "label" => ("Situationen gik godt", "The situation went well"),
        "title" | "dialogue" => ("Tjek ind", "Check in"),
        "question" => ("Hvad håber du på?", "What do you hope for?"),
        "answer" => ("Ja", "Yes"),
        "text" | "sign" => ("Jeg går en tur", "I go for a walk"),
        "low" => ("slet ikke", "not at all"),
        "high" => ("i meget høj grad", "very much"),
        "time" => ("08.00", "08:00"),
        "staffcode" | "citizencode" => ("K7P2QX", "K7P2QX"),
        "path" => ("minedata.txt", "mydata.txt"),
        "principles" | "names" => ("Håb, ønsker og drømme", "Hopes, wishes and dreams"),
        "options" | "option" => ("Familie (3)", "Family (3)"),
        // People's and groups' names, and what else is named.
        _ => ("Team Nord", "Team Nord"),
    };
    FluentValue::from(match lang {
        Lang::Da => da,
        Lang::En => en,
    })
}

/// The first word of `jargon` that `label` uses without saying what it means (beside it,
/// after a dash or a colon, or in brackets).
fn unexplained<'w>(label: &str, jargon: &[&'w str]) -> Option<&'w str> {
    let lower = label.to_lowercase();
    let explained = [" – ", ": ", "("].iter().any(|mark| lower.contains(mark));
    jargon
        .iter()
        .copied()
        .find(|word| !explained && lower.contains(word))
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
    let mut marks = 0;
    let sentence_ends = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let line = line.trim_end();
            let inner = line
                .char_indices()
                .filter(|&(i, c)| {
                    let next = line[i + c.len_utf8()..].chars().next();
                    next.is_none_or(char::is_whitespace) && ends_sentence(&line[..i], c)
                })
                .count();
            marks += inner;
            let closed = line
                .chars()
                .last()
                .is_some_and(|c| ends_sentence(&line[..line.len() - c.len_utf8()], c));
            inner + usize::from(!closed)
        })
        .sum::<usize>();
    let has_sentence_mark = marks > 0;
    if words.is_empty() || (words.len() < LABEL_WORDS && !has_sentence_mark) {
        return None;
    }
    let long = words.iter().filter(|&&long| long).count();
    let sentences = sentence_ends.max(1);
    Some(words.len() as f64 / sentences as f64 + 100.0 * long as f64 / words.len() as f64)
}

/// Short words a full stop follows without ending a sentence ("d. 27.", "kl. 9").
const ABBREVIATIONS: &[&str] = &["d", "kl", "fx", "nr", "ca", "dvs", "evt", "jf", "no", "vs"];

/// Whether the mark `c`, after `before`, ends a sentence: `!`, `?` and `:` do; a full stop
/// does unless it closes a number ("27.", a list's "2.") or an abbreviation.
fn ends_sentence(before: &str, c: char) -> bool {
    match c {
        '!' | '?' | ':' => true,
        '.' => {
            let word = before
                .rsplit(|c: char| c.is_whitespace() || c == '(')
                .next()
                .unwrap_or("");
            !(word.is_empty()
                || word.chars().all(|c| c.is_ascii_digit())
                || ABBREVIATIONS.contains(&word.to_lowercase().as_str()))
        }
        _ => false,
    }
}

/// How hard the citizens' messages in one language are, over all scored.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    pub scored: usize,
    pub median: f64,
    pub highest: f64,
    pub over_25: usize,
}

/// The LIX spread of the citizens' messages in `lang` (each at its hardest variant).
#[must_use]
pub fn spread(report: &Report, lang: Lang) -> Option<Spread> {
    let mut scores: Vec<f64> = report
        .readability
        .iter()
        .filter(|r| r.lang == lang && r.citizen)
        .map(|r| r.lix)
        .collect();
    scores.sort_by(f64::total_cmp);
    let highest = *scores.last()?;
    Some(Spread {
        scored: scores.len(),
        median: scores[scores.len() / 2],
        highest,
        over_25: scores.iter().filter(|&&lix| lix > 25.0).count(),
    })
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
    fn numbers_and_abbreviations_end_no_sentence() {
        // A date is a label: "d." and "27." end nothing.
        assert_eq!(lix("fredag d. 27. november"), None);
        assert_eq!(lix("2. Team Nord (borger)"), None);
        // 5 words (a number is none), one sentence ("kl." ends none), 1 long: 5 + 20.
        assert_eq!(lix("Jeg skriver kl. 9 i morgen."), Some(25.0));
    }

    #[test]
    fn jargon_in_a_label_needs_its_meaning_beside_it() {
        let words = ["prøvehandling", "samtykke"];
        assert_eq!(
            unexplained("se dine prøvehandlinger", &words),
            Some("prøvehandling")
        );
        assert_eq!(
            unexplained("lav en prøvehandling – en lille ting, du vil prøve", &words),
            None
        );
        assert_eq!(unexplained("Samtykke", &words), Some("samtykke"));
        assert_eq!(unexplained("se dine grupper", &words), None);
    }

    #[test]
    fn each_line_of_a_list_is_a_sentence() {
        let text = "Sådan gør du:\n/refleksion vælg\n/tilbage ret";
        // 7 words over 3 sentences; no long word (commands count as short).
        let score = lix(text).unwrap();
        assert!((score - 7.0 / 3.0).abs() < 1e-9, "{score}");
    }
}
