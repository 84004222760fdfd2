//! Any text as an answer: every reader of people's words (numbers, yes/no, scales, choices,
//! dates, cleaning, redaction) returns, and what it returns is in range.
#![no_main]

use eftertanke_core::engine::parse;
use eftertanke_core::engine::redact::redact;
use libfuzzer_sys::fuzz_target;

const LABELS: [&str; 4] = ["Håb og drømme", "Ressourcer", "Familie", "🙂 Godt"];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let labels: Vec<String> = LABELS.iter().map(|l| (*l).to_owned()).collect();
    let _ = parse::clean_text(&text);
    let _ = parse::normalize(&text);
    let _ = parse::has_words(&text);
    let _ = parse::parse_yes_no(&text);
    let _ = parse::parse_number(&text);
    if let Some(n) = parse::parse_scale(&text, 1, 5) {
        assert!((1..=5).contains(&n), "{n}");
    }
    if let Some(i) = parse::parse_choice(&text, &labels) {
        assert!(i < labels.len());
    }
    if let Some(chosen) = parse::parse_choices(&text, &labels) {
        assert!(chosen.iter().all(|&i| i < labels.len()));
    }
    let today = jiff::civil::date(2026, 11, 23);
    let _ = parse::parse_date(&text, today);
    let (redacted, removed) = redact(&text, |kind| format!("[{}]", kind.marker()));
    if removed.is_empty() {
        assert_eq!(redacted, text);
    }
});
