//! When things happen: digests, follow-ups, reminders and quiet hours.
//!
//! Every function is pure: the clock (`now`, `after`) and the time zone are passed in, so the
//! rules can be tested by tables across DST changes and ISO week boundaries. Local times that
//! do not exist (spring forward) move later; ambiguous ones (fall back) take the earlier
//! instant (jiff's "compatible" disambiguation). Nothing here panics: at the very edges of
//! jiff's range (years ±9999) the functions saturate to `Timestamp::MIN`/`MAX` instead.

use jiff::civil::{Date, ISOWeekDate, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span, Timestamp};

use crate::records::ReminderRule;

/// When the scheduler may send, and what it sends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Schedule {
    /// Hours when follow-ups and late messages may go out.
    pub window: Window,
    pub digest: DigestSchedule,
}

/// Offers are made twice: at the planned date, then once more after the retry days; a trial
/// action still open after both is overdue.
pub const OFFERS: u8 = 2;

/// Hours of the day when follow-ups (and caught-up late messages) may be sent: never at night.
///
/// `start > end` wraps past midnight; `start == end` means no restriction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: Time,
    pub end: Time,
}

impl Default for Window {
    fn default() -> Self {
        Self {
            start: Time::constant(9, 0, 0, 0),
            end: Time::constant(20, 0, 0, 0),
        }
    }
}

/// When the weekly digest goes out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DigestSchedule {
    pub weekday: Weekday,
    pub time: Time,
}

impl Default for DigestSchedule {
    fn default() -> Self {
        Self {
            weekday: Weekday::Monday,
            time: Time::constant(8, 0, 0, 0),
        }
    }
}

/// A job this late was missed (the bot was down) and waits for the window.
const LATE_AFTER: SignedDuration = SignedDuration::from_mins(15);
/// Longer reminder texts are refused rather than scanned.
const MAX_REMINDER_CHARS: usize = 100;
const ALL_DAYS: u8 = 0x7f;
/// A reminder text that is just one of these removes the reminder.
pub const OFF_WORDS: [&str; 8] = ["off", "fra", "stop", "slet", "ingen", "none", "nej", "no"];

/// The local calendar date of an instant.
fn local_date(at: Timestamp, tz: &TimeZone) -> Date {
    tz.to_datetime(at).date()
}

/// A local date and time as an instant: gaps move later, folds take the earlier instant.
/// `None` only outside jiff's range.
fn at_local(date: Date, time: Time, tz: &TimeZone) -> Option<Timestamp> {
    tz.to_ambiguous_timestamp(date.to_datetime(time))
        .compatible()
        .ok()
}

/// `date` moved by `days` calendar days; `None` outside jiff's range.
fn add_days(date: Date, days: i64) -> Option<Date> {
    date.checked_add(Span::new().try_days(days).ok()?).ok()
}

/// The latest date on or before `date` that falls on `weekday`.
fn on_or_before(date: Date, weekday: Weekday) -> Option<Date> {
    let back =
        (date.weekday().to_monday_zero_offset() - weekday.to_monday_zero_offset()).rem_euclid(7);
    add_days(date, -i64::from(back))
}

/// The bit of `weekday` in [`ReminderRule::weekdays`] (bit 0 = Monday).
fn weekday_bit(weekday: Weekday) -> u8 {
    1 << weekday.to_monday_zero_offset()
}

/// One digest per scheduled local date, so the walk by weeks can never fire twice in a week;
/// starting a week ahead covers a schedule pushed past midnight by a gap.
fn last_digest(now: Timestamp, schedule: &DigestSchedule, tz: &TimeZone) -> Option<Timestamp> {
    let mut date = add_days(on_or_before(local_date(now, tz), schedule.weekday)?, 7)?;
    for _ in 0..4 {
        let at = at_local(date, schedule.time, tz)?;
        if at <= now {
            return Some(at);
        }
        date = add_days(date, -7)?;
    }
    None
}

fn next_digest(now: Timestamp, schedule: &DigestSchedule, tz: &TimeZone) -> Option<Timestamp> {
    let mut date = add_days(on_or_before(local_date(now, tz), schedule.weekday)?, -7)?;
    for _ in 0..4 {
        let at = at_local(date, schedule.time, tz)?;
        if at > now {
            return Some(at);
        }
        date = add_days(date, 7)?;
    }
    None
}

/// The most recent scheduled digest instant at or before `now`: what a restarted bot catches up.
#[must_use]
pub fn last_digest_at(now: Timestamp, schedule: &DigestSchedule, tz: &TimeZone) -> Timestamp {
    last_digest(now, schedule, tz).unwrap_or(Timestamp::MIN)
}

/// The first scheduled digest instant strictly after `now`: when the worker wakes next.
#[must_use]
pub fn next_digest_at(now: Timestamp, schedule: &DigestSchedule, tz: &TimeZone) -> Timestamp {
    next_digest(now, schedule, tz).unwrap_or(Timestamp::MAX)
}

/// The ISO week a digest sent at `at` covers: the last week complete at `at` (it ended Sunday
/// 24:00 local), so a Monday or a Friday schedule both report the week before. Monday-normalised.
#[must_use]
pub fn digest_week(at: Timestamp, tz: &TimeZone) -> ISOWeekDate {
    previous_week(week_of(at, tz))
}

/// The ISO week containing `now` (for "/digest": the current week so far), Monday-normalised.
#[must_use]
pub fn week_of(now: Timestamp, tz: &TimeZone) -> ISOWeekDate {
    monday(local_date(now, tz)).iso_week_date()
}

/// The Monday of the week of `date`; `date` itself at the very start of jiff's range.
fn monday(date: Date) -> Date {
    on_or_before(date, Weekday::Monday).unwrap_or(date)
}

/// The week before (the same week at the very start of jiff's range), Monday-normalised.
#[must_use]
pub fn previous_week(week: ISOWeekDate) -> ISOWeekDate {
    let first = monday(week.date());
    add_days(first, -7).unwrap_or(first).iso_week_date()
}

/// Monday and Sunday of a week, as civil dates (Sunday saturates at jiff's last date).
#[must_use]
pub fn week_dates(week: ISOWeekDate) -> (Date, Date) {
    let first = monday(week.date());
    (first, add_days(first, 6).unwrap_or(Date::MAX))
}

/// The instants [start, end) of a week in `tz`: Monday 00:00 to the next Monday 00:00 local,
/// so a week with a DST change is 167 or 169 hours long.
#[must_use]
pub fn week_bounds(week: ISOWeekDate, tz: &TimeZone) -> (Timestamp, Timestamp) {
    let first = monday(week.date());
    let start = at_local(first, Time::midnight(), tz).unwrap_or(Timestamp::MIN);
    let end = add_days(first, 7)
        .and_then(|next| at_local(next, Time::midnight(), tz))
        .unwrap_or(Timestamp::MAX);
    (start, end)
}

/// "2026-W47": the key digests are recorded under and what people type after "/digest".
#[must_use]
pub fn format_week(week: ISOWeekDate) -> String {
    format!("{:04}-W{:02}", week.year(), week.week())
}

/// Reads [`format_week`] back (also lowercase "2026-w47"); `None` for week 0, week 53 in a
/// year without one, or anything else. Monday-normalised.
#[must_use]
pub fn parse_week(text: &str) -> Option<ISOWeekDate> {
    let (year, week) = text.trim().split_once(['W', 'w'])?;
    let year = year.strip_suffix('-')?;
    if !ascii_digits(year, &[4]) || !ascii_digits(week, &[1, 2]) {
        return None;
    }
    ISOWeekDate::new(year.parse().ok()?, week.parse().ok()?, Weekday::Monday).ok()
}

/// True when the local time of `now` is inside the window [start, end).
#[must_use]
pub fn in_window(now: Timestamp, window: &Window, tz: &TimeZone) -> bool {
    let time = tz.to_datetime(now).time();
    match window.start.cmp(&window.end) {
        std::cmp::Ordering::Less => window.start <= time && time < window.end,
        std::cmp::Ordering::Greater => window.start <= time || time < window.end,
        std::cmp::Ordering::Equal => true,
    }
}

/// `now` if inside the window, else the next window start (today's if before it, else
/// tomorrow's): when a message that must not arrive at night is sent.
#[must_use]
pub fn next_in_window(now: Timestamp, window: &Window, tz: &TimeZone) -> Timestamp {
    if in_window(now, window, tz) {
        return now;
    }
    let local = tz.to_datetime(now);
    let day = if local.time() < window.start {
        Some(local.date())
    } else {
        local.date().tomorrow().ok()
    };
    // A fold can put today's start an hour before `now`; never answer with the past.
    day.and_then(|day| at_local(day, window.start, tz))
        .map_or(Timestamp::MAX, |at| at.max(now))
}

/// When the first follow-up offer of a trial action due on `due` is sent: the window start
/// that day, so the person hears back in the morning of the day they planned.
#[must_use]
pub fn follow_up_at(due: Date, window: &Window, tz: &TimeZone) -> Timestamp {
    at_local(due, window.start, tz).unwrap_or(Timestamp::MAX)
}

/// When the second (last) offer is sent: `days` days after the first offer's local date, at the
/// window start.
#[must_use]
pub fn retry_at(first: Timestamp, days: u32, window: &Window, tz: &TimeZone) -> Timestamp {
    add_days(local_date(first, tz), i64::from(days))
        .and_then(|day| at_local(day, window.start, tz))
        .unwrap_or(Timestamp::MAX)
}

/// A trial action due on `due`, offered twice and still open, counts as overdue from the day
/// after the retry date: `today > due + retry_days`.
#[must_use]
pub fn is_overdue(due: Date, today: Date, retry_days: u32) -> bool {
    add_days(due, i64::from(retry_days)).is_some_and(|retry| today > retry)
}

/// The first reminder instant strictly after `after`, at the person's local time on a chosen
/// weekday; `None` if the rule has no weekdays or an impossible time.
#[must_use]
pub fn next_reminder_at(after: Timestamp, rule: &ReminderRule, tz: &TimeZone) -> Option<Timestamp> {
    if rule.weekdays & ALL_DAYS == 0 {
        return None;
    }
    let time = Time::new(rule.hour, rule.minute, 0, 0).ok()?;
    let today = local_date(after, tz);
    // From yesterday: a gap can push yesterday's reminder past midnight.
    (-1..=8)
        .filter_map(|offset| add_days(today, offset))
        .filter(|day| rule.weekdays & weekday_bit(day.weekday()) != 0)
        .filter_map(|day| at_local(day, time, tz))
        .find(|&at| at > after)
}

/// Whether a job scheduled for `at` may fire at `now`: on time (less than 15 minutes late) it
/// fires whatever the hour, since the person chose it; late (the bot was down) only inside the
/// window, so a missed message never arrives at night. Never before `at`.
#[must_use]
pub fn may_fire(at: Timestamp, now: Timestamp, window: &Window, tz: &TimeZone) -> bool {
    now >= at && (now.duration_since(at) < LATE_AFTER || in_window(now, window, tz))
}

/// Why a reminder text was refused, so the reply can say what to fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReminderProblem {
    /// No time of day was given ("mandag").
    NoTime,
    /// A time that is not a clock time ("25:00", "22:61", "-1"), or two times.
    BadTime,
    /// A word that is neither a day, a time nor a filler; also a text over 100 characters.
    UnknownWord,
}

/// Reads a reminder typed after /remind, in Danish or English: a time ("22:15", "22.15",
/// "kl. 22.15", "22") and optionally days ("man ons fre", "hverdage", "weekend", "alle dage",
/// "daily"; none means every day). `Ok(None)` for "off"/"fra"/"stop"/… (remove the reminder).
pub fn parse_reminder(text: &str) -> Result<Option<ReminderRule>, ReminderProblem> {
    if text.chars().count() > MAX_REMINDER_CHARS {
        return Err(ReminderProblem::UnknownWord);
    }
    let lower = text.to_lowercase().replace(',', " ");
    let mut flat = lower.split_whitespace().collect::<Vec<_>>().join(" ");
    for phrase in ["alle dage", "hver dag", "every day", "all days"] {
        flat = flat.replace(phrase, "dagligt");
    }
    let words = flat
        .split(' ')
        .map(|word| word.trim_end_matches(['.', '!', '?', ';']));
    let words: Vec<&str> = words.filter(|word| !word.is_empty()).collect();
    if let [word] = words[..] {
        if OFF_WORDS.contains(&word) {
            return Ok(None);
        }
    }
    let (mut weekdays, mut time) = (0u8, None);
    for word in words {
        if matches!(word, "og" | "and" | "&" | "at" | "kl" | "klokken") {
            continue;
        }
        if let Some(bits) = day_bits(word) {
            weekdays |= bits;
            continue;
        }
        // "kl.22.15" without a space.
        let word = word
            .strip_prefix("kl.")
            .filter(|rest| !rest.is_empty())
            .unwrap_or(word);
        let time_like = |c: char| c.is_ascii_digit() || matches!(c, ':' | '.' | '-');
        if !word.chars().all(time_like) {
            return Err(ReminderProblem::UnknownWord);
        }
        if time.is_some() {
            return Err(ReminderProblem::BadTime);
        }
        time = Some(parse_clock(word).ok_or(ReminderProblem::BadTime)?);
    }
    let (hour, minute) = time.ok_or(ReminderProblem::NoTime)?;
    let weekdays = if weekdays == 0 { ALL_DAYS } else { weekdays };
    Ok(Some(ReminderRule {
        weekdays,
        hour,
        minute,
    }))
}

/// "22", "22:15", "22.15", "8.05" as (hour, minute); minutes need two digits.
fn parse_clock(word: &str) -> Option<(i8, i8)> {
    let (hour, minute) = word.split_once([':', '.']).unwrap_or((word, "00"));
    if !ascii_digits(hour, &[1, 2]) || !ascii_digits(minute, &[2]) {
        return None;
    }
    let (hour, minute): (i8, i8) = (hour.parse().ok()?, minute.parse().ok()?);
    (hour < 24 && minute < 60).then_some((hour, minute))
}

/// Only ASCII digits, and as many as one of `lengths` (so `parse` cannot see a sign or overflow).
fn ascii_digits(text: &str, lengths: &[usize]) -> bool {
    lengths.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

/// Day names and groups, Danish and English, as weekday bits.
fn day_bits(word: &str) -> Option<u8> {
    Some(match word {
        "mandag" | "man" | "monday" | "mon" => 1,
        "tirsdag" | "tir" | "tirs" | "tuesday" | "tue" | "tues" => 1 << 1,
        "onsdag" | "ons" | "wednesday" | "wed" => 1 << 2,
        "torsdag" | "tor" | "tors" | "thursday" | "thu" | "thur" | "thurs" => 1 << 3,
        "fredag" | "fre" | "friday" | "fri" => 1 << 4,
        "lørdag" | "loerdag" | "lordag" | "lør" | "loer" | "saturday" | "sat" => 1 << 5,
        "søndag" | "soendag" | "sondag" | "søn" | "soen" | "sunday" | "sun" => 1 << 6,
        "hverdage" | "hverdag" | "weekdays" | "weekday" => 0x1f,
        "weekend" | "weekender" | "weekends" | "weekenden" => 0x60,
        "dagligt" | "daily" | "everyday" => ALL_DAYS,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn cph() -> TimeZone {
        TimeZone::get("Europe/Copenhagen").unwrap()
    }

    /// "2026-03-29T03:30+02:00" as an instant.
    fn ts(text: &str) -> Timestamp {
        text.parse()
            .unwrap_or_else(|e| panic!("bad test timestamp {text}: {e}"))
    }

    /// An instant as Copenhagen local time with its offset, so the rows show +01:00 / +02:00.
    fn local(at: Timestamp) -> String {
        at.to_zoned(cph()).strftime("%Y-%m-%dT%H:%M%:z").to_string()
    }

    fn week(text: &str) -> ISOWeekDate {
        parse_week(text).unwrap_or_else(|| panic!("bad test week {text}"))
    }

    fn digest(weekday: Weekday, hour: i8, minute: i8) -> DigestSchedule {
        DigestSchedule {
            weekday,
            time: Time::new(hour, minute, 0, 0).unwrap(),
        }
    }

    #[test]
    fn last_and_next_digest_across_dst() {
        let (sun, mon) = (digest(Weekday::Sunday, 2, 30), DigestSchedule::default());
        #[rustfmt::skip]
        let rows = [
            // (schedule, now, last, next)
            // Spring forward 29 March 2026: 02:30 does not exist and moves to 03:30 summer time.
            (sun, "2026-03-29T01:00+01:00", "2026-03-22T02:30+01:00", "2026-03-29T03:30+02:00"),
            (sun, "2026-03-29T03:29+02:00", "2026-03-22T02:30+01:00", "2026-03-29T03:30+02:00"),
            (sun, "2026-03-29T03:30+02:00", "2026-03-29T03:30+02:00", "2026-04-05T02:30+02:00"),
            // Fall back 25 October 2026: 02:30 happens twice; the first (summer time) counts, once.
            (sun, "2026-10-25T02:29+02:00", "2026-10-18T02:30+02:00", "2026-10-25T02:30+02:00"),
            (sun, "2026-10-25T02:30+02:00", "2026-10-25T02:30+02:00", "2026-11-01T02:30+01:00"),
            (sun, "2026-10-25T02:30+01:00", "2026-10-25T02:30+02:00", "2026-11-01T02:30+01:00"),
            // Monday 08:00 around both changes.
            (mon, "2026-03-29T12:00+02:00", "2026-03-23T08:00+01:00", "2026-03-30T08:00+02:00"),
            (mon, "2026-03-30T07:59+02:00", "2026-03-23T08:00+01:00", "2026-03-30T08:00+02:00"),
            (mon, "2026-03-30T08:00+02:00", "2026-03-30T08:00+02:00", "2026-04-06T08:00+02:00"),
            (mon, "2026-10-25T23:00+01:00", "2026-10-19T08:00+02:00", "2026-10-26T08:00+01:00"),
            (mon, "2026-10-26T08:00+01:00", "2026-10-26T08:00+01:00", "2026-11-02T08:00+01:00"),
        ];
        let tz = &cph();
        for (s, now, last, next) in rows {
            let at = ts(now);
            let got = [last_digest_at(at, &s, tz), next_digest_at(at, &s, tz)];
            assert_eq!(got.map(local), [last, next], "at {now}, {s:?}");
        }
    }

    #[test]
    fn digest_instants_are_consistent_and_weekly() {
        let tz = &cph();
        let schedules = [
            digest(Weekday::Sunday, 2, 30),
            digest(Weekday::Sunday, 2, 0),
            digest(Weekday::Sunday, 3, 0),
            digest(Weekday::Saturday, 23, 30),
            DigestSchedule::default(),
        ];
        // Every 15 minutes through both DST months.
        let march = (ts("2026-03-15T00:00Z"), ts("2026-04-10T00:00Z"));
        let october = (ts("2026-10-10T00:00Z"), ts("2026-11-05T00:00Z"));
        for ((from, to), s) in [march, october]
            .into_iter()
            .flat_map(|m| schedules.map(|s| (m, s)))
        {
            let mut x = from;
            while x < to {
                let (last, next) = (last_digest_at(x, &s, tz), next_digest_at(x, &s, tz));
                assert!(last <= x && x < next, "{s:?} at {x}: {last} .. {next}");
                assert_eq!(next_digest_at(last, &s, tz), next, "{s:?} at {x}");
                let hours = next.duration_since(last).as_hours();
                assert!((167..=169).contains(&hours), "{s:?} at {x}: {hours} h");
                x = x.checked_add(SignedDuration::from_mins(15)).unwrap();
            }
        }
    }

    #[test]
    fn weeks_covered_and_current() {
        let tz = &cph();
        #[rustfmt::skip]
        let rows = [
            // (instant, digest_week, week_of)
            ("2026-11-23T08:00+01:00", "2026-W47", "2026-W48"), // Monday of W48
            ("2026-11-27T08:00+01:00", "2026-W47", "2026-W48"), // a Friday schedule
            ("2026-11-23T00:00+01:00", "2026-W47", "2026-W48"), // W47 ended just now
            ("2026-11-22T23:59+01:00", "2026-W46", "2026-W47"),
            ("2026-12-28T08:00+01:00", "2026-W52", "2026-W53"),
            ("2027-01-03T12:00+01:00", "2026-W52", "2026-W53"),
            ("2027-01-04T08:00+01:00", "2026-W53", "2027-W01"),
            ("2025-12-28T23:59+01:00", "2025-W51", "2025-W52"),
            ("2025-12-29T00:00+01:00", "2025-W52", "2026-W01"),
            ("2025-12-28T23:30Z",      "2025-W52", "2026-W01"), // already Monday in Copenhagen
        ];
        for (at, covered, current) in rows {
            let (digest, now) = (digest_week(ts(at), tz), week_of(ts(at), tz));
            assert_eq!(format_week(digest), covered, "digest_week({at})");
            assert_eq!(format_week(now), current, "week_of({at})");
            assert_eq!(now.weekday(), Weekday::Monday, "week_of({at})");
        }
    }

    #[test]
    fn week_arithmetic() {
        #[rustfmt::skip]
        let rows = [
            // (week, previous, monday, sunday)
            ("2027-W01", "2026-W53", date(2027, 1, 4), date(2027, 1, 10)),
            ("2026-W53", "2026-W52", date(2026, 12, 28), date(2027, 1, 3)),
            ("2026-W01", "2025-W52", date(2025, 12, 29), date(2026, 1, 4)),
            ("2026-W48", "2026-W47", date(2026, 11, 23), date(2026, 11, 29)),
        ];
        for (text, previous, monday, sunday) in rows {
            let got = format_week(previous_week(week(text)));
            assert_eq!(got, previous, "previous_week({text})");
            let got = week_dates(week(text));
            assert_eq!(got, (monday, sunday), "week_dates({text})");
        }
        // A day other than Monday is normalised too.
        let thursday = date(2027, 1, 7).iso_week_date();
        assert_eq!(format_week(previous_week(thursday)), "2026-W53");
        assert_eq!(week_dates(thursday).0, date(2027, 1, 4));
    }

    #[test]
    fn no_panic_at_the_edges_of_time() {
        let (tz, s, w) = (&cph(), DigestSchedule::default(), Window::default());
        let (weekdays, hour, minute) = (0x7f, 23, 59);
        let rule = ReminderRule {
            weekdays,
            hour,
            minute,
        };
        for week in [ISOWeekDate::MIN, ISOWeekDate::MAX] {
            let _ = (previous_week(week), week_dates(week), week_bounds(week, tz));
        }
        for at in [Timestamp::MIN, Timestamp::MAX] {
            let _ = (last_digest_at(at, &s, tz), next_digest_at(at, &s, tz));
            let _ = (digest_week(at, tz), week_of(at, tz), in_window(at, &w, tz));
            let _ = (next_in_window(at, &w, tz), retry_at(at, u32::MAX, &w, tz));
            let _ = (next_reminder_at(at, &rule, tz), may_fire(at, at, &w, tz));
        }
        let _ = [Date::MIN, Date::MAX].map(|day| follow_up_at(day, &w, tz));
    }

    #[test]
    fn week_bounds_follow_local_midnight() {
        let tz = &cph();
        #[rustfmt::skip]
        let rows = [
            // (week, start, end, hours)
            ("2026-W13", "2026-03-23T00:00+01:00", "2026-03-30T00:00+02:00", 167),
            ("2026-W43", "2026-10-19T00:00+02:00", "2026-10-26T00:00+01:00", 169),
            ("2026-W53", "2026-12-28T00:00+01:00", "2027-01-04T00:00+01:00", 168),
        ];
        for (text, start, end, hours) in rows {
            let (s, e) = week_bounds(week(text), tz);
            assert_eq!([s, e].map(local), [start, end], "week_bounds({text})");
            assert_eq!(e.duration_since(s).as_hours(), hours, "length of {text}");
        }
    }

    #[test]
    fn parse_and_format_weeks() {
        #[rustfmt::skip]
        let rows = [
            ("2026-W47", Some("2026-W47")), ("2026-w47", Some("2026-W47")),
            (" 2026-W07 ", Some("2026-W07")), ("2026-W7", Some("2026-W07")),
            ("2026-W53", Some("2026-W53")), ("2025-W53", None),
            ("2026-W00", None), ("2026-W54", None), ("2026-W-1", None), ("2026-W007", None),
            ("2026W47", None), ("+2026-W47", None), ("26-W47", None), ("2026-47", None),
            ("garbage", None), ("", None), ("2026-W4٧", None), ("٢٠٢٦-W47", None),
        ];
        for (text, expected) in rows {
            let got = parse_week(text).map(format_week);
            assert_eq!(got.as_deref(), expected, "parse_week({text:?})");
        }
    }

    #[test]
    fn windows() {
        let (tz, day) = (&cph(), Window::default());
        let (start, end) = (Time::constant(22, 0, 0, 0), Time::constant(6, 0, 0, 0));
        let night = Window { start, end };
        #[rustfmt::skip]
        let rows = [
            // (window, now, in_window, next_in_window)
            (day, "2026-03-27T08:59+01:00", false, "2026-03-27T09:00+01:00"),
            (day, "2026-03-27T09:00+01:00", true, "2026-03-27T09:00+01:00"),
            (day, "2026-03-27T19:59+01:00", true, "2026-03-27T19:59+01:00"),
            (day, "2026-03-27T20:00+01:00", false, "2026-03-28T09:00+01:00"),
            (day, "2026-03-28T23:30+01:00", false, "2026-03-29T09:00+02:00"), // across spring forward
            (day, "2026-10-25T02:30+01:00", false, "2026-10-25T09:00+01:00"),
            (night, "2026-03-27T23:00+01:00", true, "2026-03-27T23:00+01:00"),
            (night, "2026-03-27T12:00+01:00", false, "2026-03-27T22:00+01:00"),
        ];
        for (w, now, inside, next) in rows {
            let at = ts(now);
            assert_eq!(in_window(at, &w, tz), inside, "in_window({now}, {w:?})");
            let got = local(next_in_window(at, &w, tz));
            assert_eq!(got, next, "next_in_window({now}, {w:?})");
        }
    }

    #[test]
    fn follow_ups_and_overdue() {
        let (tz, w) = (&cph(), Window::default());
        let first = [date(2026, 3, 27), date(2026, 3, 30)].map(|due| follow_up_at(due, &w, tz));
        let want = ["2026-03-27T09:00+01:00", "2026-03-30T09:00+02:00"];
        assert_eq!(first.map(local), want, "follow_up_at");
        #[rustfmt::skip]
        let rows = [
            // (first offer, days, second offer)
            ("2026-03-27T09:00+01:00", 3, "2026-03-30T09:00+02:00"),
            ("2026-03-27T19:30+01:00", 2, "2026-03-29T09:00+02:00"),
            ("2026-12-30T23:30Z", 1, "2027-01-01T09:00+01:00"), // already 31 December locally
            ("2026-10-24T09:00+02:00", 0, "2026-10-24T09:00+02:00"),
        ];
        for (first, days, second) in rows {
            let got = local(retry_at(ts(first), days, &w, tz));
            assert_eq!(got, second, "retry_at({first}, {days})");
        }
        let never = retry_at(ts("2026-03-27T09:00Z"), u32::MAX, &w, tz);
        assert_eq!(never, Timestamp::MAX);
        #[rustfmt::skip]
        let rows = [
            // (due, today, retry_days, overdue)
            (date(2026, 3, 27), date(2026, 3, 27), 3, false),
            (date(2026, 3, 27), date(2026, 3, 30), 3, false),
            (date(2026, 3, 27), date(2026, 3, 31), 3, true),
            (date(2026, 12, 30), date(2027, 1, 2), 3, false),
            (date(2026, 12, 30), date(2027, 1, 3), 3, true),
            (date(2026, 3, 27), date(2026, 3, 28), 0, true),
            (date(2026, 3, 27), date(2026, 3, 26), 0, false),
            (date(2026, 3, 27), Date::MAX, u32::MAX, false),
        ];
        for (due, today, days, overdue) in rows {
            let got = is_overdue(due, today, days);
            assert_eq!(got, overdue, "is_overdue({due}, {today}, {days})");
        }
    }

    #[test]
    fn may_fire_respects_night_only_when_late() {
        let (tz, w) = (&cph(), Window::default());
        #[rustfmt::skip]
        let rows = [
            // (at, now, fires)
            ("2026-03-27T22:15+01:00", "2026-03-27T22:15+01:00", true),  // on time at night
            ("2026-03-27T22:15+01:00", "2026-03-27T22:29+01:00", true),  // 14 minutes: on time
            ("2026-03-27T22:15+01:00", "2026-03-27T22:30+01:00", false), // late at night
            ("2026-03-27T22:15+01:00", "2026-03-28T03:00+01:00", false),
            ("2026-03-27T22:15+01:00", "2026-03-28T09:00+01:00", true),  // late, in window
            ("2026-03-27T10:00+01:00", "2026-03-27T13:00+01:00", true),
            ("2026-03-27T10:00+01:00", "2026-03-27T09:59+01:00", false), // before `at`
            ("2026-03-27T22:15+01:00", "2026-03-27T22:14+01:00", false),
        ];
        for (at, now, fires) in rows {
            let got = may_fire(ts(at), ts(now), &w, tz);
            assert_eq!(got, fires, "may_fire({at}, {now})");
        }
    }

    #[test]
    fn next_reminders() {
        let tz = &cph();
        let rule = |weekdays, hour, minute| ReminderRule {
            weekdays,
            hour,
            minute,
        };
        let weekdays = rule(0x1f, 22, 15);
        #[rustfmt::skip]
        let rows = [
            // (rule, after, next)
            (weekdays, "2026-03-27T23:00+01:00", Some("2026-03-30T22:15+02:00")), // Fri -> Mon, DST
            (weekdays, "2026-10-23T23:00+02:00", Some("2026-10-26T22:15+01:00")),
            (weekdays, "2026-03-27T22:14+01:00", Some("2026-03-27T22:15+01:00")),
            (weekdays, "2026-03-27T22:15+01:00", Some("2026-03-30T22:15+02:00")), // strictly after
            (rule(0x7f, 2, 30), "2026-03-28T03:00+01:00", Some("2026-03-29T03:30+02:00")), // gap
            (rule(0x7f, 2, 30), "2026-10-25T01:00+02:00", Some("2026-10-25T02:30+02:00")), // fold
            (rule(0x7f, 2, 30), "2026-10-25T02:30+02:00", Some("2026-10-26T02:30+01:00")), // once
            (rule(1 << 6, 10, 0), "2026-12-28T00:00+01:00", Some("2027-01-03T10:00+01:00")),
            (rule(0, 22, 15), "2026-03-27T23:00+01:00", None),
            (rule(0x80, 22, 15), "2026-03-27T23:00+01:00", None),
            (rule(0x7f, 24, 0), "2026-03-27T23:00+01:00", None),
            (rule(0x7f, 22, -1), "2026-03-27T23:00+01:00", None),
        ];
        for (rule, after, next) in rows {
            let got = next_reminder_at(ts(after), &rule, tz).map(local);
            assert_eq!(got.as_deref(), next, "next_reminder_at({after}, {rule:?})");
        }
    }

    #[test]
    fn parse_reminders() {
        use ReminderProblem::*;
        let ok = |weekdays, hour, minute| {
            Ok(Some(ReminderRule {
                weekdays,
                hour,
                minute,
            }))
        };
        let long = format!("mandag {}22:15", "og ".repeat(30));
        #[rustfmt::skip]
        let rows: Vec<(&str, Result<Option<ReminderRule>, ReminderProblem>)> = vec![
            ("22:15", ok(0x7f, 22, 15)), ("22.15", ok(0x7f, 22, 15)),
            ("kl. 22.15", ok(0x7f, 22, 15)), ("kl.22.15", ok(0x7f, 22, 15)),
            ("Klokken 8.05.", ok(0x7f, 8, 5)), ("22", ok(0x7f, 22, 0)), ("0:00", ok(0x7f, 0, 0)),
            ("hverdage 22:15", ok(0x1f, 22, 15)), ("Weekdays at 22:15", ok(0x1f, 22, 15)),
            ("weekend 10", ok(0x60, 10, 0)), ("weekender kl 10", ok(0x60, 10, 0)),
            ("man ons fre 21:30", ok(0b1_0101, 21, 30)),
            ("mon, wed and fri 21:30", ok(0b1_0101, 21, 30)),
            ("Mandag og torsdag 7:45", ok(0b1001, 7, 45)), ("tirsdag 9", ok(0b10, 9, 0)),
            ("LØRDAG og SØNDAG 11:00", ok(0x60, 11, 0)), ("loerdag soendag 11", ok(0x60, 11, 0)),
            ("saturday sunday 11", ok(0x60, 11, 0)), ("Thursday 6", ok(0b1000, 6, 0)),
            ("alle dage 20:00", ok(0x7f, 20, 0)), ("every day at 8", ok(0x7f, 8, 0)),
            ("dagligt 21", ok(0x7f, 21, 0)), ("daily 21:00", ok(0x7f, 21, 0)),
            ("21:00 fredag", ok(1 << 4, 21, 0)),
            ("off", Ok(None)), ("Fra", Ok(None)), ("stop!", Ok(None)), ("slet", Ok(None)),
            ("ingen", Ok(None)), ("none", Ok(None)), ("nej", Ok(None)), ("NO", Ok(None)),
            ("", Err(NoTime)), ("mandag", Err(NoTime)), ("hverdage kl", Err(NoTime)),
            ("25:00", Err(BadTime)), ("24:00", Err(BadTime)), ("22:61", Err(BadTime)),
            ("-1", Err(BadTime)), ("22:5", Err(BadTime)), ("2215", Err(BadTime)),
            ("22:15 23:00", Err(BadTime)), ("1:2:3", Err(BadTime)), ("٢٢:١٥", Err(UnknownWord)),
            ("tomorrow 22:15", Err(UnknownWord)), ("banan 8", Err(UnknownWord)),
            ("off 22:15", Err(UnknownWord)), ("10pm", Err(UnknownWord)),
            ("alle 20", Err(UnknownWord)), (long.as_str(), Err(UnknownWord)),
        ];
        for (text, expected) in rows {
            assert_eq!(parse_reminder(text), expected, "parse_reminder({text:?})");
        }
    }
}
