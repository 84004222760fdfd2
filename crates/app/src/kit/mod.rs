//! The channel kit: what every chat channel (Telegram, Matrix, and whatever comes next) is
//! built from, so a new platform is one crate of its own plus wiring.
//!
//! - [`lanes`]: per-conversation lanes with bounded queues, and the flood limit at the door;
//! - [`text`]: text split at a platform's own limit.

pub mod lanes;
pub mod text;

/// Resolves when `stop` turns true (or its sender is gone): the channels' shutdown signal.
pub async fn stopped(mut stop: tokio::sync::watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}
