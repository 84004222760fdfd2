//! What a chat platform does for the kit: find the place a message goes, send one reply
//! there, and say how a failure is to be treated. One retry policy for every platform.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use eftertanke_core::engine::Reply;
use eftertanke_core::records::{Platform, Recipient};

use crate::metrics::Metrics;

/// How long one send keeps trying before it gives up and leaves the message to the outbox,
/// which tries again later ([`super::outbox`]).
const TRY_FOR: Duration = Duration::from_secs(30);
/// The first pause between tries; it doubles up to [`LONGEST_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(500);
const LONGEST_PAUSE: Duration = Duration::from_secs(8);

/// How a failed send is to be treated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Worth trying again: a server error (5xx), an answer that could not be read (a proxy's
    /// HTML page), a timeout, a rate limit (`after`: how long the platform asked to wait).
    Later {
        after: Option<Duration>,
        why: String,
    },
    /// Refused for good: the person blocked the bot, the chat is gone, the bot may not write
    /// there. Trying again changes nothing.
    Refused(String),
    /// The platform cannot be reached at all (no network, connection refused): later, and
    /// not worth trying anything else now.
    Unreachable(String),
    /// The chat moved to a new id (a Telegram group became a supergroup): send it there, and
    /// remember the new id wherever the old one is linked.
    Moved(String),
}

impl Failure {
    /// What the logs may say of it (never a person's words: the platforms' errors are
    /// described without the answers they carried).
    #[must_use]
    pub fn why(&self) -> &str {
        match self {
            Failure::Later { why, .. } | Failure::Refused(why) | Failure::Unreachable(why) => why,
            Failure::Moved(_) => "the chat moved",
        }
    }
}

/// A chat platform as the kit sees it.
pub trait Transport: Send + Sync + 'static {
    /// Where a message goes on this platform: a chat, a room.
    type Place: Clone + Send + Sync + 'static;
    /// The platform whose outbox this transport delivers.
    const PLATFORM: Platform;
    /// The place for `to`; `Ok(None)` when it has none any more (a room the bot is no longer
    /// in): what waits for it is dropped.
    fn place(
        &self,
        to: Recipient<'_>,
    ) -> impl Future<Output = Result<Option<Self::Place>, Failure>> + Send;
    /// Sends one reply whole, once: its text split at the platform's own limit, its choices,
    /// its file.
    fn send(
        &self,
        to: &Self::Place,
        reply: &Reply,
    ) -> impl Future<Output = Result<(), Failure>> + Send;
}

/// Sends one reply, trying again what is worth it for up to [`TRY_FOR`]: as long as the
/// platform asked, else after a pause that doubles. A refusal or a move is returned at once.
pub async fn send_with_retries<T: Transport>(
    transport: &T,
    to: &T::Place,
    reply: &Reply,
) -> Result<(), Failure> {
    let started = Instant::now();
    let mut pause = FIRST_PAUSE;
    loop {
        let failure = match transport.send(to, reply).await {
            Ok(()) => return Ok(()),
            Err(failure @ (Failure::Refused(_) | Failure::Moved(_))) => return Err(failure),
            Err(failure) => failure,
        };
        let wait = match &failure {
            Failure::Later {
                after: Some(after), ..
            } => *after,
            _ => pause,
        };
        if started.elapsed() + wait > TRY_FOR {
            return Err(failure);
        }
        tokio::time::sleep(wait).await;
        pause = (pause * 2).min(LONGEST_PAUSE);
    }
}

/// Sends replies in order. `sent` counts those sent whole, also when the future is dropped
/// halfway (the reply in flight then counts as not sent: it is sent at least once). Each
/// reply sent, and a failure, is counted in `metrics`.
pub async fn send_all<T: Transport>(
    transport: &T,
    to: &T::Place,
    replies: &[Reply],
    sent: &mut usize,
    metrics: &Metrics,
) -> Result<(), Failure> {
    for reply in &replies[*sent..] {
        if let Err(failure) = send_with_retries(transport, to, reply).await {
            metrics.failed(T::PLATFORM);
            return Err(failure);
        }
        *sent += 1;
        metrics.sent(T::PLATFORM, 1);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Answers each send with the next failure it was given, then success.
    struct Scripted(Mutex<Vec<Failure>>);

    impl Transport for Scripted {
        type Place = ();
        const PLATFORM: Platform = Platform::Console;
        async fn place(&self, _: Recipient<'_>) -> Result<Option<()>, Failure> {
            Ok(Some(()))
        }
        async fn send(&self, _: &(), _: &Reply) -> Result<(), Failure> {
            match self.0.lock().unwrap().pop() {
                Some(failure) => Err(failure),
                None => Ok(()),
            }
        }
    }

    fn later() -> Failure {
        Failure::Later {
            after: Some(Duration::from_millis(1)),
            why: "502".into(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn passing_failures_are_tried_again_refusals_are_not_and_trying_is_bounded() {
        let reply = Reply::plain("hej".into());
        let flaky = Scripted(Mutex::new(vec![
            later(),
            Failure::Unreachable("down".into()),
        ]));
        assert_eq!(send_with_retries(&flaky, &(), &reply).await, Ok(()));
        let refused = Scripted(Mutex::new(vec![
            later(),
            Failure::Refused("blocked".into()),
        ]));
        assert_eq!(
            send_with_retries(&refused, &(), &reply).await,
            Err(Failure::Refused("blocked".into()))
        );
        let down = Scripted(Mutex::new(vec![Failure::Unreachable("down".into()); 1000]));
        let started = tokio::time::Instant::now();
        assert!(matches!(
            send_with_retries(&down, &(), &reply).await,
            Err(Failure::Unreachable(_))
        ));
        assert!(started.elapsed() <= TRY_FOR);
        assert!(
            down.0.lock().unwrap().len() > 990,
            "a few tries, not a tight loop"
        );
    }
}
