//! Chat channels: each turns a platform's updates into engine events and replies into
//! platform messages. Only the terminal channel so far; Telegram and Matrix come behind the
//! `telegram` and `matrix` features.

pub mod console;

/// The messages the channels word themselves, checked at start-up with the engine's.
pub const MESSAGES: &[&[(&str, &[&str])]] = &[
    #[cfg(feature = "telegram")]
    telegram::MESSAGES,
];
#[cfg(feature = "telegram")]
pub mod telegram;
