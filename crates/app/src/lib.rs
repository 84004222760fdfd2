//! The application layer: where the pure core meets storage and time.
//!
//! # Layout
//! - [`App`]: handles one event durably: reads the conversation, runs the engine, commits its
//!   writes, and only then hands back the replies; also the digest and the retention purge.
//! - [`scheduler`]: what is due (follow-up offers, reminders, digests) into the outbox.
//! - [`config`]: the configuration file.
//! - [`export`]: the evaluator export, pseudonymised.
//! - [`kit`]: what the chat channels are built from.
//! - [`console`]: the terminal chat.

mod app;
pub mod config;
pub mod console;
pub mod control;
pub mod export;
pub mod kit;
pub mod metrics;
pub mod scheduler;

pub use app::{App, AppError, Clock, Event, Profile, ShiftedClock, SystemClock};
