//! The agenda of a group's learning meeting: the loop since the last meeting, told from the
//! digests of its weeks (so the same floors hold, and the same consent: only shared words),
//! and what the last meeting decided, to follow up.

use crate::digest::{join, Citizens, Digest, Trials, Words};
use crate::i18n::{I18nError, Lang, Locales};
use crate::records::Meeting;

/// At most this many shared answers and citizens' quotes each: an agenda is read aloud.
const MAX_WORDS: usize = 10;

/// Everything the agenda is built from, loaded by the caller.
#[derive(Clone, Copy, Debug)]
pub struct AgendaInput<'a> {
    pub group_name: &'a str,
    /// The group's time zone: the day a meeting was held in.
    pub time_zone: &'a jiff::tz::TimeZone,
    /// The group's last meeting (`None`: this is its first).
    pub last_meeting: Option<&'a Meeting>,
    /// The digests of the loop's weeks, with their words, oldest first (the week so far
    /// last). A week before the loop began is not among them.
    pub weeks: &'a [Digest],
    /// The citizens' ideas the meeting may take up, numbered in this order: shared with
    /// consent in the loop's weeks whose citizens are shown.
    pub ideas: &'a [String],
    /// Ideas beyond those listed (the oldest, past the agenda's limit).
    pub more_ideas: usize,
}

/// The messages the agenda uses besides the digest's.
pub const MESSAGES: &[(&str, &[&str])] = &[
    ("agenda-title", &["group"]),
    ("agenda-period", &["first", "last", "weeks"]),
    ("agenda-first-meeting", &[]),
    ("agenda-last-meeting", &["date"]),
    ("agenda-last-focus", &["principle"]),
    ("agenda-learned-heading", &[]),
    ("agenda-learned-none", &[]),
    ("agenda-trials-heading", &[]),
    ("agenda-trials-changed", &["states"]),
    ("agenda-trials-no-new", &[]),
    ("agenda-untouched", &["names", "count"]),
    ("agenda-all-touched", &[]),
    ("agenda-citizens-heading", &[]),
    ("agenda-citizens", &["count"]),
    ("agenda-citizens-hidden", &[]),
    ("agenda-citizens-later", &[]),
    ("agenda-ideas-heading", &[]),
    ("agenda-idea", &["number", "text"]),
];

/// The agenda as one text, sections separated by an empty line.
pub fn render(input: &AgendaInput<'_>, locales: &Locales, lang: Lang) -> Result<String, I18nError> {
    let w = Words { locales, lang };
    let mut heading = vec![w.get("agenda-title", &[("group", input.group_name.into())])?];
    if let (Some(first), Some(last)) = (input.weeks.first(), input.weeks.last()) {
        heading.push(w.get(
            "agenda-period",
            &[
                ("first", i64::from(first.week.week()).into()),
                ("last", i64::from(last.week.week()).into()),
                ("weeks", input.weeks.len().into()),
            ],
        )?);
    }
    let mut sections = vec![heading];

    // What the last meeting decided: its group trial actions are followed up now.
    sections.push(match input.last_meeting {
        None => vec![w.get("agenda-first-meeting", &[])?],
        Some(meeting) => {
            let held = input.time_zone.to_datetime(meeting.held_at).date();
            let mut part = vec![w.get("agenda-last-meeting", &[("date", w.date(held)?.into())])?];
            part.extend(w.group_trials(&meeting.trials, &meeting.followed_up)?);
            if let Some(p) = meeting.focus {
                part.push(w.get(
                    "agenda-last-focus",
                    &[("principle", w.principle(p)?.into())],
                )?);
            }
            part
        }
    });

    // What staff shared with the group.
    let learned: Vec<_> = input.weeks.iter().flat_map(|d| &d.learned).collect();
    let mut part = vec![w.get("agenda-learned-heading", &[])?];
    if learned.is_empty() {
        part.push(w.get("agenda-learned-none", &[])?);
    }
    for learning in learned.iter().take(MAX_WORDS) {
        part.push(w.learning(learning)?);
    }
    let more = learned.len().saturating_sub(MAX_WORDS);
    if more > 0 {
        part.push(w.get("digest-learned-more", &[("count", more.into())])?);
    }
    sections.push(part);

    // Trial actions worth talking about: the new ones, what became of others, the overdue.
    let mut part = vec![w.get("agenda-trials-heading", &[])?];
    let new: Vec<_> = input.weeks.iter().flat_map(|d| &d.trials.new).collect();
    if new.is_empty() {
        part.push(w.get("agenda-trials-no-new", &[])?);
    } else {
        part.push(w.get("digest-trials-new", &[("count", new.len().into())])?);
        for trial in new {
            part.push(w.trial(trial)?);
        }
    }
    let mut changed = Trials::default().changed();
    for digest in input.weeks {
        for (total, (_, n)) in changed.iter_mut().zip(digest.trials.changed()) {
            total.1 += n;
        }
    }
    let counts = w.state_counts(changed)?;
    if !counts.is_empty() {
        part.push(w.get(
            "agenda-trials-changed",
            &[("states", w.dot_list(counts)?.into())],
        )?);
    }
    if let Some(overdue) = input
        .weeks
        .last()
        .map(|d| d.trials.overdue)
        .filter(|n| *n > 0)
    {
        part.push(w.get("digest-trials-overdue", &[("count", overdue.into())])?);
    }
    sections.push(part);

    // The principles nobody chose in the loop.
    let mut chosen = [0usize; 8];
    for digest in input.weeks {
        for (total, n) in chosen.iter_mut().zip(digest.principles) {
            *total += n;
        }
    }
    let mut untouched = Vec::new();
    for (number, count) in (1u8..).zip(chosen) {
        if count == 0 {
            untouched.push(w.principle(number)?);
        }
    }
    sections.push(vec![if untouched.is_empty() {
        w.get("agenda-all-touched", &[])?
    } else {
        let count = untouched.len();
        w.get(
            "agenda-untouched",
            &[
                ("names", w.and_list(untouched)?.into()),
                ("count", count.into()),
            ],
        )?
    }]);

    // The citizens' voice, from the weeks enough citizens took part in.
    let mut part = vec![w.get("agenda-citizens-heading", &[])?];
    let shown: Vec<_> = input
        .weeks
        .iter()
        .filter_map(|d| match &d.citizens {
            Citizens::Shown(voice) => Some(voice),
            Citizens::Hidden { .. } | Citizens::Later => None,
        })
        .collect();
    let later = input
        .weeks
        .iter()
        .any(|d| matches!(d.citizens, Citizens::Later));
    if shown.is_empty() && !later {
        part.push(w.get("agenda-citizens-hidden", &[])?);
    } else if !shown.is_empty() {
        let check_ins: usize = shown.iter().map(|v| v.check_ins).sum();
        part.push(w.get("agenda-citizens", &[("count", check_ins.into())])?);
        for quote in shown.iter().flat_map(|v| &v.quotes).take(MAX_WORDS) {
            part.push(w.get("digest-quote", &[("text", quote.as_str().into())])?);
        }
    }
    if !input.ideas.is_empty() {
        part.push(w.get("agenda-ideas-heading", &[])?);
        for (number, idea) in (1usize..).zip(input.ideas) {
            part.push(w.get(
                "agenda-idea",
                &[("number", number.into()), ("text", idea.as_str().into())],
            )?);
        }
        if input.more_ideas > 0 {
            part.push(w.get("digest-ideas-more", &[("count", input.more_ideas.into())])?);
        }
    }
    // This week's citizens are shown once the week is over, as in the digest.
    if later {
        part.push(w.get("agenda-citizens-later", &[])?);
    }
    sections.push(part);
    Ok(join(&sections))
}

#[cfg(test)]
mod tests {
    use jiff::civil::{date, ISOWeekDate, Weekday};

    use super::*;
    use crate::content::Content;
    use crate::digest::{Author, CitizenVoice, Compared, Learning, NewTrial, Trials};
    use crate::records::{GroupTrial, TrialState, SCHEMA};

    fn content() -> Content {
        Content::load(None, None, &[]).unwrap()
    }

    fn week(number: i8, principles: [usize; 8], citizens: Option<&str>) -> Digest {
        let week = ISOWeekDate::new(2026, number, Weekday::Monday).unwrap();
        Digest {
            group_name: "Team Nord".into(),
            week,
            first_day: week.date(),
            last_day: week.date(),
            quiet: false,
            reflections: Compared::default(),
            principles,
            staff_lines: Vec::new(),
            staff_floor: None,
            trials: Trials::default(),
            citizens: match citizens {
                Some(quote) => Citizens::Shown(CitizenVoice {
                    people: 3,
                    check_ins: 4,
                    check_ins_last_week: None,
                    lines: Vec::new(),
                    quotes: vec![quote.into()],
                    more_quotes: 0,
                    ideas: Vec::new(),
                    more_ideas: 0,
                }),
                None => Citizens::Hidden { floor: 3 },
            },
            focus: None,
            learned: Vec::new(),
            more_learned: 0,
            group_trials: Vec::new(),
            followed_up: Vec::new(),
        }
    }

    #[test]
    fn the_agenda_tells_the_loop_and_the_last_meetings_decisions() {
        let content = content();
        let tz = jiff::tz::TimeZone::get("Europe/Copenhagen").unwrap();
        let mut first = week(47, [1, 2, 0, 3, 0, 0, 1, 0], None);
        first.learned.push(Learning {
            text: "Asking her first".into(),
            by: Author::Staff(Some("Anna".into())),
        });
        first.trials.new.push(NewTrial {
            what: "Offer a walk".into(),
            principles: vec![2],
            by: Author::Staff(None),
            adjusts: false,
        });
        first.trials.dropped = 1;
        let mut second = week(48, [0, 1, 0, 0, 0, 0, 0, 0], Some("A quiet room"));
        second.learned.push(Learning {
            text: "The walk worked".into(),
            by: Author::Staff(None),
        });
        second.trials.kept = 2;
        second.trials.overdue = 1;
        let weeks = [first, second];
        let meeting = Meeting {
            schema: SCHEMA,
            group: "g".into(),
            held_at: "2026-11-16T13:00:00Z".parse().unwrap(),
            since: "2026-11-02T13:00:00Z".parse().unwrap(),
            trials: vec![GroupTrial {
                id: "1-1".into(),
                what: "Eat with the residents".into(),
                principles: vec![3],
                due: date(2026, 11, 30),
                state: TrialState::Planned,
            }],
            followed_up: Vec::new(),
            focus: Some(3),
            ideas_taken_up: Vec::new(),
        };
        let ideas = ["Music in the common room".to_owned()];
        let input = AgendaInput {
            group_name: "Team Nord",
            time_zone: &tz,
            last_meeting: Some(&meeting),
            weeks: &weeks,
            ideas: &ideas,
            more_ideas: 2,
        };
        let text = render(&input, &content.locales, Lang::En).unwrap();
        for expected in [
            "Learning meeting · Team Nord\nThe period: weeks 47–48 until today.",
            "The last meeting was Monday 16 November. You decided:\n\
             • “Eat with the residents” – follow-up Monday 30 November\n\
             • Focus: Networks and mainstream communities",
            "What you shared with the group:\n• “Asking her first” – Anna\n• “The walk worked”",
            "1 new trial action:",
            "• “Offer a walk” (Focus on resources)",
            "In the period – kept: 2 · dropped: 1",
            "1 trial action is overdue",
            "Principles nobody chose in the period: Networks and mainstream communities, \
             Earliest possible help, Coordination and whole life situation and \
             Knowledge and methods that work.",
            "Citizens: 4 conversations in the period.\n• “A quiet room”",
            "Citizens' ideas. Choose “Take up an idea from the citizens” in the menu, and the \
             citizen hears what you will do:\n1. “Music in the common room”\n… and 2 more ideas.",
        ] {
            assert!(text.contains(expected), "{expected}\n---\n{text}");
        }
        let first_time = AgendaInput {
            last_meeting: None,
            weeks: &weeks[..1],
            ideas: &[],
            more_ideas: 0,
            ..input
        };
        let text = render(&first_time, &content.locales, Lang::Da).unwrap();
        assert!(
            text.contains("Det er første gang, gruppen holder læringsmøde med mig."),
            "{text}"
        );
        assert!(text.contains("Perioden: uge 47 indtil i dag."), "{text}");
        assert!(
            text.contains("For få borgere har svaret til, at noget kan vises."),
            "{text}"
        );
        assert!(!text.contains("The walk worked"), "{text}");
    }
}
