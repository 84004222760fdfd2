//! Every Fluent message the engine itself uses, with its arguments, so start-up and
//! `eftertanke check` can prove each exists and formats in every language.

use fluent_bundle::FluentValue;

use crate::content::MessageList;
use crate::i18n::{I18nError, Lang, Locales};

/// (message id, argument names).
pub const MESSAGES: &[(&str, &[&str])] = &[
    ("welcome", &[]),
    ("consent-citizen", &["months"]),
    ("consent-staff", &["months"]),
    ("consent-yes", &[]),
    ("consent-no", &[]),
    ("consent-thanks", &[]),
    ("consent-declined", &[]),
    ("consent-withdrawn", &[]),
    ("consent-still-no", &[]),
    ("consent-changed", &[]),
    ("consent-status-yes", &["date"]),
    ("consent-status-no", &[]),
    ("forget-confirm", &[]),
    ("forget-yes", &[]),
    ("forget-no", &[]),
    ("forget-done", &[]),
    ("forget-cancelled", &[]),
    ("mydata-intro", &[]),
    ("mydata-consent-yes", &["date", "version"]),
    ("mydata-consent-no", &[]),
    ("mydata-groups", &["count"]),
    ("mydata-group", &["group", "role"]),
    ("mydata-role-facilitator", &[]),
    ("mydata-role-staff", &[]),
    ("mydata-role-citizen", &[]),
    ("mydata-name", &["name"]),
    ("mydata-reminder", &["when"]),
    ("mydata-answers", &["count", "runs"]),
    ("mydata-answer", &["date", "dialogue", "answer"]),
    ("mydata-trials", &["count"]),
    ("mydata-file", &[]),
    ("mydata-yes", &[]),
    ("mydata-no", &[]),
    ("mydata-skipped", &[]),
    ("welcome-back", &[]),
    ("help", &[]),
    ("menu", &[]),
    ("reask-menu", &["count"]),
    ("no-dialogue", &[]),
    ("dialogue-gone", &[]),
    ("dialogue-expired", &[]),
    ("dialogue-done", &[]),
    ("dialogue-next", &[]),
    ("unsupported", &[]),
    ("edited", &[]),
    ("old-button", &[]),
    ("unknown-command", &[]),
    ("trial-not-saved", &[]),
    ("stopped-not-kept", &[]),
    // Worded by the chat channels, when a person is over the flood limit.
    ("flood-slow-down", &[]),
    ("reflect-busy", &[]),
    ("stop-nothing", &[]),
    ("stop-confirm", &[]),
    ("stop-keep", &[]),
    ("stop-discard", &[]),
    ("stop-continue", &[]),
    ("stopped-kept", &[]),
    ("stopped-discarded", &[]),
    ("back-nothing", &[]),
    ("back-done", &[]),
    ("back-at-start", &[]),
    ("language-ask", &[]),
    ("language-name", &[]),
    ("language-set", &[]),
    ("trials-none", &[]),
    ("trials-header", &["count"]),
    ("trials-line", &["number", "what", "state", "date"]),
    ("trials-follow-up-hint", &[]),
    ("trial-state-planned", &[]),
    ("trial-state-tried", &[]),
    ("trial-state-kept", &[]),
    ("trial-state-adjusted", &[]),
    ("trial-state-dropped", &[]),
    ("trial-state-done", &[]),
    ("trial-principles", &[]),
    ("trial-when", &[]),
    ("trial-saved", &["what", "date"]),
    ("follow-up-closed", &[]),
    ("follow-up-which", &[]),
    ("question", &["step", "total", "question"]),
    ("hint-optional", &[]),
    ("skip-label", &[]),
    ("hint-trial-what", &[]),
    ("hint-principles", &[]),
    ("hint-choices", &[]),
    ("hint-scale", &["min", "max", "low", "high"]),
    ("hint-principle-suggest", &["number", "name"]),
    ("hint-date", &[]),
    ("yes", &[]),
    ("no", &[]),
    ("principle-1", &[]),
    ("principle-2", &[]),
    ("principle-3", &[]),
    ("principle-4", &[]),
    ("principle-5", &[]),
    ("principle-6", &[]),
    ("principle-7", &[]),
    ("principle-8", &[]),
    ("date-today", &[]),
    ("date-tomorrow", &[]),
    ("date-next-week", &[]),
    ("date-format", &["weekday", "day", "month", "year"]),
    ("weekday-1", &[]),
    ("weekday-2", &[]),
    ("weekday-3", &[]),
    ("weekday-4", &[]),
    ("weekday-5", &[]),
    ("weekday-6", &[]),
    ("weekday-7", &[]),
    ("month-1", &[]),
    ("month-2", &[]),
    ("month-3", &[]),
    ("month-4", &[]),
    ("month-5", &[]),
    ("month-6", &[]),
    ("month-7", &[]),
    ("month-8", &[]),
    ("month-9", &[]),
    ("month-10", &[]),
    ("month-11", &[]),
    ("month-12", &[]),
    ("reask-empty", &[]),
    ("reask-words", &[]),
    ("reask-too-long", &["max", "length"]),
    ("reask-choice", &["count"]),
    ("reask-choices", &["count"]),
    ("reask-scale", &["min", "max"]),
    ("reask-yes-no", &[]),
    ("reask-principle", &[]),
    ("reask-principles", &[]),
    ("reask-date", &[]),
    ("reask-date-past", &[]),
    ("reask-date-far", &[]),
    ("not-allowed", &[]),
    ("role-facilitator", &[]),
    ("role-staff", &[]),
    ("role-citizen", &[]),
    ("newgroup-how", &[]),
    ("newgroup-name-long", &["length", "max"]),
    ("newgroup-done", &["name"]),
    ("codes", &["staffcode", "citizencode"]),
    ("codes-expire", &["date"]),
    ("codes-no-expiry", &[]),
    ("newcodes-done", &["name"]),
    ("newcodes-days", &["max"]),
    ("group-choose-first", &[]),
    ("group-unavailable", &[]),
    ("join-how", &[]),
    ("join-wrong", &[]),
    ("join-wrong-paused", &["minutes"]),
    ("join-paused", &["minutes"]),
    ("join-done", &["name", "role"]),
    ("join-already", &["name", "role"]),
    ("groups-none", &[]),
    ("groups-header", &[]),
    ("groups-line", &["number", "name", "role"]),
    ("groups-line-current", &["number", "name", "role"]),
    ("groups-choose-hint", &[]),
    ("group-ask", &[]),
    ("group-set", &["name"]),
    ("group-busy", &[]),
    ("members", &["name", "facilitators", "staff", "citizens"]),
    ("name-how", &[]),
    ("name-current", &["name"]),
    ("name-set", &["name"]),
    ("name-removed", &[]),
    ("remind-how", &[]),
    ("remind-bad-time", &[]),
    ("remind-set", &["when"]),
    ("remind-current", &["when"]),
    ("remind-removed", &[]),
    ("remind-every-day", &[]),
    ("remind-weekdays", &[]),
    ("remind-weekend", &[]),
    ("remind-when", &["days", "time"]),
    ("follow-up-offer", &["what", "number"]),
    ("follow-up-offer-busy", &["what", "number"]),
    ("follow-up-now", &[]),
    ("reminder", &[]),
    ("reminder-busy", &[]),
    ("reminder-start", &[]),
    ("trial-sign", &[]),
    ("trials-group-header", &["name", "count"]),
    ("help-facilitator", &[]),
    ("link-in-group", &[]),
    ("codes-expired", &[]),
    ("name-citizen", &[]),
    ("stopped-trial-unfinished", &[]),
    ("follow-up-sign", &["sign"]),
    ("follow-up-offer-again", &["what", "number"]),
    ("remind-on-days", &["days"]),
    ("time-of-day", &["hour", "minute"]),
    ("list-and", &["rest", "last"]),
    ("redacted-cpr", &[]),
    ("redacted-phone", &[]),
    ("redacted-email", &[]),
    ("redacted-cpr-name", &[]),
    ("redacted-phone-name", &[]),
    ("redacted-email-name", &[]),
    ("redacted-note", &["what"]),
    ("trials-group-line", &["what", "state", "date"]),
];

/// Formats every engine and digest message, and those of `more` (the chat channels'), in
/// every language with sample arguments, with one and with several for numbers so both plural
/// forms are tried.
#[must_use]
pub fn check_messages(locales: &Locales, more: &[MessageList]) -> Vec<I18nError> {
    let mut problems = Vec::new();
    for lang in Lang::ALL {
        let commands = crate::command::message_ids();
        let commands = commands.iter().map(|id| (id.as_str(), &[][..]));
        for (id, arg_names) in MESSAGES
            .iter()
            .chain(crate::digest::MESSAGES)
            .chain(more.iter().copied().flatten())
            .map(|(id, args)| (*id, *args))
            .chain(commands)
        {
            for number in [1, 3] {
                let args: Vec<(&str, FluentValue<'_>)> = arg_names
                    .iter()
                    .map(|name| {
                        let value: FluentValue<'_> = match *name {
                            "count" | "number" | "step" | "total" | "min" | "max" | "length"
                            | "day" | "year" | "minutes" | "facilitators" | "staff"
                            | "citizens" | "week" | "last-week" | "first-day" | "last-day"
                            | "first-year" | "last-year" | "floor" | "more" | "people" => {
                                number.into()
                            }
                            _ => "tekst".into(),
                        };
                        (*name, value)
                    })
                    .collect();
                if let Err(err) = locales.format(lang, id, &args) {
                    problems.push(err);
                    break;
                }
            }
        }
    }
    problems
}
