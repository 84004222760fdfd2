//! The scheduler: follow-up offers at a trial action's planned date (and once more later),
//! reflection reminders, and the weekly digest to each group's facilitators.
//!
//! A tick reads what is stored, decides with the pure functions in [`eftertanke_core::schedule`] what is
//! due at `now`, and commits each message together with the record that it was sent. So a
//! restart never sends twice, and whatever fell due while the bot was down is sent once when
//! it is back (at a decent hour). Messages go to the outbox; channels deliver them.

use jiff::civil::{Date, ISOWeekDate};
use jiff::Timestamp;

use crate::app::{App, AppError};
use eftertanke_core::engine::Due;
use eftertanke_core::i18n::Lang;
use eftertanke_core::records::{Group, GroupRole, PersonId};
use eftertanke_core::schedule::{
    digest_week, follow_up_at, format_week, last_digest_at, may_fire, next_in_window,
    next_reminder_at, retry_at, week_bounds, week_dates, Schedule, OFFERS,
};
use eftertanke_store::{Commit, Outgoing, Purged, Store};

/// What one tick sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TickReport {
    pub follow_ups: usize,
    pub reminders: usize,
    pub digests: usize,
    /// People told of a change to their membership that a crash had held back.
    pub memberships: usize,
    /// Staff told what their group's learning meeting decided.
    pub meetings: usize,
    /// Handled platform events older than a week, forgotten.
    pub events_forgotten: usize,
    /// Erasures a crash cut short, finished.
    pub erasures_finished: usize,
    /// What the daily retention purge deleted or trimmed.
    pub purged: Purged,
}

/// The local hour the retention purge runs in, once a day: a quiet one.
const PURGE_HOUR: i8 = 3;

/// Old event ids forgotten per pass at most, so one tick stays short.
const FORGET_PER_TICK: usize = 10_000;

/// A trial action due the day it was planned is offered no sooner than this after.
const SETTLE: jiff::SignedDuration = jiff::SignedDuration::from_hours(4);

/// How often the scheduler looks for what is due.
pub const EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// Ticks every [`EVERY`] until `stop` is cancelled; a failed tick is logged and tried again.
pub async fn run<S: Store>(
    app: &App<S>,
    schedule: &Schedule,
    stop: tokio_util::sync::CancellationToken,
) {
    let mut every = tokio::time::interval(EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            () = stop.cancelled() => break,
            planned = every.tick() => {
                if let Err(err) = tick(app, schedule).await {
                    tracing::warn!("scheduler: {err}");
                }
                app.metrics().ticked(planned.elapsed(), app.now());
            }
        }
    }
}

/// Runs everything due now. One person's or one group's failure is logged and the rest goes
/// on; only a store that cannot be read at all ends the tick with an error.
pub async fn tick<S: Store>(app: &App<S>, schedule: &Schedule) -> Result<TickReport, AppError> {
    let mut report = TickReport::default();
    let now = app.now();
    let tz = app.settings().time_zone.clone();
    for trial in app.records().open_trials(None)? {
        let first = follow_up_at(trial.due, &schedule.window, &tz);
        let at = match (trial.offers, trial.offered_at) {
            // Not in the very hours after it was planned, should it be due the same day.
            (0, _) => next_in_window(
                first.max(
                    trial
                        .created_at
                        .saturating_add(SETTLE)
                        .unwrap_or(trial.created_at),
                ),
                &schedule.window,
                &tz,
            ),
            // Once more, counted from the planned date if it was looked back on earlier.
            (offers, Some(offered)) if offers < OFFERS => retry_at(
                offered.max(first),
                app.settings().retry_days,
                &schedule.window,
                &tz,
            ),
            _ => continue,
        };
        if !may_fire(at, now, &schedule.window, &tz) {
            continue;
        }
        let due = Due::FollowUp {
            trial: trial.id.clone(),
        };
        match app.bring_up(&trial.person, due).await {
            Ok(true) => report.follow_ups += 1,
            Ok(false) => {}
            Err(err) => tracing::warn!(
                person = %trial.person.pseudonym(),
                "follow-up offer failed, tried again next tick: {err}"
            ),
        }
    }
    for reminder in app.records().reminders()? {
        let Some(at) = next_reminder_at(reminder.after, &reminder.rule, &tz) else {
            continue;
        };
        if !may_fire(at, now, &schedule.window, &tz) {
            continue;
        }
        match app.bring_up(&reminder.person, Due::Reminder).await {
            Ok(true) => report.reminders += 1,
            Ok(false) => {}
            Err(err) => tracing::warn!(
                person = %reminder.person.pseudonym(),
                "reminder failed, tried again next tick: {err}"
            ),
        }
    }
    // Membership changes a crash kept from someone's conversation (normally none).
    report.memberships = app.settle_memberships().await?;
    report.meetings = app.settle_meetings().await?;
    report.digests = send_digests(app, schedule, now).await?;
    // Forgetting reads every remembered event id: about once an hour is enough (the ticks in
    // the first minute of an hour; with ticks 30 s apart one falls there unless a tick ran
    // long, and then the next hour catches up).
    if now.as_second().rem_euclid(3600) < 60 {
        let week_ago = now
            .checked_sub(jiff::SignedDuration::from_hours(24 * 7))
            .unwrap_or(now);
        report.events_forgotten = app
            .records()
            .forget_events(week_ago, FORGET_PER_TICK)
            .await?;
        report.erasures_finished = app.records().finish_forgetting().await?;
    }
    // Once a day from 03:00, and after a restart or a long tick on the first tick after it.
    let local = now.to_zoned(tz.clone());
    if local.hour() >= PURGE_HOUR && app.records().purged_on()? != Some(local.date()) {
        report.purged = purge(app, now).await?;
        app.records().mark_purged(local.date()).await?;
    }
    Ok(report)
}

/// Deletes answers older than the retention period and trims old trial actions to their
/// counts; the log gets the counts only.
pub async fn purge<S: Store>(app: &App<S>, now: Timestamp) -> Result<Purged, AppError> {
    let months = i64::from(app.settings().retention_months);
    let cutoff = now
        .to_zoned(app.settings().time_zone.clone())
        .checked_sub(jiff::Span::new().months(months))
        .map_or(now, |zoned| zoned.timestamp());
    let purged = app.purge_before(cutoff).await?;
    tracing::info!(
        answers = purged.answers,
        trial_actions = purged.trials,
        months,
        "retention purge"
    );
    Ok(purged)
}

/// Sends each group's digest for the last complete week to each of its facilitators, once:
/// the record that it was sent is committed with the message.
async fn send_digests<S: Store>(
    app: &App<S>,
    schedule: &Schedule,
    now: Timestamp,
) -> Result<usize, AppError> {
    let tz = app.settings().time_zone.clone();
    let at = last_digest_at(now, &schedule.digest, &tz);
    if !may_fire(at, now, &schedule.window, &tz) {
        return Ok(0);
    }
    let week = digest_week(at, &tz);
    let key = format_week(week);
    let (_, sunday) = week_dates(week);
    let (_, week_end) = week_bounds(week, &tz);
    let mut sent = 0;
    for group in app.records().groups()? {
        // No digest of a week that ended before the group was made.
        if group.created_at >= week_end {
            continue;
        }
        let members = app.records().members(&group.id)?;
        for member in members.iter().filter(|m| m.role == GroupRole::Facilitator) {
            if app.records().digest_sent(&group.id, &key, &member.person)? {
                continue;
            }
            let lang = app
                .records()
                .conversation(&member.person)?
                .map_or(Lang::Da, |c| c.lang);
            match send_digest(app, &group, week, sunday, &member.person, lang, now).await {
                Ok(()) => {
                    tracing::info!(group = %group.id, week = %key, "digest sent");
                    sent += 1;
                }
                Err(err) => tracing::warn!(
                    group = %group.id,
                    person = %member.person.pseudonym(),
                    "digest failed, tried again next tick: {err}"
                ),
            }
        }
        for link in app.records().digest_chats(&group.id)? {
            // A chat gets the digest only while whoever linked it still runs the group.
            let still_facilitator = members
                .iter()
                .any(|m| m.person == link.linked_by && m.role == GroupRole::Facilitator);
            if !still_facilitator || app.records().digest_sent(&group.id, &key, &link.chat)? {
                continue;
            }
            match send_digest(app, &group, week, sunday, &link.chat, link.lang, now).await {
                Ok(()) => sent += 1,
                Err(err) => tracing::warn!(
                    group = %group.id,
                    "digest to a linked chat failed, tried again next tick: {err}"
                ),
            }
        }
    }
    Ok(sent)
}

/// One digest into one facilitator's outbox, with the record that it was sent.
async fn send_digest<S: Store>(
    app: &App<S>,
    group: &Group,
    week: ISOWeekDate,
    sunday: Date,
    person: &PersonId,
    lang: Lang,
    now: Timestamp,
) -> Result<(), AppError> {
    let key = format_week(week);
    let replies = app
        .digest_with_picture(group, week, sunday, lang)
        .await?
        .to_vec();
    app.records()
        .commit(Commit {
            outbox: Some(Outgoing {
                person: person.clone(),
                at: now,
                tag: format!("digest-{}-{key}", group.id),
                replies,
            }),
            digest_sent: Some((group.id.clone(), key, person.clone())),
            ..Commit::default()
        })
        .await?;
    Ok(())
}
