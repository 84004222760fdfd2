//! The weekly digest of one learning group: what its facilitators read before their
//! learning-loop meeting, in about a minute.
//!
//! [`build`] counts plain figures from the week's stored records; [`render`] words them in
//! Fluent and splits the text into chat messages. Both are pure: no I/O, no clock (the caller
//! passes the week, "today" and the records of that week).
//!
//! Privacy, as the domain asks:
//! - a citizen is never named; a staff member only by the first name they allowed;
//! - nothing about citizens (figures, quotes, trial actions) is shown unless at least
//!   `citizen_floor` distinct citizens answered in the week, so no one can be recognised;
//! - a citizen's own words are quoted only from a run in which that same person answered yes
//!   to the consent step (`shares`) naming those steps.

use std::collections::{BTreeMap, BTreeSet};

use fluent_bundle::FluentValue;
use jiff::civil::{Date, ISOWeekDate};
use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::dialogs::{AnswerKind, Catalog, Purpose, Role, Step};
use crate::i18n::{Args, I18nError, Lang, Locales};
use crate::records::{
    AnswerRecord, GroupTrial, Meeting, PersonId, RunRecord, TrialAction, TrialState, Value,
};
use crate::schedule::{is_overdue, week_dates};

/// The fewest distinct citizens a week needs before anything about citizens is shown.
pub const DEFAULT_CITIZEN_FLOOR: usize = 3;
/// At most this many citizens' answers are quoted.
pub const MAX_QUOTES: usize = 5;
/// A quote (or a trial action's text) is cut to this many characters, "…" included.
pub const QUOTE_CHARS: usize = 200;
/// Staff figures of the week so far (`/digest`) wait until at least this many staff members
/// answered, so two looks a shift apart cannot show one colleague's answers.
pub const STAFF_FLOOR: usize = 3;
/// A shown first name is cut to this many characters.
const NAME_CHARS: usize = 40;
/// At most this many of what staff shared are shown in a digest; the rest are counted.
pub const MAX_LEARNED: usize = 8;

/// Everything the digest of one group for one week is built from; loaded by the caller
/// with prefix reads by group and week, so the cost follows that week, not the history.
#[derive(Clone, Copy, Debug)]
pub struct DigestInput<'a> {
    pub group_name: &'a str,
    pub week: ISOWeekDate,
    /// The last day counted for "overdue": the Sunday of the week, or today for the week so far.
    pub today: Date,
    /// The time zone the group's weeks are counted in: it decides whether a trial action was
    /// created (or changed) in this week or before.
    pub time_zone: &'a TimeZone,
    /// The group's completed runs in the week (RunRecord.completed_at in the week).
    pub runs: &'a [RunRecord],
    /// The group's answers given in the week.
    pub answers: &'a [AnswerRecord],
    /// The group's completed runs in the week before (for the comparison).
    pub previous_runs: &'a [RunRecord],
    /// The group's trial actions created or changed in the week, latest version of each.
    pub trials: &'a [TrialAction],
    /// The group's trial actions open now (planned or tried), for the overdue count.
    pub open_trials: &'a [TrialAction],
    /// First names that staff allowed facilitators to see; anyone not here is shown without
    /// a name. Never used for citizens.
    pub names: &'a BTreeMap<PersonId, String>,
    /// Citizens' figures and quotes are shown only when at least this many distinct citizens
    /// answered in the week ([`DEFAULT_CITIZEN_FLOOR`]).
    pub citizen_floor: usize,
    /// Days after a trial action's due date before it counts as overdue.
    pub retry_days: u32,
    /// The week is not over (`/digest`): citizens' figures wait for its end, and staff
    /// figures for [`STAFF_FLOOR`] staff members, so comparing two looks within a week cannot
    /// single out one person's answers.
    pub so_far: bool,
    /// Orders the quotes (shuffled, so their order tells nothing of who wrote which).
    pub seed: u64,
    /// The group's latest learning meeting held by the end of the week, if any: its focus
    /// and its group trial actions are shown.
    pub meeting: Option<&'a Meeting>,
}

/// The figures of one group's week, ready to be worded by [`render`]. Kept as first composed
/// once the week is over ([`Digest::figures`]), with the words (quotes, new trial actions)
/// taken afresh each time it is worded ([`Digest::with_words_of`]), so later erasures remove
/// words but never change a figure.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Digest {
    pub group_name: String,
    pub week: ISOWeekDate,
    /// Monday and Sunday of the week.
    pub first_day: Date,
    pub last_day: Date,
    /// Nothing at all happened: no runs, no answers, no trial actions to tell of.
    pub quiet: bool,
    /// Completed staff reflections (purpose reflection, role staff).
    pub reflections: Compared,
    /// How many staff reflections touched each principle; index 0 is principle 1.
    pub principles: [usize; 8],
    /// Staff answers to steps with a `digest` label, one line per label.
    pub staff_lines: Vec<Line>,
    /// In the week so far, staff figures wait for this many staff members (`None`: shown).
    pub staff_floor: Option<usize>,
    pub trials: Trials,
    pub citizens: Citizens,
    /// A principle to focus on in the coming week, with why (`None` in digests kept before
    /// there were suggestions).
    #[serde(default)]
    pub focus: Option<Focus>,
    /// What staff chose to share with the group in the week, oldest first, at most
    /// [`MAX_LEARNED`]: words, so taken afresh each time the digest is worded.
    #[serde(default)]
    pub learned: Vec<Learning>,
    /// Shared answers beyond those shown.
    #[serde(default)]
    pub more_learned: usize,
    /// The trial actions the group decided on at its latest learning meeting.
    #[serde(default)]
    pub group_trials: Vec<GroupTrial>,
    /// What that meeting said became of the meeting before's, when it was held in the week.
    #[serde(default)]
    pub followed_up: Vec<GroupTrial>,
}

/// One answer a staff member chose to share with their group: what worked in a situation,
/// or what happened when they tried something.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Learning {
    /// The answer, on one line, cut to [`QUOTE_CHARS`].
    pub text: String,
    /// Always [`Author::Staff`]: with the first name they allowed, else without a name.
    pub by: Author,
}

/// A suggested focus for the coming week: a principle, and why it was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Focus {
    pub principle: u8,
    pub why: FocusReason,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FocusReason {
    /// The group chose it at its learning meeting.
    Chosen,
    /// At least [`DROPPED_FOR_FOCUS`] of the week's trial actions on it were dropped.
    Dropped(usize),
    /// The staff reflections of this week and the one before chose it least (this many).
    LeastChosen(usize),
}

/// Dropped trial actions on one principle in a week that make it the suggested focus.
const DROPPED_FOR_FOCUS: usize = 2;

/// The focus for the coming week: the one the group chose at its latest learning meeting;
/// else the principle most of the week's trial actions were dropped on, when that is
/// [`DROPPED_FOR_FOCUS`] or more (lowest number on a tie); else the one the staff chose
/// least in this week's and last week's reflections.
fn focus(input: &DigestInput<'_>, this_week: &[usize; 8], last_week: &[usize; 8]) -> Focus {
    if let Some(principle) = input.meeting.and_then(|m| m.focus) {
        return Focus {
            principle,
            why: FocusReason::Chosen,
        };
    }
    let in_week = |at: Timestamp| same_week(at, input.week, input.time_zone);
    let mut dropped = [0usize; 8];
    for trial in latest_trials(input.trials) {
        // Staff trial actions only: citizens' are told of only above their floor.
        if trial.role == Role::Staff
            && trial.state == TrialState::Dropped
            && in_week(trial.updated_at)
        {
            let principles: BTreeSet<u8> = trial.principles.iter().copied().collect();
            for p in principles {
                if let Some(n) = usize::from(p)
                    .checked_sub(1)
                    .and_then(|i| dropped.get_mut(i))
                {
                    *n += 1;
                }
            }
        }
    }
    let most_dropped = (1u8..)
        .zip(dropped)
        .max_by_key(|&(p, n)| (n, std::cmp::Reverse(p)));
    if let Some((principle, count)) = most_dropped.filter(|&(_, n)| n >= DROPPED_FOR_FOCUS) {
        return Focus {
            principle,
            why: FocusReason::Dropped(count),
        };
    }
    let (principle, count) = (1u8..)
        .zip(this_week.iter().zip(last_week).map(|(a, b)| a + b))
        .min_by_key(|&(p, n)| (n, p))
        .unwrap_or((1, 0));
    Focus {
        principle,
        why: FocusReason::LeastChosen(count),
    }
}

impl Digest {
    /// The figures alone, as kept: no quote, no trial action's words, no name.
    #[must_use]
    pub fn figures(mut self) -> Digest {
        self.trials.new.clear();
        self.learned.clear();
        self.more_learned = 0;
        if let Citizens::Shown(voice) = &mut self.citizens {
            voice.quotes.clear();
            voice.more_quotes = 0;
            voice.ideas.clear();
            voice.more_ideas = 0;
        }
        self
    }

    /// Kept figures with the words of `fresh`, a digest of the same week built from what is
    /// stored now: whoever erased their data since is in no quote and no trial line. Quotes
    /// are shown only while the kept figures show the citizens.
    #[must_use]
    pub fn with_words_of(mut self, fresh: Digest) -> Digest {
        self.trials.new = fresh.trials.new;
        self.learned = fresh.learned;
        self.more_learned = fresh.more_learned;
        if let (Citizens::Shown(kept), Citizens::Shown(now)) = (&mut self.citizens, fresh.citizens)
        {
            kept.quotes = now.quotes;
            kept.more_quotes = now.more_quotes;
            kept.ideas = now.ideas;
            kept.more_ideas = now.more_ideas;
        }
        self
    }
}

/// A count this week and the week before.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Compared {
    pub this_week: usize,
    pub last_week: usize,
}

/// One line for a step with a `digest` label; steps sharing a label share a line.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Line {
    /// The Fluent id of the label.
    pub label: String,
    pub figure: Figure,
    /// Distinct people who answered it: a floor counts people, not answers.
    pub people: usize,
}

/// What a line counts. Skipped answers are not counted.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Figure {
    /// Answers in the upper half of the scale (`value * 2 > min + max`), of all answers.
    Scale { high: usize, total: usize },
    /// Yes answers, of all answers.
    YesNo { yes: usize, total: usize },
    /// How often each option was picked (option label id, count), in the step's order.
    Choice {
        options: Vec<(String, usize)>,
        total: usize,
    },
}

impl Figure {
    fn total(&self) -> usize {
        match self {
            Figure::Scale { total, .. }
            | Figure::YesNo { total, .. }
            | Figure::Choice { total, .. } => *total,
        }
    }
}

/// Trial actions: the new ones, what became of others, and how many are overdue.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Trials {
    /// Created in the week, oldest first: words, so taken afresh each time it is worded.
    pub new: Vec<NewTrial>,
    /// How many were created in the week: a figure, kept with the others.
    #[serde(default)]
    pub created: usize,
    /// Trial actions whose state changed to tried, kept, adjusted, dropped or done in the week.
    pub tried: usize,
    pub kept: usize,
    pub adjusted: usize,
    pub dropped: usize,
    pub done: usize,
    /// Open trial actions past their due date plus the retry days.
    pub overdue: usize,
}

impl Trials {
    fn is_empty(&self) -> bool {
        self.new.is_empty()
            && self.created == 0
            && self.changed().iter().all(|(_, n)| *n == 0)
            && self.overdue == 0
    }

    /// The counts by state, in the order of the trial-action cycle.
    #[must_use]
    pub fn changed(&self) -> [(TrialState, usize); 5] {
        [
            (TrialState::Tried, self.tried),
            (TrialState::Kept, self.kept),
            (TrialState::Adjusted, self.adjusted),
            (TrialState::Dropped, self.dropped),
            (TrialState::Done, self.done),
        ]
    }
}

/// A trial action created in the week.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NewTrial {
    /// What the person will try, on one line, cut to [`QUOTE_CHARS`].
    pub what: String,
    /// Principles 1-8, ascending.
    pub principles: Vec<u8>,
    pub by: Author,
    /// A new version of a trial action that was adjusted.
    pub adjusts: bool,
}

/// Who made a trial action, as far as facilitators may know.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Author {
    /// A staff member, with the first name they allowed to be shown, if any.
    Staff(Option<String>),
    /// A citizen: never named.
    Citizen,
}

/// The citizens' part of the digest.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Citizens {
    /// Fewer than `floor` citizens answered: nothing about citizens is shown.
    Hidden {
        floor: usize,
    },
    /// The week is not over yet: shown when it is.
    Later,
    Shown(CitizenVoice),
}

/// What citizens said in the week, when enough of them took part.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CitizenVoice {
    /// Distinct citizens who answered in the week.
    pub people: usize,
    /// Completed check-ins (purpose check-in, role citizen).
    pub check_ins: usize,
    /// Last week's check-ins; `None` when too few citizens took part then to show it.
    pub check_ins_last_week: Option<usize>,
    /// Citizens' answers to steps with a `digest` label.
    pub lines: Vec<Line>,
    /// Answers shared with consent, never with a name, at most [`MAX_QUOTES`].
    pub quotes: Vec<String>,
    /// Shared answers beyond those quoted.
    pub more_quotes: usize,
    /// Ideas for the staff (answers to `idea` steps) shared with consent, never with a name,
    /// at most [`MAX_QUOTES`]; not among the quotes.
    #[serde(default)]
    pub ideas: Vec<String>,
    /// Shared ideas beyond those shown.
    #[serde(default)]
    pub more_ideas: usize,
}

/// Counts the week's figures from its records. Records the catalog does not know (a deleted
/// dialogue or step) are left out of the figures that need their dialogue.
#[must_use]
pub fn build(input: &DigestInput<'_>, catalog: &Catalog) -> Digest {
    let (first_day, last_day) = week_dates(input.week);
    let runs = unique_runs(input.runs);
    let previous = unique_runs(input.previous_runs);
    let answers = latest_answers(input.answers);
    // The figures of the step lines count finished runs only, so "3 of 3" shares its
    // denominator with "3 reflections". (A run begun late on a Sunday and finished after
    // midnight counts in the week it finished, with the answers given in that week.)
    let finished: BTreeSet<(&PersonId, &str, &str)> = runs
        .iter()
        .map(|run| (&run.person, run.run.as_str(), run.dialogue.as_str()))
        .collect();
    let finished_answers: BTreeMap<AnswerKey<'_>, &AnswerRecord> = answers
        .iter()
        .filter(|((person, run, dialogue, _), _)| finished.contains(&(*person, *run, *dialogue)))
        .map(|(key, answer)| (*key, *answer))
        .collect();
    let is = |run: &RunRecord, role: Role, purpose: Purpose| {
        run.role == role
            && catalog
                .get(&run.dialogue)
                .is_some_and(|d| d.purpose == purpose)
    };
    let count = |runs: &[&RunRecord], role: Role, purpose: Purpose| {
        runs.iter().filter(|run| is(run, role, purpose)).count()
    };

    // How many staff reflections chose each principle.
    let chosen = |runs: &[&RunRecord]| {
        let mut principles = [0; 8];
        for run in runs
            .iter()
            .filter(|run| is(run, Role::Staff, Purpose::Reflection))
        {
            let touched: BTreeSet<u8> = run.principles.iter().copied().collect();
            for p in touched {
                if let Some(n) = usize::from(p)
                    .checked_sub(1)
                    .and_then(|i| principles.get_mut(i))
                {
                    *n += 1;
                }
            }
        }
        principles
    };
    let principles = chosen(&runs);

    let citizens_now: BTreeSet<&PersonId> = answers
        .values()
        .filter(|a| a.role == Role::Citizen)
        .map(|a| &a.person)
        .chain(
            runs.iter()
                .filter(|r| r.role == Role::Citizen)
                .map(|r| &r.person),
        )
        .collect();
    let citizens_before: BTreeSet<&PersonId> = previous
        .iter()
        .filter(|r| r.role == Role::Citizen)
        .map(|r| &r.person)
        .collect();
    let floor = input.citizen_floor;
    let shown = citizens_now.len() >= floor && !input.so_far;
    // What people agreed to share: read by the quotes, the ideas, the citizens' trial
    // actions and the staff's learnings alike.
    let shared = shared_answers(catalog, answers.values().copied());
    let citizens = if input.so_far {
        Citizens::Later
    } else if shown {
        // Ideas are shuffled apart from the quotes: in one order, a quote and an idea in the
        // same place would often be one person's.
        let idea_seed = input.seed.rotate_left(32) ^ 0x6A09_E667_F3BC_C908;
        let (ideas, more_ideas) = quotes(catalog, &answers, &shared, Said::Ideas, idea_seed);
        let (quotes, more_quotes) = quotes(catalog, &answers, &shared, Said::Words, input.seed);
        Citizens::Shown(CitizenVoice {
            people: citizens_now.len(),
            check_ins: count(&runs, Role::Citizen, Purpose::CheckIn),
            check_ins_last_week: (citizens_before.len() >= floor)
                .then(|| count(&previous, Role::Citizen, Purpose::CheckIn)),
            // A line answered by fewer than `floor` people would tell those few's answers
            // (one citizen's three check-ins are one person).
            lines: lines(catalog, &finished_answers, Role::Citizen)
                .into_iter()
                .filter(|line| line.people >= floor)
                .collect(),
            quotes,
            more_quotes,
            ideas,
            more_ideas,
        })
    } else {
        Citizens::Hidden { floor }
    };
    let trials = trials(
        input,
        shown,
        &shared_trials(&shared, answers.values().copied()),
    );
    let staff_now: BTreeSet<&PersonId> = answers
        .values()
        .filter(|a| a.role == Role::Staff)
        .map(|a| &a.person)
        .chain(
            runs.iter()
                .filter(|r| r.role == Role::Staff)
                .map(|r| &r.person),
        )
        .collect();
    let staff_floor = (input.so_far && staff_now.len() < STAFF_FLOOR).then_some(STAFF_FLOOR);
    let staff_shown = staff_floor.is_none();
    // Shown in the week so far too, below the staff floor: its authors chose to share it
    // with the group, and a meeting in the middle of a week needs it.
    let (learned, more_learned) = learned(input, &answers, &shared);
    Digest {
        group_name: input.group_name.to_owned(),
        week: input.week,
        first_day,
        last_day,
        // Quiet is judged on what may be shown: hidden citizen activity must not show
        // itself by making the week not quiet.
        quiet: runs.iter().all(|r| r.role == Role::Citizen && !shown)
            && answers.values().all(|a| a.role == Role::Citizen && !shown)
            && trials.is_empty(),
        reflections: Compared {
            this_week: if staff_shown {
                count(&runs, Role::Staff, Purpose::Reflection)
            } else {
                0
            },
            last_week: count(&previous, Role::Staff, Purpose::Reflection),
        },
        principles: if staff_shown { principles } else { [0; 8] },
        focus: staff_shown.then(|| focus(input, &principles, &chosen(&previous))),
        staff_lines: if staff_shown {
            lines(catalog, &finished_answers, Role::Staff)
        } else {
            Vec::new()
        },
        staff_floor,
        trials,
        citizens,
        learned,
        more_learned,
        group_trials: input.meeting.map(|m| m.trials.clone()).unwrap_or_default(),
        followed_up: input
            .meeting
            .filter(|m| same_week(m.held_at, input.week, input.time_zone))
            .map(|m| m.followed_up.clone())
            .unwrap_or_default(),
    }
}

fn same_week(at: Timestamp, week: ISOWeekDate, tz: &TimeZone) -> bool {
    let local = tz.to_datetime(at).date().iso_week_date();
    (local.year(), local.week()) == (week.year(), week.week())
}

/// Each run once, even if the caller's reads overlapped.
fn unique_runs(runs: &[RunRecord]) -> Vec<&RunRecord> {
    let mut seen = BTreeSet::new();
    runs.iter()
        .filter(|run| seen.insert((&run.person, run.run.as_str(), run.dialogue.as_str())))
        .collect()
}

/// (person, run, dialogue, step): an answer's identity.
pub type AnswerKey<'a> = (&'a PersonId, &'a str, &'a str, &'a str);

/// The answers their authors agreed to share: the steps named by a consent step (`shares`)
/// the same person answered yes to in the same run. Read by the digest's quotes (citizens'),
/// its learnings (staff's) and by the evaluator export (citizens' only).
pub fn shared_answers<'a>(
    catalog: &'a Catalog,
    answers: impl Iterator<Item = &'a AnswerRecord>,
) -> BTreeSet<AnswerKey<'a>> {
    let mut shared = BTreeSet::new();
    for consent in answers {
        if consent.value != Value::YesNo(true) {
            continue;
        }
        let Some(dialogue) = catalog.get(&consent.dialogue) else {
            continue;
        };
        let Some(step) = dialogue.steps.iter().find(|s| s.id == consent.step) else {
            continue;
        };
        for shared_step in step.shares.iter().filter_map(|&i| dialogue.steps.get(i)) {
            shared.insert((
                &consent.person,
                consent.run.as_str(),
                consent.dialogue.as_str(),
                shared_step.id.as_str(),
            ));
        }
    }
    shared
}

/// The latest answer to each step of each run.
pub fn latest_answers(answers: &[AnswerRecord]) -> BTreeMap<AnswerKey<'_>, &AnswerRecord> {
    let mut latest: BTreeMap<AnswerKey<'_>, &AnswerRecord> = BTreeMap::new();
    for answer in answers {
        let key = (
            &answer.person,
            answer.run.as_str(),
            answer.dialogue.as_str(),
            answer.step.as_str(),
        );
        match latest.get(&key) {
            Some(kept) if kept.answered_at > answer.answered_at => {}
            _ => {
                latest.insert(key, answer);
            }
        }
    }
    latest
}

/// One line per `digest` label from the answers given in `role`, in catalog order; labels
/// nobody answered are left out.
fn lines(
    catalog: &Catalog,
    answers: &BTreeMap<AnswerKey<'_>, &AnswerRecord>,
    role: Role,
) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    let mut slots: BTreeMap<(&str, &str), (usize, &Step)> = BTreeMap::new();
    for dialogue in catalog.iter() {
        for step in &dialogue.steps {
            let Some(label) = &step.digest else { continue };
            let empty = match &step.answer {
                AnswerKind::Scale { .. } => Figure::Scale { high: 0, total: 0 },
                AnswerKind::YesNo => Figure::YesNo { yes: 0, total: 0 },
                AnswerKind::Choice { options } => Figure::Choice {
                    options: options.iter().map(|o| (o.label.clone(), 0)).collect(),
                    total: 0,
                },
                _ => continue,
            };
            let same = |line: &Line| {
                line.label == *label
                    && std::mem::discriminant(&line.figure) == std::mem::discriminant(&empty)
            };
            let slot = match lines.iter().position(same) {
                Some(slot) => {
                    if let (Figure::Choice { options, .. }, Figure::Choice { options: more, .. }) =
                        (&mut lines[slot].figure, empty)
                    {
                        for (option, n) in more {
                            if !options.iter().any(|(o, _)| *o == option) {
                                options.push((option, n));
                            }
                        }
                    }
                    slot
                }
                None => {
                    lines.push(Line {
                        label: label.clone(),
                        figure: empty,
                        people: 0,
                    });
                    lines.len() - 1
                }
            };
            slots.insert((dialogue.id.as_str(), step.id.as_str()), (slot, step));
        }
    }
    let mut people: BTreeMap<usize, BTreeSet<&PersonId>> = BTreeMap::new();
    for answer in answers.values().filter(|a| a.role == role) {
        let Some(&(slot, step)) = slots.get(&(answer.dialogue.as_str(), answer.step.as_str()))
        else {
            continue;
        };
        let Some(line) = lines.get_mut(slot) else {
            continue;
        };
        let before = line.figure.total();
        match (&mut line.figure, &step.answer, &answer.value) {
            (
                Figure::Scale { high, total },
                AnswerKind::Scale { min, max, .. },
                Value::Scale(v),
            ) => {
                *total += 1;
                if v.saturating_mul(2) > min.saturating_add(*max) {
                    *high += 1;
                }
            }
            (Figure::YesNo { yes, total }, AnswerKind::YesNo, Value::YesNo(said)) => {
                *total += 1;
                *yes += usize::from(*said);
            }
            (
                Figure::Choice { options, total },
                AnswerKind::Choice { options: defined },
                Value::Choice(value),
            ) => {
                let label = defined.iter().find(|o| o.value == *value).map(|o| &o.label);
                if let Some((_, n)) = options.iter_mut().find(|(o, _)| Some(o) == label) {
                    *n += 1;
                    *total += 1;
                }
            }
            _ => {}
        }
        if line.figure.total() > before {
            people.entry(slot).or_default().insert(&answer.person);
        }
    }
    for (slot, who) in people {
        if let Some(line) = lines.get_mut(slot) {
            line.people = who.len();
        }
    }
    lines.retain(|line| line.figure.total() > 0);
    lines
}

/// The staff's free-text answers they chose to share with their group (see
/// [`shared_answers`]), oldest first: at most [`MAX_LEARNED`], and how many more there were.
/// Named only by a first name the person allowed.
fn learned(
    input: &DigestInput<'_>,
    answers: &BTreeMap<AnswerKey<'_>, &AnswerRecord>,
    shared: &BTreeSet<AnswerKey<'_>>,
) -> (Vec<Learning>, usize) {
    let mut all: Vec<&AnswerRecord> = answers
        .iter()
        .filter(|(key, answer)| answer.role == Role::Staff && shared.contains(*key))
        .map(|(_, answer)| *answer)
        .collect();
    all.sort_by(|a, b| (a.answered_at, &a.person).cmp(&(b.answered_at, &b.person)));
    let mut learned = Vec::new();
    for answer in &all {
        let Value::Text(text) = &answer.value else {
            continue;
        };
        let text = excerpt(text, QUOTE_CHARS);
        if text.is_empty() {
            continue;
        }
        learned.push(Learning {
            text,
            by: Author::Staff(shown_name(input, &answer.person)),
        });
    }
    let more = learned.len().saturating_sub(MAX_LEARNED);
    learned.truncate(MAX_LEARNED);
    (learned, more)
}

/// The first name a staff member allowed facilitators to see, cut to [`NAME_CHARS`].
fn shown_name(input: &DigestInput<'_>, person: &PersonId) -> Option<String> {
    input
        .names
        .get(person)
        .map(|name| excerpt(name, NAME_CHARS))
        .filter(|name| !name.is_empty())
}

/// Whether an answer's step is an `idea` step.
fn is_idea(catalog: &Catalog, answer: &AnswerRecord) -> bool {
    catalog
        .get(&answer.dialogue)
        .and_then(|d| d.steps.iter().find(|s| s.id == answer.step))
        .is_some_and(|step| step.idea)
}

/// The ideas citizens shared in `answers` (the latest answer to each `idea` step, with a yes
/// to its consent question in the same run), oldest first, each with its answer's identity:
/// a learning meeting that takes one up answers its author.
#[must_use]
pub fn shared_ideas<'a>(
    catalog: &Catalog,
    answers: &'a [AnswerRecord],
) -> Vec<(AnswerKey<'a>, String)> {
    let latest = latest_answers(answers);
    let shared = shared_answers(catalog, latest.values().copied());
    let mut ideas: Vec<(Timestamp, AnswerKey<'a>, String)> = latest
        .iter()
        .filter(|(key, answer)| {
            answer.role == Role::Citizen && is_idea(catalog, answer) && shared.contains(*key)
        })
        .filter_map(|(key, answer)| match &answer.value {
            Value::Text(text) => Some((answer.answered_at, *key, excerpt(text, QUOTE_CHARS))),
            _ => None,
        })
        .filter(|(_, _, text)| !text.is_empty())
        .collect();
    ideas.sort_by_key(|(at, key, _)| (*at, *key));
    ideas
        .into_iter()
        .map(|(_, key, text)| (key, text))
        .collect()
}

/// Which of the citizens' shared words: their ideas for the staff, or the others.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Said {
    Words,
    Ideas,
}

/// The citizens' free-text answers they agreed to share (see [`shared_answers`]), of one
/// kind (`said`). Taken in turn from each person, so one person does not fill every place;
/// at most [`MAX_QUOTES`], and how many more there were. Shown in an order shuffled by `seed`, so which quotes share an author cannot be
/// read from where they stand.
fn quotes(
    catalog: &Catalog,
    answers: &BTreeMap<AnswerKey<'_>, &AnswerRecord>,
    shared: &BTreeSet<AnswerKey<'_>>,
    said: Said,
    seed: u64,
) -> (Vec<String>, usize) {
    let mut by_person: BTreeMap<&PersonId, Vec<(Timestamp, usize, String)>> = BTreeMap::new();
    for (key, answer) in answers {
        let (Role::Citizen, Value::Text(text)) = (answer.role, &answer.value) else {
            continue;
        };
        if !shared.contains(key) || is_idea(catalog, answer) != (said == Said::Ideas) {
            continue;
        }
        let text = excerpt(text, QUOTE_CHARS);
        if !text.is_empty() {
            let order = catalog
                .get(&answer.dialogue)
                .and_then(|d| d.steps.iter().position(|s| s.id == answer.step));
            by_person.entry(&answer.person).or_default().push((
                answer.answered_at,
                order.unwrap_or_default(),
                text,
            ));
        }
    }
    let mut queues: Vec<Vec<(Timestamp, usize, String)>> = by_person.into_values().collect();
    for queue in &mut queues {
        // Oldest last, so `pop` takes them in the order they were written.
        queue.sort_by_key(|q| std::cmp::Reverse((q.0, q.1)));
    }
    queues.sort_by_key(|queue| queue.last().map(|q| (q.0, q.1)));
    let total: usize = queues.iter().map(Vec::len).sum();
    let mut quotes = Vec::new();
    while quotes.len() < MAX_QUOTES && quotes.len() < total {
        for queue in &mut queues {
            if quotes.len() < MAX_QUOTES {
                if let Some((_, _, text)) = queue.pop() {
                    quotes.push(text);
                }
            }
        }
    }
    let more = total - quotes.len();
    shuffle(&mut quotes, seed);
    (quotes, more)
}

/// A Fisher-Yates shuffle driven by SplitMix64 from `seed`: the same seed, the same order.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for i in (1..items.len()).rev() {
        // i + 1 is small (a handful of quotes), so the modulo's bias is nil.
        let j = (next() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// The trial actions among `answers` their authors agreed to share (`shared`, see
/// [`shared_answers`]: a yes to a consent step listing the step that made them, in the same
/// run): (person, trial id). Read by the digest and by /mydata.
pub fn shared_trials<'a>(
    shared: &BTreeSet<AnswerKey<'_>>,
    answers: impl Iterator<Item = &'a AnswerRecord>,
) -> BTreeSet<(&'a PersonId, &'a str)> {
    answers
        .filter(|answer| {
            shared.contains(&(
                &answer.person,
                answer.run.as_str(),
                answer.dialogue.as_str(),
                answer.step.as_str(),
            ))
        })
        .filter_map(|answer| match &answer.value {
            Value::TrialAction(id) => Some((&answer.person, id.as_str())),
            _ => None,
        })
        .collect()
}

/// The week's trial actions. Citizens' trial actions are left out when citizens' figures
/// are hidden, and their words unless `shared` holds them.
fn trials(
    input: &DigestInput<'_>,
    citizens_shown: bool,
    shared: &BTreeSet<(&PersonId, &str)>,
) -> Trials {
    let visible = |t: &&TrialAction| t.role == Role::Staff || citizens_shown;
    let in_week = |at: Timestamp| same_week(at, input.week, input.time_zone);
    let mut figures = Trials::default();
    let mut new: Vec<&TrialAction> = Vec::new();
    for trial in latest_trials(input.trials).into_iter().filter(visible) {
        if in_week(trial.created_at) {
            new.push(trial);
        }
        if in_week(trial.updated_at) {
            match trial.state {
                TrialState::Planned => {}
                TrialState::Tried => figures.tried += 1,
                TrialState::Kept => figures.kept += 1,
                TrialState::Adjusted => figures.adjusted += 1,
                TrialState::Dropped => figures.dropped += 1,
                TrialState::Done => figures.done += 1,
            }
        }
    }
    new.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    figures.created = new.len();
    figures.new = new
        .into_iter()
        .map(|trial| {
            let principles: BTreeSet<u8> = trial
                .principles
                .iter()
                .copied()
                .filter(|p| (1..=8).contains(p))
                .collect();
            NewTrial {
                // A citizen's own words are shown only with their consent; without it the
                // digest says only that a citizen made one.
                what: match trial.role {
                    Role::Citizen if !shared.contains(&(&trial.person, trial.id.as_str())) => {
                        String::new()
                    }
                    Role::Staff | Role::Citizen => excerpt(&trial.what, QUOTE_CHARS),
                },
                principles: principles.into_iter().collect(),
                by: match trial.role {
                    Role::Staff => Author::Staff(shown_name(input, &trial.person)),
                    Role::Citizen => Author::Citizen,
                },
                adjusts: trial.replaces.is_some(),
            }
        })
        .collect();
    figures.overdue = latest_trials(input.open_trials)
        .into_iter()
        .filter(visible)
        .filter(|t| {
            // Offered twice and still not looked back on.
            t.state.is_open()
                && t.offers >= crate::schedule::OFFERS
                && is_overdue(t.due, input.today, input.retry_days)
        })
        .count();
    figures
}

/// Each trial action once, as last changed. Ids are unique per person only.
fn latest_trials(trials: &[TrialAction]) -> Vec<&TrialAction> {
    let mut latest: BTreeMap<(&PersonId, &str), &TrialAction> = BTreeMap::new();
    for trial in trials {
        let key = (&trial.person, trial.id.as_str());
        match latest.get(&key) {
            Some(kept) if kept.updated_at > trial.updated_at => {}
            _ => {
                latest.insert(key, trial);
            }
        }
    }
    latest.into_values().collect()
}

/// A person's text on one line, without control characters, cut to `max` characters with
/// "…" (at a word boundary when one is near the end).
fn excerpt(text: &str, max: usize) -> String {
    let flat = text
        .split_whitespace()
        .map(|word| word.chars().filter(|c| !c.is_control()).collect::<String>())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let keep = max.saturating_sub(1);
    let cut: String = flat.chars().take(keep).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if cut[..space].chars().count() >= keep * 3 / 4 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end())
}

// ---------------------------------------------------------------------------------------
// Wording
// ---------------------------------------------------------------------------------------

/// Every Fluent message this module uses, with its argument names, so start-up checks can
/// format each in every language. The principle, month and trial-state names it also uses
/// are the engine's, checked with [`crate::engine::MESSAGES`].
pub const MESSAGES: &[(&str, &[&str])] = &[
    ("digest-title", &["group"]),
    (
        "digest-week-in-month",
        &["week", "first-day", "last-day", "month", "year"],
    ),
    (
        "digest-week-across-months",
        &[
            "week",
            "first-day",
            "first-month",
            "last-day",
            "last-month",
            "year",
        ],
    ),
    (
        "digest-week-across-years",
        &[
            "week",
            "first-day",
            "first-month",
            "first-year",
            "last-day",
            "last-month",
            "last-year",
        ],
    ),
    ("digest-quiet", &[]),
    ("digest-reflections", &["count", "last-week"]),
    ("digest-staff-later", &["floor"]),
    ("digest-check-ins", &["count", "last-week"]),
    ("digest-check-ins-last-week-hidden", &["count"]),
    ("digest-line-scale", &["label", "count", "total"]),
    ("digest-line-yes-no", &["label", "count", "total"]),
    ("digest-line-choice", &["label", "options"]),
    ("digest-option-count", &["option", "count"]),
    ("digest-principles-heading", &[]),
    ("digest-focus-dropped", &["principle", "count"]),
    ("digest-focus-least", &["principle", "count"]),
    ("digest-principle", &["name", "count"]),
    ("digest-principles-missing", &["names", "count"]),
    ("digest-principles-all", &[]),
    ("digest-trials-heading", &[]),
    ("digest-trials-new", &["count"]),
    ("digest-trials-no-new", &[]),
    (
        "digest-trial",
        &[
            "what",
            "by",
            "name",
            "principles",
            "principle-count",
            "version",
        ],
    ),
    (
        "digest-trial-citizen",
        &["shared", "what", "principles", "principle-count"],
    ),
    ("digest-trials-changed", &["states"]),
    ("digest-trial-state-count", &["state", "count"]),
    ("digest-trials-overdue", &["count"]),
    ("digest-citizens-heading", &[]),
    ("digest-citizens-hidden", &["floor"]),
    ("digest-citizens-later", &[]),
    ("digest-citizens-people", &["count"]),
    ("digest-quotes-heading", &[]),
    ("digest-ideas-heading", &[]),
    ("digest-ideas-more", &["count"]),
    ("digest-quote", &["text"]),
    ("digest-quotes-more", &["count"]),
    ("digest-focus-chosen", &["principle", "count"]),
    ("digest-group-trials-heading", &[]),
    ("digest-group-trial", &["what", "date"]),
    ("digest-followed-up", &["what", "state"]),
    ("digest-learned-heading", &[]),
    ("digest-learned", &["text", "by", "name"]),
    ("digest-learned-more", &["count"]),
    ("digest-chart-title", &["group", "weeks", "first", "last"]),
    ("digest-chart-week", &["week"]),
    ("digest-chart-week-axis", &[]),
    ("digest-chart-activity", &[]),
    ("digest-chart-reflections", &[]),
    ("digest-chart-check-ins", &[]),
    ("digest-chart-hidden", &[]),
    ("digest-chart-principles", &[]),
    ("digest-chart-trials", &[]),
    ("digest-chart-new", &[]),
    (
        "digest-chart-alt",
        &[
            "group",
            "weeks",
            "first",
            "last",
            "reflections",
            "check-ins",
            "chosen",
            "most",
            "least",
            "new",
            "tried",
            "kept",
            "adjusted",
            "dropped",
            "done",
        ],
    ),
    ("digest-list-two", &["first", "last"]),
    ("digest-list-more", &["first", "next"]),
    ("digest-list-dot", &["first", "next"]),
];

const PRINCIPLES: [&str; 8] = [
    "principle-1",
    "principle-2",
    "principle-3",
    "principle-4",
    "principle-5",
    "principle-6",
    "principle-7",
    "principle-8",
];

const MONTHS: [&str; 12] = [
    "month-1", "month-2", "month-3", "month-4", "month-5", "month-6", "month-7", "month-8",
    "month-9", "month-10", "month-11", "month-12",
];

/// Words the digest in one language.
pub(crate) struct Words<'a> {
    pub(crate) locales: &'a Locales,
    pub(crate) lang: Lang,
}

impl Words<'_> {
    pub(crate) fn get(&self, id: &str, args: &Args<'_>) -> Result<String, I18nError> {
        self.locales.format(self.lang, id, args)
    }

    /// The message for `number` (1-based) from a fixed table of ids, as an error if there is
    /// none.
    fn numbered(&self, table: &[&str], prefix: &str, number: usize) -> Result<String, I18nError> {
        let id = number
            .checked_sub(1)
            .and_then(|i| table.get(i))
            .ok_or_else(|| I18nError::UnknownMessage {
                lang: self.lang,
                id: format!("{prefix}{number}"),
            })?;
        self.get(id, &[])
    }

    /// The suggested focus for the coming week, as a section of its own.
    fn focus(&self, digest: &Digest) -> Result<Option<Vec<String>>, I18nError> {
        let Some(focus) = digest.focus else {
            return Ok(None);
        };
        let principle = self.principle(focus.principle)?;
        let (id, count) = match focus.why {
            FocusReason::Chosen => ("digest-focus-chosen", 0),
            FocusReason::Dropped(count) => ("digest-focus-dropped", count),
            FocusReason::LeastChosen(count) => ("digest-focus-least", count),
        };
        let line = self.get(
            id,
            &[("principle", principle.into()), ("count", count.into())],
        )?;
        Ok(Some(vec![line]))
    }

    pub(crate) fn principle(&self, number: u8) -> Result<String, I18nError> {
        self.numbered(&PRINCIPLES, "principle-", usize::from(number))
    }

    fn month(&self, date: Date) -> Result<String, I18nError> {
        let number = usize::try_from(date.month()).unwrap_or_default();
        self.numbered(&MONTHS, "month-", number)
    }

    /// "a, b and c".
    pub(crate) fn and_list(&self, items: Vec<String>) -> Result<String, I18nError> {
        let mut items = items.into_iter();
        let Some(mut text) = items.next() else {
            return Ok(String::new());
        };
        let mut rest: Vec<String> = items.collect();
        let Some(last) = rest.pop() else {
            return Ok(text);
        };
        for next in rest {
            text = self.get(
                "digest-list-more",
                &[("first", text.into()), ("next", next.into())],
            )?;
        }
        self.get(
            "digest-list-two",
            &[("first", text.into()), ("last", last.into())],
        )
    }

    /// "a · b · c".
    pub(crate) fn dot_list(&self, items: Vec<String>) -> Result<String, I18nError> {
        let mut items = items.into_iter();
        let Some(mut text) = items.next() else {
            return Ok(String::new());
        };
        for next in items {
            text = self.get(
                "digest-list-dot",
                &[("first", text.into()), ("next", next.into())],
            )?;
        }
        Ok(text)
    }

    fn week(&self, digest: &Digest) -> Result<String, I18nError> {
        let (first, last) = (digest.first_day, digest.last_day);
        let week = FluentValue::from(digest.week.week());
        let day = |date: Date| FluentValue::from(date.day());
        let year = |date: Date| FluentValue::from(date.year());
        if first.year() != last.year() {
            self.get(
                "digest-week-across-years",
                &[
                    ("week", week),
                    ("first-day", day(first)),
                    ("first-month", self.month(first)?.into()),
                    ("first-year", year(first)),
                    ("last-day", day(last)),
                    ("last-month", self.month(last)?.into()),
                    ("last-year", year(last)),
                ],
            )
        } else if first.month() != last.month() {
            self.get(
                "digest-week-across-months",
                &[
                    ("week", week),
                    ("first-day", day(first)),
                    ("first-month", self.month(first)?.into()),
                    ("last-day", day(last)),
                    ("last-month", self.month(last)?.into()),
                    ("year", year(last)),
                ],
            )
        } else {
            self.get(
                "digest-week-in-month",
                &[
                    ("week", week),
                    ("first-day", day(first)),
                    ("last-day", day(last)),
                    ("month", self.month(last)?.into()),
                    ("year", year(last)),
                ],
            )
        }
    }

    fn line(&self, line: &Line) -> Result<String, I18nError> {
        let label = self.get(&line.label, &[])?;
        match &line.figure {
            Figure::Scale { high, total } => self.get(
                "digest-line-scale",
                &[
                    ("label", label.into()),
                    ("count", (*high).into()),
                    ("total", (*total).into()),
                ],
            ),
            Figure::YesNo { yes, total } => self.get(
                "digest-line-yes-no",
                &[
                    ("label", label.into()),
                    ("count", (*yes).into()),
                    ("total", (*total).into()),
                ],
            ),
            Figure::Choice { options, .. } => {
                let mut counts = Vec::new();
                for (option, count) in options.iter().filter(|(_, n)| *n > 0) {
                    let option = self.get(option, &[])?;
                    counts.push(self.get(
                        "digest-option-count",
                        &[("option", option.into()), ("count", (*count).into())],
                    )?);
                }
                let options = self.dot_list(counts)?;
                self.get(
                    "digest-line-choice",
                    &[("label", label.into()), ("options", options.into())],
                )
            }
        }
    }

    /// "prøvet: 1", "fortsætter: 2" … for each state with a count above 0.
    pub(crate) fn state_counts(
        &self,
        changed: [(TrialState, usize); 5],
    ) -> Result<Vec<String>, I18nError> {
        let mut counts = Vec::new();
        for (state, count) in changed.into_iter().filter(|(_, n)| *n > 0) {
            let state = self.get(&format!("trial-state-{}", state.name()), &[])?;
            counts.push(self.get(
                "digest-trial-state-count",
                &[("state", state.into()), ("count", count.into())],
            )?);
        }
        Ok(counts)
    }

    /// A date as the engine writes it: "fredag d. 27. november".
    pub(crate) fn date(&self, date: Date) -> Result<String, I18nError> {
        let weekday = self.get(
            &format!("weekday-{}", date.weekday().to_monday_one_offset()),
            &[],
        )?;
        let month = self.month(date)?;
        self.get(
            "date-format",
            &[
                ("weekday", weekday.into()),
                ("day", i64::from(date.day()).into()),
                ("month", month.into()),
                ("year", i64::from(date.year()).into()),
            ],
        )
    }

    /// A meeting's group trial actions ("• »what« – follow-up DATE"), then those it followed
    /// up with their state.
    pub(crate) fn group_trials(
        &self,
        decided: &[GroupTrial],
        followed_up: &[GroupTrial],
    ) -> Result<Vec<String>, I18nError> {
        let mut lines = Vec::with_capacity(decided.len() + followed_up.len());
        for trial in decided {
            lines.push(self.get(
                "digest-group-trial",
                &[
                    ("what", trial.what.as_str().into()),
                    ("date", self.date(trial.due)?.into()),
                ],
            )?);
        }
        for trial in followed_up {
            let state = self.get(&format!("trial-state-{}", trial.state.name()), &[])?;
            lines.push(self.get(
                "digest-followed-up",
                &[
                    ("what", trial.what.as_str().into()),
                    ("state", state.into()),
                ],
            )?);
        }
        Ok(lines)
    }

    /// One answer a staff member shared, with their first name if they allowed it.
    pub(crate) fn learning(&self, learning: &Learning) -> Result<String, I18nError> {
        let (by, name) = match &learning.by {
            Author::Staff(Some(name)) => ("named", name.as_str()),
            Author::Staff(None) | Author::Citizen => ("staff", ""),
        };
        self.get(
            "digest-learned",
            &[
                ("text", learning.text.as_str().into()),
                ("by", by.into()),
                ("name", name.into()),
            ],
        )
    }

    pub(crate) fn trial(&self, trial: &NewTrial) -> Result<String, I18nError> {
        let mut principles = Vec::new();
        for &p in &trial.principles {
            principles.push(self.principle(p)?);
        }
        let (by, name) = match &trial.by {
            Author::Staff(Some(name)) => ("named", name.as_str()),
            Author::Staff(None) => ("staff", ""),
            Author::Citizen => {
                return self.get(
                    "digest-trial-citizen",
                    &[
                        (
                            "shared",
                            if trial.what.is_empty() { "no" } else { "yes" }.into(),
                        ),
                        ("what", trial.what.as_str().into()),
                        ("principle-count", trial.principles.len().into()),
                        ("principles", self.and_list(principles)?.into()),
                    ],
                );
            }
        };
        self.get(
            "digest-trial",
            &[
                ("what", trial.what.as_str().into()),
                ("by", by.into()),
                ("name", name.into()),
                ("principle-count", trial.principles.len().into()),
                ("principles", self.and_list(principles)?.into()),
                (
                    "version",
                    if trial.adjusts { "adjusted" } else { "first" }.into(),
                ),
            ],
        )
    }
}

/// The whole digest as one text: sections separated by an empty line, one fact a line. A
/// channel splits it at its own platform's limit, between sections where it can.
pub fn render(digest: &Digest, locales: &Locales, lang: Lang) -> Result<String, I18nError> {
    let w = Words { locales, lang };
    let mut sections: Vec<Vec<String>> = vec![vec![
        w.get(
            "digest-title",
            &[("group", digest.group_name.as_str().into())],
        )?,
        w.week(digest)?,
    ]];
    if digest.quiet {
        sections.push(vec![w.get("digest-quiet", &[])?]);
        sections.extend(w.focus(digest)?);
        return Ok(join(&sections));
    }

    // Taking part, and the staff's labelled answers.
    let mut part = vec![match digest.staff_floor {
        Some(floor) => w.get("digest-staff-later", &[("floor", floor.into())])?,
        None => w.get(
            "digest-reflections",
            &[
                ("count", digest.reflections.this_week.into()),
                ("last-week", digest.reflections.last_week.into()),
            ],
        )?,
    }];
    if let Citizens::Shown(voice) = &digest.citizens {
        part.push(match voice.check_ins_last_week {
            Some(last_week) => w.get(
                "digest-check-ins",
                &[
                    ("count", voice.check_ins.into()),
                    ("last-week", last_week.into()),
                ],
            )?,
            None => w.get(
                "digest-check-ins-last-week-hidden",
                &[("count", voice.check_ins.into())],
            )?,
        });
    }
    for line in &digest.staff_lines {
        part.push(w.line(line)?);
    }
    sections.push(part);

    // The principles.
    if digest.reflections.this_week > 0 {
        let mut part = vec![w.get("digest-principles-heading", &[])?];
        let mut missing = Vec::new();
        for (number, &count) in (1u8..).zip(digest.principles.iter()) {
            let name = w.principle(number)?;
            if count == 0 {
                missing.push(name);
            } else {
                part.push(w.get(
                    "digest-principle",
                    &[("name", name.into()), ("count", count.into())],
                )?);
            }
        }
        part.push(if missing.is_empty() {
            w.get("digest-principles-all", &[])?
        } else {
            let count = missing.len();
            w.get(
                "digest-principles-missing",
                &[
                    ("names", w.and_list(missing)?.into()),
                    ("count", count.into()),
                ],
            )?
        });
        sections.push(part);
    }

    // Trial actions.
    let trials = &digest.trials;
    let mut part = vec![w.get("digest-trials-heading", &[])?];
    if trials.new.is_empty() {
        part.push(w.get("digest-trials-no-new", &[])?);
    } else {
        part.push(w.get("digest-trials-new", &[("count", trials.new.len().into())])?);
        for trial in &trials.new {
            part.push(w.trial(trial)?);
        }
    }
    let states = w.state_counts(trials.changed())?;
    if !states.is_empty() {
        part.push(w.get(
            "digest-trials-changed",
            &[("states", w.dot_list(states)?.into())],
        )?);
    }
    if trials.overdue > 0 {
        part.push(w.get("digest-trials-overdue", &[("count", trials.overdue.into())])?);
    }
    sections.push(part);

    // What the group decided together at its learning meeting.
    if !digest.group_trials.is_empty() || !digest.followed_up.is_empty() {
        let mut part = vec![w.get("digest-group-trials-heading", &[])?];
        part.extend(w.group_trials(&digest.group_trials, &digest.followed_up)?);
        sections.push(part);
    }

    // What staff shared with the group.
    if !digest.learned.is_empty() {
        let mut part = vec![w.get("digest-learned-heading", &[])?];
        for learning in &digest.learned {
            part.push(w.learning(learning)?);
        }
        if digest.more_learned > 0 {
            part.push(w.get(
                "digest-learned-more",
                &[("count", digest.more_learned.into())],
            )?);
        }
        sections.push(part);
    }

    // The citizens' voice.
    let mut part = vec![w.get("digest-citizens-heading", &[])?];
    match &digest.citizens {
        Citizens::Hidden { floor } => {
            part.push(w.get("digest-citizens-hidden", &[("floor", (*floor).into())])?);
        }
        Citizens::Later => part.push(w.get("digest-citizens-later", &[])?),
        Citizens::Shown(voice) => {
            part.push(w.get("digest-citizens-people", &[("count", voice.people.into())])?);
            for line in &voice.lines {
                part.push(w.line(line)?);
            }
            if !voice.quotes.is_empty() {
                part.push(w.get("digest-quotes-heading", &[])?);
                for quote in &voice.quotes {
                    part.push(w.get("digest-quote", &[("text", quote.as_str().into())])?);
                }
                if voice.more_quotes > 0 {
                    part.push(w.get("digest-quotes-more", &[("count", voice.more_quotes.into())])?);
                }
            }
            if !voice.ideas.is_empty() {
                part.push(w.get("digest-ideas-heading", &[])?);
                for idea in &voice.ideas {
                    part.push(w.get("digest-quote", &[("text", idea.as_str().into())])?);
                }
                if voice.more_ideas > 0 {
                    part.push(w.get("digest-ideas-more", &[("count", voice.more_ideas.into())])?);
                }
            }
        }
    }
    sections.push(part);
    sections.extend(w.focus(digest)?);
    Ok(join(&sections))
}

pub(crate) fn join(sections: &[Vec<String>]) -> String {
    sections
        .iter()
        .map(|lines| lines.join("\n"))
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use jiff::civil::{date, Weekday};

    use super::*;
    use crate::content::Content;
    use crate::records::SCHEMA;

    fn content() -> &'static Content {
        static CONTENT: OnceLock<Content> = OnceLock::new();
        CONTENT.get_or_init(|| Content::load(None, None, &[]).unwrap())
    }

    fn tz() -> &'static TimeZone {
        static TZ: OnceLock<TimeZone> = OnceLock::new();
        TZ.get_or_init(|| TimeZone::get("Europe/Copenhagen").unwrap())
    }

    fn week(year: i16, number: i8) -> ISOWeekDate {
        ISOWeekDate::new(year, number, Weekday::Monday).unwrap()
    }

    /// Week 47 of 2026: Monday 16 to Sunday 22 November.
    fn w47() -> ISOWeekDate {
        week(2026, 47)
    }

    /// An instant on a day of November 2026, at noon Copenhagen time.
    fn nov(day: i8) -> Timestamp {
        date(2026, 11, day)
            .at(12, 0, 0, 0)
            .to_zoned(tz().clone())
            .unwrap()
            .timestamp()
    }

    fn person(id: &str) -> PersonId {
        PersonId::new("test", id)
    }

    fn run(
        who: &str,
        role: Role,
        dialogue: &str,
        id: &str,
        principles: &[u8],
        day: i8,
    ) -> RunRecord {
        RunRecord {
            schema: SCHEMA,
            person: person(who),
            role,
            group: Some("g".into()),
            run: id.into(),
            dialogue: dialogue.into(),
            principles: principles.to_vec(),
            started_at: nov(day),
            completed_at: nov(day),
        }
    }

    fn staff_run(who: &str, id: &str, principles: &[u8]) -> RunRecord {
        run(who, Role::Staff, "efter-vagten", id, principles, 17)
    }

    fn check_in(who: &str, id: &str) -> RunRecord {
        run(who, Role::Citizen, "borger-tjek-ind", id, &[1, 2, 4], 18)
    }

    fn answer(
        who: &str,
        role: Role,
        run: &str,
        dialogue: &str,
        step: &str,
        value: Value,
    ) -> AnswerRecord {
        AnswerRecord {
            schema: SCHEMA,
            person: person(who),
            role,
            group: Some("g".into()),
            run: run.into(),
            dialogue: dialogue.into(),
            step: step.into(),
            principles: Vec::new(),
            value,
            answered_at: nov(18),
        }
    }

    /// A citizen's check-in answer.
    fn said(who: &str, run: &str, step: &str, value: Value) -> AnswerRecord {
        answer(who, Role::Citizen, run, "borger-tjek-ind", step, value)
    }

    fn trial(id: &str, who: &str, role: Role, what: &str, state: TrialState) -> TrialAction {
        TrialAction {
            schema: SCHEMA,
            id: id.into(),
            person: person(who),
            role,
            group: Some("g".into()),
            what: what.into(),
            principles: vec![4],
            due: date(2026, 11, 20),
            state,
            replaces: None,
            sign: None,
            // Offered at the date and once more: overdue once the retry days are past.
            offers: 2,
            offered_at: None,
            created_at: nov(17),
            updated_at: nov(17),
        }
    }

    /// The records of one test week; `input()` lends them out.
    #[derive(Default)]
    struct Week {
        runs: Vec<RunRecord>,
        answers: Vec<AnswerRecord>,
        previous_runs: Vec<RunRecord>,
        trials: Vec<TrialAction>,
        open_trials: Vec<TrialAction>,
        names: BTreeMap<PersonId, String>,
        so_far: bool,
        meeting: Option<Meeting>,
    }

    impl Week {
        fn input(&self) -> DigestInput<'_> {
            DigestInput {
                group_name: "Bostedet Lyngen",
                week: w47(),
                today: date(2026, 11, 22),
                time_zone: tz(),
                runs: &self.runs,
                answers: &self.answers,
                previous_runs: &self.previous_runs,
                trials: &self.trials,
                open_trials: &self.open_trials,
                names: &self.names,
                citizen_floor: DEFAULT_CITIZEN_FLOOR,
                retry_days: 2,
                so_far: self.so_far,
                seed: 7,
                meeting: self.meeting.as_ref(),
            }
        }

        fn build(&self) -> Digest {
            build(&self.input(), &content().catalog)
        }

        fn text(&self, lang: Lang) -> String {
            render(&self.build(), &content().locales, lang).unwrap()
        }

        /// `n` citizens who each checked in once, answering the two labelled scales.
        fn with_citizens(mut self, n: usize) -> Week {
            for i in 0..n {
                let who = format!("c{i}");
                let run = format!("r{i}");
                self.runs.push(check_in(&who, &run));
                self.answers.push(said(
                    &who,
                    &run,
                    "listened",
                    Value::Scale(if i == 0 { 2 } else { 4 }),
                ));
                self.answers
                    .push(said(&who, &run, "respected", Value::Scale(5)));
            }
            self
        }
    }

    fn voice(digest: &Digest) -> &CitizenVoice {
        match &digest.citizens {
            Citizens::Shown(voice) => voice,
            Citizens::Hidden { .. } | Citizens::Later => {
                panic!("citizens are hidden: {digest:#?}")
            }
        }
    }

    #[test]
    fn figures_equal_the_records_given() {
        let mut week = Week::default().with_citizens(3);
        week.runs.extend([
            staff_run("anna", "a1", &[4, 7]),
            staff_run("anna", "a2", &[4]),
            staff_run("bo", "b1", &[2, 4, 4]),
            // A princip reflection counts too; a staff follow-up does not.
            run("bo", Role::Staff, "princip", "b2", &[8], 19),
            run("bo", Role::Staff, "opfoelgning", "b3", &[7], 19),
            // A dialogue no longer in the catalog is left out.
            run("bo", Role::Staff, "gone", "b4", &[1], 19),
        ]);
        let how = |who: &str, run: &str, v: i64| {
            answer(
                who,
                Role::Staff,
                run,
                "efter-vagten",
                "how",
                Value::Scale(v),
            )
        };
        week.answers.extend([
            how("anna", "a1", 4),
            how("anna", "a2", 2),
            how("bo", "b1", 5),
        ]);
        week.answers.push(answer(
            "bo",
            Role::Staff,
            "b9",
            "efter-vagten",
            "how",
            Value::Skipped,
        ));
        let digest = week.build();
        assert!(!digest.quiet);
        assert_eq!(
            digest.reflections,
            Compared {
                this_week: 4,
                last_week: 0
            }
        );
        assert_eq!(digest.principles, [0, 1, 0, 3, 0, 0, 1, 1]);
        assert_eq!(
            digest.staff_lines,
            [Line {
                label: "efter-vagten-digest-how".into(),
                figure: Figure::Scale { high: 2, total: 3 },
                people: 2,
            }]
        );
        let voice = voice(&digest);
        assert_eq!((voice.people, voice.check_ins), (3, 3));
        // 1-5 scales: 4 and 5 are the upper half, 3 is not.
        assert_eq!(
            voice.lines,
            [
                Line {
                    label: "borger-tjek-ind-digest-listened".into(),
                    figure: Figure::Scale { high: 2, total: 3 },
                    people: 3,
                },
                Line {
                    label: "borger-tjek-ind-digest-respected".into(),
                    figure: Figure::Scale { high: 3, total: 3 },
                    people: 3,
                },
            ]
        );
        let text = week.text(Lang::En);
        assert!(text.contains("4 staff reflections (last week 0)"), "{text}");
        assert!(text.contains("The situation went well: 2 of 3"), "{text}");
        assert!(
            text.contains("3 citizen check-ins (last week: too few citizens"),
            "{text}"
        );
        assert!(text.contains("Felt listened to: 2 of 3"), "{text}");
        assert!(text.contains("Felt respected: 3 of 3"), "{text}");
        assert!(
            text.contains("• Openness, trust and respect: 3 reflections"),
            "{text}"
        );
    }

    #[test]
    fn a_changed_answer_counts_once_and_a_middle_value_is_not_high() {
        let mut week = Week::default().with_citizens(3);
        let mut first = said("c1", "r1", "listened", Value::Scale(5));
        first.answered_at = nov(17);
        let mut middle = said("c2", "r2", "listened", Value::Scale(3));
        middle.answered_at = nov(19);
        week.answers.extend([first, middle]);
        let digest = week.build();
        // c1's later answer (4) replaces neither way: the latest per run and step is kept;
        // c2's 3 (the middle of 1-5) replaces their 4 and is not in the upper half.
        assert_eq!(
            voice(&digest).lines[0].figure,
            Figure::Scale { high: 1, total: 3 }
        );
    }

    /// Three finished reflections and three begun but never finished: a step's line counts
    /// the finished three, as the reflection count does, not six answers.
    #[test]
    fn a_line_counts_finished_runs_only() {
        let mut week = Week::default();
        for (who, finished) in [
            ("a", true),
            ("b", true),
            ("c", true),
            ("d", false),
            ("e", false),
            ("f", false),
        ] {
            let id = format!("{who}1");
            if finished {
                week.runs.push(staff_run(who, &id, &[2, 4]));
            }
            week.answers.push(answer(
                who,
                Role::Staff,
                &id,
                "efter-vagten",
                "how",
                Value::Scale(5),
            ));
        }
        let digest = week.build();
        assert_eq!(digest.reflections.this_week, 3);
        let line = digest
            .staff_lines
            .iter()
            .find(|l| l.label == "efter-vagten-digest-how");
        assert_eq!(
            line.map(|l| &l.figure),
            Some(&Figure::Scale { high: 3, total: 3 })
        );
        assert_eq!(digest.principles, [0, 3, 0, 3, 0, 0, 0, 0]);
    }

    /// The digest ends with a focus for the coming week: the principle the staff chose least
    /// over two weeks, or one on which two or more trial actions were dropped, with why.
    #[test]
    fn a_focus_for_the_coming_week_with_its_reason() {
        let mut week = Week {
            runs: vec![
                staff_run("anna", "a1", &[1, 2, 3, 4]),
                staff_run("bo", "b1", &[5, 6, 8]),
            ],
            previous_runs: vec![staff_run("anna", "p1", &[1, 2, 3, 4, 5, 6, 8])],
            ..Week::default()
        };
        let digest = week.build();
        assert_eq!(
            digest.focus,
            Some(Focus {
                principle: 7,
                why: FocusReason::LeastChosen(0)
            })
        );
        let text = week.text(Lang::En);
        assert!(
            text.ends_with(
                "A focus for the coming week: “Follow-up for the right support”. The principle was \
                 chosen in no reflection in the last two weeks."
            ),
            "{text}"
        );

        // Two staff trial actions on principle 4 dropped this week: that comes first.
        let mut dropped = trial("t1", "anna", Role::Staff, "Ask first", TrialState::Dropped);
        dropped.updated_at = nov(18);
        let mut again = trial("t2", "bo", Role::Staff, "Listen more", TrialState::Dropped);
        again.updated_at = nov(19);
        week.trials = vec![dropped, again];
        assert_eq!(
            week.build().focus,
            Some(Focus {
                principle: 4,
                why: FocusReason::Dropped(2)
            })
        );
        assert!(week.text(Lang::Da).contains("»Åbenhed, tillid og respekt«"));
    }

    #[test]
    fn the_week_before_is_compared() {
        let mut week = Week::default().with_citizens(3);
        week.runs.push(staff_run("anna", "a1", &[1]));
        week.previous_runs = vec![
            staff_run("anna", "p1", &[1]),
            staff_run("bo", "p2", &[2]),
            check_in("c0", "p3"),
            check_in("c1", "p4"),
            check_in("c2", "p5"),
            check_in("c2", "p6"),
        ];
        let digest = week.build();
        assert_eq!(
            digest.reflections,
            Compared {
                this_week: 1,
                last_week: 2
            }
        );
        assert_eq!(voice(&digest).check_ins_last_week, Some(4));
        let text = week.text(Lang::En);
        assert!(text.contains("1 staff reflection (last week 2)"), "{text}");
        assert!(text.contains("3 citizen check-ins (last week 4)"), "{text}");
        let text = week.text(Lang::Da);
        assert!(
            text.contains("Medarbejdere: 1 samtale (sidste uge 2)"),
            "{text}"
        );
        assert!(
            text.contains("Borgere: 3 samtaler (sidste uge 4)"),
            "{text}"
        );
    }

    #[test]
    fn principles_no_reflection_touched_are_named() {
        let mut week = Week {
            runs: vec![
                staff_run("anna", "a1", &[1, 2, 3, 4]),
                staff_run("bo", "b1", &[4, 8]),
            ],
            ..Week::default()
        };
        let digest = week.build();
        assert_eq!(digest.principles, [1, 1, 1, 2, 0, 0, 0, 1]);
        let text = week.text(Lang::En);
        assert!(
            text.contains("Not in any reflection: Earliest possible help, Coordination and whole life situation and Follow-up for the right support"),
            "{text}"
        );
        assert!(
            text.contains("• Hopes, wishes and dreams: 1 reflection\n"),
            "{text}"
        );
        assert!(
            text.contains("• Openness, trust and respect: 2 reflections\n"),
            "{text}"
        );
        assert!(!text.contains("• Earliest possible help"), "{text}");
        let text = week.text(Lang::Da);
        assert!(
            text.contains("Ikke med i nogen samtale: Tidligst mulig hjælp, Koordinering og samlet livssituation og Opfølgning for den rette indsats"),
            "{text}"
        );
        week.runs.push(staff_run("bo", "b2", &[5, 6, 7]));
        let text = week.text(Lang::En);
        assert!(
            text.contains("All eight principles were in this week's reflections."),
            "{text}"
        );
        assert!(!text.contains("Not in any reflection"), "{text}");
    }

    #[test]
    fn names_only_when_allowed_and_never_for_citizens() {
        let mut week = Week::default().with_citizens(3);
        week.names.insert(person("anna"), "Anna".into());
        week.names.insert(person("c0"), "Carla".into());
        week.trials = vec![
            trial(
                "t1",
                "anna",
                Role::Staff,
                "Ask about dreams first",
                TrialState::Planned,
            ),
            trial(
                "t2",
                "bo",
                Role::Staff,
                "Walk with Karl",
                TrialState::Planned,
            ),
            trial(
                "t3",
                "c0",
                Role::Citizen,
                "Call my sister",
                TrialState::Planned,
            ),
        ];
        let digest = week.build();
        let by: Vec<&Author> = digest.trials.new.iter().map(|t| &t.by).collect();
        assert_eq!(
            by,
            [
                &Author::Staff(Some("Anna".into())),
                &Author::Staff(None),
                &Author::Citizen
            ]
        );
        for lang in Lang::ALL {
            let text = week.text(lang);
            assert!(!text.contains("Carla"), "{text}");
            assert!(!text.contains("test:"), "a person id leaked: {text}");
            assert!(
                text.contains("Dreams first") || text.contains("dreams first"),
                "{text}"
            );
        }
        let text = week.text(Lang::En);
        assert!(
            text.contains("• “Ask about dreams first” – Anna (Openness, trust and respect)"),
            "{text}"
        );
        assert!(
            text.contains("• “Walk with Karl” (Openness, trust and respect)"),
            "{text}"
        );
        assert!(
            text.contains("• A citizen's trial action (Openness, trust and respect)"),
            "{text}"
        );
        assert!(
            !text.contains("Call my sister"),
            "a citizen's words need consent: {text}"
        );
        let text = week.text(Lang::Da);
        assert!(
            text.contains("• »Ask about dreams first« – Anna (Åbenhed, tillid og respekt)"),
            "{text}"
        );
        assert!(
            text.contains("• En borgers prøvehandling (Åbenhed, tillid og respekt)"),
            "{text}"
        );
    }

    /// Each citizen's quote and idea do not stand in the same places: the ideas are shuffled
    /// apart from the quotes, so pairing them by position does not find one person's words.
    #[test]
    fn ideas_and_quotes_are_shuffled_apart() {
        let mut week = Week::default().with_citizens(3);
        for i in 0..3 {
            let (who, run) = (format!("c{i}"), format!("r{i}"));
            week.answers
                .push(said(&who, &run, "hope", Value::Text(format!("hope {i}"))));
            week.answers
                .push(said(&who, &run, "idea", Value::Text(format!("idea {i}"))));
            week.answers
                .push(said(&who, &run, "share", Value::YesNo(true)));
        }
        let author = |text: &String| text.chars().last();
        let mut paired = 0;
        for seed in 0..30 {
            let mut input = week.input();
            input.seed = seed;
            let Citizens::Shown(voice) = build(&input, &content().catalog).citizens else {
                panic!("three citizens are shown");
            };
            assert_eq!((voice.quotes.len(), voice.ideas.len()), (3, 3));
            let quotes: Vec<_> = voice.quotes.iter().map(author).collect();
            let ideas: Vec<_> = voice.ideas.iter().map(author).collect();
            paired += usize::from(quotes == ideas);
        }
        // Independent orders of three line up one time in six; one shared order always.
        assert!(
            paired < 15,
            "quotes and ideas line up for {paired} of 30 seeds"
        );
    }

    /// A citizen's trial action shows its words only with a yes to the consent that shares
    /// it, in the same run; never with a name.
    #[test]
    fn a_citizens_trial_action_shows_its_words_only_when_shared() {
        let mut week = Week::default().with_citizens(3);
        week.trials = vec![
            trial(
                "c0-t",
                "c0",
                Role::Citizen,
                "Call my sister",
                TrialState::Planned,
            ),
            trial(
                "c1-t",
                "c1",
                Role::Citizen,
                "Bake bread",
                TrialState::Planned,
            ),
        ];
        for (who, id, yes) in [("c0", "c0-t", true), ("c1", "c1-t", false)] {
            week.answers
                .push(said(who, "r9", "trial", Value::TrialAction(id.into())));
            week.answers
                .push(said(who, "r9", "share-trial", Value::YesNo(yes)));
        }
        // A yes in another run shares nothing.
        week.answers
            .push(said("c1", "r8", "share-trial", Value::YesNo(true)));
        let en = week.text(Lang::En);
        assert!(
            en.contains("• “Call my sister” – a citizen (Openness, trust and respect)"),
            "{en}"
        );
        assert!(en.contains("• A citizen's trial action (Openness"), "{en}");
        assert!(!en.contains("Bake bread"), "{en}");
        let da = week.text(Lang::Da);
        assert!(
            da.contains("• »Call my sister« – en borger (Åbenhed"),
            "{da}"
        );
        // Below the citizen floor, nothing of either.
        // Only the trial actions and their consents (the three citizens gave two answers each).
        let few = Week {
            trials: week.trials.clone(),
            answers: week.answers[6..].to_vec(),
            ..Week::default()
        };
        assert!(!few.text(Lang::En).contains("Call my sister"));
    }

    #[test]
    fn trial_actions_new_changed_and_overdue() {
        let mut week = Week::default();
        let mut old = trial("t0", "anna", Role::Staff, "Old one", TrialState::Kept);
        old.created_at = nov(2);
        old.updated_at = nov(18);
        let mut adjusted = trial(
            "t1",
            "anna",
            Role::Staff,
            "Adjusted one",
            TrialState::Adjusted,
        );
        adjusted.created_at = nov(3);
        adjusted.updated_at = nov(18);
        let mut version = trial(
            "t2",
            "anna",
            Role::Staff,
            "Its new version",
            TrialState::Planned,
        );
        version.replaces = Some("t1".into());
        version.principles = Vec::new();
        let tried = trial("t3", "bo", Role::Staff, "New and tried", TrialState::Tried);
        week.trials = vec![old, adjusted, version, tried];
        // Due 20 November, 2 retry days: overdue only after the 22nd.
        let mut late = trial("o1", "bo", Role::Staff, "Late", TrialState::Planned);
        late.due = date(2026, 11, 19);
        let on_time = trial("o2", "bo", Role::Staff, "On time", TrialState::Tried);
        let mut closed = trial("o3", "bo", Role::Staff, "Closed", TrialState::Done);
        closed.due = date(2026, 11, 1);
        week.open_trials = vec![late, on_time, closed];
        let digest = week.build();
        let new: Vec<(&str, bool)> = digest
            .trials
            .new
            .iter()
            .map(|t| (t.what.as_str(), t.adjusts))
            .collect();
        assert_eq!(new, [("Its new version", true), ("New and tried", false)]);
        assert_eq!(digest.trials.created, 2);
        let kept = digest.clone().figures();
        assert!(kept.trials.new.is_empty(), "the words go");
        assert_eq!(kept.trials.created, 2, "the count stays");
        let t = &digest.trials;
        assert_eq!(
            (t.tried, t.kept, t.adjusted, t.dropped, t.done, t.overdue),
            (1, 1, 1, 0, 0, 1)
        );
        let text = week.text(Lang::En);
        assert!(text.contains("2 new trial actions:"), "{text}");
        assert!(
            text.contains("• “Its new version” · new version\n"),
            "{text}"
        );
        assert!(
            text.contains("This week – tried: 1 · kept: 1 · changed: 1"),
            "{text}"
        );
        assert!(
            text.contains("1 trial action is overdue for a follow-up."),
            "{text}"
        );
        let text = week.text(Lang::Da);
        assert!(
            text.contains("Det skete i ugen – prøvet: 1 · fortsætter: 1 · ændret: 1"),
            "{text}"
        );
        assert!(
            text.contains("1 prøvehandling venter på opfølgning og er over tiden."),
            "{text}"
        );
    }

    /// Staff words reach the digest only when their author said yes to sharing them in the
    /// same run, with a first name only where allowed; a later wording takes them from what
    /// is stored then, so erased words are gone from it.
    #[test]
    fn staff_learnings_only_when_shared() {
        let staff = |who: &str, run: &str, dialogue: &str, step: &str, value: Value| {
            answer(who, Role::Staff, run, dialogue, step, value)
        };
        let text = |t: &str| Value::Text(t.into());
        let mut week = Week::default();
        week.runs.extend([
            staff_run("anna", "a1", &[2]),
            staff_run("bo", "b1", &[4]),
            staff_run("cy", "c1", &[1]),
        ]);
        week.answers.extend([
            staff(
                "anna",
                "a1",
                "efter-vagten",
                "situation",
                text("Anna's situation"),
            ),
            staff(
                "anna",
                "a1",
                "efter-vagten",
                "worked",
                text("Asking her first"),
            ),
            staff("anna", "a1", "efter-vagten", "share", Value::YesNo(true)),
            staff("bo", "b1", "efter-vagten", "worked", text("Bo's own note")),
            staff("bo", "b1", "efter-vagten", "share", Value::YesNo(false)),
            // Yes in another run than the answer shares nothing.
            staff("bo", "b2", "efter-vagten", "share", Value::YesNo(true)),
            staff("cy", "c1", "efter-vagten", "worked", text("Cy skipped")),
            staff("cy", "c1", "efter-vagten", "share", Value::Skipped),
            staff(
                "cy",
                "c2",
                "opfoelgning",
                "happened",
                text("The walk worked"),
            ),
            staff("cy", "c2", "opfoelgning", "share", Value::YesNo(true)),
        ]);
        week.names.insert(person("anna"), "Anna".into());
        let digest = week.build();
        let learned: Vec<(&str, &Author)> = digest
            .learned
            .iter()
            .map(|l| (l.text.as_str(), &l.by))
            .collect();
        assert_eq!(
            learned,
            [
                ("Asking her first", &Author::Staff(Some("Anna".into()))),
                ("The walk worked", &Author::Staff(None)),
            ]
        );
        let en = week.text(Lang::En);
        assert!(
            en.contains(
                "Shared with the group: what worked, and experience with trial actions\n\
                 • “Asking her first” – Anna\n\
                 • “The walk worked”"
            ),
            "{en}"
        );
        for private in ["Anna's situation", "Bo's own note", "Cy skipped"] {
            assert!(!en.contains(private), "{private} in {en}");
        }
        assert!(week.text(Lang::Da).contains("• »Asking her first« – Anna"));

        // Kept figures hold no words; Anna erased her data before the next wording.
        let kept = digest.figures();
        assert!(kept.learned.is_empty());
        week.answers.retain(|a| a.person != person("anna"));
        let shown = kept.with_words_of(week.build());
        assert_eq!(shown.learned.len(), 1);
        assert_eq!(shown.learned[0].text, "The walk worked");

        // In the week so far, below the staff floor, figures wait but what was shared shows.
        week.so_far = true;
        week.runs.retain(|r| r.person == person("cy"));
        let so_far = week.build();
        assert_eq!(so_far.staff_floor, Some(STAFF_FLOOR));
        assert_eq!(so_far.learned.len(), 1);
    }

    /// The group's latest learning meeting sets the focus and shows its trial actions; what
    /// it followed up shows in the week it was held.
    #[test]
    fn the_meetings_focus_and_group_trial_actions_are_shown() {
        let group_trial = |what: &str, state| GroupTrial {
            id: what.into(),
            what: what.into(),
            principles: vec![3],
            due: date(2026, 11, 27),
            state,
        };
        let mut week = Week::default();
        week.runs.push(staff_run("anna", "a1", &[2]));
        week.meeting = Some(Meeting {
            schema: SCHEMA,
            group: "g".into(),
            held_at: nov(18),
            since: nov(4),
            trials: vec![group_trial("Eat together", TrialState::Planned)],
            followed_up: vec![group_trial("Ask first", TrialState::Kept)],
            focus: Some(3),
            ideas_taken_up: Vec::new(),
        });
        let digest = week.build();
        assert_eq!(
            digest.focus,
            Some(Focus {
                principle: 3,
                why: FocusReason::Chosen
            })
        );
        let text = week.text(Lang::En);
        for expected in [
            "The group's trial actions from the learning meeting\n\
             • “Eat together” – follow-up Friday 27 November\n\
             • Followed up: “Ask first” – kept",
            "Focus for the coming week: “Networks and mainstream communities”. The group \
             chose it at its learning meeting.",
        ] {
            assert!(text.contains(expected), "{expected}\n---\n{text}");
        }
        // Held the week before: its trial actions still show, its follow-ups do not.
        if let Some(meeting) = &mut week.meeting {
            meeting.held_at = nov(11);
        }
        let text = week.text(Lang::En);
        assert!(
            text.contains("“Eat together”") && !text.contains("Ask first"),
            "{text}"
        );
    }

    /// A citizen check-in run that shares `hope` (with consent `yes`).
    fn shared_hope(who: &str, run: &str, hope: &str, yes: bool) -> [AnswerRecord; 2] {
        [
            said(who, run, "hope", Value::Text(hope.into())),
            said(who, run, "share", Value::YesNo(yes)),
        ]
    }

    #[test]
    fn the_citizen_floor_hides_everything_about_citizens_below_it() {
        let mut week = Week::default().with_citizens(2);
        week.runs.push(staff_run("anna", "a1", &[1]));
        week.answers
            .extend(shared_hope("c0", "r0", "A quiet room", true));
        week.trials.push(trial(
            "t1",
            "c0",
            Role::Citizen,
            "Call my sister",
            TrialState::Planned,
        ));
        let mut late = trial("o1", "c1", Role::Citizen, "Late", TrialState::Planned);
        late.due = date(2026, 11, 1);
        week.open_trials.push(late);
        let digest = week.build();
        assert_eq!(digest.citizens, Citizens::Hidden { floor: 3 });
        assert!(digest.trials.new.is_empty() && digest.trials.overdue == 0);
        for lang in Lang::ALL {
            let text = week.text(lang);
            for hidden in [
                "A quiet room",
                "Call my sister",
                "check-in",
                "Borgere: ",
                "Felt",
                "Følte",
            ] {
                assert!(!text.contains(hidden), "{hidden} in {text}");
            }
        }
        let text = week.text(Lang::En);
        assert!(
            text.contains(
                "Citizens' figures and quotes are shown only when at least 3 citizens have"
            ),
            "{text}"
        );
        // A third citizen opens it all.
        let mut week = Week {
            runs: week.runs,
            answers: week.answers,
            trials: week.trials,
            open_trials: week.open_trials,
            ..Week::default()
        }
        .with_citizens(0);
        week.runs.push(check_in("c9", "r9"));
        week.answers
            .push(said("c9", "r9", "listened", Value::Scale(5)));
        let digest = week.build();
        let voice = voice(&digest);
        assert_eq!(voice.people, 3);
        assert_eq!(voice.quotes, ["A quiet room"]);
        assert_eq!(digest.trials.new.len(), 1);
        assert_eq!(digest.trials.overdue, 1);
        let text = week.text(Lang::En);
        assert!(text.contains("3 citizens answered this week."), "{text}");
        assert!(text.contains("Felt listened to: 2 of 3"), "{text}");
        assert!(text.contains("• “A quiet room”"), "{text}");
    }

    #[test]
    fn quotes_only_with_consent_yes_in_the_same_run() {
        let mut week = Week::default().with_citizens(3);
        week.answers
            .extend(shared_hope("c0", "r0", "To cook again", true));
        week.answers
            .extend(shared_hope("c1", "r1", "Said no", false));
        // Yes in another run than the answer: not shared.
        week.answers
            .push(said("c2", "r2", "hope", Value::Text("Other run".into())));
        week.answers
            .push(said("c2", "r3", "share", Value::YesNo(true)));
        // Another person's yes does not share c1's words.
        week.answers
            .push(said("c1", "r5", "hope", Value::Text("Not theirs".into())));
        week.answers
            .push(said("c0", "r5", "share", Value::YesNo(true)));
        // A step the consent does not name is never quoted; a skipped one neither.
        week.answers
            .push(said("c0", "r0", "helps-more", Value::Skipped));
        week.answers.push(said(
            "c0",
            "r0",
            "kind",
            Value::Text("  Listen\n more  ".into()),
        ));
        // Staff answers are never quoted here.
        week.answers.push(answer(
            "anna",
            Role::Staff,
            "a1",
            "borger-tjek-ind",
            "hope",
            Value::Text("Staff".into()),
        ));
        week.answers.push(answer(
            "anna",
            Role::Staff,
            "a1",
            "borger-tjek-ind",
            "share",
            Value::YesNo(true),
        ));
        let digest = week.build();
        let voice = voice(&digest);
        assert_eq!(voice.quotes, ["To cook again", "Listen more"]);
        assert!(voice.ideas.is_empty());
        assert_eq!(voice.more_quotes, 0);
        let text = week.text(Lang::Da);
        assert!(
            text.contains("Borgernes egne ord, delt uden navn\n• »To cook again«\n• »Listen more«"),
            "{text}"
        );
    }

    /// Issue 14: one citizen's three check-ins are one person, not three, for the floor.
    #[test]
    fn a_citizen_line_needs_three_people_not_three_answers() {
        let mut week = Week::default().with_citizens(3);
        // c3 checks in three times and is the only one to answer "respected" this way.
        for run in ["x1", "x2", "x3"] {
            week.runs.push(check_in("c3", run));
            week.answers
                .push(said("c3", run, "listened", Value::Scale(1)));
        }
        week.answers
            .retain(|a| a.step != "respected" || a.person.as_str() == "c0");
        for run in ["x1", "x2", "x3"] {
            week.answers
                .push(said("c3", run, "respected", Value::Scale(1)));
        }
        let digest = week.build();
        let voice = voice(&digest);
        let labels: Vec<&str> = voice.lines.iter().map(|l| l.label.as_str()).collect();
        // "respected": c0 and c3 (four answers, two people): below the floor of three.
        assert_eq!(labels, ["borger-tjek-ind-digest-listened"], "{voice:#?}");
        assert_eq!(voice.lines[0].people, 4);
    }

    /// Issue 14: in the week so far, staff figures wait for three staff members.
    #[test]
    fn the_week_so_far_shows_staff_figures_from_three_staff_members() {
        let mut week = Week {
            so_far: true,
            ..Week::default()
        };
        week.runs.push(staff_run("anna", "a1", &[1, 2]));
        week.runs.push(staff_run("bo", "b1", &[2]));
        let digest = week.build();
        assert_eq!(digest.staff_floor, Some(STAFF_FLOOR));
        assert_eq!(
            (digest.reflections.this_week, digest.principles),
            (0, [0; 8])
        );
        let text = week.text(Lang::En);
        assert!(
            text.contains("come when at least 3 staff members"),
            "{text}"
        );
        assert!(!text.contains("2 staff reflections"), "{text}");
        week.runs.push(staff_run("cy", "c1", &[4]));
        let digest = week.build();
        assert_eq!(digest.staff_floor, None);
        assert_eq!(digest.reflections.this_week, 3);
    }

    /// Issue 14: kept figures never change; the words come from what is stored now.
    #[test]
    fn kept_figures_take_todays_words_and_keep_their_counts() {
        let mut week = Week::default().with_citizens(3);
        week.answers
            .extend(shared_hope("c0", "q0", "Walk the dog", true));
        week.trials.push(trial(
            "t1",
            "anna",
            Role::Staff,
            "Ask first",
            TrialState::Planned,
        ));
        let composed = week.build();
        let kept = composed.clone().figures();
        assert!(voice(&kept).quotes.is_empty() && kept.trials.new.is_empty());
        // c0 and anna erase their data: what is built now has fewer people and no words.
        let mut now = Week::default().with_citizens(3);
        now.answers.retain(|a| a.person.as_str() != "c0");
        now.runs.retain(|r| r.person.as_str() != "c0");
        let shown = kept.with_words_of(now.build());
        assert_eq!(
            voice(&shown).people,
            voice(&composed).people,
            "figures kept"
        );
        assert_eq!(voice(&shown).lines, voice(&composed).lines);
        assert!(voice(&shown).quotes.is_empty(), "c0's quote is gone");
        assert!(shown.trials.new.is_empty(), "anna's trial action is gone");
    }

    #[test]
    fn at_most_five_quotes_taken_in_turn_and_cut_to_200_characters() {
        let mut week = Week::default().with_citizens(3);
        let long = "word ".repeat(100);
        for (i, who) in ["c0", "c0", "c0", "c0", "c1", "c2"].into_iter().enumerate() {
            let run = format!("q{i}");
            let mut answers = shared_hope(who, &run, &format!("{i} {long}"), true);
            answers[0].answered_at = nov(16) + jiff::SignedDuration::from_mins(i as i64);
            week.answers.extend(answers);
        }
        let digest = week.build();
        let voice = voice(&digest);
        assert_eq!(voice.quotes.len(), 5);
        assert_eq!(voice.more_quotes, 1);
        let firsts: Vec<char> = voice
            .quotes
            .iter()
            .filter_map(|q| q.chars().next())
            .collect();
        // One from each person first, oldest first: c0's 0, c1's 4, c2's 5, then c0's 1, 2;
        // shown shuffled, so where a quote stands tells nothing of who wrote it.
        let mut chosen = firsts.clone();
        chosen.sort_unstable();
        assert_eq!(chosen, ['0', '1', '2', '4', '5']);
        let orders: BTreeSet<Vec<String>> = (0..20)
            .map(|seed| {
                let mut input = week.input();
                input.seed = seed;
                let built = build(&input, &content().catalog);
                match built.citizens {
                    Citizens::Shown(shown) => shown.quotes,
                    _ => Vec::new(),
                }
            })
            .collect();
        assert!(orders.len() > 5, "shuffled by the seed: {}", orders.len());
        for quote in &voice.quotes {
            assert!(quote.chars().count() <= QUOTE_CHARS, "{quote}");
            assert!(quote.ends_with("word…"), "{quote}");
        }
        let text = week.text(Lang::En);
        assert!(text.contains("… and 1 more answer."), "{text}");
        assert_eq!(excerpt(&"x".repeat(300), 200).chars().count(), 200);
        assert_eq!(excerpt("short", 200), "short");
    }

    #[test]
    fn plurals_in_both_languages() {
        let one = {
            let mut week = Week::default();
            week.runs.push(staff_run("anna", "a1", &[1]));
            week.trials
                .push(trial("t1", "anna", Role::Staff, "x", TrialState::Planned));
            let mut late = trial("o1", "bo", Role::Staff, "Late", TrialState::Planned);
            late.due = date(2026, 11, 1);
            week.open_trials.push(late);
            week
        };
        let two = {
            let mut week = Week::default();
            week.runs
                .extend([staff_run("anna", "a1", &[1]), staff_run("bo", "b1", &[1])]);
            week.trials
                .push(trial("t1", "anna", Role::Staff, "x", TrialState::Planned));
            week.trials
                .push(trial("t2", "bo", Role::Staff, "y", TrialState::Planned));
            let mut late = trial("o1", "bo", Role::Staff, "Late", TrialState::Planned);
            late.due = date(2026, 11, 1);
            let mut later = late.clone();
            later.id = "o2".into();
            week.open_trials.extend([late, later]);
            week
        };
        let cases = [
            (
                &one,
                Lang::En,
                [
                    "1 staff reflection (",
                    "Hopes, wishes and dreams: 1 reflection\n",
                    "1 new trial action:",
                    "1 trial action is overdue",
                ],
            ),
            (
                &two,
                Lang::En,
                [
                    "2 staff reflections (",
                    "Hopes, wishes and dreams: 2 reflections\n",
                    "2 new trial actions:",
                    "2 trial actions are overdue",
                ],
            ),
            (
                &one,
                Lang::Da,
                [
                    "Medarbejdere: 1 samtale (",
                    "Håb, ønsker og drømme: 1 samtale\n",
                    "1 ny prøvehandling:",
                    "1 prøvehandling venter",
                ],
            ),
            (
                &two,
                Lang::Da,
                [
                    "Medarbejdere: 2 samtaler (",
                    "Håb, ønsker og drømme: 2 samtaler\n",
                    "2 nye prøvehandlinger:",
                    "2 prøvehandlinger venter",
                ],
            ),
        ];
        for (week, lang, expected) in cases {
            let text = week.text(lang);
            for phrase in expected {
                assert!(text.contains(phrase), "{lang}: {phrase:?} not in\n{text}");
            }
        }
        // Citizens: one and several, and the floor of one.
        let mut week = Week::default().with_citizens(1);
        week.answers.extend(shared_hope("c0", "r0", "a", true));
        week.answers.extend(shared_hope("c0", "r7", "b", true));
        let mut input = week.input();
        input.citizen_floor = 1;
        let digest = build(&input, &content().catalog);
        let en = render(&digest, &content().locales, Lang::En).unwrap();
        let da = render(&digest, &content().locales, Lang::Da).unwrap();
        assert!(
            en.contains("1 citizen answered this week.") && en.contains("1 citizen check-in ("),
            "{en}"
        );
        assert!(
            da.contains("1 borger svarede i denne uge.") && da.contains("Borgere: 1 samtale ("),
            "{da}"
        );
        input.citizen_floor = 2;
        let digest = build(&input, &content().catalog);
        let en = render(&digest, &content().locales, Lang::En).unwrap();
        assert!(
            en.contains("A quiet week"),
            "hidden citizen activity does not show itself: {en}"
        );
        input.citizen_floor = 5;
        input.answers = &[];
        input.runs = &[];
        let hidden = Digest {
            quiet: false,
            ..build(&input, &content().catalog)
        };
        let da = render(&hidden, &content().locales, Lang::Da).unwrap();
        assert!(
            da.contains("Medarbejdere: ingen samtaler (sidste uge 0)"),
            "{da}"
        );
        assert!(da.contains("når mindst 5 borgere har svaret"), "{da}");
    }

    #[test]
    fn an_empty_week_renders_a_short_kind_digest() {
        let week = Week::default();
        let digest = week.build();
        assert!(digest.quiet);
        for lang in Lang::ALL {
            let text = render(&digest, &content().locales, lang).unwrap();
            // Title, week, the quiet line, and a focus for the coming week.
            assert_eq!(text.lines().count(), 6, "{text}");
        }
        let text = week.text(Lang::Da);
        assert!(
            text.starts_with(
                "Ugens overblik · Bostedet Lyngen\nUge 47 · 16.–22. november 2026\n\nEn stille uge"
            ),
            "{text}"
        );
        let text = week.text(Lang::En);
        assert!(
            text.starts_with(
                "Weekly digest · Bostedet Lyngen\nWeek 47 · 16–22 November 2026\n\nA quiet week"
            ),
            "{text}"
        );
    }

    #[test]
    fn dates_across_a_month_and_a_year() {
        let line = |week: ISOWeekDate, lang: Lang| {
            let digest = Digest {
                week,
                ..Week::default().build()
            };
            let (first_day, last_day) = week_dates(week);
            let digest = Digest {
                first_day,
                last_day,
                ..digest
            };
            render(&digest, &content().locales, lang)
                .unwrap()
                .lines()
                .nth(1)
                .unwrap()
                .to_owned()
        };
        assert_eq!(
            line(week(2026, 49), Lang::Da),
            "Uge 49 · 30. november – 6. december 2026"
        );
        assert_eq!(
            line(week(2026, 49), Lang::En),
            "Week 49 · 30 November – 6 December 2026"
        );
        assert_eq!(
            line(week(2026, 53), Lang::Da),
            "Uge 53 · 28. december 2026 – 3. januar 2027"
        );
        assert_eq!(
            line(week(2026, 53), Lang::En),
            "Week 53 · 28 December 2026 – 3 January 2027"
        );
        assert_eq!(
            line(week(2026, 1), Lang::En),
            "Week 1 · 29 December 2025 – 4 January 2026"
        );
        assert_eq!(
            week_dates(week(2026, 53)),
            (date(2026, 12, 28), date(2027, 1, 3))
        );
        // Any day of the week names the same week.
        let sunday = ISOWeekDate::new(2026, 47, Weekday::Sunday).unwrap();
        assert_eq!(week_dates(sunday), (date(2026, 11, 16), date(2026, 11, 22)));
    }

    #[test]
    fn a_trial_action_is_new_by_its_local_week() {
        // Sunday 22 November 23:30 in Copenhagen is 22:30 UTC: still week 47 there.
        let mut week = Week::default();
        let mut late_sunday = trial("t1", "anna", Role::Staff, "x", TrialState::Planned);
        late_sunday.created_at = "2026-11-22T22:30:00Z".parse().unwrap();
        late_sunday.updated_at = late_sunday.created_at;
        // Monday 16 November 00:30 in Copenhagen is Sunday 23:30 UTC, the week before in UTC.
        let mut early_monday = trial("t2", "anna", Role::Staff, "y", TrialState::Planned);
        early_monday.created_at = "2026-11-15T23:30:00Z".parse().unwrap();
        early_monday.updated_at = early_monday.created_at;
        // Created the week before, tried now: not new.
        let mut older = trial("t3", "anna", Role::Staff, "z", TrialState::Tried);
        older.created_at = "2026-11-15T22:30:00Z".parse().unwrap();
        week.trials = vec![late_sunday, early_monday, older];
        let digest = week.build();
        assert_eq!(digest.trials.new.len(), 2);
        assert_eq!(digest.trials.tried, 1);
    }

    #[test]
    fn every_message_formats_in_both_languages() {
        let locales = &content().locales;
        for lang in Lang::ALL {
            for (id, names) in MESSAGES {
                for number in [0, 1, 3] {
                    let args: Vec<(&str, FluentValue<'_>)> = names
                        .iter()
                        .map(|name| match *name {
                            "count" | "total" | "floor" | "week" | "first-day" | "last-day"
                            | "year" | "first-year" | "last-year" | "last-week"
                            | "principle-count" => (*name, FluentValue::from(number)),
                            _ => (*name, FluentValue::from("tekst")),
                        })
                        .collect();
                    let text = locales.format(lang, id, &args);
                    assert!(text.is_ok_and(|t| !t.is_empty()), "{lang} {id}");
                }
            }
        }
        // Every digest message in the locales is listed, and every id this file names.
        let listed: BTreeSet<&str> = MESSAGES.iter().map(|(id, _)| *id).collect();
        for id in locales.ids().filter(|id| id.starts_with("digest-")) {
            assert!(listed.contains(id), "{id} is not in MESSAGES");
        }
        let source = include_str!("digest.rs");
        let quoted = source
            .split("\"digest-")
            .skip(1)
            .filter_map(|rest| rest.split('"').next());
        let is_id = |name: &&str| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        };
        let mut found = 0;
        for name in quoted.filter(is_id) {
            let id = format!("digest-{name}");
            assert!(listed.contains(id.as_str()), "{id} is not in MESSAGES");
            found += 1;
        }
        assert!(found > 20, "{found}");
    }
}
