//! eftertanke: guided reflection dialogues on the eight *Borgeren ved roret* principles.
//!
//! # Layout
//! - [`engine`]: the sans-I/O dialogue engine: (dialogues, conversation, event, now) →
//!   (conversation, replies, writes). No tokio, no sled, no clock.
//! - [`dialogs`]: `dialogs/*.toml` → a validated [`dialogs::Catalog`]; errors name file and step.
//! - [`i18n`]: Fluent messages from `locales/<lang>/*.ftl`; a missing message is an error.
//! - [`records`]: what is stored (conversations, answers, runs, trial actions, groups).
//! - [`digest`]: one group's weekly digest: figures from one week's records, then Fluent text.
//! - [`schedule`]: pure rules of when things happen (digest, follow-ups, reminders, DST).
//! - [`scheduler`]: runs what is due: follow-up offers, reminders and digests, into the outbox.
//! - [`config`]: the configuration file (administrators, schedule, group settings).
//! - [`store`]: the small [`store::Store`] trait with sled (group commit) and memory backends.
//! - [`channels`]: the terminal chat and Telegram (with a local Bot API emulator).
//! - [`app`]: wiring: load and check content, then handle events durably.
//! - [`check`]: `eftertanke check`: validation and the plain-language (LIX) check.
//! - [`bench`]: `eftertanke bench`: durable steps per second and latency percentiles.

pub mod app;
pub mod bench;
pub mod channels;
pub mod check;
pub mod config;
pub mod content;
pub mod dialogs;
pub mod digest;
pub mod engine;
pub mod export;
pub mod flood;
pub mod i18n;
pub mod records;
pub mod schedule;
pub mod scheduler;
pub mod store;
