//! The one outbox loop: what waits for a platform's people and chats (follow-up offers,
//! reminders, digests, replies that could not be sent at once) is sent from here, reply by
//! reply, through the platform's [`Transport`].
//!
//! What was sent goes from the outbox at once, so a failure later never sends the earlier
//! replies twice. A refusal for good (blocked, chat gone, forbidden) drops the message with a
//! warning; anything else keeps it, and it is tried again with a pause that doubles up to ten
//! minutes; after an hour of failing, a warning with the count, every hour. An unreachable
//! platform ends the pass.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use eftertanke_core::engine::Reply;
use eftertanke_core::records::PersonId;
use eftertanke_store::{Outgoing, Store, Waiting};
use tokio_util::sync::CancellationToken;

use super::transport::{send_all, Failure, Transport};
use crate::App;

/// How often the outbox is looked at.
const EVERY: Duration = Duration::from_secs(1);
/// The longest pause before a failing message is tried again.
const LONGEST_PAUSE: Duration = Duration::from_secs(600);
/// A message failing this long is warned of (with its count of tries), then again as long.
const WARN_AFTER: Duration = Duration::from_secs(3600);

/// Sends what waits for `T`'s platform until `stop`; what is still waiting then stays in the
/// outbox for the next start.
pub async fn deliver<S: Store, T: Transport>(
    app: Arc<App<S>>,
    transport: Arc<T>,
    stop: CancellationToken,
) {
    let mut every = tokio::time::interval(EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut retries = Retries::default();
    loop {
        tokio::select! {
            biased;
            () = stop.cancelled() => break,
            _ = every.tick() => pass(&app, &*transport, &mut retries, &stop).await,
        }
    }
}

/// One pass over the waiting messages.
async fn pass<S: Store, T: Transport>(
    app: &App<S>,
    transport: &T,
    retries: &mut Retries,
    stop: &CancellationToken,
) {
    let waiting = match app.records().outbox_of_platform(T::PLATFORM.name()) {
        Ok(waiting) => waiting,
        Err(err) => {
            tracing::warn!("reading the outbox: {err}");
            return;
        }
    };
    retries.forget_all_but(&waiting);
    let now = Instant::now();
    for message in waiting {
        if stop.is_cancelled() {
            return;
        }
        if !retries.due(&message.key, now) {
            continue;
        }
        let outcome = deliver_one(app, transport, &message).await;
        let rest = match &outcome {
            Ok(()) => Vec::new(),
            Err((_, failure @ (Failure::Refused(_) | Failure::Moved(_)))) => {
                let why = failure.why();
                tracing::warn!(
                    person = %message.person.pseudonym(),
                    "a waiting message was refused for good, dropped: {why}"
                );
                Vec::new()
            }
            Err((sent, _)) => message.replies[*sent..].to_vec(),
        };
        if let Err(err) = app.records().keep_rest(&message, rest).await {
            tracing::warn!("updating the outbox: {err}");
        }
        match outcome {
            Ok(()) | Err((_, Failure::Refused(_) | Failure::Moved(_))) => {
                retries.succeeded(&message.key);
            }
            Err((_, failure)) => {
                retries.failed(&message, &failure, now);
                if let Failure::Unreachable(why) = failure {
                    tracing::warn!(
                        "{} unreachable, the outbox waits: {why}",
                        T::PLATFORM.name()
                    );
                    return;
                }
            }
        }
    }
}

/// Sends one waiting message; on failure, how many replies went whole, and why. A shared chat
/// that moved is followed once: its links are changed to the new id, and the rest goes there.
async fn deliver_one<S: Store, T: Transport>(
    app: &App<S>,
    transport: &T,
    message: &Waiting,
) -> Result<(), (usize, Failure)> {
    let mut sent = 0;
    let mut recipient = message.person.clone();
    for _ in 0..2 {
        let Some(to) = recipient.recipient() else {
            return Err((sent, Failure::Refused("no recipient in the id".into())));
        };
        let place = match transport.place(to).await {
            Ok(Some(place)) => place,
            Ok(None) => {
                let nowhere = Failure::Refused("nowhere to send it any more".into());
                return Err((sent, nowhere));
            }
            Err(failure) => return Err((sent, failure)),
        };
        match send_all(
            transport,
            &place,
            &message.replies,
            &mut sent,
            app.metrics(),
        )
        .await
        {
            Err(Failure::Moved(id)) => {
                let moved = PersonId::chat(to.platform(), &id);
                if let Err(err) = app.records().move_chat(&recipient, &moved).await {
                    tracing::warn!("following a chat that moved: {err}");
                }
                tracing::info!(chat = %moved.pseudonym(), "a linked chat moved: followed");
                recipient = moved;
            }
            outcome => return outcome.map_err(|failure| (sent, failure)),
        }
    }
    Err((
        sent,
        Failure::Refused("the chat moved twice at once".into()),
    ))
}

/// Keeps replies that could not be sent in the outbox, so the next question is not lost.
pub async fn keep_unsent<S: Store>(
    app: &App<S>,
    person: PersonId,
    tag: String,
    replies: Vec<Reply>,
) {
    if replies.is_empty() {
        return;
    }
    let keep = Outgoing {
        person,
        at: app.now(),
        tag,
        replies,
    };
    if let Err(err) = app.records().keep(keep).await {
        tracing::error!("keeping an unsent reply: {err}");
    }
}

/// Messages that failed, by outbox key: when each may be tried next.
#[derive(Default)]
struct Retries(HashMap<Vec<u8>, Retry>);

struct Retry {
    tries: u32,
    since: Instant,
    next: Instant,
    warned: Option<Instant>,
}

impl Retries {
    fn due(&self, key: &[u8], now: Instant) -> bool {
        self.0.get(key).is_none_or(|retry| retry.next <= now)
    }

    fn succeeded(&mut self, key: &[u8]) {
        self.0.remove(key);
    }

    fn failed(&mut self, message: &Waiting, failure: &Failure, now: Instant) {
        let retry = self.0.entry(message.key.clone()).or_insert(Retry {
            tries: 0,
            since: now,
            next: now,
            warned: None,
        });
        retry.tries += 1;
        let doubled = Duration::from_secs(1 << retry.tries.min(10)).min(LONGEST_PAUSE);
        let pause = match failure {
            Failure::Later {
                after: Some(after), ..
            } => (*after).max(doubled),
            _ => doubled,
        };
        retry.next = now + pause;
        let failing_long = now.duration_since(retry.since) >= WARN_AFTER;
        let warned_lately = retry
            .warned
            .is_some_and(|at| now.duration_since(at) < WARN_AFTER);
        if failing_long && !warned_lately {
            retry.warned = Some(now);
            tracing::warn!(
                person = %message.person.pseudonym(),
                tries = retry.tries,
                minutes = now.duration_since(retry.since).as_secs() / 60,
                "a waiting message still cannot be delivered; it is kept: {}",
                failure.why()
            );
        }
    }

    /// Forgets the messages that are no longer waiting (delivered, or erased with /forget).
    fn forget_all_but(&mut self, waiting: &[Waiting]) {
        if self.0.is_empty() {
            return;
        }
        let keys: std::collections::HashSet<&[u8]> =
            waiting.iter().map(|w| w.key.as_slice()).collect();
        self.0.retain(|key, _| keys.contains(key.as_slice()));
    }
}
