//! Chat channels: each turns a platform's updates into engine events and replies into
//! platform messages: the terminal, and Telegram behind the default `telegram` feature.

pub mod console;

/// The messages the channels word themselves, checked at start-up with the engine's.
pub const MESSAGES: &[&[(&str, &[&str])]] = &[
    console::MESSAGES,
    #[cfg(feature = "telegram")]
    telegram::MESSAGES,
];
#[cfg(feature = "telegram")]
pub mod telegram;
