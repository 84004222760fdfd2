//! One place's sender: its replies in order, one message at a time, so a platform's own rate
//! limit for that place (Telegram: 1 a second, 20 a minute a chat) holds up only that place,
//! and handling never waits on it. What cannot be sent, or comes once stopping, waits in the
//! outbox ([`super::outbox`]).

use std::sync::Arc;

use eftertanke_core::engine::Reply;
use eftertanke_core::records::PersonId;
use eftertanke_store::Store;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::outbox::keep_unsent;
use super::transport::{send_all, Failure, Transport};
use crate::App;

/// Replies a place may have waiting before whoever hands them on waits: only the handler of
/// that place waits, and its full lane then drops that place's input.
const QUEUE: usize = 16;

/// Replies for one place, in order.
pub struct Outbound {
    /// Whose outbox keeps them if they cannot be sent (a person, or a shared chat).
    pub person: PersonId,
    /// What they answer (an update id), so the outbox keeps one copy.
    pub tag: String,
    pub replies: Vec<Reply>,
}

/// A running sender for one place.
pub struct Sender {
    queue: mpsc::Sender<Outbound>,
    task: tokio::task::JoinHandle<()>,
}

impl Sender {
    pub fn spawn<S: Store, T: Transport>(
        app: Arc<App<S>>,
        transport: Arc<T>,
        place: T::Place,
        stop: CancellationToken,
    ) -> Sender {
        let (queue, waiting) = mpsc::channel(QUEUE);
        let task = tokio::spawn(send_in_order(app, transport, place, waiting, stop));
        Sender { queue, task }
    }

    /// Hands on replies; waits only while this place already has [`QUEUE`] waiting.
    pub async fn send<S: Store>(&self, app: &App<S>, out: Outbound) {
        if out.replies.is_empty() {
            return;
        }
        if let Err(mpsc::error::SendError(out)) = self.queue.send(out).await {
            // The sender ended early (a panic, logged when joined): keep them.
            keep_unsent(app, out.person, out.tag, out.replies).await;
        }
    }

    /// Lets the sender finish what it has (or keep it, once stopping), and waits for it.
    pub async fn finish(self) {
        drop(self.queue);
        if let Err(err) = self.task.await {
            tracing::error!("a sender ended abnormally: {err}");
        }
    }
}

async fn send_in_order<S: Store, T: Transport>(
    app: Arc<App<S>>,
    transport: Arc<T>,
    place: T::Place,
    mut waiting: mpsc::Receiver<Outbound>,
    stop: CancellationToken,
) {
    while let Some(mut out) = waiting.recv().await {
        if stop.is_cancelled() {
            keep_unsent(&app, out.person, out.tag, out.replies).await;
            continue;
        }
        let mut sent = 0;
        let outcome = tokio::select! {
            outcome = send_all(&*transport, &place, &out.replies, &mut sent, app.metrics()) => outcome,
            // A rate-limited send may wait long: what is left goes to the outbox (the reply
            // in flight too, so it is sent at least once).
            () = stop.cancelled() => Err(Failure::Later { after: None, why: "stopping".into() }),
        };
        match outcome {
            Ok(()) => {}
            Err(Failure::Refused(why)) => {
                tracing::warn!(person = %out.person.pseudonym(), "a reply was refused, dropped: {why}");
            }
            // A group chat that moved: the outbox follows it.
            Err(failure) => {
                tracing::warn!(
                    person = %out.person.pseudonym(),
                    "reply not sent, kept for later: {}",
                    failure.why()
                );
                out.replies.drain(..sent);
                keep_unsent(&app, out.person, out.tag, out.replies).await;
            }
        }
    }
}
