//! The validated dialogue model the engine walks. Built only by the loader, so every index,
//! message id and regex in it has been checked.

use std::collections::BTreeMap;

use regex::Regex;
use serde::{Deserialize, Serialize};

/// Who a dialogue is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    Staff,
    Citizen,
    Both,
}

/// The role a person reflects in; decides which dialogues they are offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Staff,
    Citizen,
}

impl Role {
    /// As written in files and Fluent selectors: "staff", "citizen".
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::Citizen => "citizen",
        }
    }
}

impl Audience {
    #[must_use]
    pub fn includes(self, role: Role) -> bool {
        matches!(
            (self, role),
            (Audience::Both, _)
                | (Audience::Staff, Role::Staff)
                | (Audience::Citizen, Role::Citizen)
        )
    }
}

/// What a dialogue is for: reflections and check-ins are offered in the menu, follow-ups are
/// started on a trial action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    Reflection,
    CheckIn,
    FollowUp,
    /// Makes a trial action on its own; started by /try.
    Trial,
}

/// Where a step leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Step(usize),
    End,
}

/// An option of a choice step: a stable value stored, and a message id shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChoiceOption {
    pub value: String,
    pub label: String,
}

#[derive(Clone, Debug)]
pub enum AnswerKind {
    Text {
        max_chars: usize,
        pattern: Option<(Regex, String)>,
    },
    Choice {
        options: Vec<ChoiceOption>,
    },
    Choices {
        options: Vec<ChoiceOption>,
    },
    Scale {
        min: i64,
        max: i64,
        low: String,
        high: String,
    },
    YesNo,
    Principle {
        suggest: bool,
    },
    Principles,
    Date,
    TrialAction,
}

/// A condition on an earlier answer that sends the dialogue elsewhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    AtMost(i64),
    AtLeast(i64),
    Is(String),
}

#[derive(Clone, Debug)]
pub struct Branch {
    /// Index of the step whose answer is tested.
    pub step: usize,
    pub condition: Condition,
    pub goto: Target,
}

#[derive(Clone, Debug)]
pub struct Step {
    pub id: String,
    /// One message id, or a bank of them of which one is asked per run.
    pub ask: Vec<String>,
    pub answer: AnswerKind,
    pub principles: Vec<u8>,
    pub optional: bool,
    pub sets_trial_state: bool,
    pub branches: Vec<Branch>,
    pub next: Target,
    /// The Fluent id of the label this step is summarised under in the weekly digest (only on
    /// scale, yes-no and choice steps).
    pub digest: Option<String>,
    /// On a yes-no consent step: the earlier text steps (indices) whose answers the person
    /// agrees, by answering yes, to share without a name in the weekly digest.
    pub shares: Vec<usize>,
    /// A citizen's idea for the staff (on a shared text step): the digest lists it apart
    /// from the quotes, and a learning meeting may take it up and answer its author.
    pub idea: bool,
    /// The fewest questions from this one to the end, this one included: for "3/7".
    pub remaining: usize,
    /// The same for a run that counts for no group, where consent questions (`shares`) and
    /// idea steps are not asked: nobody would read what they share, or take an idea up.
    pub remaining_unshared: usize,
    /// The same for a staff member's run in a group, where consent questions that share only
    /// trial actions are not asked: their group sees their trial actions anyway.
    pub remaining_staff: usize,
}

#[derive(Clone, Debug)]
pub struct Dialogue {
    pub id: String,
    pub audience: Audience,
    pub purpose: Purpose,
    pub title: String,
    pub intro: Option<String>,
    pub outro: Option<String>,
    pub steps: Vec<Step>,
}

impl Dialogue {
    /// Every Fluent message this dialogue shows: title, intro, outro, questions, option and
    /// scale labels, pattern hints, and the labels its steps have in the weekly digest.
    #[must_use]
    pub fn message_ids(&self) -> Vec<&str> {
        let mut ids = vec![self.title.as_str()];
        ids.extend(self.intro.as_deref());
        ids.extend(self.outro.as_deref());
        for step in &self.steps {
            ids.extend(step.ask.iter().map(String::as_str));
            ids.extend(step.digest.as_deref());
            match &step.answer {
                AnswerKind::Choice { options } | AnswerKind::Choices { options } => {
                    ids.extend(options.iter().map(|o| o.label.as_str()));
                }
                AnswerKind::Scale { low, high, .. } => ids.extend([low.as_str(), high.as_str()]),
                AnswerKind::Text {
                    pattern: Some((_, hint)),
                    ..
                } => ids.push(hint.as_str()),
                _ => {}
            }
        }
        ids
    }
}

/// Every dialogue, by id, in a stable order for menus.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    pub(crate) dialogues: BTreeMap<String, Dialogue>,
}

impl Catalog {
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&Dialogue> {
        self.dialogues.get(id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Dialogue> {
        self.dialogues.values()
    }

    /// The dialogues a person in `role` may start from the menu.
    pub fn menu(&self, role: Role) -> impl Iterator<Item = &Dialogue> {
        self.iter().filter(move |d| {
            d.audience.includes(role) && matches!(d.purpose, Purpose::Reflection | Purpose::CheckIn)
        })
    }

    /// The dialogue of `purpose` for `role` (follow-up, trial), if one is defined.
    #[must_use]
    pub fn for_purpose(&self, role: Role, purpose: Purpose) -> Option<&Dialogue> {
        self.iter()
            .find(|d| d.audience.includes(role) && d.purpose == purpose)
    }
}

/// Trial-action states a follow-up may set (see `TrialState` in the store records).
pub const TRIAL_STATES: [&str; 5] = ["tried", "kept", "adjusted", "dropped", "done"];
