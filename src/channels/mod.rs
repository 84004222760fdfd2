//! Chat channels: each turns a platform's updates into engine events and replies into
//! platform messages. Only the terminal channel so far; Telegram and Matrix come behind the
//! `telegram` and `matrix` features.

pub mod console;
#[cfg(feature = "telegram")]
pub mod telegram;
