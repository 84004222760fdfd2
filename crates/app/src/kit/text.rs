//! Text at a platform's edge: each channel splits what the engine says at its own
//! platform's limit, here and nowhere else.

/// Length in UTF-16 code units, as Telegram counts (never fewer than characters).
fn units(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Splits text into messages of at most `max_chars` UTF-16 units (below 2 is taken as 2).
/// Messages are cut after a section (an empty line), else after a line; inside a line only
/// when that line alone is too long, then between words, and mid-word only for a word longer
/// than a message. The messages joined together are exactly the whole text.
#[must_use]
pub fn split(text: &str, max_chars: usize) -> Vec<String> {
    let max = max_chars.max(2);
    let mut parts = Vec::new();
    let mut rest = text;
    while units(rest) > max {
        // The longest prefix that fits; at least one character, since max >= 2.
        let mut fit = 0;
        let mut used = 0;
        for (i, c) in rest.char_indices() {
            used += c.len_utf16();
            if used > max {
                break;
            }
            fit = i + c.len_utf8();
        }
        let window = &rest[..fit];
        let after_section = window
            .rfind("\n\n")
            .map(|i| i + 2)
            .filter(|&cut| cut > fit / 2);
        let after_line = || window.rfind('\n').map(|i| i + 1);
        let after_word = || {
            window
                .char_indices()
                .rev()
                .find(|(_, c)| c.is_whitespace())
                .map(|(i, c)| i + c.len_utf8())
        };
        let mut cut = after_section
            .or_else(after_line)
            .or_else(after_word)
            .unwrap_or(fit);
        // Take an empty line along, so the next message does not start with one.
        while cut < fit && rest[cut..].starts_with('\n') {
            cut += 1;
        }
        parts.push(rest[..cut].to_owned());
        rest = &rest[cut..];
    }
    if !rest.is_empty() {
        parts.push(rest.to_owned());
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text shaped like a digest: sections of lines, some long, with letters of every width.
    fn long_text() -> String {
        let mut sections = Vec::new();
        for s in 0..12 {
            let lines: Vec<String> = (0..6)
                .map(|l| format!("Linje {l} i afsnit {s}: {}", "ærlig snak 😊 ".repeat(l * 3)))
                .collect();
            sections.push(lines.join("\n"));
        }
        sections.join("\n\n")
    }

    #[test]
    fn splitting_keeps_every_part_short_and_loses_nothing() {
        let whole = long_text();
        assert!(units(&whole) > 1500, "{}", units(&whole));
        assert_eq!(split(&whole, 100_000), std::slice::from_ref(&whole));
        for max in [2, 7, 60, 199, 250, 400, 1000] {
            let parts = split(&whole, max);
            assert!(parts.len() > 1);
            assert_eq!(parts.concat(), whole, "max {max}");
            for part in &parts {
                assert!(!part.is_empty());
                assert!(
                    part.chars().count() <= max && units(part) <= max,
                    "max {max}: {part:?}"
                );
            }
            if max >= 250 {
                // Every line fits: each part ends at the end of a line (or of the text).
                for part in &parts[..parts.len() - 1] {
                    assert!(part.ends_with('\n'), "max {max}: {part:?}");
                }
            }
        }
    }

    #[test]
    fn a_line_longer_than_a_message_is_cut_between_words() {
        let text = "head\n\none two three four five six\nend";
        assert_eq!(
            split(text, 12),
            ["head\n\n", "one two ", "three four ", "five six\nend"]
        );
        assert_eq!(split("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(split("😊😊😊", 1), ["😊", "😊", "😊"]);
        assert_eq!(split("", 10), Vec::<String>::new());
        assert_eq!(split("fits", 4), ["fits"]);
    }
}
