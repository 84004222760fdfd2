//! Redaction before storage: Danish CPR numbers, phone numbers and e-mail addresses in free
//! text are replaced with a marker before anything is stored, so they never reach the disk.
//! Ordinary numbers stay: times, weeks, scores, years, amounts.
//!
//! The search runs on the NFKC form with invisible characters between digits taken out, so
//! fullwidth digits, no-break spaces and zero-width joiners hide nothing. Text where nothing
//! is found is stored as it was written.

use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

use super::parse::fixed;

/// What was taken out of a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Removed {
    Cpr,
    Phone,
    Email,
}

impl Removed {
    /// The Fluent id of the marker put in its place.
    #[must_use]
    pub fn marker(self) -> &'static str {
        match self {
            Removed::Cpr => "redacted-cpr",
            Removed::Phone => "redacted-phone",
            Removed::Email => "redacted-email",
        }
    }
}

/// DDMMYY, then an optional space (NFKC made no-break and thin spaces plain ones), dot or
/// dash, then four digits; not inside a longer number.
static CPR: LazyLock<Regex> = LazyLock::new(|| {
    fixed(
        r"(?:^|[^0-9])(([0-9]{2})([0-9]{2})([0-9]{2})[ .\-\u{2010}-\u{2013}]?[0-9]{4})(?:$|[^0-9])",
    )
});
/// Eight digits, in groups of 2 or 4 or none, with or without +45 or 0045 in front; not
/// inside a longer number. Groups of two share one separator ("22.33.44.55", not the date
/// "2026-11-23"); 4+4 takes a space only: with dots or dashes it would also take amounts and
/// case numbers.
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    let pairs = [
        "", " ", r"\.", "-", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}",
    ]
    .map(|sep| format!("[0-9]{{2}}(?:{sep}[0-9]{{2}}){{3}}"))
    .join("|");
    fixed(&format!(
        r"(?:^|[^0-9+])((?:(?:\+|00)45 ?)?(?:{pairs}|[0-9]{{4}} [0-9]{{4}}))(?:$|[^0-9])"
    ))
});
/// The whole address: letters of any script before the @ and in the domain.
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    fixed(r"[\p{L}\p{M}\p{N}._%+\-]+@[\p{L}\p{M}\p{N}\-]+(?:\.[\p{L}\p{M}\p{N}\-]+)*\.\p{L}{2,}")
});

/// Characters that show as nothing: zero-width space, joiners, word joiner, byte order mark,
/// soft hyphen.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

/// The form searched: NFKC, with invisible characters between two digits taken out (kept
/// elsewhere: a joiner holds emoji together).
fn searchable(text: &str) -> String {
    let chars: Vec<char> = text.nfkc().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        if invisible(c) {
            let before = out.chars().next_back().is_some_and(|c| c.is_ascii_digit());
            let after = chars[i + 1..]
                .iter()
                .find(|&&c| !invisible(c))
                .is_some_and(char::is_ascii_digit);
            if before && after {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// True when DDMMYY is a real date in the 1900s or the 2000s.
fn real_date(day: &str, month: &str, year: &str) -> bool {
    let (Ok(day), Ok(month), Ok(year)) =
        (day.parse::<i8>(), month.parse::<i8>(), year.parse::<i16>())
    else {
        return false;
    };
    [1900, 2000]
        .iter()
        .any(|century| jiff::civil::Date::new(century + year, month, day).is_ok())
}

/// `text` with CPR numbers, phone numbers and e-mail addresses replaced by `marker(kind)`,
/// and what was removed (each kind once, in order). When something is removed the text comes
/// back in its searched form (NFKC); otherwise as it was.
pub fn redact(text: &str, marker: impl Fn(Removed) -> String) -> (String, Vec<Removed>) {
    // Only when the text has an @ or enough digits to hold a number: most answers have neither.
    let digits = text.chars().filter(|c| c.is_numeric()).count();
    if digits < 8 && !text.contains(['@', '\u{FF20}', '\u{FE6B}']) {
        return (text.to_owned(), Vec::new());
    }
    let mut removed = Vec::new();
    let mut out = searchable(text);
    if out.contains('@') {
        let replaced = EMAIL.replace_all(&out, marker(Removed::Email).as_str());
        if replaced != out {
            removed.push(Removed::Email);
            out = replaced.into_owned();
        }
    }
    if out.chars().filter(char::is_ascii_digit).count() >= 8 {
        let mut found = false;
        let cpr_marker = marker(Removed::Cpr);
        out = replace_groups(&out, &CPR, |caps| {
            let real = real_date(&caps[2], &caps[3], &caps[4]);
            found |= real;
            real.then(|| cpr_marker.clone())
        });
        if found {
            removed.push(Removed::Cpr);
        }
        let mut found = false;
        let phone_marker = marker(Removed::Phone);
        out = replace_groups(&out, &PHONE, |_| {
            found = true;
            Some(phone_marker.clone())
        });
        if found {
            removed.push(Removed::Phone);
        }
    }
    if removed.is_empty() {
        return (text.to_owned(), removed);
    }
    removed.sort_unstable();
    (out, removed)
}

/// Replaces capture group 1 of every match with what `with` returns (or leaves it).
fn replace_groups(
    text: &str,
    regex: &Regex,
    mut with: impl FnMut(&regex::Captures<'_>) -> Option<String>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut at = 0;
    // Matches may share the character between them ("12345678 23456789"), so search on from
    // the end of each number rather than the end of the whole match.
    while let Some(caps) = regex.captures_at(text, at) {
        let Some(number) = caps.get(1) else { break };
        if let Some(replacement) = with(&caps) {
            out.push_str(&text[last..number.start()]);
            out.push_str(&replacement);
            last = number.end();
        }
        at = number.end();
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(text: &str) -> (String, Vec<Removed>) {
        redact(text, |kind| format!("[{kind:?}]"))
    }

    #[test]
    fn personal_numbers_and_addresses_are_removed() {
        for (text, expected) in [
            ("Hans CPR er 010190-1234.", "Hans CPR er [Cpr]."),
            (
                "cpr 0101901234 står i papirerne",
                "cpr [Cpr] står i papirerne",
            ),
            ("Født 311299-4321, ikke før", "Født [Cpr], ikke før"),
            ("290200 1234 er skudår", "[Cpr] er skudår"),
            ("Ring 12345678", "Ring [Phone]"),
            ("Ring til 23 45 67 89 i morgen", "Ring til [Phone] i morgen"),
            ("Nummer: +45 23456789", "Nummer: [Phone]"),
            ("+4523456789", "[Phone]"),
            ("+45 23 45 67 89.", "[Phone]."),
            ("0045 2345 6789", "[Phone]"),
            ("mobil 2345 6789", "mobil [Phone]"),
            ("Skriv til anna.b@kommune.dk tak", "Skriv til [Email] tak"),
            ("mail: x_y+z@sub.example.org", "mail: [Email]"),
            ("Ring 23456789 eller 34567890", "Ring [Phone] eller [Phone]"),
            // Hidden in other forms of the same characters.
            ("CPR ０１０１９０-１２３４ ok", "CPR [Cpr] ok"),
            ("CPR 010190\u{a0}1234", "CPR [Cpr]"),
            ("CPR 010190\u{2013}1234", "CPR [Cpr]"),
            ("CPR 010190.1234", "CPR [Cpr]"),
            ("CPR 0101\u{200b}90\u{2060}1234", "CPR [Cpr]"),
            ("tlf 22.33.44.55", "tlf [Phone]"),
            ("tlf 22\u{a0}33\u{a0}44\u{a0}55", "tlf [Phone]"),
            ("tlf 22\u{202f}33\u{202f}44\u{202f}55", "tlf [Phone]"),
            ("tlf 22-33-44-55", "tlf [Phone]"),
            ("tlf 2233\u{a0}4455", "tlf [Phone]"),
            ("tlf ２２３３４４５５", "tlf [Phone]"),
            ("mail søren@kommune.dk", "mail [Email]"),
            ("mail Øjvind.Ærø@kommune.dk", "mail [Email]"),
            ("mail søren＠kommune.dk", "mail [Email]"),
            ("mail anna@københavn.dk", "mail [Email]"),
        ] {
            let (out, _) = marked(text);
            assert_eq!(out, expected, "{text}");
        }
        let (_, removed) = marked("010190-1234, 23456789 og a@b.dk");
        assert_eq!(removed, [Removed::Cpr, Removed::Phone, Removed::Email]);
    }

    /// The answer the issue reported stored as typed: every number and the whole address go.
    #[test]
    fn the_reported_answer_keeps_nothing() {
        let typed = "CPR ０１０１９０-１２３４ og 010190\u{a0}1234 og tlf 22.33.44.55 og \
                     22\u{a0}33\u{a0}44\u{a0}55 mail søren@kommune.dk";
        let (out, removed) = marked(typed);
        assert_eq!(
            out,
            "CPR [Cpr] og [Cpr] og tlf [Phone] og [Phone] mail [Email]"
        );
        assert_eq!(removed, [Removed::Cpr, Removed::Phone, Removed::Email]);
    }

    #[test]
    fn ordinary_numbers_stay() {
        for text in [
            "Det tog 2 timer.",
            "kl. 14.30 gik vi",
            "I uge 47 var det bedre",
            "3 ud af 5",
            "Hun er født i 1987.",
            "Det kostede 1.500 kr.",
            "150.000 kr. i gæld",
            "2026-11-23 var en mandag",
            "Vi var 12 personer og 4 hunde",
            "Et tal som 123 eller 4567",
            "Sagsnummer 2024-123456",
            "Tlf. 112 ved nød",
            "Post nr 8000 Aarhus C",
            "Konto 1234 5678901234",
            "Version 1.2.3.4",
            "999999-1234 er ingen dato",
            "320190-1234 er ingen dato",
            "Score 10/10",
            "@anna hej",
            "anna@",
            "På 01:30 og 22:15",
            "Det kostede 12.345.678 kr.",
            "Sagsnummer 2024-1234-5678",
            "2026-11-23 og 2026-11-24",
            "Fra 1.000 til 2.000",
            "👨\u{200d}👩\u{200d}👧 i 2026",
            "ﬁre ½ år",
        ] {
            let (out, removed) = marked(text);
            assert_eq!(out, text, "{text}: {removed:?}");
            assert!(removed.is_empty(), "{text}");
        }
    }

    #[test]
    fn the_date_check_knows_leap_years_and_month_lengths() {
        assert!(real_date("29", "02", "00"));
        assert!(real_date("31", "12", "99"));
        assert!(!real_date("31", "04", "90"));
        assert!(!real_date("00", "01", "90"));
        assert!(!real_date("15", "13", "90"));
    }
}
