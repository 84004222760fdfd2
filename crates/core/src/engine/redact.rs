//! Redaction before storage: Danish CPR numbers, phone numbers and e-mail addresses in free
//! text are replaced with a marker before anything is stored, so they never reach the disk.
//! Ordinary numbers stay: times, weeks, scores, years, amounts.

use std::sync::LazyLock;

use regex::Regex;

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

/// DDMMYY, then an optional dash or space, then four digits; not inside a longer number.
static CPR: LazyLock<Regex> =
    LazyLock::new(|| fixed(r"(?:^|[^\d])((\d{2})(\d{2})(\d{2})[- ]?\d{4})(?:$|[^\d])"));
/// Eight digits, in groups of 2 or 4 or none, with or without +45 or 0045 in front; not
/// inside a longer number.
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    fixed(
        r"(?:^|[^\d+])((?:(?:\+|00)45[ ]?)?\d{2}(?:[ ]?\d{2}){3}|(?:(?:\+|00)45[ ]?)?\d{4}[ ]\d{4})(?:$|[^\d])",
    )
});
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    fixed(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
});

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
/// and what was removed (each kind once, in order).
pub fn redact(text: &str, marker: impl Fn(Removed) -> String) -> (String, Vec<Removed>) {
    let mut removed = Vec::new();
    let mut out = text.to_owned();
    // Only when the text has enough digits or an @ to hold one: most answers have neither.
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
        ] {
            let (out, _) = marked(text);
            assert_eq!(out, expected, "{text}");
        }
        let (_, removed) = marked("010190-1234, 23456789 og a@b.dk");
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
