//! Reading people's own words as answers: numbers and number words, yes and no in Danish and
//! English, emoji, option words and dates. Pure functions; `None` means "does not fit", and
//! the engine re-asks kindly.

use std::sync::LazyLock;

use jiff::civil::{Date, Weekday};
use jiff::ToSpan;
use regex::Regex;

/// Builds a regex from a constant pattern. The patterns below are fixed and covered by the
/// unit tests in this file, so a failure here is a programming error caught by `cargo test`.
pub(super) fn fixed(pattern: &str) -> Regex {
    #[expect(
        clippy::expect_used,
        reason = "constant patterns, each compiled by the unit tests"
    )]
    Regex::new(pattern).expect("constant regex compiles (covered by unit tests)")
}

/// Removes what must never be stored or echoed: control characters (except line breaks and
/// tabs) and bidirectional overrides that can disguise text. Trims the ends.
#[must_use]
pub fn clean_text(input: &str) -> String {
    let cleaned: String = input
        .chars()
        .filter(|&c| {
            let control = c.is_control() && c != '\n' && c != '\t';
            let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}');
            !control && !bidi
        })
        .collect();
    cleaned.trim().to_owned()
}

/// True when the text holds at least one letter or digit: words, not only emoji or marks.
#[must_use]
pub fn has_words(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

/// Lowercases and drops the invisible characters emoji carry (variation selectors, joiners),
/// and surrounding punctuation, so "Ja!" and "ja" and "👍🏻" compare equal to their plain form.
#[must_use]
pub fn normalize(text: &str) -> String {
    let lowered = text.trim().to_lowercase();
    let kept: String = lowered
        .chars()
        .filter(|c| {
            !matches!(
                c,
                '\u{FE0E}' | '\u{FE0F}' | '\u{200B}'..='\u{200D}' | '\u{2060}'
            ) && !('\u{1F3FB}'..='\u{1F3FF}').contains(c)
        })
        .collect();
    kept.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '.' | '!' | '?' | ',' | ';' | ':' | '"' | '\'')
    })
    .to_owned()
}

const YES_WORDS: &[&str] = &[
    "ja",
    "jo",
    "jep",
    "jeps",
    "ja tak",
    "ja gerne",
    "gerne",
    "ok",
    "okay",
    "selvfølgelig",
    "yes",
    "yeah",
    "yep",
    "y",
    "sure",
    "yes please",
    "of course",
    "👍",
    "✅",
    "✔",
    "☑",
    "👌",
];
const NO_WORDS: &[&str] = &[
    "nej",
    "nej tak",
    "nix",
    "ikke nu",
    "no",
    "nope",
    "n",
    "no thanks",
    "not now",
    "👎",
    "❌",
    "✖",
    "🚫",
    "✗",
];

#[must_use]
pub fn parse_yes_no(text: &str) -> Option<bool> {
    let text = normalize(text);
    if YES_WORDS.contains(&text.as_str()) {
        Some(true)
    } else if NO_WORDS.contains(&text.as_str()) {
        Some(false)
    } else {
        None
    }
}

const NUMBER_WORDS: &[(&str, i64)] = &[
    ("nul", 0),
    ("zero", 0),
    ("en", 1),
    ("et", 1),
    ("én", 1),
    ("ét", 1),
    ("one", 1),
    ("to", 2),
    ("two", 2),
    ("tre", 3),
    ("three", 3),
    ("fire", 4),
    ("four", 4),
    ("fem", 5),
    ("five", 5),
    ("seks", 6),
    ("six", 6),
    ("syv", 7),
    ("seven", 7),
    ("otte", 8),
    ("eight", 8),
    ("ni", 9),
    ("nine", 9),
    ("ti", 10),
    ("ten", 10),
];

static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| fixed(r"^(?:nr\.?\s*|no\.?\s*|#)?([0-9]{1,3})(?:\s*\u{20E3})?$"));

/// A whole number written as digits ("3", "nr. 3", "3️⃣") or as a word up to ten.
#[must_use]
pub fn parse_number(text: &str) -> Option<i64> {
    let text = normalize(text);
    if text == "🔟" {
        return Some(10);
    }
    if let Some(caps) = NUMBER.captures(&text) {
        return caps[1].parse().ok();
    }
    NUMBER_WORDS
        .iter()
        .find(|(word, _)| *word == text)
        .map(|(_, n)| *n)
}

/// Faces and hands from worst (0) to best (4), scaled onto the step's range.
const SCALE_EMOJI: &[(&str, usize)] = &[
    ("😭", 0),
    ("😢", 0),
    ("😩", 0),
    ("😫", 0),
    ("😖", 0),
    ("😞", 1),
    ("☹", 1),
    ("🙁", 1),
    ("😟", 1),
    ("😔", 1),
    ("👎", 1),
    ("😐", 2),
    ("😕", 2),
    ("😶", 2),
    ("🤷", 2),
    ("🤷‍♀", 2),
    ("🤷‍♂", 2),
    ("🙂", 3),
    ("😊", 3),
    ("👍", 3),
    ("😄", 4),
    ("😁", 4),
    ("😃", 4),
    ("😀", 4),
    ("🤩", 4),
    ("🥰", 4),
    ("❤", 4),
    ("💪", 4),
];

/// A point on a scale from `min` to `max`: a number, a number word or a face.
#[must_use]
pub fn parse_scale(text: &str, min: i64, max: i64) -> Option<i64> {
    if let Some(n) = parse_number(text) {
        return (min..=max).contains(&n).then_some(n);
    }
    let text = normalize(text);
    let level = SCALE_EMOJI
        .iter()
        .find(|(emoji, _)| normalize(emoji) == text)?
        .1;
    let span = max - min;
    // Round to the nearest point: level 0..=4 over the span.
    Some(min + (level as i64 * span + 2) / 4)
}

/// One of `labels` (already in the person's language): its number from 1, its word, or the
/// unambiguous start of its word.
#[must_use]
pub fn parse_choice(text: &str, labels: &[String]) -> Option<usize> {
    if let Some(n) = parse_number(text) {
        return (1..=labels.len() as i64)
            .contains(&n)
            .then(|| n as usize - 1);
    }
    let text = normalize(text);
    if text.is_empty() {
        return None;
    }
    let normalized: Vec<String> = labels.iter().map(|l| normalize(l)).collect();
    if let Some(i) = normalized.iter().position(|l| *l == text) {
        return Some(i);
    }
    if text.chars().count() < 3 {
        return None;
    }
    let mut starts = normalized
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with(&text) || l.split_whitespace().any(|w| w == text));
    match (starts.next(), starts.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
}

static LIST_SEPARATOR: LazyLock<Regex> =
    LazyLock::new(|| fixed(r"\s*(?:[,;+&/]|\bog\b|\band\b)\s*"));

/// Several of `labels`: "1 3", "1, 3", "netværk og ro", "alle" / "all". Sorted, no repeats.
#[must_use]
pub fn parse_choices(text: &str, labels: &[String]) -> Option<Vec<usize>> {
    let whole = normalize(text);
    if matches!(
        whole.as_str(),
        "alle" | "all" | "alle sammen" | "all of them"
    ) {
        return Some((0..labels.len()).collect());
    }
    if let Some(i) = parse_choice(text, labels) {
        return Some(vec![i]);
    }
    let mut parts: Vec<&str> = LIST_SEPARATOR
        .split(&whole)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() == 1 {
        // "1 3 4": numbers separated by spaces only.
        parts = whole.split_whitespace().collect();
    }
    let mut chosen = Vec::new();
    for part in parts {
        chosen.push(parse_choice(part, labels)?);
    }
    chosen.sort_unstable();
    chosen.dedup();
    (!chosen.is_empty()).then_some(chosen)
}

const WEEKDAYS: &[(&str, Weekday)] = &[
    ("mandag", Weekday::Monday),
    ("tirsdag", Weekday::Tuesday),
    ("onsdag", Weekday::Wednesday),
    ("torsdag", Weekday::Thursday),
    ("fredag", Weekday::Friday),
    ("lørdag", Weekday::Saturday),
    ("søndag", Weekday::Sunday),
    ("monday", Weekday::Monday),
    ("tuesday", Weekday::Tuesday),
    ("wednesday", Weekday::Wednesday),
    ("thursday", Weekday::Thursday),
    ("friday", Weekday::Friday),
    ("saturday", Weekday::Saturday),
    ("sunday", Weekday::Sunday),
];

const MONTHS: &[(&str, i8)] = &[
    ("januar", 1),
    ("january", 1),
    ("jan", 1),
    ("februar", 2),
    ("february", 2),
    ("feb", 2),
    ("marts", 3),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("maj", 5),
    ("may", 5),
    ("juni", 6),
    ("june", 6),
    ("jun", 6),
    ("juli", 7),
    ("july", 7),
    ("jul", 7),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sep", 9),
    ("sept", 9),
    ("oktober", 10),
    ("october", 10),
    ("okt", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
];

static IN_DAYS: LazyLock<Regex> = LazyLock::new(|| {
    fixed(r"^(?:om|in)\s+([0-9]{1,3}|[a-zé]+)\s+(dag|dage|day|days|uge|uger|week|weeks)$")
});
static WEEKDAY: LazyLock<Regex> = LazyLock::new(|| {
    fixed(r"^(?:på\s+|paa\s+|on\s+|næste\s+|naeste\s+|next\s+|this\s+|this coming\s+)?([a-zæøå]+)$")
});
static NUMERIC_DATE: LazyLock<Regex> = LazyLock::new(|| {
    fixed(
        r"^(?:d\.\s*|den\s+)?([0-9]{1,2})\s*[/.\-]\s*([0-9]{1,2})(?:\s*[/.\-]\s*([0-9]{2}|[0-9]{4}))?$",
    )
});
static ISO_DATE: LazyLock<Regex> = LazyLock::new(|| fixed(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$"));
static NAMED_DATE: LazyLock<Regex> = LazyLock::new(|| {
    fixed(
        r"^(?:d\.\s*|den\s+|on\s+|the\s+)?([0-9]{1,2})\.?(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]+)\.?(?:\s+([0-9]{4}))?$",
    )
});
static NAMED_DATE_US: LazyLock<Regex> =
    LazyLock::new(|| fixed(r"^([a-z]+)\.?\s+([0-9]{1,2})(?:st|nd|rd|th)?(?:,?\s+([0-9]{4}))?$"));

/// A day from words, in Danish or English, relative to `today` (already in local time).
/// Day and month without a year mean the next such day from today.
#[must_use]
pub fn parse_date(text: &str, today: Date) -> Option<Date> {
    let text = normalize(text);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let plus = |days: i64| today.checked_add(days.days()).ok();
    match text.as_str() {
        "i dag" | "idag" | "today" | "nu" | "now" => return Some(today),
        "i morgen" | "imorgen" | "tomorrow" => return plus(1),
        "i overmorgen" | "overmorgen" | "the day after tomorrow" | "day after tomorrow" => {
            return plus(2)
        }
        "næste uge" | "naeste uge" | "i næste uge" | "next week" => {
            let monday = today.nth_weekday(1, Weekday::Monday).ok()?;
            return Some(monday);
        }
        "om en uge" | "in a week" | "in one week" => return plus(7),
        "weekend" | "i weekenden" | "på lørdag" | "this weekend" | "at the weekend" => {
            return today.nth_weekday(1, Weekday::Saturday).ok()
        }
        _ => {}
    }
    if let Some(caps) = IN_DAYS.captures(&text) {
        let n = parse_number(&caps[1])?;
        let unit = if caps[2].starts_with('u') || caps[2].starts_with('w') {
            7
        } else {
            1
        };
        return plus(n * unit);
    }
    if let Some(caps) = WEEKDAY.captures(&text) {
        if let Some((_, weekday)) = WEEKDAYS.iter().find(|(name, _)| *name == &caps[1]) {
            return today.nth_weekday(1, *weekday).ok();
        }
    }
    if let Some(caps) = ISO_DATE.captures(&text) {
        return Date::new(
            caps[1].parse().ok()?,
            caps[2].parse().ok()?,
            caps[3].parse().ok()?,
        )
        .ok();
    }
    if let Some(caps) = NUMERIC_DATE.captures(&text) {
        let day: i8 = caps[1].parse().ok()?;
        let month: i8 = caps[2].parse().ok()?;
        let year = caps.get(3).map(|y| y.as_str().parse::<i16>());
        return day_month(today, day, month, year.transpose().ok()?);
    }
    if let Some(caps) = NAMED_DATE.captures(&text) {
        let month = month_number(&caps[2])?;
        let year = caps.get(3).map(|y| y.as_str().parse::<i16>());
        return day_month(today, caps[1].parse().ok()?, month, year.transpose().ok()?);
    }
    if let Some(caps) = NAMED_DATE_US.captures(&text) {
        let month = month_number(&caps[1])?;
        let year = caps.get(3).map(|y| y.as_str().parse::<i16>());
        return day_month(today, caps[2].parse().ok()?, month, year.transpose().ok()?);
    }
    None
}

fn month_number(name: &str) -> Option<i8> {
    MONTHS.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
}

fn day_month(today: Date, day: i8, month: i8, year: Option<i16>) -> Option<Date> {
    match year {
        Some(year) => {
            let year = if year < 100 { 2000 + year } else { year };
            Date::new(year, month, day).ok()
        }
        None => {
            let this_year = Date::new(today.year(), month, day).ok();
            match this_year {
                Some(date) if date >= today => Some(date),
                _ => Date::new(today.year() + 1, month, day).ok(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn labels(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn yes_and_no_in_words_and_emoji() {
        for yes in [
            "ja",
            "Jo",
            "JA!",
            "yes",
            "Yes please",
            "👍",
            "👍🏽",
            "✅",
            "ja tak",
        ] {
            assert_eq!(parse_yes_no(yes), Some(true), "{yes}");
        }
        for no in ["nej", "Nej tak.", "no", "nope", "👎", "❌"] {
            assert_eq!(parse_yes_no(no), Some(false), "{no}");
        }
        for neither in ["måske", "", "jaja nej", "🙂"] {
            assert_eq!(parse_yes_no(neither), None, "{neither}");
        }
    }

    #[test]
    fn numbers_as_digits_words_and_keycaps() {
        assert_eq!(parse_number("3"), Some(3));
        assert_eq!(parse_number(" nr. 4 "), Some(4));
        assert_eq!(parse_number("tre"), Some(3));
        assert_eq!(parse_number("Seven"), Some(7));
        assert_eq!(parse_number("ti"), Some(10));
        assert_eq!(parse_number("3\u{FE0F}\u{20E3}"), Some(3));
        assert_eq!(parse_number("🔟"), Some(10));
        assert_eq!(parse_number("tre og tyve"), None);
        assert_eq!(parse_number("99999"), None);
    }

    #[test]
    fn scale_from_numbers_and_faces() {
        assert_eq!(parse_scale("4", 1, 5), Some(4));
        assert_eq!(parse_scale("fire", 1, 5), Some(4));
        assert_eq!(parse_scale("6", 1, 5), None);
        assert_eq!(parse_scale("😭", 1, 5), Some(1));
        assert_eq!(parse_scale("😐", 1, 5), Some(3));
        assert_eq!(parse_scale("😄", 1, 5), Some(5));
        assert_eq!(parse_scale("😄", 0, 10), Some(10));
        assert_eq!(parse_scale("🙂", 0, 10), Some(8));
        assert_eq!(parse_scale("☹️", 1, 5), Some(2));
        assert_eq!(parse_scale("🍕", 1, 5), None);
    }

    #[test]
    fn choice_by_number_word_and_prefix() {
        let options = labels(&["Borgerens egne", "Netværket", "Vores"]);
        assert_eq!(parse_choice("2", &options), Some(1));
        assert_eq!(parse_choice("netværket", &options), Some(1));
        assert_eq!(parse_choice("Netv", &options), Some(1));
        assert_eq!(parse_choice("egne", &options), Some(0));
        assert_eq!(parse_choice("4", &options), None);
        assert_eq!(parse_choice("ne", &options), None);
        assert_eq!(parse_choice("", &options), None);
    }

    #[test]
    fn several_choices() {
        let options = labels(&["Familie", "Venner", "Personale", "Naboer"]);
        assert_eq!(parse_choices("1 3", &options), Some(vec![0, 2]));
        assert_eq!(parse_choices("3, 1, 3", &options), Some(vec![0, 2]));
        assert_eq!(
            parse_choices("familie og venner", &options),
            Some(vec![0, 1])
        );
        assert_eq!(parse_choices("alle", &options), Some(vec![0, 1, 2, 3]));
        assert_eq!(parse_choices("1 og 9", &options), None);
    }

    #[test]
    fn dates_in_danish_and_english() {
        // Monday 23 November 2026.
        let today = date(2026, 11, 23);
        let cases = [
            ("i dag", date(2026, 11, 23)),
            ("i morgen", date(2026, 11, 24)),
            ("Tomorrow", date(2026, 11, 24)),
            ("på fredag", date(2026, 11, 27)),
            ("fredag", date(2026, 11, 27)),
            ("next Monday", date(2026, 11, 30)),
            ("mandag", date(2026, 11, 30)),
            ("om 3 dage", date(2026, 11, 26)),
            ("om tre dage", date(2026, 11, 26)),
            ("in 2 weeks", date(2026, 12, 7)),
            ("næste uge", date(2026, 11, 30)),
            ("next week", date(2026, 11, 30)),
            ("24/11", date(2026, 11, 24)),
            ("1/1", date(2027, 1, 1)),
            ("24.12.2026", date(2026, 12, 24)),
            ("2026-12-01", date(2026, 12, 1)),
            ("3. december", date(2026, 12, 3)),
            ("december 3rd", date(2026, 12, 3)),
            ("i weekenden", date(2026, 11, 28)),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_date(text, today), Some(expected), "{text}");
        }
        for bad in ["snart", "31/2", "32/1", "om mange dage", ""] {
            assert_eq!(parse_date(bad, today), None, "{bad}");
        }
    }

    #[test]
    fn cleaning_removes_controls_and_overrides_but_keeps_emoji() {
        assert_eq!(clean_text("  hej\u{0}\u{7} du\u{202E}  "), "hej du");
        assert_eq!(clean_text("a\nb"), "a\nb");
        let family = "👨\u{200D}👩\u{200D}👧";
        assert_eq!(clean_text(family), family);
        assert!(!has_words("🙂🙂"));
        assert!(has_words("ok 🙂"));
    }

    /// The hints in locales/*/common.ftl promise these words; they must parse.
    #[test]
    fn the_examples_the_hints_promise_are_understood() {
        let today = date(2026, 11, 23);
        for text in [
            "i dag",
            "i morgen",
            "på fredag",
            "24/11",
            "today",
            "tomorrow",
            "on Friday",
        ] {
            assert!(parse_date(text, today).is_some(), "{text}");
        }
        for text in ["ja", "nej", "yes", "no"] {
            assert!(parse_yes_no(text).is_some(), "{text}");
        }
        let options = labels(&["a", "b", "c", "d", "e"]);
        assert_eq!(parse_choices("1 3", &options), Some(vec![0, 2]));
        assert_eq!(parse_choices("2 4", &options), Some(vec![1, 3]));
    }
}
