//! Loading and validating `dialogs/*.toml`. Parse loosely into raw structs, then check every
//! rule and build the model; every problem is collected, naming file, dialogue and step.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::path::{Path, PathBuf};

use regex::Regex;
use serde::Deserialize;

use super::model::{
    AnswerKind, Audience, Branch, Catalog, ChoiceOption, Condition, Dialogue, Purpose, Step,
    Target, TRIAL_STATES,
};
use crate::i18n::Locales;

/// Steps a dialogue may have. With no loops allowed, this bounds the answers of one run (and
/// the conversation record that holds them) whatever a person sends.
pub const MAX_STEPS: usize = 60;

/// One problem in one dialogue file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialogError {
    pub file: PathBuf,
    pub dialogue: Option<String>,
    pub step: Option<String>,
    pub problem: String,
}

impl fmt::Display for DialogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(dialogue) = &self.dialogue {
            write!(f, ": dialogue `{dialogue}`")?;
        }
        if let Some(step) = &self.step {
            write!(f, ", step `{step}`")?;
        }
        write!(f, ": {}", self.problem)
    }
}

impl std::error::Error for DialogError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDialogue {
    id: String,
    audience: String,
    #[serde(default)]
    purpose: Option<String>,
    title: String,
    #[serde(default)]
    intro: Option<String>,
    #[serde(default)]
    outro: Option<String>,
    #[serde(default)]
    step: Vec<RawStep>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    id: String,
    #[serde(default)]
    ask: Option<String>,
    #[serde(default)]
    ask_any: Option<Vec<String>>,
    answer: String,
    #[serde(default)]
    principles: Vec<i64>,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    branch: Vec<RawBranch>,
    #[serde(default)]
    max_chars: Option<i64>,
    #[serde(default)]
    pattern: Option<String>,
    #[serde(default)]
    pattern_hint: Option<String>,
    #[serde(default)]
    options: Option<Vec<RawOption>>,
    #[serde(default)]
    min: Option<i64>,
    #[serde(default)]
    max: Option<i64>,
    #[serde(default)]
    low: Option<String>,
    #[serde(default)]
    high: Option<String>,
    #[serde(default)]
    suggest: bool,
    #[serde(default)]
    sets_trial_state: bool,
    #[serde(default)]
    digest: Option<String>,
    #[serde(default)]
    shares: Option<Vec<String>>,
    #[serde(default)]
    idea: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    value: String,
    label: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBranch {
    if_answer: String,
    #[serde(default)]
    at_most: Option<i64>,
    #[serde(default)]
    at_least: Option<i64>,
    #[serde(default)]
    is: Option<String>,
    goto: String,
}

/// Free-text answers may not be longer than this, whatever a dialogue says.
pub const MAX_TEXT_LIMIT: i64 = 10_000;
const DEFAULT_TEXT_LIMIT: usize = 1_000;

/// Loads every `*.toml` in `dir`, checking each against the rules and the locales.
pub fn load_catalog(dir: &Path, locales: &Locales) -> Result<Catalog, Vec<DialogError>> {
    let folder_problem = |text: String| DialogError {
        file: dir.to_owned(),
        dialogue: None,
        step: None,
        problem: text,
    };
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
            .collect(),
        Err(err) => {
            return Err(vec![folder_problem(format!(
                "cannot read the folder: {err}"
            ))])
        }
    };
    files.sort();
    if files.is_empty() {
        return Err(vec![folder_problem(
            "no dialogue files (*.toml) found".into(),
        )]);
    }
    let mut problems = Vec::new();
    let mut sources = Vec::new();
    for file in files {
        match std::fs::read_to_string(&file) {
            Ok(text) => sources.push((file, text)),
            Err(err) => problems.push(problem(&file, None, None, format!("cannot read: {err}"))),
        }
    }
    match catalog_from_sources(sources, locales) {
        Ok(catalog) if problems.is_empty() => Ok(catalog),
        Ok(_) => Err(problems),
        Err(more) => {
            problems.extend(more);
            Err(problems)
        }
    }
}

/// Builds the catalog from (file name, text) pairs: files on disk or compiled in.
pub fn catalog_from_sources(
    sources: Vec<(PathBuf, String)>,
    locales: &Locales,
) -> Result<Catalog, Vec<DialogError>> {
    let mut problems = Vec::new();
    let mut catalog = Catalog::default();
    let mut origin: BTreeMap<String, PathBuf> = BTreeMap::new();
    for (file, text) in sources {
        let Some(dialogue) = parse_dialogue(&file, &text, locales, &mut problems) else {
            continue;
        };
        if let Some(other) = origin.get(&dialogue.id) {
            problems.push(problem(
                &file,
                Some(&dialogue.id),
                None,
                format!("dialogue id is already used by {}", other.display()),
            ));
            continue;
        }
        origin.insert(dialogue.id.clone(), file.clone());
        catalog.dialogues.insert(dialogue.id.clone(), dialogue);
    }
    if problems.is_empty() {
        Ok(catalog)
    } else {
        Err(problems)
    }
}

fn problem(file: &Path, dialogue: Option<&str>, step: Option<&str>, text: String) -> DialogError {
    DialogError {
        file: file.to_owned(),
        dialogue: dialogue.map(str::to_owned),
        step: step.map(str::to_owned),
        problem: text,
    }
}

/// Collects the problems of one file.
struct Checker<'a> {
    file: &'a Path,
    dialogue: String,
    locales: &'a Locales,
    problems: &'a mut Vec<DialogError>,
}

impl Checker<'_> {
    fn report(&mut self, step: Option<&str>, text: impl Into<String>) {
        self.problems
            .push(problem(self.file, Some(&self.dialogue), step, text.into()));
    }

    fn message(&mut self, step: Option<&str>, field: &str, id: &str) {
        if !self.locales.has(id) {
            self.report(
                step,
                format!("{field}: Fluent message `{id}` is missing from a locale"),
            );
        }
    }
}

/// Parses and validates one dialogue file; `None` when it has problems (all reported).
fn parse_dialogue(
    file: &Path,
    text: &str,
    locales: &Locales,
    problems: &mut Vec<DialogError>,
) -> Option<Dialogue> {
    let raw: RawDialogue = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(err) => {
            let message = err.message().to_owned();
            let line = err
                .span()
                .map(|span| crate::i18n::line_of(text, span.start));
            let at = line.map(|l| format!("line {l}: ")).unwrap_or_default();
            let (dialogue, step) = locate(text, err.span().map(|span| span.start));
            problems.push(problem(
                file,
                dialogue.as_deref(),
                step.as_deref(),
                format!("{at}{message}"),
            ));
            return None;
        }
    };
    let before = problems.len();
    let mut check = Checker {
        file,
        dialogue: raw.id.clone(),
        locales,
        problems,
    };
    if !valid_id(&raw.id) {
        check.report(None, "the id must be lowercase letters, digits and '-'");
    }
    let audience = match raw.audience.as_str() {
        "staff" => Some(Audience::Staff),
        "citizen" => Some(Audience::Citizen),
        "both" => Some(Audience::Both),
        other => {
            check.report(
                None,
                format!("unknown audience `{other}` (staff, citizen or both)"),
            );
            None
        }
    };
    let purpose = match raw.purpose.as_deref().unwrap_or("reflection") {
        "reflection" => Some(Purpose::Reflection),
        "check-in" => Some(Purpose::CheckIn),
        "follow-up" => Some(Purpose::FollowUp),
        "trial" => Some(Purpose::Trial),
        other => {
            check.report(
                None,
                format!("unknown purpose `{other}` (reflection, check-in, follow-up or trial)"),
            );
            None
        }
    };
    check.message(None, "title", &raw.title);
    for (field, id) in [("intro", &raw.intro), ("outro", &raw.outro)] {
        if let Some(id) = id {
            check.message(None, field, id);
        }
    }
    if raw.step.is_empty() {
        check.report(None, "a dialogue needs at least one [[step]]");
    }
    if raw.step.len() > MAX_STEPS {
        check.report(
            None,
            format!(
                "a dialogue has at most {MAX_STEPS} steps, this one {}: a run keeps its answers \
                 in the person's conversation",
                raw.step.len()
            ),
        );
    }

    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, step) in raw.step.iter().enumerate() {
        if step.id == "end" {
            check.report(
                Some(&step.id),
                "`end` is reserved for the end of the dialogue",
            );
        } else if index.insert(step.id.as_str(), i).is_some() {
            check.report(Some(&step.id), "duplicate step id");
        }
    }
    let resolve = |check: &mut Checker<'_>, step: &str, field: &str, target: &str| {
        if target == "end" {
            return Some(Target::End);
        }
        match index.get(target) {
            Some(&i) => Some(Target::Step(i)),
            None => {
                check.report(Some(step), format!("{field}: unknown step id `{target}`"));
                None
            }
        }
    };

    let mut steps = Vec::with_capacity(raw.step.len());
    for (i, raw_step) in raw.step.iter().enumerate() {
        let id = raw_step.id.as_str();
        let next = match &raw_step.next {
            Some(target) => resolve(&mut check, id, "next", target),
            None if i + 1 < raw.step.len() => Some(Target::Step(i + 1)),
            None => Some(Target::End),
        };
        let answer = answer_kind(&mut check, raw_step);
        let ask = match (&raw_step.ask, &raw_step.ask_any) {
            (Some(one), None) => vec![one.clone()],
            (None, Some(bank)) if !bank.is_empty() => bank.clone(),
            (None, Some(_)) => {
                check.report(Some(id), "ask_any needs at least one message id");
                Vec::new()
            }
            (Some(_), Some(_)) => {
                check.report(Some(id), "give either ask or ask_any, not both");
                Vec::new()
            }
            (None, None) => {
                check.report(Some(id), "the question is missing: give ask or ask_any");
                Vec::new()
            }
        };
        for message in &ask {
            check.message(Some(id), "ask", message);
        }
        let mut principles = Vec::new();
        for &p in &raw_step.principles {
            if !(1..=8).contains(&p) {
                check.report(Some(id), format!("principle {p} is outside 1-8"));
            } else if principles.contains(&(p as u8)) {
                check.report(Some(id), format!("principle {p} is listed twice"));
            } else {
                principles.push(p as u8);
            }
        }
        if raw_step.sets_trial_state {
            check_trial_state_step(&mut check, purpose, raw_step, answer.as_ref());
        }
        if let Some(label) = &raw_step.digest {
            check_digest_label(&mut check, raw_step, label);
        }
        let shares = match &raw_step.shares {
            Some(shared) => check_shares(&mut check, i, raw_step, shared, &index, &raw.step),
            None => Vec::new(),
        };
        if raw_step.idea {
            check_idea(&mut check, raw_step, &raw.step);
        }
        let mut branches = Vec::new();
        for raw_branch in &raw_step.branch {
            let goto = resolve(&mut check, id, "branch goto", &raw_branch.goto);
            let tested = index.get(raw_branch.if_answer.as_str()).copied();
            if tested.is_none() {
                check.report(
                    Some(id),
                    format!(
                        "branch if_answer: unknown step id `{}`",
                        raw_branch.if_answer
                    ),
                );
            }
            let condition = branch_condition(&mut check, id, raw_branch, tested, &raw.step);
            if let (Some(goto), Some(step), Some(condition)) = (goto, tested, condition) {
                branches.push(Branch {
                    step,
                    condition,
                    goto,
                });
            }
        }
        if let (Some(answer), Some(next)) = (answer, next) {
            steps.push(Step {
                id: raw_step.id.clone(),
                ask,
                answer,
                principles,
                optional: raw_step.optional,
                sets_trial_state: raw_step.sets_trial_state,
                branches,
                next,
                digest: raw_step.digest.clone(),
                shares,
                idea: raw_step.idea,
                remaining: 0,
                remaining_unshared: 0,
                remaining_staff: 0,
            });
        }
    }

    // Paths can be checked whenever every step and branch could be built, even if other
    // problems were found, so one run lists them all.
    let branches_built: usize = steps.iter().map(|s| s.branches.len()).sum();
    let branches_written: usize = raw.step.iter().map(|s| s.branch.len()).sum();
    if !steps.is_empty() && steps.len() == raw.step.len() && branches_built == branches_written {
        check_paths(&mut check, &mut steps);
    }
    if check.problems.len() > before {
        return None;
    }
    Some(Dialogue {
        id: raw.id,
        audience: audience?,
        purpose: purpose?,
        title: raw.title,
        intro: raw.intro,
        outro: raw.outro,
        steps,
    })
}

/// For an error in a file that is valid TOML but not a valid dialogue: the dialogue's id and
/// the id of the `[[step]]` the error is in, where they can be read.
fn locate(text: &str, offset: Option<usize>) -> (Option<String>, Option<String>) {
    let Ok(table) = text.parse::<toml::Table>() else {
        return (None, None);
    };
    let dialogue = table.get("id").and_then(|v| v.as_str()).map(str::to_owned);
    let step = offset.and_then(|offset| {
        let before = text.get(..offset)?;
        let headers = before.lines().filter(|l| l.trim() == "[[step]]").count();
        let steps = table.get("step")?.as_array()?;
        let id = steps.get(headers.checked_sub(1)?)?.get("id")?.as_str()?;
        Some(id.to_owned())
    });
    (dialogue, step)
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Builds the answer kind, refusing fields that do not belong to it.
fn answer_kind(check: &mut Checker<'_>, raw: &RawStep) -> Option<AnswerKind> {
    let id = raw.id.as_str();
    let kind = raw.answer.as_str();
    let present = [
        ("max_chars", raw.max_chars.is_some()),
        ("pattern", raw.pattern.is_some()),
        ("pattern_hint", raw.pattern_hint.is_some()),
        ("options", raw.options.is_some()),
        ("min", raw.min.is_some()),
        ("max", raw.max.is_some()),
        ("low", raw.low.is_some()),
        ("high", raw.high.is_some()),
        ("suggest", raw.suggest),
    ];
    let allowed: &[&str] = match kind {
        "text" => &["max_chars", "pattern", "pattern_hint"],
        "choice" | "choices" => &["options"],
        "scale" => &["min", "max", "low", "high"],
        "principle" => &["suggest"],
        "yes-no" | "principles" | "date" | "trial-action" => &[],
        other => {
            check.report(
                Some(id),
                format!(
                    "unknown answer kind `{other}` (text, choice, choices, scale, yes-no, \
                     principle, principles, date, trial-action)"
                ),
            );
            return None;
        }
    };
    for (field, is_set) in present {
        if is_set && !allowed.contains(&field) {
            check.report(
                Some(id),
                format!("`{field}` does not apply to answer kind `{kind}`"),
            );
        }
    }
    let kind = match kind {
        "text" => {
            let max_chars = match raw.max_chars {
                None => DEFAULT_TEXT_LIMIT,
                Some(n) if (1..=MAX_TEXT_LIMIT).contains(&n) => n as usize,
                Some(n) => {
                    check.report(
                        Some(id),
                        format!("max_chars {n} must be between 1 and {MAX_TEXT_LIMIT}"),
                    );
                    DEFAULT_TEXT_LIMIT
                }
            };
            let pattern = match (&raw.pattern, &raw.pattern_hint) {
                (Some(pattern), Some(hint)) => {
                    check.message(Some(id), "pattern_hint", hint);
                    match Regex::new(pattern) {
                        Ok(regex) => Some((regex, hint.clone())),
                        Err(err) => {
                            check.report(Some(id), format!("invalid regex `{pattern}`: {err}"));
                            None
                        }
                    }
                }
                (Some(_), None) => {
                    check.report(Some(id), "a pattern needs a pattern_hint message");
                    None
                }
                (None, Some(_)) => {
                    check.report(Some(id), "pattern_hint without pattern");
                    None
                }
                (None, None) => None,
            };
            AnswerKind::Text { max_chars, pattern }
        }
        "choice" | "choices" => {
            let options = choice_options(check, raw);
            if kind == "choice" {
                AnswerKind::Choice { options }
            } else {
                AnswerKind::Choices { options }
            }
        }
        "scale" => {
            let (Some(min), Some(max)) = (raw.min, raw.max) else {
                check.report(Some(id), "a scale needs min and max");
                return None;
            };
            if !(0..=10).contains(&min) || !(0..=10).contains(&max) || min >= max {
                check.report(
                    Some(id),
                    format!("scale ends {min}-{max} are wrong: need 0 <= min < max <= 10"),
                );
            }
            let (Some(low), Some(high)) = (raw.low.clone(), raw.high.clone()) else {
                check.report(Some(id), "a scale needs low and high labels");
                return None;
            };
            check.message(Some(id), "low", &low);
            check.message(Some(id), "high", &high);
            AnswerKind::Scale {
                min,
                max,
                low,
                high,
            }
        }
        "yes-no" => AnswerKind::YesNo,
        "principle" => AnswerKind::Principle {
            suggest: raw.suggest,
        },
        "principles" => AnswerKind::Principles,
        "date" => AnswerKind::Date,
        _ => AnswerKind::TrialAction,
    };
    Some(kind)
}

fn choice_options(check: &mut Checker<'_>, raw: &RawStep) -> Vec<ChoiceOption> {
    let id = raw.id.as_str();
    let Some(options) = &raw.options else {
        check.report(Some(id), "a choice needs options");
        return Vec::new();
    };
    if options.len() < 2 {
        check.report(Some(id), "a choice needs at least two options");
    }
    if options.len() > 12 {
        check.report(Some(id), "more than 12 options is too many for a phone");
    }
    let mut seen = BTreeSet::new();
    for option in options {
        if !valid_id(&option.value) {
            check.report(
                Some(id),
                format!(
                    "option value `{}` must be lowercase letters, digits and '-'",
                    option.value
                ),
            );
        }
        if !seen.insert(option.value.as_str()) {
            check.report(
                Some(id),
                format!("option value `{}` is used twice", option.value),
            );
        }
        check.message(Some(id), "option label", &option.label);
    }
    options
        .iter()
        .map(|o| ChoiceOption {
            value: o.value.clone(),
            label: o.label.clone(),
        })
        .collect()
}

fn check_trial_state_step(
    check: &mut Checker<'_>,
    purpose: Option<Purpose>,
    raw: &RawStep,
    answer: Option<&AnswerKind>,
) {
    let id = raw.id.as_str();
    if purpose != Some(Purpose::FollowUp) {
        check.report(Some(id), "sets_trial_state belongs in a follow-up dialogue");
    }
    match answer {
        Some(AnswerKind::YesNo) | None => {}
        Some(AnswerKind::Choice { options }) => {
            for option in options {
                if !TRIAL_STATES.contains(&option.value.as_str()) {
                    check.report(
                        Some(id),
                        format!(
                            "option `{}` is not a trial-action state ({})",
                            option.value,
                            TRIAL_STATES.join(", ")
                        ),
                    );
                }
            }
        }
        Some(_) => check.report(Some(id), "sets_trial_state needs a yes-no or choice answer"),
    }
}

/// The answer kinds a step may be summarised from in the weekly digest.
const DIGEST_KINDS: [&str; 3] = ["scale", "yes-no", "choice"];

fn check_digest_label(check: &mut Checker<'_>, raw: &RawStep, label: &str) {
    let id = raw.id.as_str();
    check.message(Some(id), "digest", label);
    if !DIGEST_KINDS.contains(&raw.answer.as_str()) && is_answer_kind(&raw.answer) {
        check.report(
            Some(id),
            format!(
                "`digest` applies only to scale, yes-no and choice steps, not `{}`",
                raw.answer
            ),
        );
    }
}

/// Whether `kind` is a known answer kind (an unknown one is reported once, elsewhere).
fn is_answer_kind(kind: &str) -> bool {
    matches!(
        kind,
        "text"
            | "choice"
            | "choices"
            | "scale"
            | "yes-no"
            | "principle"
            | "principles"
            | "date"
            | "trial-action"
    )
}

/// Checks a consent step's `shares` and resolves it to step indices: a yes-no step naming
/// earlier text (or trial-action) steps of the same dialogue, each once.
fn check_shares(
    check: &mut Checker<'_>,
    at: usize,
    raw: &RawStep,
    shared: &[String],
    index: &BTreeMap<&str, usize>,
    raw_steps: &[RawStep],
) -> Vec<usize> {
    let id = raw.id.as_str();
    if raw.answer != "yes-no" && is_answer_kind(&raw.answer) {
        check.report(
            Some(id),
            format!(
                "`shares` applies only to yes-no steps (a consent question), not `{}`",
                raw.answer
            ),
        );
    }
    if shared.is_empty() {
        check.report(Some(id), "shares needs at least one step id");
    }
    let mut steps = Vec::with_capacity(shared.len());
    let mut seen = BTreeSet::new();
    for name in shared {
        if !seen.insert(name.as_str()) {
            check.report(Some(id), format!("shares: step `{name}` is listed twice"));
            continue;
        }
        let Some(&j) = index.get(name.as_str()) else {
            check.report(Some(id), format!("shares: unknown step id `{name}`"));
            continue;
        };
        if !matches!(raw_steps[j].answer.as_str(), "text" | "trial-action") {
            check.report(
                Some(id),
                format!(
                    "shares: step `{name}` is a {} step; only text answers and trial actions \
                     can be shared",
                    raw_steps[j].answer
                ),
            );
        } else if j >= at {
            check.report(
                Some(id),
                format!("shares: step `{name}` must come before this step in the file"),
            );
        } else {
            steps.push(j);
        }
    }
    steps
}

/// Checks an idea step: a text step (an idea is written) that a consent step shares (an idea
/// nobody may read could never be taken up).
fn check_idea(check: &mut Checker<'_>, raw: &RawStep, raw_steps: &[RawStep]) {
    let id = raw.id.as_str();
    if raw.answer != "text" && is_answer_kind(&raw.answer) {
        check.report(
            Some(id),
            format!("`idea` applies only to text steps, not `{}`", raw.answer),
        );
    }
    let shared = raw_steps
        .iter()
        .any(|s| s.shares.as_ref().is_some_and(|ids| ids.contains(&raw.id)));
    if !shared {
        check.report(
            Some(id),
            "an `idea` step must be listed in a consent step's `shares`: ideas are read only \
             with consent",
        );
    }
}

fn branch_condition(
    check: &mut Checker<'_>,
    step: &str,
    raw: &RawBranch,
    tested: Option<usize>,
    raw_steps: &[RawStep],
) -> Option<Condition> {
    let condition = match (raw.at_most, raw.at_least, &raw.is) {
        (Some(n), None, None) => Condition::AtMost(n),
        (None, Some(n), None) => Condition::AtLeast(n),
        (None, None, Some(value)) => Condition::Is(value.clone()),
        _ => {
            check.report(
                Some(step),
                "a branch needs exactly one of at_most, at_least or is",
            );
            return None;
        }
    };
    let tested_step = &raw_steps[tested?];
    let fits = match (&condition, tested_step.answer.as_str()) {
        (Condition::AtMost(n) | Condition::AtLeast(n), "scale") => {
            let (min, max) = (tested_step.min.unwrap_or(0), tested_step.max.unwrap_or(10));
            if !(min..=max).contains(n) {
                check.report(
                    Some(step),
                    format!(
                        "branch value {n} is outside the scale {min}-{max} of step `{}`",
                        tested_step.id
                    ),
                );
                return None;
            }
            true
        }
        (Condition::Is(value), "yes-no") => value == "yes" || value == "no",
        (Condition::Is(value), "principle" | "principles") => {
            value.parse::<u8>().is_ok_and(|p| (1..=8).contains(&p))
        }
        (Condition::Is(value), "choice" | "choices") => tested_step
            .options
            .iter()
            .flatten()
            .any(|o| &o.value == value),
        _ => false,
    };
    if !fits {
        check.report(
            Some(step),
            format!(
                "branch condition does not fit the {} answer of step `{}`",
                tested_step.answer, tested_step.id
            ),
        );
        return None;
    }
    Some(condition)
}

fn successors(step: &Step) -> impl Iterator<Item = Target> + '_ {
    std::iter::once(step.next).chain(step.branches.iter().map(|b| b.goto))
}

/// The fewest questions from each step to the end, the step included, each step counting
/// `asked(step)` (1, or 0 for a step that is passed over); `usize::MAX` where the end cannot
/// be reached. Relaxed until nothing changes (n is small).
fn shortest_to_end(steps: &[Step], asked: impl Fn(&Step) -> usize) -> Vec<usize> {
    let n = steps.len();
    let mut remaining = vec![usize::MAX; n];
    loop {
        let mut changed = false;
        for i in 0..n {
            let own = asked(&steps[i]);
            let best = successors(&steps[i])
                .map(|target| match target {
                    Target::End => own,
                    Target::Step(j) => remaining[j].saturating_add(own),
                })
                .min()
                .unwrap_or(usize::MAX);
            if best < remaining[i] {
                remaining[i] = best;
                changed = true;
            }
        }
        if !changed {
            return remaining;
        }
    }
}

/// Checks reachability both ways and fills in `remaining` (shortest way to the end).
fn check_paths(check: &mut Checker<'_>, steps: &mut [Step]) {
    let n = steps.len();
    let mut reached = vec![false; n];
    let mut queue = VecDeque::from([0]);
    reached[0] = true;
    while let Some(i) = queue.pop_front() {
        for target in successors(&steps[i]) {
            if let Target::Step(j) = target {
                if !reached[j] {
                    reached[j] = true;
                    queue.push_back(j);
                }
            }
        }
    }
    let remaining = shortest_to_end(steps, |_| 1);
    let unshared = shortest_to_end(steps, |step| {
        usize::from(step.shares.is_empty() && !step.idea)
    });
    let shares_only_trials = |step: &Step| {
        !step.shares.is_empty()
            && step
                .shares
                .iter()
                .all(|&j| matches!(steps[j].answer, AnswerKind::TrialAction))
    };
    let staff = shortest_to_end(steps, |step| usize::from(!shares_only_trials(step)));
    for (i, step) in steps.iter_mut().enumerate() {
        if !reached[i] {
            check.report(
                Some(&step.id),
                "this step cannot be reached from the first step",
            );
        }
        if remaining[i] == usize::MAX {
            check.report(Some(&step.id), "the end cannot be reached from this step");
        }
        step.remaining = remaining[i];
        step.remaining_unshared = unshared[i];
        step.remaining_staff = staff[i];
    }
    // No loops: answers are kept per step, so a step asked twice would lose its first answer.
    for (i, step) in steps.iter().enumerate() {
        for target in successors(step) {
            if let Target::Step(j) = target {
                if j <= i && (j == i || leads_to(steps, j, i)) {
                    check.report(
                        Some(&step.id),
                        format!(
                            "leads back to step `{}`: a dialogue may not loop, since each \
                             step keeps one answer per run",
                            steps[j].id
                        ),
                    );
                }
            }
        }
    }
    // A branch may only test this step or one that comes before it on some path.
    for (i, step) in steps.iter().enumerate() {
        for branch in &step.branches {
            if branch.step != i && !leads_to(steps, branch.step, i) {
                check.report(
                    Some(&step.id),
                    format!(
                        "branch tests step `{}`, which is never answered before this one",
                        steps[branch.step].id
                    ),
                );
            }
        }
    }
}

fn leads_to(steps: &[Step], from: usize, to: usize) -> bool {
    let mut seen = vec![false; steps.len()];
    let mut stack = vec![from];
    while let Some(i) = stack.pop() {
        for target in successors(&steps[i]) {
            if let Target::Step(j) = target {
                if j == to {
                    return true;
                }
                if !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            }
        }
    }
    false
}
