//! The dialogue loader and the locale checks: every validation rule, one broken dialogue each,
//! then the shipped content and the `eftertanke check` command.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use eftertanke::content::Content;
use eftertanke::dialogs::{catalog_from_sources, Catalog, DialogError, Target};
use eftertanke::i18n::Locales;

const FILE: &str = "dialogs/broken.toml";
const BIN: &str = env!("CARGO_BIN_EXE_eftertanke");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The real locales, loaded once.
fn locales() -> &'static Locales {
    static LOCALES: OnceLock<Locales> = OnceLock::new();
    LOCALES.get_or_init(|| Locales::load(root().join("locales").as_path()).unwrap())
}

/// A staff reflection named `broken` with the given steps (and any further header lines).
fn dialogue(steps: &str) -> String {
    format!(
        "id = \"broken\"\naudience = \"staff\"\npurpose = \"reflection\"\n\
         title = \"efter-vagten-title\"\n\n{steps}"
    )
}

/// A follow-up dialogue named `broken`.
fn follow_up(steps: &str) -> String {
    format!(
        "id = \"broken\"\naudience = \"both\"\npurpose = \"follow-up\"\n\
         title = \"efter-vagten-title\"\n\n{steps}"
    )
}

/// A text step that is fine on its own.
const TEXT_STEP: &str = r#"
[[step]]
id = "situation"
ask = "efter-vagten-situation"
answer = "text"
"#;

fn load(text: &str) -> Result<Catalog, Vec<DialogError>> {
    catalog_from_sources(vec![(PathBuf::from(FILE), text.to_owned())], locales())
}

/// The problems of a dialogue that must not load.
fn problems(text: &str) -> Vec<DialogError> {
    match load(text) {
        Ok(_) => panic!("this dialogue loaded, but should not have:\n{text}"),
        Err(problems) => problems,
    }
}

fn listing(problems: &[DialogError]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Asserts that one of `problems` is in the broken file, dialogue `broken`, at `step`, and
/// says `phrase`; also that its text names all three.
fn assert_listed(problems: &[DialogError], step: Option<&str>, phrase: &str) {
    let found = problems.iter().any(|p| {
        p.file == Path::new(FILE)
            && p.dialogue.as_deref() == Some("broken")
            && p.step.as_deref() == step
            && p.problem.contains(phrase)
    });
    assert!(
        found,
        "no problem at step {step:?} saying {phrase:?}; got:\n{}",
        listing(problems)
    );
    let text = listing(problems);
    let mut expected = format!("{FILE}: dialogue `broken`");
    if let Some(step) = step {
        expected.push_str(&format!(", step `{step}`"));
    }
    assert!(text.contains(&expected), "{text}");
}

/// Asserts that the dialogue fails with exactly this one problem.
fn assert_only(text: &str, step: Option<&str>, phrase: &str) {
    let problems = problems(text);
    assert_listed(&problems, step, phrase);
    assert_eq!(problems.len(), 1, "{}", listing(&problems));
}

// ---------------------------------------------------------------------------------------
// TOML and the dialogue header
// ---------------------------------------------------------------------------------------

#[test]
fn toml_syntax_error_names_file_and_line() {
    let text = "id = \"broken\"\naudience = \"staff\"\npurpose = reflection\n";
    let problems = problems(text);
    assert_eq!(problems.len(), 1, "{}", listing(&problems));
    let p = &problems[0];
    assert_eq!(p.file, Path::new(FILE));
    assert!(p.problem.starts_with("line 3: "), "{p}");
    assert!(p.to_string().starts_with(FILE), "{p}");
}

#[test]
fn toml_error_at_the_start_of_a_line_names_that_line() {
    // Line 5 repeats a key; the error points at the start of the line.
    let text = format!("{}\nid = \"again\"\n", dialogue("").trim_end());
    assert_eq!(text.lines().nth(4), Some("id = \"again\""));
    let problems = problems(&text);
    assert_eq!(problems.len(), 1, "{}", listing(&problems));
    assert!(
        problems[0].problem.starts_with("line 5: "),
        "{}",
        problems[0]
    );
}

#[test]
fn unknown_field() {
    let problems = problems(&dialogue("colour = \"blue\"\n"));
    assert_eq!(problems.len(), 1, "{}", listing(&problems));
    let p = &problems[0];
    assert_eq!(p.file, Path::new(FILE));
    assert!(p.problem.starts_with("line "), "{p}");
    assert!(p.problem.contains("unknown field `colour`"), "{p}");
}

#[test]
fn unknown_field_names_the_line_it_is_on() {
    let text = dialogue("colour = \"blue\"\n");
    assert_eq!(text.lines().nth(5), Some("colour = \"blue\""));
    let problems = problems(&text);
    assert_eq!(problems.len(), 1, "{}", listing(&problems));
    assert!(
        problems[0].problem.starts_with("line 6: "),
        "{}",
        problems[0]
    );
}

#[test]
fn unknown_field_in_a_step_is_named() {
    let problems = problems(&dialogue(
        "[[step]]\nid = \"situation\"\nask = \"efter-vagten-situation\"\nanswer = \"text\"\n\
         optinal = true\n",
    ));
    assert_eq!(problems.len(), 1, "{}", listing(&problems));
    assert!(
        problems[0].problem.contains("unknown field `optinal`"),
        "{}",
        problems[0]
    );
    assert!(problems[0].problem.starts_with("line "), "{}", problems[0]);
    assert_listed(&problems, Some("situation"), "unknown field `optinal`");
}

#[test]
fn bad_dialogue_id() {
    let text = dialogue(TEXT_STEP).replace("id = \"broken\"", "id = \"Broken Id\"");
    let problems = problems(&text);
    assert_eq!(problems.len(), 1, "{}", listing(&problems));
    assert_eq!(problems[0].dialogue.as_deref(), Some("Broken Id"));
    assert_eq!(problems[0].step, None);
    assert!(problems[0]
        .problem
        .contains("lowercase letters, digits and '-'"));
}

#[test]
fn unknown_audience() {
    let text = dialogue(TEXT_STEP).replace("\"staff\"", "\"everyone\"");
    assert_only(&text, None, "unknown audience `everyone`");
}

#[test]
fn unknown_purpose() {
    let text = dialogue(TEXT_STEP).replace("\"reflection\"", "\"fun\"");
    assert_only(&text, None, "unknown purpose `fun`");
}

#[test]
fn purpose_defaults_to_reflection() {
    let text = dialogue(TEXT_STEP).replace("purpose = \"reflection\"\n", "");
    let catalog = load(&text).unwrap();
    assert_eq!(
        catalog.get("broken").unwrap().purpose,
        eftertanke::dialogs::Purpose::Reflection
    );
}

#[test]
fn title_message_missing_from_locales() {
    let text = dialogue(TEXT_STEP).replace("efter-vagten-title", "no-such-title");
    assert_only(
        &text,
        None,
        "title: Fluent message `no-such-title` is missing",
    );
}

#[test]
fn intro_and_outro_messages_missing_from_locales() {
    let text = dialogue(&format!(
        "intro = \"no-such-intro\"\noutro = \"no-such-outro\"\n{TEXT_STEP}"
    ));
    let problems = problems(&text);
    assert_listed(&problems, None, "intro: Fluent message `no-such-intro`");
    assert_listed(&problems, None, "outro: Fluent message `no-such-outro`");
    assert_eq!(problems.len(), 2, "{}", listing(&problems));
}

#[test]
fn no_steps() {
    assert_only(&dialogue(""), None, "at least one [[step]]");
}

// ---------------------------------------------------------------------------------------
// Step ids and where steps lead
// ---------------------------------------------------------------------------------------

#[test]
fn duplicate_step_id() {
    let text = dialogue(&format!("{TEXT_STEP}{TEXT_STEP}"));
    assert_only(&text, Some("situation"), "duplicate step id");
}

#[test]
fn step_id_end_is_reserved() {
    let text = dialogue(&TEXT_STEP.replace("\"situation\"", "\"end\""));
    assert_only(&text, Some("end"), "`end` is reserved");
}

#[test]
fn unknown_next_target() {
    let text = dialogue(&format!("{TEXT_STEP}next = \"nowhere\"\n"));
    assert_only(&text, Some("situation"), "next: unknown step id `nowhere`");
}

const COMMIT_STEP: &str = r#"
[[step]]
id = "commit"
ask = "efter-vagten-commit"
answer = "yes-no"
"#;

#[test]
fn unknown_branch_goto() {
    let text = dialogue(&format!(
        "{COMMIT_STEP}\n[[step.branch]]\nif_answer = \"commit\"\nis = \"no\"\ngoto = \"nowhere\"\n"
    ));
    assert_only(
        &text,
        Some("commit"),
        "branch goto: unknown step id `nowhere`",
    );
}

#[test]
fn unknown_branch_if_answer() {
    let text = dialogue(&format!(
        "{COMMIT_STEP}\n[[step.branch]]\nif_answer = \"nowhere\"\nis = \"no\"\ngoto = \"end\"\n"
    ));
    assert_only(
        &text,
        Some("commit"),
        "branch if_answer: unknown step id `nowhere`",
    );
}

#[test]
fn branch_with_no_condition() {
    let text = dialogue(&format!(
        "{COMMIT_STEP}\n[[step.branch]]\nif_answer = \"commit\"\ngoto = \"end\"\n"
    ));
    assert_only(
        &text,
        Some("commit"),
        "exactly one of at_most, at_least or is",
    );
}

const HOW_STEP: &str = r#"
[[step]]
id = "how"
ask = "efter-vagten-how"
answer = "scale"
min = 1
max = 5
low = "efter-vagten-how-low"
high = "efter-vagten-how-high"
"#;

#[test]
fn branch_with_two_conditions() {
    let text = dialogue(&format!(
        "{HOW_STEP}\n[[step.branch]]\nif_answer = \"how\"\nat_most = 2\nat_least = 4\ngoto = \"end\"\n"
    ));
    assert_only(&text, Some("how"), "exactly one of at_most, at_least or is");
}

/// `commit` (yes-no), `how` (scale), `resources` (choices), `choose` (principle), then a
/// last step carrying `branch`.
fn tested_steps(branch: &str) -> String {
    dialogue(&format!(
        r#"{COMMIT_STEP}{HOW_STEP}
[[step]]
id = "resources"
ask = "efter-vagten-resources"
answer = "choices"
options = [
  {{ value = "citizen", label = "efter-vagten-opt-citizen" }},
  {{ value = "network", label = "efter-vagten-opt-network" }},
]

[[step]]
id = "choose"
ask = "princip-choose"
answer = "principle"

{TEXT_STEP}
[[step.branch]]
{branch}
goto = "end"
"#
    ))
}

#[test]
fn the_branch_test_fixture_is_valid() {
    for branch in [
        "if_answer = \"commit\"\nis = \"yes\"",
        "if_answer = \"how\"\nat_least = 4",
        "if_answer = \"resources\"\nis = \"network\"",
        "if_answer = \"choose\"\nis = \"8\"",
    ] {
        let text = tested_steps(branch);
        if let Err(problems) = load(&text) {
            panic!("{branch}:\n{}", listing(&problems));
        }
    }
}

#[test]
fn branch_at_most_on_a_yes_no_step() {
    assert_only(
        &tested_steps("if_answer = \"commit\"\nat_most = 2"),
        Some("situation"),
        "branch condition does not fit the yes-no answer of step `commit`",
    );
}

#[test]
fn branch_is_maybe_on_a_yes_no_step() {
    assert_only(
        &tested_steps("if_answer = \"commit\"\nis = \"maybe\""),
        Some("situation"),
        "branch condition does not fit the yes-no answer of step `commit`",
    );
}

#[test]
fn branch_is_on_a_scale_step() {
    assert_only(
        &tested_steps("if_answer = \"how\"\nis = \"3\""),
        Some("situation"),
        "branch condition does not fit the scale answer of step `how`",
    );
}

#[test]
fn branch_is_9_on_a_principle_step() {
    assert_only(
        &tested_steps("if_answer = \"choose\"\nis = \"9\""),
        Some("situation"),
        "branch condition does not fit the principle answer of step `choose`",
    );
}

#[test]
fn branch_is_an_unknown_option_value() {
    assert_only(
        &tested_steps("if_answer = \"resources\"\nis = \"ours\""),
        Some("situation"),
        "branch condition does not fit the choices answer of step `resources`",
    );
}

#[test]
fn branch_at_least_on_a_text_step() {
    assert_only(
        &tested_steps("if_answer = \"situation\"\nat_least = 1"),
        Some("situation"),
        "branch condition does not fit the text answer of step `situation`",
    );
}

#[test]
fn branch_testing_a_later_step() {
    let text = dialogue(&format!(
        "{TEXT_STEP}\n[[step.branch]]\nif_answer = \"commit\"\nis = \"no\"\ngoto = \"end\"\n\
         {COMMIT_STEP}"
    ));
    assert_only(
        &text,
        Some("situation"),
        "branch tests step `commit`, which is never answered before this one",
    );
}

#[test]
fn branch_testing_its_own_step_is_fine() {
    let text = dialogue(&format!(
        "{COMMIT_STEP}\n[[step.branch]]\nif_answer = \"commit\"\nis = \"no\"\ngoto = \"end\"\n\
         {TEXT_STEP}"
    ));
    let catalog = load(&text).unwrap();
    let steps = &catalog.get("broken").unwrap().steps;
    assert_eq!(steps[0].branches.len(), 1);
    assert_eq!(steps[0].branches[0].goto, Target::End);
    assert_eq!(steps[0].next, Target::Step(1));
}

#[test]
fn unreachable_step() {
    let text = dialogue(&format!("{TEXT_STEP}next = \"end\"\n{COMMIT_STEP}"));
    assert_only(
        &text,
        Some("commit"),
        "cannot be reached from the first step",
    );
}

#[test]
fn a_loop_from_which_the_end_cannot_be_reached() {
    let text = dialogue(&format!(
        "{TEXT_STEP}next = \"commit\"\n{COMMIT_STEP}next = \"situation\"\n"
    ));
    let problems = problems(&text);
    assert_listed(
        &problems,
        Some("situation"),
        "the end cannot be reached from this step",
    );
    assert_listed(
        &problems,
        Some("commit"),
        "the end cannot be reached from this step",
    );
    assert_listed(&problems, Some("commit"), "leads back to step `situation`");
    assert_eq!(problems.len(), 3, "{}", listing(&problems));
}

/// Answers are kept per step, so a step asked twice in one run would lose its first answer.
#[test]
fn a_loop_even_with_a_way_out_is_refused() {
    let text = dialogue(&format!(
        "{TEXT_STEP}next = \"commit\"\n{COMMIT_STEP}next = \"situation\"\n\
         [[step.branch]]\nif_answer = \"commit\"\nis = \"no\"\ngoto = \"end\"\n"
    ));
    assert_only(&text, Some("commit"), "leads back to step `situation`");
}

#[test]
fn a_dialogue_of_too_many_steps_is_refused() {
    let steps: String = (0..=eftertanke::dialogs::MAX_STEPS)
        .map(|i| TEXT_STEP.replace("\"situation\"", &format!("\"s{i}\"")))
        .collect();
    assert_only(
        &dialogue(&steps),
        None,
        "a dialogue has at most 60 steps, this one 61",
    );
}

// ---------------------------------------------------------------------------------------
// Answer kinds and their fields
// ---------------------------------------------------------------------------------------

#[test]
fn unknown_answer_kind() {
    let text = dialogue(&TEXT_STEP.replace("\"text\"", "\"essay\""));
    assert_only(&text, Some("situation"), "unknown answer kind `essay`");
}

#[test]
fn options_do_not_apply_to_text() {
    let text = dialogue(&format!(
        "{TEXT_STEP}options = [{{ value = \"a\", label = \"yes\" }}, {{ value = \"b\", label = \"no\" }}]\n"
    ));
    assert_only(
        &text,
        Some("situation"),
        "`options` does not apply to answer kind `text`",
    );
}

#[test]
fn min_does_not_apply_to_yes_no() {
    let text = dialogue(&format!("{COMMIT_STEP}min = 1\n"));
    assert_only(
        &text,
        Some("commit"),
        "`min` does not apply to answer kind `yes-no`",
    );
}

#[test]
fn suggest_does_not_apply_to_principles() {
    let text = dialogue(
        "[[step]]\nid = \"touched\"\nask = \"efter-vagten-touched\"\nanswer = \"principles\"\n\
         suggest = true\n",
    );
    assert_only(
        &text,
        Some("touched"),
        "`suggest` does not apply to answer kind `principles`",
    );
}

#[test]
fn max_chars_zero() {
    let text = dialogue(&format!("{TEXT_STEP}max_chars = 0\n"));
    assert_only(
        &text,
        Some("situation"),
        "max_chars 0 must be between 1 and 10000",
    );
}

#[test]
fn max_chars_too_large() {
    let text = dialogue(&format!("{TEXT_STEP}max_chars = 10001\n"));
    assert_only(
        &text,
        Some("situation"),
        "max_chars 10001 must be between 1 and 10000",
    );
}

#[test]
fn max_chars_at_the_limits_is_fine() {
    for n in [1, eftertanke::dialogs::MAX_TEXT_LIMIT] {
        let text = dialogue(&format!("{TEXT_STEP}max_chars = {n}\n"));
        let catalog = load(&text).unwrap();
        match &catalog.get("broken").unwrap().steps[0].answer {
            eftertanke::dialogs::AnswerKind::Text { max_chars, .. } => {
                assert_eq!(*max_chars as i64, n);
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn invalid_regex() {
    let text = dialogue(&format!(
        "{TEXT_STEP}pattern = \"([a-z\"\npattern_hint = \"efter-vagten-situation\"\n"
    ));
    assert_only(&text, Some("situation"), "invalid regex `([a-z`");
}

#[test]
fn pattern_without_pattern_hint() {
    let text = dialogue(&format!("{TEXT_STEP}pattern = \"^[0-9]+$\"\n"));
    assert_only(
        &text,
        Some("situation"),
        "a pattern needs a pattern_hint message",
    );
}

#[test]
fn pattern_hint_without_pattern() {
    let text = dialogue(&format!(
        "{TEXT_STEP}pattern_hint = \"efter-vagten-situation\"\n"
    ));
    assert_only(&text, Some("situation"), "pattern_hint without pattern");
}

#[test]
fn pattern_hint_missing_from_locales() {
    let text = dialogue(&format!(
        "{TEXT_STEP}pattern = \"^[0-9]+$\"\npattern_hint = \"no-such-hint\"\n"
    ));
    assert_only(
        &text,
        Some("situation"),
        "pattern_hint: Fluent message `no-such-hint` is missing",
    );
}

/// A scale step with the given range lines (and label lines).
fn scale(lines: &str) -> String {
    dialogue(&format!(
        "[[step]]\nid = \"how\"\nask = \"efter-vagten-how\"\nanswer = \"scale\"\n{lines}\n"
    ))
}

const LABELS: &str = "low = \"efter-vagten-how-low\"\nhigh = \"efter-vagten-how-high\"";

#[test]
fn scale_without_min_and_max() {
    assert_only(&scale(LABELS), Some("how"), "a scale needs min and max");
}

#[test]
fn scale_without_max() {
    assert_only(
        &scale(&format!("min = 1\n{LABELS}")),
        Some("how"),
        "a scale needs min and max",
    );
}

#[test]
fn scale_min_equal_to_max() {
    assert_only(
        &scale(&format!("min = 5\nmax = 5\n{LABELS}")),
        Some("how"),
        "scale ends 5-5 are wrong",
    );
}

#[test]
fn scale_min_above_max() {
    assert_only(
        &scale(&format!("min = 5\nmax = 1\n{LABELS}")),
        Some("how"),
        "scale ends 5-1 are wrong",
    );
}

#[test]
fn scale_max_above_10() {
    assert_only(
        &scale(&format!("min = 1\nmax = 11\n{LABELS}")),
        Some("how"),
        "scale ends 1-11 are wrong",
    );
}

#[test]
fn scale_min_below_0() {
    assert_only(
        &scale(&format!("min = -1\nmax = 5\n{LABELS}")),
        Some("how"),
        "scale ends -1-5 are wrong",
    );
}

#[test]
fn scale_0_to_10_is_fine() {
    let catalog = load(&scale(&format!("min = 0\nmax = 10\n{LABELS}"))).unwrap();
    match &catalog.get("broken").unwrap().steps[0].answer {
        eftertanke::dialogs::AnswerKind::Scale { min, max, .. } => {
            assert_eq!((*min, *max), (0, 10));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn scale_without_low_and_high_labels() {
    assert_only(
        &scale("min = 1\nmax = 5"),
        Some("how"),
        "a scale needs low and high labels",
    );
}

#[test]
fn scale_labels_missing_from_locales() {
    let problems = problems(&scale(
        "min = 1\nmax = 5\nlow = \"no-low\"\nhigh = \"no-high\"",
    ));
    assert_listed(&problems, Some("how"), "low: Fluent message `no-low`");
    assert_listed(&problems, Some("how"), "high: Fluent message `no-high`");
    assert_eq!(problems.len(), 2, "{}", listing(&problems));
}

/// A choice step with the given options (inside `options = [...]`).
fn choice(kind: &str, options: &str) -> String {
    dialogue(&format!(
        "[[step]]\nid = \"resources\"\nask = \"efter-vagten-resources\"\nanswer = \"{kind}\"\n\
         options = [{options}]\n"
    ))
}

const CITIZEN: &str = "{ value = \"citizen\", label = \"efter-vagten-opt-citizen\" }";
const NETWORK: &str = "{ value = \"network\", label = \"efter-vagten-opt-network\" }";

#[test]
fn choice_with_one_option() {
    assert_only(
        &choice("choice", CITIZEN),
        Some("resources"),
        "at least two options",
    );
}

#[test]
fn choices_with_no_options() {
    assert_only(
        &choice("choices", ""),
        Some("resources"),
        "at least two options",
    );
}

#[test]
fn choice_without_options_field() {
    let text = dialogue(
        "[[step]]\nid = \"resources\"\nask = \"efter-vagten-resources\"\nanswer = \"choice\"\n",
    );
    assert_only(&text, Some("resources"), "a choice needs options");
}

#[test]
fn choice_with_thirteen_options() {
    let options: Vec<String> = (1..=13)
        .map(|i| format!("{{ value = \"o{i}\", label = \"efter-vagten-opt-other\" }}"))
        .collect();
    assert_only(
        &choice("choice", &options.join(", ")),
        Some("resources"),
        "more than 12 options",
    );
}

#[test]
fn duplicate_option_values() {
    assert_only(
        &choice("choices", &format!("{CITIZEN}, {NETWORK}, {CITIZEN}")),
        Some("resources"),
        "option value `citizen` is used twice",
    );
}

#[test]
fn bad_option_value() {
    let bad = "{ value = \"Own Resources\", label = \"efter-vagten-opt-ours\" }";
    assert_only(
        &choice("choice", &format!("{CITIZEN}, {bad}")),
        Some("resources"),
        "option value `Own Resources` must be lowercase letters",
    );
}

#[test]
fn option_label_missing_from_locales() {
    let bad = "{ value = \"ours\", label = \"no-such-label\" }";
    assert_only(
        &choice("choice", &format!("{CITIZEN}, {bad}")),
        Some("resources"),
        "option label: Fluent message `no-such-label` is missing",
    );
}

// ---------------------------------------------------------------------------------------
// Principles and questions
// ---------------------------------------------------------------------------------------

#[test]
fn principle_0() {
    let text = dialogue(&format!("{TEXT_STEP}principles = [0]\n"));
    assert_only(&text, Some("situation"), "principle 0 is outside 1-8");
}

#[test]
fn principle_9() {
    let text = dialogue(&format!("{TEXT_STEP}principles = [1, 9]\n"));
    assert_only(&text, Some("situation"), "principle 9 is outside 1-8");
}

#[test]
fn principle_listed_twice() {
    let text = dialogue(&format!("{TEXT_STEP}principles = [2, 8, 2]\n"));
    assert_only(&text, Some("situation"), "principle 2 is listed twice");
}

#[test]
fn ask_and_ask_any_both() {
    let text = dialogue(&format!(
        "{TEXT_STEP}ask_any = [\"princip-1-a\", \"princip-1-b\"]\n"
    ));
    assert_only(
        &text,
        Some("situation"),
        "give either ask or ask_any, not both",
    );
}

#[test]
fn neither_ask_nor_ask_any() {
    let text = dialogue("[[step]]\nid = \"situation\"\nanswer = \"text\"\n");
    assert_only(
        &text,
        Some("situation"),
        "the question is missing: give ask or ask_any",
    );
}

#[test]
fn empty_ask_any() {
    let text = dialogue("[[step]]\nid = \"situation\"\nask_any = []\nanswer = \"text\"\n");
    assert_only(
        &text,
        Some("situation"),
        "ask_any needs at least one message id",
    );
}

#[test]
fn ask_message_missing_from_locales() {
    let text = dialogue(&TEXT_STEP.replace("efter-vagten-situation", "no-such-question"));
    assert_only(
        &text,
        Some("situation"),
        "ask: Fluent message `no-such-question` is missing",
    );
}

#[test]
fn ask_any_message_missing_from_locales() {
    let text = dialogue(
        "[[step]]\nid = \"p1\"\nask_any = [\"princip-1-a\", \"princip-1-z\"]\nanswer = \"text\"\n",
    );
    assert_only(
        &text,
        Some("p1"),
        "ask: Fluent message `princip-1-z` is missing",
    );
}

// ---------------------------------------------------------------------------------------
// Trial-action states
// ---------------------------------------------------------------------------------------

#[test]
fn sets_trial_state_outside_a_follow_up() {
    let text = dialogue(&format!("{COMMIT_STEP}sets_trial_state = true\n"));
    assert_only(
        &text,
        Some("commit"),
        "sets_trial_state belongs in a follow-up dialogue",
    );
}

#[test]
fn sets_trial_state_on_yes_no_in_a_follow_up_is_fine() {
    let catalog = load(&follow_up(&format!(
        "{COMMIT_STEP}sets_trial_state = true\n"
    )))
    .unwrap();
    assert!(catalog.get("broken").unwrap().steps[0].sets_trial_state);
}

#[test]
fn sets_trial_state_with_an_option_that_is_not_a_trial_state() {
    let text = follow_up(&format!(
        "[[step]]\nid = \"now\"\nask = \"opfoelgning-now\"\nanswer = \"choice\"\n\
         sets_trial_state = true\noptions = [\
         {{ value = \"kept\", label = \"opfoelgning-opt-kept\" }}, {CITIZEN}]\n"
    ));
    assert_only(
        &text,
        Some("now"),
        "option `citizen` is not a trial-action state",
    );
}

#[test]
fn sets_trial_state_on_a_text_step() {
    let text = follow_up(&format!("{TEXT_STEP}sets_trial_state = true\n"));
    assert_only(
        &text,
        Some("situation"),
        "sets_trial_state needs a yes-no or choice answer",
    );
}

// ---------------------------------------------------------------------------------------
// The weekly digest: `digest` labels and `shares` consent steps
// ---------------------------------------------------------------------------------------

#[test]
fn digest_on_scale_yes_no_and_choice_steps_is_fine() {
    let text = dialogue(&format!(
        "{HOW_STEP}digest = \"efter-vagten-digest-how\"\n\
         {COMMIT_STEP}digest = \"efter-vagten-digest-how\"\n\
         [[step]]\nid = \"pick\"\nask = \"efter-vagten-resources\"\nanswer = \"choice\"\n\
         options = [{CITIZEN}, {NETWORK}]\ndigest = \"efter-vagten-digest-how\"\n"
    ));
    let catalog = load(&text).unwrap();
    let d = catalog.get("broken").unwrap();
    for step in &d.steps {
        assert_eq!(step.digest.as_deref(), Some("efter-vagten-digest-how"));
    }
    assert!(d.message_ids().contains(&"efter-vagten-digest-how"));
}

#[test]
fn digest_on_a_text_step() {
    let text = dialogue(&format!(
        "{TEXT_STEP}digest = \"efter-vagten-digest-how\"\n"
    ));
    assert_only(
        &text,
        Some("situation"),
        "`digest` applies only to scale, yes-no and choice steps, not `text`",
    );
}

#[test]
fn digest_message_missing_from_locales() {
    let text = dialogue(&format!("{HOW_STEP}digest = \"no-such-label\"\n"));
    assert_only(
        &text,
        Some("how"),
        "digest: Fluent message `no-such-label` is missing",
    );
}

/// Two text steps, a scale, then a yes-no step `share` with the given `shares` line.
fn sharing(shares: &str) -> String {
    dialogue(&format!(
        r#"{TEXT_STEP}
[[step]]
id = "worked"
ask = "efter-vagten-worked"
answer = "text"
{HOW_STEP}
[[step]]
id = "share"
ask = "efter-vagten-commit"
answer = "yes-no"
{shares}
"#
    ))
}

#[test]
fn shares_resolves_to_the_earlier_text_steps() {
    let catalog = load(&sharing("shares = [\"worked\", \"situation\"]")).unwrap();
    let d = catalog.get("broken").unwrap();
    assert_eq!(d.steps[3].id, "share");
    assert_eq!(d.steps[3].shares, [1, 0]);
    assert!(d.steps[0].shares.is_empty() && d.steps[0].digest.is_none());
}

#[test]
fn shares_on_a_scale_step() {
    let text = dialogue(&format!("{TEXT_STEP}{HOW_STEP}shares = [\"situation\"]\n"));
    assert_only(
        &text,
        Some("how"),
        "`shares` applies only to yes-no steps (a consent question), not `scale`",
    );
}

#[test]
fn shares_with_no_step_ids() {
    assert_only(
        &sharing("shares = []"),
        Some("share"),
        "shares needs at least one step id",
    );
}

#[test]
fn shares_an_unknown_step() {
    assert_only(
        &sharing("shares = [\"situation\", \"nowhere\"]"),
        Some("share"),
        "shares: unknown step id `nowhere`",
    );
}

#[test]
fn shares_a_step_that_is_not_text() {
    assert_only(
        &sharing("shares = [\"how\"]"),
        Some("share"),
        "shares: step `how` is a scale step; only text answers and trial actions can be shared",
    );
}

#[test]
fn an_idea_step_shared_by_a_consent_step_loads() {
    let text = sharing("shares = [\"worked\"]").replace(
        "id = \"worked\"\nask = \"efter-vagten-worked\"\nanswer = \"text\"\n",
        "id = \"worked\"\nask = \"efter-vagten-worked\"\nanswer = \"text\"\nidea = true\n",
    );
    let catalog = load(&text).unwrap();
    let d = catalog.get("broken").unwrap();
    assert!(d.steps[1].idea && !d.steps[0].idea);
}

#[test]
fn an_idea_step_nobody_may_share() {
    let text = dialogue(&format!("{TEXT_STEP}idea = true\n"));
    assert_only(
        &text,
        Some("situation"),
        "an `idea` step must be listed in a consent step's `shares`: ideas are read only with \
         consent",
    );
}

#[test]
fn an_idea_on_a_scale_step() {
    let text = sharing("shares = [\"situation\"]").replace(
        "high = \"efter-vagten-how-high\"\n",
        "high = \"efter-vagten-how-high\"\nidea = true\n",
    );
    let errors = load(&text).unwrap_err();
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        shown
            .iter()
            .any(|e| e.contains("`idea` applies only to text steps, not `scale`")),
        "{shown:?}"
    );
}

#[test]
fn shares_a_text_step_that_comes_later() {
    let text = dialogue(&format!(
        "{COMMIT_STEP}shares = [\"situation\"]\n{TEXT_STEP}"
    ));
    assert_only(
        &text,
        Some("commit"),
        "shares: step `situation` must come before this step in the file",
    );
}

#[test]
fn shares_the_same_step_twice() {
    assert_only(
        &sharing("shares = [\"situation\", \"worked\", \"situation\"]"),
        Some("share"),
        "shares: step `situation` is listed twice",
    );
}

// ---------------------------------------------------------------------------------------
// Several files, several problems
// ---------------------------------------------------------------------------------------

#[test]
fn duplicate_dialogue_id_across_two_files() {
    let text = dialogue(TEXT_STEP);
    let sources = vec![
        (PathBuf::from("dialogs/first.toml"), text.clone()),
        (PathBuf::from("dialogs/second.toml"), text),
    ];
    let problems = catalog_from_sources(sources, locales()).unwrap_err();
    assert_eq!(problems.len(), 1, "{}", listing(&problems));
    let p = &problems[0];
    assert_eq!(p.file, Path::new("dialogs/second.toml"));
    assert_eq!(p.dialogue.as_deref(), Some("broken"));
    assert!(
        p.problem
            .contains("dialogue id is already used by dialogs/first.toml"),
        "{p}"
    );
}

#[test]
fn one_file_with_several_problems_lists_them_all() {
    let text = dialogue(&format!(
        r#"
[[step]]
id = "situation"
ask = "no-such-question"
answer = "text"
principles = [9]
options = [{CITIZEN}, {NETWORK}]
next = "nowhere"

[[step]]
id = "situation"
ask = "efter-vagten-commit"
answer = "yes-no"

[[step]]
id = "how"
ask = "efter-vagten-how"
answer = "scale"
min = 3
max = 3
"#
    ))
    .replace("\"staff\"", "\"everyone\"");
    let problems = problems(&text);
    assert_listed(&problems, None, "unknown audience `everyone`");
    assert_listed(&problems, Some("situation"), "duplicate step id");
    assert_listed(
        &problems,
        Some("situation"),
        "next: unknown step id `nowhere`",
    );
    assert_listed(&problems, Some("situation"), "`options` does not apply");
    assert_listed(
        &problems,
        Some("situation"),
        "Fluent message `no-such-question`",
    );
    assert_listed(&problems, Some("situation"), "principle 9 is outside 1-8");
    assert_listed(&problems, Some("how"), "scale ends 3-3 are wrong");
    assert_listed(&problems, Some("how"), "a scale needs low and high labels");
    assert_eq!(problems.len(), 8, "{}", listing(&problems));
}

#[test]
fn problems_in_two_files_are_both_listed() {
    let sources = vec![
        (
            PathBuf::from("dialogs/a.toml"),
            dialogue(&format!("{TEXT_STEP}principles = [0]\n")).replace("broken", "a"),
        ),
        (
            PathBuf::from("dialogs/b.toml"),
            dialogue(&format!("{TEXT_STEP}next = \"nowhere\"\n")).replace("broken", "b"),
        ),
    ];
    let problems = catalog_from_sources(sources, locales()).unwrap_err();
    let text = listing(&problems);
    assert!(
        text.contains("dialogs/a.toml: dialogue `a`, step `situation`: principle 0"),
        "{text}"
    );
    assert!(
        text.contains("dialogs/b.toml: dialogue `b`, step `situation`: next: unknown step id"),
        "{text}"
    );
    assert_eq!(problems.len(), 2, "{text}");
}

// ---------------------------------------------------------------------------------------
// Valid dialogues
// ---------------------------------------------------------------------------------------

#[test]
fn a_minimal_dialogue_loads() {
    let catalog = load(&dialogue(TEXT_STEP)).unwrap();
    let d = catalog.get("broken").unwrap();
    assert_eq!(d.title, "efter-vagten-title");
    assert_eq!(d.audience, eftertanke::dialogs::Audience::Staff);
    assert_eq!((d.intro.as_deref(), d.outro.as_deref()), (None, None));
    assert_eq!(d.steps.len(), 1);
    let step = &d.steps[0];
    assert_eq!(step.id, "situation");
    assert_eq!(step.ask, ["efter-vagten-situation"]);
    assert_eq!(step.next, Target::End);
    assert_eq!(step.remaining, 1);
    assert!(!step.optional && step.principles.is_empty());
    match &step.answer {
        eftertanke::dialogs::AnswerKind::Text { max_chars, pattern } => {
            assert_eq!(*max_chars, 1000);
            assert!(pattern.is_none());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn remaining_is_the_fewest_questions_to_the_end() {
    // first → how; how ≤ 2 → support → last; otherwise how → last;
    // last "no" → end, otherwise last → trial → end.
    let text = dialogue(&format!(
        r#"
[[step]]
id = "first"
ask = "efter-vagten-situation"
answer = "text"
principles = [4]

{HOW_STEP}next = "last"

[[step.branch]]
if_answer = "how"
at_most = 2
goto = "support"

[[step]]
id = "support"
ask = "efter-vagten-support"
answer = "text"
optional = true
next = "last"

[[step]]
id = "last"
ask = "efter-vagten-commit"
answer = "yes-no"

[[step.branch]]
if_answer = "last"
is = "no"
goto = "end"

[[step]]
id = "trial"
ask = "efter-vagten-trial"
answer = "trial-action"
"#
    ));
    let catalog = load(&text).unwrap();
    let d = catalog.get("broken").unwrap();
    let remaining: Vec<(&str, usize)> = d
        .steps
        .iter()
        .map(|s| (s.id.as_str(), s.remaining))
        .collect();
    assert_eq!(
        remaining,
        [
            ("first", 3),
            ("how", 2),
            ("support", 2),
            ("last", 1),
            ("trial", 1)
        ]
    );
    let how = &d.steps[1];
    assert_eq!(how.next, Target::Step(3));
    assert_eq!(how.branches[0].step, 1);
    assert_eq!(
        how.branches[0].condition,
        eftertanke::dialogs::Condition::AtMost(2)
    );
    assert_eq!(how.branches[0].goto, Target::Step(2));
    assert_eq!(d.steps[3].next, Target::Step(4));
    assert_eq!(d.steps[4].next, Target::End);
    assert_eq!(d.steps[0].principles, [4]);
    assert!(d.steps[2].optional);
}

// ---------------------------------------------------------------------------------------
// The shipped content
// ---------------------------------------------------------------------------------------

const SHIPPED: [&str; 4] = ["efter-vagten", "princip", "borger-tjek-ind", "opfoelgning"];

fn assert_shipped(content: &Content) {
    let ids: Vec<&str> = content.catalog.iter().map(|d| d.id.as_str()).collect();
    for id in SHIPPED {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let first = |id: &str| content.catalog.get(id).unwrap().steps[0].remaining;
    assert_eq!(first("efter-vagten"), 9);
    assert_eq!(first("princip"), 3);
    assert_eq!(first("opfoelgning"), 3);
    // hope, helps, helps-more, people, listened, respected, idea (or kind after a low
    // answer), share, try: 9 (8 before the idea step).
    assert_eq!(first("borger-tjek-ind"), 9);
    // The digest labels and the citizen's consent to share their own words.
    let step = |dialogue: &str, step: &str| {
        let d = content.catalog.get(dialogue).unwrap();
        let i = d.steps.iter().position(|s| s.id == step).unwrap();
        (d, i)
    };
    let (d, how) = step("efter-vagten", "how");
    assert_eq!(
        d.steps[how].digest.as_deref(),
        Some("efter-vagten-digest-how")
    );
    // Staff may share what worked with their group, and what came of a trial action; both
    // consent steps end their dialogue.
    for (dialogue, shared) in [
        ("efter-vagten", &["worked"][..]),
        ("opfoelgning", &["happened", "hindered"][..]),
    ] {
        let (d, share) = step(dialogue, "share");
        let ids: Vec<&str> = d.steps[share]
            .shares
            .iter()
            .map(|&i| d.steps[i].id.as_str())
            .collect();
        assert_eq!(ids, shared, "{dialogue}");
        assert!(d.steps[share].optional, "{dialogue}");
        assert_eq!(d.steps[share].next, Target::End, "{dialogue}");
    }
    let (d, share) = step("borger-tjek-ind", "share");
    let ids = |indices: &[usize]| -> Vec<&str> {
        indices.iter().map(|&i| d.steps[i].id.as_str()).collect()
    };
    assert_eq!(
        ids(&d.steps[share].shares),
        ["hope", "helps-more", "kind", "idea"]
    );
    let try_step = d.steps.iter().position(|s| s.id == "try").unwrap();
    assert_eq!(d.steps[share].next, Target::Step(try_step));
    // After `respected` comes the idea step, or the kind step after a low answer; either
    // leads on to the consent question. Only the idea step is an idea for a meeting.
    let (_, idea) = step("borger-tjek-ind", "idea");
    let (_, respected) = step("borger-tjek-ind", "respected");
    assert_eq!(d.steps[respected].next, Target::Step(idea));
    for from in ["idea", "kind"] {
        let (_, i) = step("borger-tjek-ind", from);
        assert_eq!(d.steps[i].next, Target::Step(share), "{from}");
        assert!(d.steps[i].optional, "{from}");
        assert_eq!(d.steps[i].idea, from == "idea");
    }
    // A trial action made in the check-in is followed by its own consent question.
    let (_, share_trial) = step("borger-tjek-ind", "share-trial");
    assert_eq!(ids(&d.steps[share_trial].shares), ["trial"]);
    for scale in ["listened", "respected"] {
        let (_, i) = step("borger-tjek-ind", scale);
        assert!(d.steps[i].digest.is_some(), "{scale}");
    }
}

#[test]
fn shipped_dialogues_and_locales_load_from_the_folders() {
    let content = Content::load(
        Some(root().join("dialogs").as_path()),
        Some(root().join("locales").as_path()),
        eftertanke::channels::MESSAGES,
    )
    .unwrap();
    assert_shipped(&content);
}

#[test]
fn compiled_in_dialogues_and_locales_load() {
    let content = Content::load(None, None, eftertanke::channels::MESSAGES).unwrap();
    assert_shipped(&content);
}

#[test]
fn an_empty_dialogs_folder_is_refused() {
    let dir = super::chat::private_dir();
    let error = Content::load(Some(dir.path()), None, eftertanke::channels::MESSAGES)
        .unwrap_err()
        .to_string();
    let expected = format!("{}: no dialogue files (*.toml) found", dir.path().display());
    assert_eq!(error, expected);
}

// ---------------------------------------------------------------------------------------
// Broken locales
// ---------------------------------------------------------------------------------------

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A temp copy of `locales/` (or `dialogs/`).
fn copy_of(folder: &str) -> tempfile::TempDir {
    let dir = super::chat::private_dir();
    copy_dir(&root().join(folder), dir.path());
    dir
}

/// Rewrites a file in place; panics when `edit` changes nothing.
fn edit(file: &Path, edit: impl FnOnce(&str) -> String) {
    let before = std::fs::read_to_string(file).unwrap();
    let after = edit(&before);
    assert_ne!(before, after, "{} was not changed", file.display());
    std::fs::write(file, after).unwrap();
}

fn without_message(text: &str, id: &str) -> String {
    text.lines()
        .filter(|line| !line.starts_with(&format!("{id} =")))
        .map(|line| format!("{line}\n"))
        .collect()
}

fn content_error(locales: &Path) -> String {
    Content::load(
        Some(root().join("dialogs").as_path()),
        Some(locales),
        eftertanke::channels::MESSAGES,
    )
    .unwrap_err()
    .to_string()
}

#[test]
fn message_in_da_but_missing_in_en() {
    let dir = copy_of("locales");
    edit(&dir.path().join("en/dialogs.ftl"), |t| {
        without_message(t, "efter-vagten-how-low")
    });
    let error = content_error(dir.path());
    assert!(
        error.contains("locales/en: message `efter-vagten-how-low` is missing"),
        "{error}"
    );
    assert!(error.contains("da/dialogs.ftl"), "{error}");
    assert_eq!(error.lines().count(), 1, "{error}");
}

#[test]
fn fluent_syntax_error_names_file_and_line() {
    let dir = copy_of("locales");
    let file = dir.path().join("da/common.ftl");
    edit(&file, |t| {
        let mut lines: Vec<&str> = t.lines().collect();
        lines.insert(3, "broken message without equals sign");
        lines.join("\n") + "\n"
    });
    let error = content_error(dir.path());
    let expected = format!("{}: line 4: Fluent syntax error", file.display());
    assert!(error.contains(&expected), "{error}");
}

#[test]
fn fluent_syntax_error_at_the_start_of_a_line_names_that_line() {
    let dir = copy_of("locales");
    let file = dir.path().join("da/common.ftl");
    edit(&file, |t| {
        let mut lines: Vec<&str> = t.lines().collect();
        lines.insert(3, "= a value without an id");
        lines.join("\n") + "\n"
    });
    let error = content_error(dir.path());
    let expected = format!("{}: line 4: Fluent syntax error", file.display());
    assert!(error.contains(&expected), "{error}");
}

#[test]
fn engine_message_deleted_from_both_languages() {
    let dir = copy_of("locales");
    for lang in ["da", "en"] {
        edit(&dir.path().join(lang).join("common.ftl"), |t| {
            without_message(t, "welcome")
        });
    }
    let error = content_error(dir.path());
    assert!(
        error.contains("message `welcome` does not exist in locale da"),
        "{error}"
    );
    assert!(
        error.contains("message `welcome` does not exist in locale en"),
        "{error}"
    );
    assert_eq!(error.lines().count(), 2, "{error}");
}

// ---------------------------------------------------------------------------------------
// `eftertanke check`
// ---------------------------------------------------------------------------------------

fn check(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(BIN).arg("check").args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_passes_on_the_real_folders() {
    let dialogs = root().join("dialogs");
    let locales = root().join("locales");
    let out = check(&[
        "--dialogs".as_ref(),
        dialogs.as_os_str(),
        "--locales".as_ref(),
        locales.as_os_str(),
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains("check passed: 5 dialogues"), "{stdout}");
}

#[test]
fn check_passes_on_the_compiled_in_content() {
    let out = check(&[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("check passed"));
}

#[test]
fn check_fails_on_a_broken_dialogue_file() {
    let dir = copy_of("dialogs");
    let file = dir.path().join("efter-vagten.toml");
    edit(&file, |t| {
        t.replace("goto = \"support\"", "goto = \"suport\"")
    });
    let out = check(&["--dialogs".as_ref(), dir.path().as_os_str()]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let expected = format!(
        "{}: dialogue `efter-vagten`, step `how`: branch goto: unknown step id `suport`",
        file.display()
    );
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(stderr.contains("check failed: 1 problem"), "{stderr}");
}

#[test]
fn check_fails_on_hard_citizen_text() {
    let dir = copy_of("locales");
    let file = dir.path().join("da/dialogs.ftl");
    edit(&file, |t| {
        let hard = "borger-tjek-ind-hope = Koordinerede rehabiliteringsindsatser \
                    understøtter borgerinddragelse.";
        t.lines()
            .map(|line| {
                if line.starts_with("borger-tjek-ind-hope =") {
                    hard.to_owned()
                } else {
                    line.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    });
    let out = check(&["--locales".as_ref(), dir.path().as_os_str()]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let expected = format!(
        "{}:{}: message `borger-tjek-ind-hope` is for citizens and has LIX 104",
        file.display(),
        line_of(&file, "borger-tjek-ind-hope =")
    );
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(stderr.contains("check failed: 1 problem"), "{stderr}");
}

/// The line of `file` that starts with `start`.
fn line_of(file: &Path, start: &str) -> usize {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .position(|line| line.starts_with(start))
        .unwrap()
        + 1
}

/// The check reads a message as a citizen gets it: each plural variant, with a real number
/// (which LIX does not count as a word), so "Du har 3 prøvehandlinger:" is too hard where
/// "Du har x prøvehandlinger:" was not; and the menu's words are held against the method's
/// jargon. Each problem names the file and the line.
#[test]
fn check_reads_every_variant_with_real_values_and_the_menu_for_jargon() {
    let dir = copy_of("locales");
    let common = dir.path().join("da/common.ftl");
    let commands = dir.path().join("da/commands.ftl");
    let replace = |file: &Path, start: &str, with: &str| {
        edit(file, |t| {
            let mut out = Vec::new();
            let mut skipping = false;
            for line in t.lines() {
                if line.starts_with(start) {
                    out.push(with.to_owned());
                    skipping = true;
                } else if skipping && line.starts_with([' ', '}']) {
                    continue;
                } else {
                    skipping = false;
                    out.push(line.to_owned());
                }
            }
            out.join("\n") + "\n"
        });
    };
    replace(
        &common,
        "trials-header =",
        "trials-header = { $count ->\n    [one] Du har én prøvehandling:\n   *[other] Du har { $count } prøvehandlinger:\n}",
    );
    replace(
        &commands,
        "command-trials =",
        "command-trials = se dine prøvehandlinger",
    );
    let out = check(&["--locales".as_ref(), dir.path().as_os_str()]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let hard = format!(
        "{}:{}: message `trials-header` is for citizens and has LIX 36 (at most 30) as read: \
         «Du har 3 prøvehandlinger:»",
        common.display(),
        line_of(&common, "trials-header =")
    );
    assert!(stderr.contains(&hard), "{stderr}");
    let jargon = format!(
        "{}:{}: message `command-trials` is for citizens and uses \"prøvehandling\" without \
         saying what it means: «se dine prøvehandlinger»",
        commands.display(),
        line_of(&commands, "command-trials =")
    );
    assert!(stderr.contains(&jargon), "{stderr}");
    assert!(stderr.contains("check failed: 2 problem(s)"), "{stderr}");
}

#[test]
fn check_fails_on_a_command_named_in_the_other_language() {
    let dir = copy_of("locales");
    let file = dir.path().join("da/common.ftl");
    edit(&file, |t| {
        t.lines()
            .map(|line| {
                if line.starts_with("trial-too-many =") {
                    "trial-too-many = Du har { $count ->\n    [one] en\n   *[other] { $count }\n} \
                     åbne. Skriv /followup eller /opfølgning eller /hvad, men ja/nej er fint."
                        .to_owned()
                } else {
                    line.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    });
    let out = check(&["--locales".as_ref(), dir.path().as_os_str()]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let named = |problem: &str| format!("{}: message `trial-too-many` {problem}", file.display());
    for problem in [
        "names /followup; in this language the command is /opfoelgning",
        "names /opfølgning; in this language the command is /opfoelgning",
        "names /hvad, which is no command",
    ] {
        assert!(stderr.contains(&named(problem)), "{stderr}");
    }
    assert!(stderr.contains("check failed: 3 problem(s)"), "{stderr}");
}

#[test]
fn a_missing_message_and_an_unreachable_step_are_listed_together() {
    let text = dialogue(
        r#"
[[step]]
id = "first"
ask = "no-such-message"
answer = "text"
next = "end"

[[step]]
id = "orphan"
ask = "efter-vagten-situation"
answer = "text"
"#,
    );
    let problems = problems(&text);
    assert_listed(&problems, Some("first"), "no-such-message");
    assert_listed(&problems, Some("orphan"), "cannot be reached");
    assert_eq!(problems.len(), 2, "{}", listing(&problems));
}

#[test]
fn branch_value_outside_the_scale() {
    let text = dialogue(
        r#"
[[step]]
id = "how"
ask = "efter-vagten-how"
answer = "scale"
min = 1
max = 5
low = "efter-vagten-how-low"
high = "efter-vagten-how-high"

[[step.branch]]
if_answer = "how"
at_most = 20
goto = "end"
"#,
    );
    assert_only(&text, Some("how"), "outside the scale 1-5");
}
