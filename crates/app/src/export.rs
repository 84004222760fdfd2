//! The evaluator export (`eftertanke export`): one group's answers in a period, pseudonymised.
//!
//! One row per answer: a pseudonymous person id and run id (keyed by the master key, so the
//! same person has the same id in every export while the key stays, and nobody without the
//! key can tell whose it is), role, group id, dialogue, step, principles, the day, and the
//! value: scale numbers, yes or no, choice ids, dates, principle numbers, and for a step that
//! made a trial action, that action's state now. Free text only where the citizen agreed to
//! share it in the dialogue's consent step; otherwise it is withheld. No names, platform ids,
//! times of day or trial-action wording.

use std::collections::HashMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

use eftertanke_core::dialogs::{Catalog, Role};
use eftertanke_core::digest::{latest_answers, shared_answers};
use eftertanke_core::records::{AnswerRecord, PersonId, TrialState, Value};
use eftertanke_core::schedule::{format_week, week_dates};
use eftertanke_store::{MasterKey, Records, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the period ends ({to}) before it starts ({from})")]
    Period { from: Date, to: Date },
    #[error("writing the export: {0}")]
    Write(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

/// One exported answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    pub person: String,
    pub role: Role,
    pub group: String,
    pub dialogue: String,
    pub run: String,
    pub step: String,
    pub principles: Vec<u8>,
    pub date: Date,
    /// text, choice, choices, scale, yes-no, principles, date, trial-action or skipped.
    pub kind: &'static str,
    /// `null` for a skipped step and for text the person did not agree to share.
    pub value: serde_json::Value,
    /// Whether `value` is free text the person agreed to share.
    pub shared_text: bool,
    /// The state now of the trial action this step made.
    pub trial_state: Option<TrialState>,
}

/// A pseudonym for `id`: 16 hex digits of its keyed hash under the master key, for
/// `purpose` (people and runs get unrelated ones).
fn pseudonym(master: &MasterKey, purpose: &str, id: &str) -> String {
    let hash = master.keyed_hash(purpose, id.as_bytes());
    eftertanke_core::keyed::hex(&hash[..8])
}

/// One group's answers given from `from` to `to` (both days included, in `tz`), oldest first.
pub fn gather<S: Store>(
    records: &Records<S>,
    catalog: &Catalog,
    tz: &TimeZone,
    group: &str,
    (from, to): (Date, Date),
    master: &MasterKey,
) -> Result<Vec<Row>, ExportError> {
    if to < from {
        return Err(ExportError::Period { from, to });
    }
    let mut answers = Vec::new();
    // Answers are kept by ISO week: read each week the period touches, Monday to Monday.
    let (mut monday, _) = week_dates(from.iso_week_date());
    while monday <= to {
        let in_period = records
            .group_week_answers(group, &format_week(monday.iso_week_date()))?
            .into_iter()
            .filter(|a| (from..=to).contains(&a.answered_at.to_zoned(tz.clone()).date()));
        answers.extend(in_period);
        match monday.checked_add(jiff::ToSpan::weeks(1)) {
            Ok(next) => monday = next,
            Err(_) => break,
        }
    }
    let latest = latest_answers(&answers);
    let shared = shared_answers(catalog, latest.values().copied());
    let mut trial_states: HashMap<&PersonId, HashMap<String, TrialState>> = HashMap::new();
    let mut rows = Vec::with_capacity(latest.len());
    for (key, answer) in &latest {
        let trial_state = match &answer.value {
            Value::TrialAction(id) => {
                if !trial_states.contains_key(&answer.person) {
                    let states = records
                        .trials(&answer.person)?
                        .into_iter()
                        .map(|t| (t.id, t.state))
                        .collect();
                    trial_states.insert(&answer.person, states);
                }
                trial_states
                    .get(&answer.person)
                    .and_then(|states| states.get(id))
                    .copied()
            }
            _ => None,
        };
        rows.push(row(answer, shared.contains(key), trial_state, tz, master));
    }
    rows.sort_by(|a, b| (a.date, &a.person, &a.run).cmp(&(b.date, &b.person, &b.run)));
    Ok(rows)
}

fn row(
    answer: &AnswerRecord,
    shared: bool,
    trial_state: Option<TrialState>,
    tz: &TimeZone,
    master: &MasterKey,
) -> Row {
    use serde_json::Value as Json;
    let (kind, value) = match &answer.value {
        Value::Text(text) if shared => ("text", Json::from(text.as_str())),
        Value::Text(_) => ("text", Json::Null),
        Value::Choice(choice) => ("choice", Json::from(choice.as_str())),
        Value::Choices(choices) => ("choices", Json::from(choices.clone())),
        Value::Scale(n) => ("scale", Json::from(*n)),
        Value::YesNo(yes) => ("yes-no", Json::from(*yes)),
        Value::Principles(numbers) => ("principles", Json::from(numbers.clone())),
        Value::Date(date) => ("date", Json::from(date.to_string())),
        Value::TrialAction(_) => ("trial-action", Json::Null),
        Value::Skipped => ("skipped", Json::Null),
    };
    Row {
        person: format!(
            "p{}",
            pseudonym(master, "export people", answer.person.as_str())
        ),
        role: answer.role,
        group: answer.group.clone().unwrap_or_default(),
        dialogue: answer.dialogue.clone(),
        run: format!("r{}", pseudonym(master, "export runs", &answer.run)),
        step: answer.step.clone(),
        principles: answer.principles.clone(),
        date: answer.answered_at.to_zoned(tz.clone()).date(),
        kind,
        shared_text: shared && matches!(answer.value, Value::Text(_)),
        value,
        trial_state,
    }
}

/// Writes the rows as CSV (one header line, lists joined by `;`) or as a JSON array.
pub fn write(rows: &[Row], format: Format, out: impl std::io::Write) -> Result<(), ExportError> {
    let failed = |err: &dyn std::fmt::Display| ExportError::Write(err.to_string());
    match format {
        Format::Json => serde_json::to_writer_pretty(out, rows).map_err(|e| failed(&e)),
        Format::Csv => {
            let mut csv = csv::Writer::from_writer(out);
            csv.write_record(CSV_HEADER).map_err(|e| failed(&e))?;
            for row in rows {
                csv.write_record(csv_fields(row)).map_err(|e| failed(&e))?;
            }
            csv.flush().map_err(|e| failed(&e))
        }
    }
}

const CSV_HEADER: [&str; 12] = [
    "person",
    "role",
    "group",
    "dialogue",
    "run",
    "step",
    "principles",
    "date",
    "kind",
    "value",
    "shared_text",
    "trial_state",
];

fn csv_fields(row: &Row) -> [String; 12] {
    let value = match &row.value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(text) => spreadsheet_safe(text),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|item| match item {
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(";"),
        other => other.to_string(),
    };
    let principles = row
        .principles
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(";");
    let state = row.trial_state.map_or("", TrialState::name);
    let role = match row.role {
        Role::Staff => "staff",
        Role::Citizen => "citizen",
    };
    [
        row.person.clone(),
        role.to_owned(),
        row.group.clone(),
        row.dialogue.clone(),
        row.run.clone(),
        row.step.clone(),
        principles,
        row.date.to_string(),
        row.kind.to_owned(),
        value,
        row.shared_text.to_string(),
        state.to_owned(),
    ]
}

/// Text a spreadsheet would read as a formula (`=`, `+`, `-`, `@` first) gets a leading `'`,
/// so opening the file cannot run what a person wrote.
fn spreadsheet_safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_fields_quoted() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(spreadsheet_safe("Gå en tur"), "Gå en tur");
        let row = Row {
            person: "p1".into(),
            role: Role::Citizen,
            group: "g1".into(),
            dialogue: "d".into(),
            run: "r1".into(),
            step: "hope".into(),
            principles: vec![1, 5],
            date: jiff::civil::date(2026, 11, 23),
            kind: "text",
            value: serde_json::Value::from("a, \"b\"\nc"),
            shared_text: true,
            trial_state: Some(TrialState::Kept),
        };
        let mut out = Vec::new();
        write(&[row], Format::Csv, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "person,role,group,dialogue,run,step,principles,date,kind,value,shared_text,trial_state\n\
             p1,citizen,g1,d,r1,hope,1;5,2026-11-23,text,\"a, \"\"b\"\"\nc\",true,kept\n"
        );
    }
}
