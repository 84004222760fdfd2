//! Chat channels: each turns a platform's updates into engine events and replies into
//! platform messages: the terminal, Telegram and Matrix (behind the default `telegram` and
//! `matrix` features).

pub mod console;
pub mod lanes;
pub mod text;

/// Resolves when `stop` turns true (or its sender is gone): the channels' shutdown signal.
#[cfg(any(feature = "telegram", feature = "matrix"))]
pub(crate) async fn stopped(mut stop: tokio::sync::watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// The messages the channels word themselves, checked at start-up with the engine's.
pub const MESSAGES: &[crate::content::MessageList] = &[
    console::MESSAGES,
    #[cfg(feature = "telegram")]
    telegram::MESSAGES,
    #[cfg(feature = "matrix")]
    matrix::MESSAGES,
];
#[cfg(feature = "matrix")]
pub mod matrix;
#[cfg(feature = "telegram")]
pub mod telegram;
