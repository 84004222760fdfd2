//! The Telegram channel.

pub mod emulator;
