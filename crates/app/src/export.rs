//! The evaluator export (`eftertanke export`): one group's answers in a period, pseudonymised.
//!
//! One row per answer: a pseudonymous person id and run id (keyed by the master key, so the
//! same person has the same id in every export while the key stays, and nobody without the
//! key can tell whose it is; with a salt, only within that export), role, group id, dialogue,
//! step, principles, the ISO week, and the value: scale numbers, yes or no, choice ids, dates,
//! principle numbers, and for a step that made a trial action, that action's state now. Free
//! text only where the citizen agreed to share it in the dialogue's consent step; otherwise
//! it is withheld. Citizens' rows only for weeks in which at least the citizen floor of
//! citizens answered (as the digest). No names, platform ids, days or times, or trial-action
//! wording.

use std::collections::HashMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

use eftertanke_core::dialogs::{Catalog, Role};
use eftertanke_core::digest::{latest_answers, shared_answers};
use eftertanke_core::records::{AnswerRecord, Meeting, PersonId, TrialState, Value};
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
    /// The ISO week the answer was given in ("2026-W47"): no day, so one answer cannot be
    /// matched to a shift.
    pub week: String,
    /// text, choice, choices, scale, yes-no, principles, date, trial-action or skipped.
    pub kind: &'static str,
    /// `null` for a skipped step and for text the person did not agree to share.
    pub value: serde_json::Value,
    /// Whether `value` is free text the person agreed to share.
    pub shared_text: bool,
    /// The state now of the trial action this step made.
    pub trial_state: Option<TrialState>,
}

/// How an export is made, beyond its group and period.
#[derive(Clone, Copy, Debug)]
pub struct Options<'a> {
    /// Citizens' rows only for weeks with at least this many distinct citizens.
    pub citizen_floor: usize,
    /// Mixed into every pseudonym: exports with different salts cannot be linked to each
    /// other; without one, a person has the same pseudonym in every export.
    pub salt: Option<&'a str>,
}

/// What an export holds, and what it withheld.
#[derive(Clone, Debug, Default)]
pub struct Export {
    pub rows: Vec<Row>,
    /// Citizens' answers left out: their week had fewer citizens than the floor.
    pub below_floor: usize,
}

/// A pseudonym for `id`: 16 hex digits of its keyed hash under the master key, for
/// `purpose` (people and runs get unrelated ones), with the export's salt if any.
fn pseudonym(master: &MasterKey, purpose: &str, salt: Option<&str>, id: &str) -> String {
    let salted = format!("{}\0{id}", salt.unwrap_or_default());
    let data = if salt.is_some() { salted.as_str() } else { id };
    let hash = master.keyed_hash(purpose, data.as_bytes());
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
    options: Options<'_>,
) -> Result<Export, ExportError> {
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
    // Distinct citizens a week: below the floor, that week's citizens' rows are left out.
    let mut citizens: HashMap<String, std::collections::HashSet<&PersonId>> = HashMap::new();
    for answer in latest.values().filter(|a| a.role == Role::Citizen) {
        citizens
            .entry(iso_week(answer, tz))
            .or_default()
            .insert(&answer.person);
    }
    let mut below_floor = 0;
    let mut trial_states: HashMap<&PersonId, HashMap<String, TrialState>> = HashMap::new();
    let mut rows = Vec::with_capacity(latest.len());
    for (key, answer) in &latest {
        let week = iso_week(answer, tz);
        if answer.role == Role::Citizen
            && citizens.get(&week).map_or(0, |who| who.len()) < options.citizen_floor
        {
            below_floor += 1;
            continue;
        }
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
        // Staff share with their group, not with evaluators: only citizens' words are exported.
        let shared = answer.role == Role::Citizen && shared.contains(key);
        rows.push(row(answer, shared, trial_state, week, master, options.salt));
    }
    for meeting in records.meetings(group)? {
        let day = meeting.held_at.to_zoned(tz.clone()).date();
        if (from..=to).contains(&day) {
            rows.extend(meeting_rows(&meeting, &format_week(day.iso_week_date())));
        }
    }
    rows.sort_by(|a, b| (&a.week, &a.person, &a.run).cmp(&(&b.week, &b.person, &b.run)));
    Ok(Export { rows, below_floor })
}

/// A learning meeting's decisions as rows of the person `group`: each group trial action
/// decided (`group-trial`) or followed up (`followed-up`), its words (the group's, written
/// down for the group) and state, the focus chosen, and what the group will do with each
/// citizen's idea it took up (`idea-taken-up`: the note only; the idea is the citizen's and
/// its token is left out).
fn meeting_rows(meeting: &Meeting, week: &str) -> Vec<Row> {
    use serde_json::Value as Json;
    let row = |step: &str, principles: Vec<u8>, kind, value, trial_state| Row {
        person: "group".to_owned(),
        role: Role::Staff,
        group: meeting.group.clone(),
        dialogue: "meeting".to_owned(),
        run: format!("m{}", meeting.held_at.as_second()),
        step: step.to_owned(),
        principles,
        week: week.to_owned(),
        kind,
        shared_text: kind == "text",
        value,
        trial_state,
    };
    let mut rows = Vec::new();
    for (step, trials) in [
        ("group-trial", &meeting.trials),
        ("followed-up", &meeting.followed_up),
    ] {
        for trial in trials {
            rows.push(row(
                step,
                trial.principles.clone(),
                "text",
                Json::from(trial.what.as_str()),
                Some(trial.state),
            ));
        }
    }
    if let Some(p) = meeting.focus {
        rows.push(row(
            "focus",
            vec![p],
            "principles",
            Json::from(vec![p]),
            None,
        ));
    }
    for taken in &meeting.ideas_taken_up {
        rows.push(row(
            "idea-taken-up",
            Vec::new(),
            "text",
            Json::from(taken.note.as_str()),
            None,
        ));
    }
    rows
}

/// The ISO week an answer was given in, in `tz`.
fn iso_week(answer: &AnswerRecord, tz: &TimeZone) -> String {
    format_week(
        answer
            .answered_at
            .to_zoned(tz.clone())
            .date()
            .iso_week_date(),
    )
}

fn row(
    answer: &AnswerRecord,
    shared: bool,
    trial_state: Option<TrialState>,
    week: String,
    master: &MasterKey,
    salt: Option<&str>,
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
            pseudonym(master, "export people", salt, answer.person.as_str())
        ),
        role: answer.role,
        group: answer.group.clone().unwrap_or_default(),
        dialogue: answer.dialogue.clone(),
        // Run ids count per person: the run's pseudonym is of the person's too.
        run: format!(
            "r{}",
            pseudonym(
                master,
                "export runs",
                salt,
                &format!("{}\0{}", answer.person.as_str(), answer.run)
            )
        ),
        step: answer.step.clone(),
        principles: answer.principles.clone(),
        week,
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
    "week",
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
    [
        row.person.clone(),
        row.role.name().to_owned(),
        row.group.clone(),
        row.dialogue.clone(),
        row.run.clone(),
        row.step.clone(),
        principles,
        row.week.clone(),
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
            week: "2026-W48".into(),
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
            "person,role,group,dialogue,run,step,principles,week,kind,value,shared_text,trial_state\n\
             p1,citizen,g1,d,r1,hope,1;5,2026-W48,text,\"a, \"\"b\"\"\nc\",true,kept\n"
        );
    }

    /// A meeting's decisions are rows of the person "group": each group trial action with
    /// its words and state, the focus, and the note on a citizen's idea (never its token).
    #[test]
    fn a_meeting_is_exported_as_the_groups_rows() {
        use eftertanke_core::records::{GroupTrial, TakenIdea, SCHEMA};
        let trial = |what: &str, state| GroupTrial {
            id: what.into(),
            what: what.into(),
            principles: vec![3],
            due: jiff::civil::date(2026, 11, 30),
            state,
        };
        let meeting = Meeting {
            schema: SCHEMA,
            group: "g1".into(),
            held_at: "2026-11-20T12:00:00Z".parse().unwrap(),
            since: "2026-11-06T12:00:00Z".parse().unwrap(),
            trials: vec![trial("Eat together", TrialState::Planned)],
            followed_up: vec![trial("Ask first", TrialState::Dropped)],
            focus: Some(4),
            ideas_taken_up: vec![TakenIdea {
                token: "0123456789abcdef0123456789abcdef".into(),
                note: "Music on Fridays".into(),
            }],
        };
        let mut out = Vec::new();
        write(&meeting_rows(&meeting, "2026-W47"), Format::Csv, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let run = format!("m{}", meeting.held_at.as_second());
        assert_eq!(
            text.lines().skip(1).collect::<Vec<_>>(),
            [
                format!("group,staff,g1,meeting,{run},group-trial,3,2026-W47,text,Eat together,true,planned"),
                format!("group,staff,g1,meeting,{run},followed-up,3,2026-W47,text,Ask first,true,dropped"),
                format!("group,staff,g1,meeting,{run},focus,4,2026-W47,principles,4,false,"),
                format!("group,staff,g1,meeting,{run},idea-taken-up,,2026-W47,text,Music on Fridays,true,"),
            ]
        );
        assert!(!text.contains("0123456789abcdef"), "{text}");
    }
}
